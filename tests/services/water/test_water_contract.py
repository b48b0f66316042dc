"""The water service keeps the service contract: declaration, tables, files written."""

from contract_tests import ServiceContractTests

from lvliang_coverage.services.runner import run_task
from lvliang_coverage.services.water.analysis import WATER_TABLES, WaterResult
from lvliang_coverage.services.water.ledger import WATER_FILES
from lvliang_coverage.services.water.service import SERVICE, WaterService


class TestWaterContract(ServiceContractTests):
    service = SERVICE


def test_service_declares_the_contract_attributes():
    assert isinstance(SERVICE, WaterService)
    assert SERVICE.name == "water"
    assert (SERVICE.title_zh, SERVICE.title_en) == ("农村饮水安全工程", "Rural drinking water")
    assert SERVICE.articles == (12, 13, 14)
    assert SERVICE.kinds == ("spring", "well", "reservoir", "river_intake", "plant")
    assert SERVICE.new_kinds == ()
    assert SERVICE.rules_section == "water"
    assert [t.name for t in SERVICE.tasks] == ["site"]
    site = SERVICE.task("site")
    assert site.map_file == "water_plan.html"
    assert site.in_demo
    assert "水源" in site.help_zh
    assert site.help_en.startswith("Site drinking-water projects")


def test_run_task_writes_the_tables_and_the_ledger(default_study, tmp_path):
    run = run_task(SERVICE, default_study, "site", tmp_path, maps=False)
    assert isinstance(run.result, WaterResult)
    tables = run.result.tables()
    assert tuple(tables) == WATER_TABLES
    expected = [*tables, "water_ledger.xlsx", "water_ledger.csv"]
    assert [p.name for p in run.files] == expected
    assert tuple(expected) == WATER_FILES
    written = [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")]  # no journal
    assert sorted(written) == sorted(expected)
    summary = tables["water_plan.json"]
    assert summary["solves"]
    assert {k: v for k, v in summary.items() if k != "solves"} == run.result.summary()


def test_headlines_give_the_summary_and_the_county_budget(default_study, tmp_path):
    result = SERVICE.analyse(default_study, default_study.rules, task="site")
    plan_figures, budget = SERVICE.headlines(result)
    summary = result.summary()
    shown = list(plan_figures.items.values())
    for key in ("unsafe_villages", "served_villages", "total_yuan", "maintenance_yuan_year"):
        assert summary[key] in shown, key
    assert plan_figures.items["solver_status"] == "optimal"  # worded by the terminal
    counties = result.plan.counties
    assert len(budget.rows) == len(counties)
    assert sorted(r["县 / county"] for r in budget.rows[:-1]) == sorted(counties["county"][:-1])
    assert list(budget.rows[0]) == [
        "县 / county",
        "规划供水村 / villages supplied",
        "规划供水人口 / residents supplied",
        "总投资（元） / total investment (yuan)",
        "贫困户入户补助（元） / poor-household connection subsidy (yuan)",
        "年维修养护资金（元） / maintenance fund per year (yuan)",
    ]
    assert budget.rows[-1]["县 / county"] == "全市 / city"
    assert list(tmp_path.iterdir()) == []
