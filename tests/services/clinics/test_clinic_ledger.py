"""Clinic ledger: Chinese headers, one sheet per county, fixes from the plan."""

from netfixtures import point_rows, road_graph
from openpyxl import load_workbook

from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.report.workbook import Ledger, write_ledger_files
from lvliang_coverage.services.clinics.check import check_compliance
from lvliang_coverage.services.clinics.ledger import (
    clinic_ledger,
    ledger_summary,
)
from lvliang_coverage.services.clinics.plan import plan_clinics

ZH_HEADERS = [
    "县",
    "乡镇",
    "村",
    "常住人口",
    "最近卫生室",
    "直线距离(公里)",
    "路网距离(公里)",
    "步行时间(分钟)",
    "是否达标",
    "问题",
    "整改措施",
    "责任单位",
    "完成时限",
]


def case():
    nodes = {i: (500.0 * i, 0.0) for i in range(13)}
    graph = road_graph(nodes, [(i, i + 1) for i in range(12)])
    rows = [
        ("a", "甲县", 1000, 100),  # complies
        ("b", "甲县", 4000, 100),  # fails; the big village at 5 km can host a clinic
        ("c", "乙县", 5000, 900),  # large: 60 min, fails the 30-minute promise
        ("d", "乙县", 6000, 60),  # fails; covered by the same new clinic
    ]
    villages = point_rows(
        [
            {
                "village_id": v,
                "name": f"村{v}",
                "county": c,
                "township": "镇",
                "population": p,
                "x": x,
                "y": 0,
            }
            for v, c, x, p in rows
        ],
        id_col="village_id",
    )
    clinics = point_rows(
        [{"facility_id": "k", "name": "甲卫生室", "x": 0, "y": 0}], id_col="facility_id"
    )
    net = TravelNetwork.from_graph(graph, mode="walk")
    return villages, clinics, net


def test_ledger_rows_and_workbook(tmp_path):
    villages, clinics, net = case()
    table = check_compliance(villages, clinics, {"walk": net})
    plan = plan_clinics(villages, clinics, net)
    assert plan.lscp.selected == ["C-c"]
    rows = clinic_ledger(table, clinics, plan=plan)
    assert list(rows.columns) == ZH_HEADERS
    assert rows["村"].tolist() == ["村c", "村d", "村b"]  # sorted by county (乙 < 甲 in code order)
    fix = rows.set_index("村")["整改措施"]
    assert "村c" in fix["村b"]  # the new central clinic is named after its village
    assert fix["村b"].startswith("邻村共建")
    assert "30分钟" in fix["村c"]
    assert rows["最近卫生室"].eq("甲卫生室").all()
    assert rows["责任单位"].iloc[0] == "各县市区人民政府、市医保局、市卫健委、市扶贫办"
    assert set(rows["是否达标"]) == {"否"}
    assert rows.set_index("村").loc["村b", "问题"] == "超出2.5公里服务半径；30分钟内无法到达"

    summary = ledger_summary(table, "walk")
    ledger = Ledger("clinic_ledger", rows, summary, county_col="县")
    files = write_ledger_files(ledger, tmp_path)
    assert [f.name for f in files] == ["clinic_ledger.xlsx", "clinic_ledger.csv"]
    wb = load_workbook(files[0])
    assert wb.sheetnames == ["汇总", "乙县", "甲县"]
    assert [c.value for c in wb["甲县"][1]] == ZH_HEADERS
    assert wb["甲县"].max_row == 2
    assert wb["乙县"].max_row == 3
    total = [c.value for c in wb["汇总"][wb["汇总"].max_row]]
    assert total[:6] == ["全市", 4, 3, 260, 1, 2]


def test_english_ledger():
    villages, clinics, net = case()
    table = check_compliance(villages, clinics, {"walk": net})
    rows = clinic_ledger(table, clinics, lang="en")
    assert rows.columns[7] == "walking time (min)"
    assert rows["Compliant"].eq("no").all()
