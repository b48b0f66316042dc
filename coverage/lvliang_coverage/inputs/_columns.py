"""Header aliases: the English and Chinese column names accepted for each canonical column."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from lvliang_coverage import kinds

_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SEPARATORS = re.compile(r"[\s_\-./]+")

# Shapefile (dBase) field names hold at most 10 bytes; longer names arrive truncated.
SHAPEFILE_NAME_BYTES = 10


def normalize_header(name: object) -> str:
    """Normalise a column header for matching.

    Case-folded, trimmed, bracketed units such as ``(人)`` or ``（m3/d）`` dropped, and runs
    of spaces, dashes, dots, slashes and underscores turned into one underscore.

    Parameters
    ----------
    name : object
        The header as read from the file.

    Returns
    -------
    str
        The normalised header, e.g. ``"Village ID"`` -> ``"village_id"``, ``"人口（人）"`` ->
        ``"人口"``.
    """
    text = _BRACKETS.sub("", str(name)).strip().casefold()
    return _SEPARATORS.sub("_", text).strip("_")


LON = ("lon", "lng", "long", "longitude", "x", "经度", "东经", "point_x", "经度坐标")
LAT = ("lat", "latitude", "y", "纬度", "北纬", "point_y", "纬度坐标")


def _words(text: str) -> tuple[str, ...]:
    """Split a space-separated list of headers."""
    return tuple(text.split())


_COUNTY = ("county", "县", "县区", "县市区", "区县", "所属县", "所属县区", "县名", "county_name")
_TOWNSHIP = ("township", "乡镇", "乡", "镇", "所属乡镇", "乡镇名称", "乡镇名", "township_name")
_SOURCE = ("source", "来源", "数据来源")
_KIND = ("kind", "type", "类型", "类别", "种类")


@dataclass(frozen=True)
class Column:
    """One canonical column of a layer.

    Attributes
    ----------
    name : str
        Canonical name.
    dtype : str
        ``"str"``, ``"int"`` (whole non-negative numbers), ``"float"``, ``"float+"``
        (non-negative float), ``"bool"``, ``"code"`` (text, every digit kept, also from Excel
        number cells) or ``"derived"`` (never read from the file: computed from other columns).
    aliases : tuple of str
        Accepted headers (normalised), canonical name first.
    required : bool
        Whether a missing column is an error.
    default : bool, optional
        Value of blank cells of a ``"bool"`` column (default: true, except ``relocate``).
    """

    name: str
    dtype: str
    aliases: tuple[str, ...]
    required: bool = False
    default: bool | None = None


EXTRA_COLUMNS: dict[str, tuple[Column, ...]] = {}
"""Columns services registered per layer name (see :func:`register_column`)."""


def register_column(layer: str, column: Column) -> Column:
    """Let a service read one more canonical column of a registry layer.

    The column is read like the built-in ones (headers matched through ``column.aliases``
    after normalising, values parsed by ``column.dtype``, errors naming file, row and
    column). When a file lacks it the column is left out of the layer (the service decides
    what a missing column means); blank cells of a number column are NaN.

    Parameters
    ----------
    layer : str
        ``"villages"``, ``"facilities"``, ``"water_sources"`` or ``"sites"``.
    column : Column
        The column (optional: ``required`` must be false).

    Returns
    -------
    Column
        ``column``.

    Raises
    ------
    ValueError
        For an unknown layer, a required column, or a name or header another column of the
        layer already has.
    """
    specs = {
        "villages": VILLAGES,
        "facilities": FACILITIES,
        "water_sources": WATER_SOURCES,
        "sites": SITES,
    }
    if layer not in specs:
        msg = f"unknown layer {layer!r}; use one of {', '.join(specs)}"
        raise ValueError(msg)
    if column.required:
        msg = f"a registered column must be optional: {column.name!r}"
        raise ValueError(msg)
    spec = specs[layer]
    existing = [c for c in spec.columns if c.name != column.name]
    if any(c == column for c in spec.columns):
        return column
    if len(existing) != len(spec.columns):
        msg = f"layer {layer!r} has a column {column.name!r} already"
        raise ValueError(msg)
    taken = {normalize_header(a) for c in existing for a in (c.name, *c.aliases)}
    clash = [a for a in column.aliases if normalize_header(a) in taken]
    if clash:
        msg = f"headers {clash} of column {column.name!r} already name a column of {layer!r}"
        raise ValueError(msg)
    EXTRA_COLUMNS[spec.layer] = (*EXTRA_COLUMNS.get(spec.layer, ()), column)
    return column


@dataclass(frozen=True)
class LayerSpec:
    """Canonical columns of one registry layer.

    Attributes
    ----------
    layer : str
        Layer name used in messages, e.g. ``"villages"``.
    id_column : str
        Canonical id column.
    id_prefix : str
        Prefix of ids generated from row numbers when the file has no id column.
    id_aliases : tuple of str
        Accepted id headers.
    own_columns : tuple of Column
        The layer's built-in canonical columns, in output order.
    kind_layer : str or None
        Layer of :mod:`lvliang_coverage.kinds` whose kinds the ``kind`` column holds
        (``"facilities"`` or ``"water_sources"``); None when the layer has no kind.
    label_zh : str
        Chinese name of the layer in messages, e.g. ``"村庄"``.
    warn_ids : bool
        Warn about id-like columns that are not read (:func:`id_like`).
    """

    layer: str
    id_column: str
    id_prefix: str
    id_aliases: tuple[str, ...]
    own_columns: tuple[Column, ...]
    kind_layer: str | None = None
    label_zh: str = ""
    warn_ids: bool = True

    @property
    def columns(self) -> tuple[Column, ...]:
        """Built-in columns, then the columns services registered for the layer."""
        return (*self.own_columns, *EXTRA_COLUMNS.get(self.layer, ()))

    def is_extra(self, name: str) -> bool:
        """Whether ``name`` is a column a service registered (absent from output if missing)."""
        return any(c.name == name for c in EXTRA_COLUMNS.get(self.layer, ()))

    @property
    def canonical(self) -> tuple[str, ...]:
        """Canonical column names in output order, id first."""
        return (self.id_column, *(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        """Return the :class:`Column` called ``name``."""
        return next(c for c in self.columns if c.name == name)

    def accepted_kinds(self) -> dict[str, str]:
        """Map the accepted ``kind`` spellings (normalised) to canonical kinds.

        Read from :mod:`lvliang_coverage.kinds` on every call, so that kinds registered by
        services after import are accepted; spellings are normalised as
        :func:`lvliang_coverage.kinds.normalize` does.

        Returns
        -------
        dict of str to str
            Normalised spelling -> canonical kind; empty when the layer has no kind.
        """
        return {} if self.kind_layer is None else kinds.accepted(self.kind_layer)


_ID_GENERIC = ("id", "编号", "编码", "代码", "code", "序号", "no")
_PLACE = (Column("county", "str", _COUNTY), Column("township", "str", _TOWNSHIP))


def _layer(
    layer: str,
    id_prefix: str,
    ids: tuple[str, ...],
    names: tuple[str, ...],
    *columns: Column,
    kind_layer: str | None = None,
    label_zh: str = "",
    warn_ids: bool = True,
) -> LayerSpec:
    """Declare a registry layer: its id, a ``name`` column, ``columns``, a ``source`` column.

    ``ids`` and ``names`` are the accepted headers of the id and the name, canonical name
    first (the id column is ``ids[0]``); the id also accepts the generic id headers.
    """
    return LayerSpec(
        layer=layer,
        id_column=ids[0],
        id_prefix=id_prefix,
        id_aliases=(*ids, *_ID_GENERIC),
        own_columns=(
            Column("name", "str", names),
            *columns,
            Column("source", "str", _SOURCE),
        ),
        kind_layer=kind_layer,
        label_zh=label_zh,
        warn_ids=warn_ids,
    )


ADMIN_CODE = _words(
    "admin_code 统计用区划代码 区划代码 行政区划代码 行政村代码 行政村区划代码 村级区划代码 "
    "行政村编码 村委会代码 区划编码"
)
"""Headers of the 12-digit division code of a row's administrative village (always the code)."""

ADMIN_CODE_WEAK = ("村代码", "code", "代码")
"""Headers read as the division code when 90 % of the filled cells hold 12 digits, else the id."""

TOWNSHIP_CODE = ("township_code", "乡镇代码", "乡镇编码", "乡镇区划代码", "乡级区划代码")
"""Headers of the 9-digit township code."""

CODE_HEADERS = (
    *ADMIN_CODE,
    *TOWNSHIP_CODE,
    *_words("county_code 县代码 县区代码 县级区划代码 adcode"),
)
"""Division-code headers: kept as text, never taken for an unrecognised id."""

_ID_WORDS = re.compile(r"(^|_)(id|ids|code|codes)\d*(_|$)")
_ID_CHINESE = ("编号", "编码", "代码")


def id_like(header: object) -> bool:
    """Whether a header looks like an id or code column.

    True when the header holds 编号, 编码 or 代码, or ``id`` or ``code`` as a word
    (``clinic_id``, ``Clinic ID``, ``ClinicID``, ``site code``); ``idle`` or ``adcode`` are
    not.

    Parameters
    ----------
    header : object
        The header as read from the file.

    Returns
    -------
    bool
    """
    text = str(header)
    if any(word in text for word in _ID_CHINESE):
        return True
    split = re.sub(r"([a-z])([A-Z])", r"\1_\2", text)
    return bool(_ID_WORDS.search(normalize_header(split)))


VILLAGES = _layer(
    "villages",
    "V",
    _words(
        "village_id villageid settlement_id 自然村编码 自然村代码 自然村编号 村编码 村代码 村编号 "
        "村庄编号 村庄编码 村庄代码"
    ),
    (
        "name",
        "村名",
        "名称",
        "村庄名称",
        "自然村",
        "自然村名称",
        "自然村名",
        "村庄",
        "村名称",
        "village",
        "village_name",
    ),
    *_PLACE,
    Column(
        "population",
        "int",
        ("population", "pop", "常住人口", "人口", "人口数", "常住人口数", "总人口", "人数"),
        required=True,
    ),
    Column("households", "int", ("households", "户数", "常住户数", "总户数", "hh")),
    Column(
        "registered_poor",
        "int",
        (
            "registered_poor",
            "建档立卡人口",
            "贫困人口",
            "建档立卡贫困人口",
            "建档立卡人数",
            "贫困人口数",
            "poor",
        ),
    ),
    Column("water_safe", "bool", ("water_safe", "饮水安全", "饮水是否安全", "是否饮水安全")),
    Column("relocate", "bool", ("relocate", "整村搬迁", "是否整村搬迁", "搬迁", "是否搬迁")),
    Column(
        "admin_village", "str", ("admin_village", "行政村", "所属行政村", "行政村名称", "行政村名")
    ),
    Column("admin_code", "code", ADMIN_CODE),
    Column("township_code", "code", TOWNSHIP_CODE),
    Column("urban", "derived", ("urban",)),
    label_zh="村庄",
)

FACILITIES = _layer(
    "facilities",
    "F",
    _words(
        "facility_id facilityid clinic_id clinicid 卫生室编号 卫生室编码 卫生室代码 机构编码 "
        "机构代码 机构编号 医疗机构编码 医疗机构代码 医疗机构编号 卫生院编号 医院编号 设施编号 "
        "设施编码 设施代码 单位编码 单位代码 学校编号 学校代码 学校标识码 school_id hospital_id"
    ),
    ("name", "名称", "机构名称", "设施名称", "单位名称", "卫生室名称", "学校名称", "facility_name"),
    Column("kind", "str", (*_KIND, "设施类型", "机构类型", "机构类别"), required=True),
    *_PLACE,
    Column(
        "doctors",
        "int",
        ("doctors", "医生", "医生数", "医生人数", "专业医生", "专业医生数", "在岗医生"),
    ),
    kind_layer="facilities",
    label_zh="设施",
)

WATER_SOURCES = _layer(
    "water sources",
    "W",
    _words(
        "water_source_id source_id sourceid water_id 水源编号 水源编码 水源代码 水源地编号 "
        "水源地编码 水源地代码 工程编号 工程编码 工程代码 水厂编号 水厂编码"
    ),
    ("name", "名称", "水源名称", "水源地名称", "工程名称", "水厂名称", "水源"),
    Column("kind", "str", (*_KIND, "水源类型", "水源类别"), required=True),
    Column(
        "capacity_m3d",
        "float+",
        (
            "capacity_m3d",
            "capacity",
            "供水能力",
            "日供水能力",
            "供水规模",
            "日供水量",
            "设计供水规模",
        ),
        required=True,
    ),
    Column(
        "elevation_m", "float", ("elevation_m", "elevation", "elev", "altitude", "高程", "海拔")
    ),
    *_PLACE,
    kind_layer="water_sources",
    label_zh="水源",
)

SITES = _layer(
    "relocation sites",
    "S",
    _words("site_id siteid 安置点编号 安置点编码 安置点代码 安置区编号 安置区编码 项目编号"),
    ("name", "名称", "安置点名称", "安置点", "安置区名称", "安置区", "site_name"),
    *_PLACE,
    Column(
        "capacity_households",
        "int",
        (
            "capacity_households",
            "capacity",
            "容量",
            "安置规模",
            "设计安置户数",
            "规划安置户数",
            "安置能力",
            "可安置户数",
        ),
        required=True,
    ),
    Column(
        "occupied_households",
        "int",
        ("occupied_households", "occupied", "已安置户数", "入住户数", "已入住户数"),
    ),
    label_zh="安置点",
)

CANDIDATES = _layer(
    "candidate sites",
    "C",
    (
        "site_id",
        "siteid",
        "candidate_id",
        "candidateid",
        "候选点编号",
        "候选点编码",
        "候选编号",
        "候选点代码",
        "点位编号",
        "站点编号",
    ),
    (
        "name",
        "名称",
        "候选点名称",
        "候选点",
        "点位名称",
        "地点",
        "地点名称",
        "站点名称",
        "site_name",
        "candidate_name",
    ),
    *_PLACE,
    # free text, not a facility kind of lvliang_coverage.kinds (e.g. 闲置校舍, 村委会)
    Column("note_kind", "str", (*_KIND, "用途", "现状", "建筑类型", "note_kind")),
    Column("notes", "str", ("notes", "note", "备注", "说明", "remark", "remarks", "comment")),
    label_zh="候选点",
)

BOUNDARIES = _layer(
    "boundaries",
    "T",
    ("township_id", "乡镇代码", "乡镇编码", "乡镇编号"),
    ("name", "名称", "乡镇名称", "乡镇", "township", "乡", "镇"),
    Column("county", "str", _COUNTY),
    Column("adcode", "str", ("adcode", "行政区划代码", "区划代码")),
    label_zh="边界",
    warn_ids=False,
)


def _truncated(alias: str, limit: int) -> str | None:
    """``alias`` cut to ``limit`` UTF-8/GBK bytes (as dBase stores it), None if it fits."""
    for encoding in ("utf-8", "gbk"):
        try:
            raw = alias.encode(encoding)
        except UnicodeEncodeError:
            continue
        if len(raw) > limit:
            return raw[:limit].decode(encoding, errors="ignore")
    return None


def match_columns(
    headers: Iterable[object], aliases: Mapping[str, tuple[str, ...]], *, shapefile: bool = False
) -> dict[str, str]:
    """Find the file column for each canonical column.

    For each canonical column (in the order of ``aliases``) the first file column whose
    normalised header equals one of its aliases is taken, aliases earlier in the list
    winning; a file column is used at most once.

    Parameters
    ----------
    headers : iterable
        The file's column headers.
    aliases : Mapping[str, tuple of str]
        Canonical name -> accepted normalised headers.
    shapefile : bool
        Also accept aliases truncated to the 10 bytes a dBase field name can hold.

    Returns
    -------
    dict
        Canonical name -> file header, for the canonical columns found.
    """
    by_norm: dict[str, str] = {}
    for header in headers:
        by_norm.setdefault(normalize_header(header), str(header))
    found: dict[str, str] = {}
    used: set[str] = set()
    for canonical, names in aliases.items():
        candidates = list(names)
        if shapefile:
            candidates += [t for t in (_truncated(a, SHAPEFILE_NAME_BYTES) for a in names) if t]
        for alias in candidates:
            header = by_norm.get(normalize_header(alias))
            if header is not None and header not in used:
                found[canonical] = header
                used.add(header)
                break
    return found
