"""The registry check on doctored copies of the official division list (article 1)."""

import csv
from types import SimpleNamespace

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from lvliang_coverage.cli import app
from lvliang_coverage.config import load_rules
from lvliang_coverage.inputs.divisions import load_divisions
from lvliang_coverage.inputs.readers import read_village_codes
from lvliang_coverage.services.registry_check.analysis import (
    COLUMNS,
    check_registry,
    committee_core,
    registry_rules,
    run_check,
)
from lvliang_coverage.services.registry_check.ledger import registry_ledger
from lvliang_coverage.services.registry_check.service import SERVICE

runner = CliRunner()
HEADER = ["统计用区划代码", "村名", "县", "乡镇"]


@pytest.fixture(scope="module")
def official(repo_root):
    """Every village-level unit of the shipped list, read with the csv module only."""
    with (repo_root / "data/lvliang/divisions_2023.csv").open(encoding="utf-8") as fh:
        return [r for r in csv.DictReader(fh) if r["level"] == "village"]


@pytest.fixture(scope="module")
def committees(official):
    """The 村委会 (rural village committees, codes ending 200-399): one registry row each.

    The list types three virtual communities of industrial parks (codes ending 498) as
    村委会 too; by the NBS numbering they are not village committees.
    """
    return [r for r in official if 200 <= int(r["code"][-3:]) <= 399]


@pytest.fixture(scope="module")
def lishi(committees):
    """The 村委会 of 离石区: a registry of one whole county."""
    return [r for r in committees if r["county"] == "离石区"]


def registry_rows(units):
    return [[u["code"], u["name"], u["county"], u["township"]] for u in units]


def write_registry(path, rows, header=HEADER):
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def check(path, **options):
    return check_registry(read_village_codes(path), load_divisions(), **options)


def counts(result):
    return result.findings["finding"].value_counts().to_dict()


def test_the_official_list_itself_has_no_finding(tmp_path, committees):
    result = check(write_registry(tmp_path / "r.csv", registry_rows(committees)))
    assert result.findings.empty
    assert result.has_codes
    assert result.counties["official"].sum() == len(committees)
    assert result.counties["in_registry"].sum() == len(committees)
    assert result.townships["official"].sum() == len(committees)


def test_five_removed_and_three_false_codes(tmp_path, committees):
    """5 committees removed, 3 codes replaced by codes that do not exist: 8 missing, 3 unknown."""
    rows = registry_rows(committees)
    removed = {10, 400, 900, 1500, 2100}
    false = {20: "141102100998", 700: "141124999201", 1800: "141182100990"}
    for i, code in false.items():
        assert code not in {c["code"] for c in committees}
        rows[i][0] = code
    kept = [r for i, r in enumerate(rows) if i not in removed]
    result = check(write_registry(tmp_path / "r.csv", kept))
    assert counts(result) == {"missing": 8, "unknown_code": 3}
    f = result.findings
    missing = f[f["finding"] == "missing"]
    expected = {committees[i]["code"] for i in removed | set(false)}
    assert set(missing["code"]) == expected
    assert missing["row"].isna().all()
    by_code = {c["code"]: c for c in committees}
    for _, m in missing.iterrows():  # each named with its official name, county and township
        assert (m["name"], m["county"], m["township"]) == tuple(
            by_code[m["code"]][k] for k in ("name", "county", "township")
        )
    unknown = f[f["finding"] == "unknown_code"].sort_values("row")
    assert set(unknown["code"]) == set(false.values())
    # the data rows of the file (1 = first row under the header), after the removed rows
    rows_of = {code: 1 + sum(1 for j in range(i) if j not in removed) for i, code in false.items()}
    assert dict(zip(unknown["code"], unknown["row"], strict=True)) == rows_of
    assert (result.counties["missing"].sum(), result.counties["in_registry"].sum()) == (
        8,
        len(committees) - 8,
    )


def test_a_code_given_to_two_committees(tmp_path, lishi):
    rows = registry_rows(lishi)
    rows[7][0] = rows[3][0]  # row 8 takes the code of row 4
    result = check(write_registry(tmp_path / "r.csv", rows))
    f = result.findings
    dup = f[f["finding"] == "duplicate_code"].sort_values("row")
    assert dup["row"].tolist() == [4, 8]
    assert set(dup["code"]) == {lishi[3]["code"]}
    assert dup["name"].tolist() == [lishi[3]["name"], lishi[7]["name"]]
    assert f"{lishi[7]['name']}（第8行）" in dup["detail_zh"].iloc[0]
    assert f"{lishi[3]['name']} (row 4)" in dup["detail_en"].iloc[1]
    # row 8's own code no longer appears, and its name is not the official one of that code
    # (nor its township, when the two committees lie in different townships)
    expected = {"duplicate_code": 2, "missing": 1, "name_differs": 1}
    if lishi[3]["township"] != lishi[7]["township"]:
        expected["township_mismatch"] = 1
    assert counts(result) == expected
    assert f.loc[f["finding"] == "missing", "code"].tolist() == [lishi[7]["code"]]


def test_settlements_of_one_committee_share_its_code(tmp_path, committees):
    """A registry of settlements: the same code with the same 行政村 is no duplicate."""
    a, b = committees[0], committees[1]
    header = ["村名", "行政村", "行政村代码", "县", "乡镇"]
    rows = [
        [f"{a['name'][:-3]}{k}组", a["name"], a["code"], a["county"], a["township"]]
        for k in range(3)
    ]
    rows.append(["后沟", b["name"], b["code"], b["county"], b["township"]])
    path = write_registry(tmp_path / "r.csv", rows, header)
    result = check(path)
    assert not result.per_committee
    assert "duplicate_code" not in counts(result)
    assert "name_differs" not in counts(result)
    # another 行政村 under a's code: a duplicate for each of the two villages
    rows.append(["前沟", b["name"][:-3] + "新村", a["code"], a["county"], a["township"]])
    result = check(write_registry(tmp_path / "r2.csv", rows, header))
    dup = result.findings[result.findings["finding"] == "duplicate_code"].sort_values("row")
    assert dup["row"].tolist() == [1, 5]
    assert "（第1、2、3行）" in dup["detail_zh"].iloc[0]  # the rows of the group
    assert dup["name"].tolist() == [a["name"], b["name"][:-3] + "新村"]


def test_county_and_township_that_differ_from_the_code(tmp_path, lishi):
    rows = registry_rows(lishi)
    other = {"county": "兴县"}  # a row of 离石区 said to be of 兴县: 兴县 is not brought in
    rows[5][2] = other["county"]
    town = next(
        c["township"] for c in lishi if c["county"] == rows[9][2] and c["township"] != rows[9][3]
    )
    official_town = rows[9][3]
    rows[9][3] = town
    rows[12][2] = "吕梁市" + rows[12][2]  # the same county, written with the city: no finding
    rows[13][3] = rows[13][3].removesuffix("镇").removesuffix("乡")  # 吴城 for 吴城镇: none
    result = check(write_registry(tmp_path / "r.csv", rows))
    f = result.findings
    assert counts(result) == {"county_mismatch": 1, "township_mismatch": 1}
    county = f[f["finding"] == "county_mismatch"].iloc[0]
    assert (county["row"], county["county"], county["code"]) == (6, other["county"], rows[5][0])
    assert county["detail_zh"] == f"代码属于{lishi[5]['county']}，登记为{other['county']}"
    township = f[f["finding"] == "township_mismatch"].iloc[0]
    assert (township["row"], township["township"]) == (10, town)
    assert official_town in township["detail_en"]


def test_names_that_differ_from_the_official_name(tmp_path, lishi):
    rows = registry_rows(lishi)
    rows[2][1] = rows[2][1].removesuffix("村委会") + "村"  # 王家坡村 for 王家坡村委会: same
    rows[3][1] = rows[3][1].removesuffix("村委会")  # 王家坡: same
    rows[4][1] = " " + rows[4][1]  # a space: same
    rows[6][1] = "新名" + rows[6][1]
    result = check(write_registry(tmp_path / "r.csv", rows))
    assert counts(result) == {"name_differs": 1}
    row = result.findings.iloc[0]
    assert (row["row"], row["name"]) == (7, rows[6][1])
    assert row["detail_zh"] == f"官方名称为{lishi[6]['name']}"


def test_committee_core_reduces_the_usual_spellings():
    names = pd.Series(
        ["王家坡村委会", "王家坡村民委员会", "王家坡村", "王家坡", "东关社区居委会", "东关社区"]
    )
    assert committee_core(names).tolist() == ["王家坡"] * 4 + ["东关"] * 2


def test_missing_is_counted_in_the_counties_of_the_registry(tmp_path, committees, official):
    jiaokou = [c for c in committees if c["county"] == "交口县"]
    result = check(write_registry(tmp_path / "r.csv", registry_rows(jiaokou[2:])))
    assert counts(result) == {"missing": 2}  # the other counties are not this registry's
    assert result.counties["county"].tolist() == ["交口县"]
    assert result.counties[["official", "in_registry", "missing"]].iloc[0].tolist() == [
        len(jiaokou),
        len(jiaokou) - 2,
        2,
    ]
    towns = result.townships.set_index("township")
    first = jiaokou[0]["township"]
    assert towns.loc[first, "official"] == sum(c["township"] == first for c in jiaokou)
    # urban 居委会 are not reported missing by default; they are with the setting
    urban = [u for u in official if u["county"] == "交口县" and u["type"] == "居委会"]
    assert urban
    result = check(
        write_registry(tmp_path / "r.csv", registry_rows(jiaokou)), report_missing_urban=True
    )
    assert counts(result) == {"missing": len(urban)}
    assert set(result.findings["code"]) == {u["code"] for u in urban}
    assert "居委会" in result.findings["detail_zh"].iloc[0]


def test_the_setting_comes_from_the_rules(tmp_path):
    assert registry_rules(load_rules()).report_missing_urban is False
    config = tmp_path / "rules.toml"
    config.write_text("[registry]\nreport_missing_urban = true\n", encoding="utf-8")
    assert registry_rules(load_rules(config)).report_missing_urban is True


def test_malformed_codes_are_unknown(tmp_path, lishi):
    rows = registry_rows(lishi)
    rows[1][0] = rows[1][0][:-1]  # 11 digits
    result = check(write_registry(tmp_path / "r.csv", rows))
    unknown = result.findings[result.findings["finding"] == "unknown_code"]
    assert unknown["detail_zh"].tolist() == ["不是12位统计用区划代码"]


def test_registry_without_codes_reports_nothing(tmp_path):
    path = write_registry(
        tmp_path / "r.csv", [["甲村", "离石区", "吴城镇"]], ["村名", "县", "乡镇"]
    )
    result = check(path)
    assert not result.has_codes
    assert result.findings.empty
    assert registry_ledger(result, "zh") is None
    out = tmp_path / "out"
    cli = runner.invoke(app, ["registry", "check", "--villages", str(path), "--out", str(out)])
    assert cli.exit_code == 0, cli.output
    lines = [
        line for line in cli.stdout.splitlines() if line.strip() and "写入 / wrote" not in line
    ]
    assert len(lines) == 2  # the one line, then the done line
    assert "没有统计用区划代码" in lines[0]
    assert "no division codes" in lines[0]
    assert lines[1].startswith("完成 / done")
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "registry_check.csv"
    ]
    assert pd.read_csv(out / "registry_check.csv", encoding="utf-8-sig").empty


def test_the_command_writes_table_and_chinese_ledger(tmp_path, committees):
    rows = registry_rows(committees)
    del rows[50]  # one committee missing
    rows[100][0] = "141102100998"  # one false code
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    for r in rows:
        ws.append([int(r[0]), *r[1:]])  # codes as Excel number cells
    wb.save(path)
    out = tmp_path / "out"
    cli = runner.invoke(app, ["registry", "check", "--villages", str(path), "--out", str(out)])
    assert cli.exit_code == 0, cli.output  # findings are results, not errors
    assert "缺漏村委会" in cli.output
    table = pd.read_csv(
        out / "registry_check.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig"
    )
    assert table.columns.tolist() == COLUMNS
    assert sorted(table["finding"]) == ["missing", "missing", "unknown_code"]
    unknown = table[table["finding"] == "unknown_code"].iloc[0]
    assert (unknown["code"], unknown["row"]) == ("141102100998", "101")
    assert (table.loc[table["finding"] == "missing", "row"] == "").all()
    assert set(table.loc[table["finding"] == "missing", "code"]) == {
        committees[50]["code"],
        committees[101]["code"],
    }
    assert " / " in unknown["detail"]
    book = openpyxl.load_workbook(out / "registry_check_ledger.xlsx")
    assert book.sheetnames[:2] == ["汇总", "分乡镇"]
    counties = {committees[50]["county"], committees[101]["county"]}
    assert set(book.sheetnames[2:]) == counties
    texts = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value}
    assert {"缺漏村委会", "代码不存在", "官方村委会(个)", "登记在册(个)", "缺漏(个)"} <= texts
    assert not {"missing", "unknown_code"} & texts  # no finding code in the ledger
    summary = book["汇总"]
    values = [[c.value for c in row] for row in summary.iter_rows()]
    head = next(i for i, r in enumerate(values) if "官方村委会(个)" in r)
    columns = values[head]
    city = next(r for r in values if "全市" in r)
    assert city[columns.index("官方村委会(个)")] == len(committees)
    assert city[columns.index("缺漏(个)")] == 2


def test_english_ledger(tmp_path, lishi):
    rows = registry_rows(lishi)
    rows[1][1] = "别名村"
    result = check(write_registry(tmp_path / "r.csv", rows))
    ledger = registry_ledger(result, "en")
    assert ledger is not None
    assert ledger.rows.columns.tolist()[:4] == ["County", "Township", "Finding", "Division code"]
    assert ledger.rows["Finding"].tolist() == ["Name differs from the official one"]
    assert ledger.lang == "en"
    assert ledger.title


@pytest.mark.parametrize("name", ["none.csv", "old.xls"])
def test_an_unreadable_registry_exits_2(tmp_path, name):
    path = tmp_path / name
    if name.endswith(".xls"):
        path.write_bytes(b"\xd0\xcf\x11\xe0")
    cli = runner.invoke(
        app, ["registry", "check", "--villages", str(path), "--out", str(tmp_path / "o")]
    )
    assert cli.exit_code == 2
    assert "错误 / error" in cli.output
    assert not (tmp_path / "o").exists() or not list((tmp_path / "o").glob("*.csv"))


def test_run_check_reads_a_study_layer(default_study, committees):
    villages = default_study.villages
    result = run_check(default_study, default_study.rules)
    assert result.rows == len(villages)
    if not (villages["admin_code"] != "").any():
        assert not result.has_codes  # default data without codes: nothing checked
        assert result.findings.empty
        return
    # official names and codes: nothing to report but committees a county has too few
    # settlements for (each settlement of a 村委会 in a committee of its own first)
    assert set(result.findings["finding"]) <= {"missing"}
    rural = villages[villages["admin_code"].str[-3:].astype(int) >= 200]
    for county in {c["county"] for c in committees}:
        official = sum(c["county"] == county for c in committees)
        settlements = int((rural["county"] == county).sum())
        missing = result.counties.set_index("county").loc[county, "missing"]
        assert missing == max(0, official - settlements), county


def test_every_job_starts_with_a_one_line_registry_summary(committees):
    """The runner asks every service for a preflight line: the registry check gives one."""
    rows = committees[:-2]  # two committees of the last county left out
    villages = pd.DataFrame(
        {
            "village_id": [r["code"] for r in rows],
            "name": [r["name"] for r in rows],
            "admin_village": [r["name"] for r in rows],
            "admin_code": [r["code"] for r in rows],
            "county": [r["county"] for r in rows],
            "township": [r["township"] for r in rows],
            "source": "test",
        }
    )
    study = SimpleNamespace(villages=villages, rules=load_rules())
    line = SERVICE.preflight(study)
    assert line is not None
    assert "缺漏2个" in line
    assert "2 missing" in line
    assert "2,154" in line
    assert SERVICE.preflight(SimpleNamespace(villages=villages.drop(columns="admin_code"))) is None


def test_a_registry_of_another_city_skips_the_lvliang_summary(committees):
    """Codes of another city (Taiyuan, 1401…) are not checked against the Lüliang list."""
    rows = committees[:50]
    villages = pd.DataFrame(
        {
            "village_id": [f"1401{r['code'][4:]}" for r in rows],
            "admin_code": [f"1401{r['code'][4:]}" for r in rows],
            "name": [r["name"] for r in rows],
        }
    )
    line = SERVICE.preflight(SimpleNamespace(villages=villages, rules=load_rules()))
    assert line is not None
    assert "已跳过" in line
    assert "skipped" in line
    assert "缺漏" not in line
