"""One number format for every terminal table: separators, whole yuan, shares, missing values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lvliang_coverage.console import print_headlines
from lvliang_coverage.optimise.highs import SolveReport
from lvliang_coverage.report.headlines import (
    Headline,
    format_value,
    headline_items,
    headline_rows,
    solver_text,
)


@pytest.mark.parametrize(
    ("value", "label", "text"),
    [
        (1228, "达标村 / compliant", "1,228"),
        (np.int64(2311), "small_villages", "2,311"),
        (292816.0, "residents", "292,816"),  # a whole float prints as an integer
        (70044912.4, "construction_yuan", "70,044,912"),  # never 7.00449e+07
        (511269383.49, "总投资（元）/ total (yuan)", "511,269,383"),
        (np.float64(664245.0), "maintenance_yuan_year", "664,245"),
        (0.2858, "覆盖率 / share served", "28.6%"),
        (1.0, "served_share", "100.0%"),
        (0.0, "mip_gap", "0.00%"),
        (51.1655, "mean_commute_min", "51.2"),
        (51.1655, "平均通勤（分钟）/ mean commute (min)", "51.2"),
        (3.9216, "euclid_km", "3.92"),
        (3.14159, "ratio", "3.14"),
        (2045.4348843457847, "no unit", "2,045"),  # large figures of no unit: whole
        (None, "budget_yuan", "—"),
        (float("nan"), "travel_min", "—"),
        (np.nan, "x", "—"),
        (pd.NA, "x", "—"),
        (pd.NaT, "x", "—"),
        (True, "same_county", "是 / yes"),
        (np.False_, "same_county", "否 / no"),
        ("optimal", "x", "optimal"),
        (float("inf"), "x", "∞"),
    ],
)
def test_format_value(value, label, text):
    assert format_value(value, label) == text


def test_solver_report_in_words():
    report = SolveReport(
        status="optimal",
        message="Optimal",
        objective=261.0,
        dual_bound=261.0,
        mip_gap=0.0,
        solve_seconds=0.2804,
        time_limit_s=60.0,
        mip_rel_gap=0.0,
        n_variables=10,
        n_constraints=5,
    )
    assert solver_text(report) == "最优 / optimal；间隙 / gap 0.00%；0.28 秒 / s"
    assert format_value(report) == solver_text(report)
    stopped = {
        "solver_status": "time_limit",
        "mip_gap": 0.0123,
        "solve_seconds": 60.2,
        "time_limit_s": 60.0,
    }
    assert solver_text(stopped) == (
        "达到时限 / time limit reached；间隙 / gap 1.23%；60.20 秒 / s；时限 / limit 60 秒 / s"
    )
    assert solver_text({"solver_status": "optimal,time_limit", "mip_gap": None}) == (
        "最优 / optimal, 达到时限 / time limit reached"
    )


def test_raw_solver_keys_become_one_line_and_mode_a_name():
    summary = {
        "mode": "walk",
        "new_clinics": 261,
        "solver_status": "optimal",
        "mip_gap": 0.0,
        "solve_seconds": 0.0031,
        "time_limit_s": 60.0,
        "mip_rel_gap": 0.0,
        "budget_yuan": None,
    }
    items = headline_items(Headline("plan / 规划", summary))
    assert items == [
        ("出行方式 / travel mode", "步行 / walking"),
        ("new_clinics", "261"),
        ("budget_yuan", "—"),
        ("求解 / solver", "最优 / optimal；间隙 / gap 0.00%；0.0031 秒 / s"),
    ]
    labels = [label for label, _ in items]
    assert not {"mip_gap", "mip_rel_gap", "solver_status", "time_limit_s"} & set(labels)


def test_solver_field_is_printed_once():
    report = {"solver_status": "optimal", "mip_gap": 0.0, "solve_seconds": 1.5}
    items = headline_items(Headline("t / t", {"a / a": 1}, solver=report))
    assert items[-1] == ("求解 / solver", "最优 / optimal；间隙 / gap 0.00%；1.50 秒 / s")
    assert len(items) == 2


def test_rows_are_formatted_by_their_headers():
    rows = [
        {"县 / county": "离石区", "total_yuan": 42485034.2, "覆盖率 / share": 0.517, "x": None},
        {"县 / county": "全市", "total_yuan": 511269383.0, "覆盖率 / share": 0.286, "x": 3},
    ]
    headers, cells = headline_rows(Headline("t / t", rows=rows))
    assert headers == ["县 / county", "total_yuan", "覆盖率 / share", "x"]
    assert cells == [
        ["离石区", "42,485,034", "51.7%", "—"],
        ["全市", "511,269,383", "28.6%", "3"],
    ]


def test_printed_tables_are_bilingual_and_formatted(capsys):
    print_headlines(
        [
            Headline("农村饮水 / water", {"total_yuan": 511269383.4, "budget_yuan": None}),
            Headline("各县 / per county", rows=[{"县 / county": "兴县", "覆盖率 / share": 0.146}]),
        ]
    )
    text = capsys.readouterr().out
    assert "项目 / item" in text
    assert "数值 / value" in text
    assert "511,269,383" in text
    assert "e+0" not in text
    assert "None" not in text
    assert "14.6%" in text


def test_numbers_in_a_wide_table_are_never_cut(capsys):
    row = {
        "县 / county": "全市 / city",
        "规划供水村 / villages supplied": 749,
        "规划供水人口 / residents supplied": 221415,
        "总投资（元） / total investment (yuan)": 511269383.0,
        "贫困户入户补助（元） / poor-household connection subsidy (yuan)": 15082500.0,
        "年维修养护资金（元） / maintenance fund per year (yuan)": 664245.0,
    }
    print_headlines([Headline("分县投资 / budget per county", rows=[row])])
    text = capsys.readouterr().out
    for number in ("749", "221,415", "511,269,383", "15,082,500", "664,245"):
        assert number in text
