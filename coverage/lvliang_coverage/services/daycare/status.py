"""Plain sentences about each village's day-care reach, for the ledger and the map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.report.vocabulary import Terms, mode_name
from lvliang_coverage.services._tables import ACCESS_REASONS
from lvliang_coverage.services.daycare.settings import DaycareRules

_PACKAGE = "lvliang_coverage.services.daycare"

STATUS_TEXT = Terms.from_package(_PACKAGE, section="status")
"""Templates of the village sentences (``[status]`` of the package's ``terms.toml``)."""

REASON_TEXT = ACCESS_REASONS | Terms.from_package(_PACKAGE, section="reasons")
"""Texts of the reason codes (:data:`lvliang_coverage.services.access.REASONS`, ``no_site``);
fields ``radius`` (km) and ``minutes``."""


def centre_label(table: pd.DataFrame, which: str) -> np.ndarray:
    """Name the ``which`` centre of each row (``nearest``, ``fastest``, ``served_by``).

    Its name, else its id; empty where there is no such centre.
    """
    id_col = "served_by" if which == "served_by" else f"{which}_centre_id"
    name_col = "served_by_name" if which == "served_by" else f"{which}_centre_name"
    ids = table[id_col].astype(object).where(table[id_col].notna(), "")
    names = table[name_col].astype(object).where(table[name_col].notna(), "")
    return np.where(names.astype(str) != "", names, ids).astype(object)


def status_sentences(table: pd.DataFrame, lang: str, settings: DaycareRules) -> pd.Series:
    """Write one plain sentence per village of a day-care check: served or why not.

    E.g. "覆盖：由样例日间照料中心服务（1.3公里，步行12分钟）", "未覆盖：2公里内没有日间照料中心
    （最近的样例日间照料中心在3.92公里外）" / "not served: no day-care centre within 2 km (the
    nearest, ..., is 3.92 km away)", "未覆盖：2公里内有日间照料中心（...），但步行需25.2分钟，超过
    15分钟"; villages far from the roads get a note to check their location.

    Parameters
    ----------
    table : DataFrame
        A check table (:data:`~lvliang_coverage.services.daycare.check.CHECK_COLUMNS`).
    lang : {"zh", "en"}
        Language.
    settings : DaycareRules
        The settings (radius in kilometres, time limit in minutes, radius measure, mode).

    Returns
    -------
    pandas.Series of str
        Aligned with ``table`` (same index). Served: kilometres to 0.1 and whole minutes;
        not served: kilometres to 0.01 and minutes to 0.1 (never rounded onto the limit).
    """
    mode = mode_name(str(settings.mode), lang)
    common = {"mode": mode, "radius": settings.service_radius_km, "limit": settings.max_travel_min}
    served = table["served"].to_numpy(dtype=bool)
    no_elderly = table["elderly"].to_numpy() <= 0
    no_centre = table["nearest_centre_id"].isna().to_numpy()
    unreachable = table["fastest_centre_id"].isna().to_numpy()
    far = ~table["within_radius"].to_numpy(dtype=bool)
    road = settings.radius_measure == "network"
    nearest_min = table["nearest_min"].to_numpy(dtype=float)
    cases = {
        "served": served,
        "no_elderly": ~served & no_elderly,
        "no_centre": ~served & ~no_elderly & no_centre,
        "unreachable": ~served & ~no_elderly & ~no_centre & unreachable,
    }
    rest = ~served & ~no_elderly & ~no_centre & ~unreachable
    cases["too_far_road" if road else "too_far"] = rest & far
    cases["too_slow_no_road"] = rest & ~far & np.isnan(nearest_min)
    cases["too_slow"] = rest & ~far & ~np.isnan(nearest_min)
    columns = {
        "served": ("served_by", "served_km", "served_min"),
        "too_far": ("nearest", "radius_km", "nearest_min"),
        "too_far_road": ("nearest", "radius_km", "nearest_min"),
        "too_slow": ("nearest", "radius_km", "nearest_min"),
        "too_slow_no_road": ("nearest", "radius_km", "nearest_min"),
    }
    out = np.full(len(table), "", dtype=object)
    for key, rows in cases.items():
        if not rows.any():
            continue
        if key not in columns:
            out[rows] = STATUS_TEXT.get(key, lang)
            continue
        which, km_col, min_col = columns[key]
        centre = centre_label(table, which)[rows]
        km = table[km_col].to_numpy(dtype=float)[rows]
        minutes = table[min_col].to_numpy(dtype=float)[rows]
        out[rows] = [
            STATUS_TEXT.get(key, lang, centre=c, km=k, minutes=m, **common)
            for c, k, m in zip(centre, km, minutes, strict=True)
        ]
    off = ~served & ~no_elderly & table["off_network"].to_numpy(dtype=bool)
    out[off] = out[off] + STATUS_TEXT.get("off_network", lang)
    return pd.Series(out, index=table.index, dtype=object)
