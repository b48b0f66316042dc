"""The ledger pieces every service shares (services/_tables.py): duty, money, county order."""

import datetime

import numpy as np
import pandas as pd

from lvliang_coverage.services import _tables as tables

UNITS = ["各县市区人民政府", "市水利局", "市财政局"]
DUE = datetime.date(2030, 12, 31)


def test_duty_values_without_counties_keeps_the_old_call():
    assert tables.duty_values(UNITS, DUE, "zh") == ["各县市区人民政府、市水利局、市财政局", DUE]
    assert tables.duty_values(UNITS, DUE, "en")[0] == "各县市区人民政府, 市水利局, 市财政局"
    # a text deadline (a section not resolved by the rules yet) becomes a date cell
    assert tables.duty_values(UNITS, "2030-06-30", "zh")[1] == datetime.date(2030, 6, 30)
    year = datetime.date.today().year
    assert tables.duty_values(UNITS, "end_of_year", "zh")[1] == datetime.date(year, 12, 31)
    assert tables.duty_values(UNITS, "年底前", "zh")[1] == "年底前"  # other text kept as written


def test_duty_values_name_each_county_government():
    counties = pd.Series(["兴县", None, "临县", ""], index=[10, 11, 12, 13])
    units, due = tables.duty_values(UNITS, DUE, "zh", counties=counties)
    assert due == DUE
    assert list(units.index) == [10, 11, 12, 13]
    assert units.tolist() == [
        "兴县人民政府、市水利局、市财政局",
        "各县市区人民政府、市水利局、市财政局",  # no county: the units as the policy writes them
        "临县人民政府、市水利局、市财政局",
        "各县市区人民政府、市水利局、市财政局",
    ]
    moved, _ = tables.duty_values(
        ["相关县市区人民政府", "市扶贫办"], DUE, "en", counties=pd.Series(["岚县"])
    )
    assert moved.tolist() == ["岚县 People's Government, 市扶贫办"]


def test_money_headers_and_wan():
    rows = pd.DataFrame(columns=["县", "管网投资(元)", "年维修养护资金(元/年)", "Pipe (yuan)"])
    summary = pd.DataFrame(columns=["县", "总投资(万元)", "Total (10,000 yuan)", "人口(人)"])
    yuan, wan = tables.money_headers(rows, summary, rows)
    assert yuan == ("管网投资(元)", "年维修养护资金(元/年)", "Pipe (yuan)")
    assert wan == ("总投资(万元)", "Total (10,000 yuan)")
    assert tables.to_wan(pd.Series([511_269_382.95, 4_999.0])).tolist() == [51126.94, 0.5]


def test_county_tables_follow_the_official_order():
    per = pd.DataFrame({"n": [1, 2, 3, 4]}, index=["汾阳市", "样例县", "离石区", "兴县"])
    out = tables.with_city_row(per, "zh")
    assert list(out.index) == ["离石区", "兴县", "汾阳市", "样例县", "全市"]
    assert out.loc["全市", "n"] == 10


def test_county_ledger_sets_the_layout():
    rows = pd.DataFrame({"县": ["兴县"], "投资(元)": [1.0]})
    summary = pd.DataFrame({"县": ["兴县"], "投资(万元)": [np.float64(0.0001)]})
    ledger = tables.county_ledger(
        "x", rows, summary, "en", title="T", filer="F", county_filer="{county} F"
    )
    assert (ledger.title, ledger.filer, ledger.county_filer, ledger.lang) == (
        "T",
        "F",
        "{county} F",
        "en",
    )
    assert (ledger.money_cols, ledger.wan_cols) == (("投资(元)",), ("投资(万元)",))
    assert ledger.summary_title == "Summary"
    assert ledger.county_col == "县"
