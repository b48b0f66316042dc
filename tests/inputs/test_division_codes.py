"""Official division codes (统计用区划代码) read as text, and what a code tells about its row."""

import csv

import openpyxl
import pandas as pd
import pytest
from input_cases import VILLAGES, write_csv

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.divisions import (
    DIVISION_COLUMNS,
    is_urban,
    load_divisions,
    read_divisions,
)
from lvliang_coverage.inputs.readers import read_village_codes, read_villages

# Three real units of the 2023 list: a 居委会 of 离石区's 滨河街道, a 村委会 of 吴城镇, and one
# of 交口县 (codes and names checked against data/lvliang/divisions_2023.csv below).
URBAN = ("141102001001", "东关社区居委会", "离石区", "滨河街道")


@pytest.fixture(scope="module")
def official(repo_root):
    """The shipped list read with the csv module only (independent of the code under test)."""
    with (repo_root / "data/lvliang/divisions_2023.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _committee(official, county, nth=0):
    rows = [r for r in official if r["type"] == "村委会" and r["county"] == county]
    return rows[nth]


def _registry_rows(units):
    """One row per unit: name, code, residents, coordinates (inside Lüliang)."""
    return [[name, code, 100 + i, 111.1 + i / 100, 37.5] for i, (name, code) in enumerate(units)]


def test_csv_codes_stay_text_and_name_their_place(tmp_path, official):
    wu = _committee(official, "离石区", 3)
    units = [(URBAN[1], URBAN[0]), (wu["name"], wu["code"])]
    path = write_csv(
        tmp_path / "v.csv",
        ["村名", "统计用区划代码", "常住人口", "经度", "纬度"],
        _registry_rows(units),
    )
    v = read_villages(path)
    assert v["admin_code"].tolist() == [URBAN[0], wu["code"]]
    assert v["admin_code"].map(type).eq(str).all()
    # no county or township column: both come from the code's first 6 and 9 digits
    assert v["county"].tolist() == [URBAN[2], wu["county"]]
    assert v["township"].tolist() == [URBAN[3], wu["township"]]
    assert v["township_code"].tolist() == [URBAN[0][:9], wu["township_code"]]
    assert v["urban"].tolist() == [True, False]  # 001 is a 居委会, 2xx a 村委会
    assert v["urban"].dtype == bool
    # a registry with a code on every row, none repeated, keeps the codes as its ids
    assert v["village_id"].tolist() == [URBAN[0], wu["code"]]


def test_given_county_and_township_are_kept_blank_cells_filled(tmp_path, official):
    jk = _committee(official, "交口县")
    rows = [
        ["甲", jk["code"], "交口县", "", 100, 111.2, 36.9],
        ["乙", jk["code"], "", "某乡镇", 100, 111.21, 36.9],
    ]
    header = ["名称", "区划代码", "县", "乡镇", "人口", "lon", "lat"]
    v = read_villages(write_csv(tmp_path / "v.csv", header, rows))
    assert v["county"].tolist() == ["交口县", "交口县"]
    assert v["township"].tolist() == [jk["township"], "某乡镇"]  # as given, never overwritten
    # settlements of one committee share its code: generated ids, the code kept beside them
    assert v["village_id"].tolist() == ["V00001", "V00002"]
    assert v["admin_code"].tolist() == [jk["code"]] * 2


def test_gbk_csv_with_leading_digits(tmp_path, official):
    wu = _committee(official, "文水县")
    header = ["村名", "行政区划代码", "常住人口", "经度", "纬度"]
    path = write_csv(tmp_path / "v.csv", header, _registry_rows([(wu["name"], wu["code"])]), "gbk")
    v = read_villages(path)
    assert v["admin_code"].tolist() == [wu["code"]]
    assert v["county"].tolist() == ["文水县"]
    assert v["name"].tolist() == [wu["name"]]


def test_excel_number_cells_give_the_exact_digits(tmp_path, official):
    a, b = _committee(official, "临县", 0), _committee(official, "孝义市", 5)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["村名", "统计用区划代码", "常住人口", "经度", "纬度"])
    ws.append([a["name"], int(a["code"]), 100, 111.0, 37.9])  # a number cell
    ws.append([b["name"], float(b["code"]), 100, 111.7, 37.1])  # a float number cell
    ws.append(["丙", f"{a['code']}.0", 100, 111.1, 37.9])  # text with a trailing .0
    path = tmp_path / "v.xlsx"
    wb.save(path)
    v = read_villages(path)
    assert v["admin_code"].tolist() == [a["code"], b["code"], a["code"]]
    assert not v["admin_code"].str.contains(r"[.eE+]").any()
    assert v["county"].tolist() == ["临县", "孝义市", "临县"]
    table = read_village_codes(path).table
    assert table["admin_code"].tolist() == [a["code"], b["code"], a["code"]]
    assert table["row"].tolist() == [1, 2, 3]


def test_scientific_notation_is_refused_naming_the_cell(tmp_path):
    header = ["村名", "统计用区划代码", "常住人口", "经度", "纬度"]
    rows = [["甲", "141102001001", 10, 111.1, 37.5], ["乙", "1.41102E+11", 10, 111.1, 37.5]]
    path = write_csv(tmp_path / "v.csv", header, rows)
    with pytest.raises(InputError, match="科学计数法") as err:
        read_villages(path)
    assert (err.value.row, err.value.column) == (2, "统计用区划代码")
    assert "scientific notation" in str(err.value)
    with pytest.raises(InputError, match="scientific notation"):
        read_village_codes(path)


@pytest.mark.parametrize("header", ["村代码", "code", "代码"])
def test_ambiguous_header_is_the_code_when_it_holds_codes(tmp_path, official, header):
    wu = _committee(official, "岚县")
    rows = [["甲", wu["code"], 100, 111.5, 38.2], ["乙", "", 100, 111.5, 38.2]]
    v = read_villages(write_csv(tmp_path / "v.csv", ["村名", header, "人口", "lon", "lat"], rows))
    assert v["admin_code"].tolist() == [wu["code"], ""]
    assert v["village_id"].tolist() == ["V00001", "V00002"]  # a blank code: no code ids
    assert v["county"].tolist() == ["岚县", ""]


def test_a_few_malformed_codes_keep_the_column_a_code(tmp_path, official):
    units = [r for r in official if r["county"] == "中阳县" and r["type"] == "村委会"][:10]
    rows = [[u["name"], u["code"], 100, 111.2, 37.3] for u in units]
    rows[4][1] = "X" + rows[4][1][1:]  # one code of ten is malformed: still the code column
    v = read_villages(write_csv(tmp_path / "v.csv", ["村名", "村代码", "人口", "lon", "lat"], rows))
    assert v["admin_code"].tolist() == [r[1] for r in rows]
    assert v["county"].tolist() == ["中阳县"] * 4 + [""] + ["中阳县"] * 5
    rows[5][1] = "X" + rows[5][1][1:]  # two of ten: 80 %, the column is the id
    v = read_villages(write_csv(tmp_path / "w.csv", ["村名", "村代码", "人口", "lon", "lat"], rows))
    assert v["village_id"].tolist() == [r[1] for r in rows]
    assert (v["admin_code"] == "").all()


@pytest.mark.parametrize("header", ["村代码", "code", "代码"])
def test_ambiguous_header_is_the_id_otherwise(tmp_path, header):
    rows = [["007", "甲", 100, 111.5, 38.2], ["0012", "乙", 100, 111.5, 38.2]]
    v = read_villages(write_csv(tmp_path / "v.csv", [header, "村名", "人口", "lon", "lat"], rows))
    assert v["village_id"].tolist() == ["007", "0012"]  # leading zeros kept
    assert v["admin_code"].tolist() == ["", ""]
    assert not v["urban"].any()


def test_registry_without_codes_has_empty_codes(tmp_path):
    header = [
        "编号",
        "村名",
        "县区",
        "乡镇",
        "常住人口",
        "建档立卡人口",
        "饮水安全",
        "经度",
        "纬度",
    ]
    v = read_villages(write_csv(tmp_path / "v.csv", header, VILLAGES))
    assert v["admin_code"].tolist() == ["", "", ""]
    assert v["township_code"].tolist() == ["", "", ""]
    assert v["urban"].tolist() == [False, False, False]
    assert v["county"].tolist() == [row[2] for row in VILLAGES]


def test_urban_flag_follows_the_last_three_digits():
    codes = pd.Series(
        [
            "141102001001",
            "141102001199",
            "141102100200",
            "141102100399",
            "",
            "14110200100",
            "141102001000",
        ]
    )
    assert is_urban(codes).tolist() == [True, True, False, False, False, False, False]


def test_shipped_list_matches_the_file(official):
    d = load_divisions()
    assert len(d.table) == len(official)
    assert d.table["code"].tolist() == [r["code"] for r in official]
    villages = [r for r in official if r["level"] == "village"]
    committees = [r for r in villages if 200 <= int(r["code"][-3:]) <= 399]
    assert len(committees) == 2154  # the 3 virtual communities (…498) are not 村委会
    assert len(d.villages) == len(villages)
    assert len(d.committees()) == len(committees)
    assert len(d.committees(urban=True)) == len(villages)
    jiaokou = [r for r in committees if r["county"] == "交口县"]
    assert d.committees(["交口县"])["code"].tolist() == [r["code"] for r in jiaokou]
    assert d.committees([jiaokou[0]["county_code"]])["code"].tolist() == [
        r["code"] for r in jiaokou
    ]
    # the NBS rule: the type of every village-level unit follows its last three digits
    assert (is_urban(d.villages["code"]) == (d.villages["type"] == "居委会")).all()


def test_lookup_names_known_and_unknown_codes(official):
    d = load_divisions()
    wu = _committee(official, "方山县", 2)
    fake = wu["code"][:9] + "999"
    look = d.lookup(pd.Series([URBAN[0], wu["code"], fake, "", "abc"]))
    assert look["known"].tolist() == [True, True, False, False, False]
    assert look["name"].tolist() == [URBAN[1], wu["name"], "", "", ""]
    assert look["type"].tolist() == ["居委会", "村委会", "", "", ""]
    # an unknown code of a known township still names its county and township
    assert look["county"].tolist() == ["离石区", "方山县", "方山县", "", ""]
    assert look["township"].tolist() == [URBAN[3], wu["township"], wu["township"], "", ""]
    assert look["urban"].tolist() == [True, False, False, False, False]


def test_plain_gbk_list_of_codes_and_names_is_completed(tmp_path, official):
    """A bare ``code, name`` list (12-digit codes, GBK) gives the same table as the shipped one."""
    path = tmp_path / "list.csv"
    with path.open("w", encoding="gbk", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["统计用区划代码", "名称"])
        for r in official:
            w.writerow([r["code"].ljust(12, "0"), r["name"]])
    d = read_divisions(path)
    shown = [c for c in DIVISION_COLUMNS if not c.startswith("city")]
    expected = pd.DataFrame(official)[shown]
    pd.testing.assert_frame_equal(d.table[shown], expected)


def test_excel_list_with_number_cells(tmp_path, official):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["code", "name"])
    chosen = [r for r in official if r["county"] == "石楼县"]
    for r in chosen:
        ws.append([int(r["code"]), r["name"]])
    wb.save(tmp_path / "list.xlsx")
    d = read_divisions(tmp_path / "list.xlsx")
    assert d.table["code"].tolist() == [r["code"] for r in chosen]
    assert d.table["level"].tolist() == [r["level"] for r in chosen]
    assert d.table["township"].tolist() == [r["township"] for r in chosen]


def test_division_list_errors(tmp_path):
    with pytest.raises(InputError, match="division list not found"):
        read_divisions(tmp_path / "none.csv")
    path = tmp_path / "bad.csv"
    path.write_text("名称,备注\n离石区,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="lacks column") as err:
        read_divisions(path)
    assert err.value.column == "code"
