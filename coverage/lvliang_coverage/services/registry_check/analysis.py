"""The registry check: a village registry's division codes and names against the official list."""

from __future__ import annotations

import functools
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lvliang_coverage.config import Rules
from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs.divisions import (
    RESIDENTS_COMMITTEE,
    Divisions,
    county_order,
    is_village_code,
    load_divisions,
)
from lvliang_coverage.inputs.readers import CODE_COLUMNS, VillageCodes
from lvliang_coverage.study import Study

SECTION = "registry"
"""Name of the rules section the check reads."""

FINDINGS = (
    "missing",
    "unknown_code",
    "duplicate_code",
    "county_mismatch",
    "township_mismatch",
    "name_differs",
)
"""Finding codes, in the order the ledger lists them."""

COLUMNS = ["finding", "code", "name", "county", "township", "row", "detail"]
"""Columns of ``registry_check.csv``."""

SHOWN_ROWS = 10
"""Registry rows listed in a detail before "..."."""

_COMMITTEE_SUFFIX = r"(村民委员会|居民委员会|村委会|居委会|村委|委员会)$"
_PLACE_SUFFIX = r"(社区|村)$"
_TOWNSHIP_SUFFIX = r"(街道办事处|办事处|街道|镇|乡)$"
_COUNTY_SUFFIX = r"(县|区|市)$"


@dataclass(frozen=True)
class RegistryRules:
    """Settings of the registry check (``[registry]`` of the rules; technical settings).

    Attributes
    ----------
    report_missing_urban : bool
        Also report urban 居委会 (codes ending 001-199) that have no row (default false: a
        rural registry need not list the city's residents' committees).
    """

    report_missing_urban: bool = False


def registry_rules(rules: Rules) -> RegistryRules:
    """Read the ``[registry]`` section of the rules in force (defaults where it is absent)."""
    raw: Any = rules.raw.get(SECTION, {})
    return RegistryRules(report_missing_urban=bool(raw.get("report_missing_urban", False)))


@functools.cache
def _details() -> dict[str, tuple[str, str]]:
    """Read the ``[details]`` texts (zh, en) of the package's ``terms.toml``, for the CSV."""
    text = resources.files(__package__).joinpath("terms.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)["details"]
    return {k: (v[0], v[1]) for k, v in table.items()}


def _text(key: str, lang: int, **fields: object) -> str:
    """Detail text ``key`` in language ``lang`` (0 zh, 1 en), fields filled in."""
    return _details()[key][lang].format(**fields)


def _core(
    values: pd.Series, suffixes: tuple[str, ...], prefixes: tuple[str, ...] = ()
) -> pd.Series:
    """Names reduced for comparison: NFKC, no spaces, prefixes and suffixes dropped in turn."""
    out = values.astype(str).map(lambda s: unicodedata.normalize("NFKC", s))
    out = out.str.replace(r"\s+", "", regex=True)
    for prefix in prefixes:
        out = out.str.removeprefix(prefix)
    for pattern in suffixes:
        shorter = out.str.replace(pattern, "", regex=True)
        out = shorter.where(shorter != "", out)
    return out


def committee_core(names: pd.Series) -> pd.Series:
    """Reduce administrative-village names: no 村委会/居委会, no final 村/社区.

    ``"王家坡村委会"``, ``"王家坡村"`` and ``"王家坡"`` compare equal, as do
    ``"东关社区居委会"`` and ``"东关社区"``.
    """
    return _core(names, (_COMMITTEE_SUFFIX, _PLACE_SUFFIX))


def _rows_text(rows: pd.Series, lang: int) -> str:
    """``（第3、17行）`` / `` (rows 3, 17)`` for more than one row, else ``""``."""
    values = sorted(int(r) for r in rows)
    if len(values) < 2:
        return ""
    sep = "、" if lang == 0 else ", "
    shown = sep.join(str(r) for r in values[:SHOWN_ROWS])
    if len(values) > SHOWN_ROWS:
        shown += sep + "…"
    return _text("rows", lang, rows=shown)


@dataclass
class RegistryCheckResult:
    """The findings of a registry check and the counts per county and township.

    Attributes
    ----------
    findings : DataFrame
        :data:`COLUMNS` plus ``detail_zh`` and ``detail_en``; ``row`` (Int64) is the
        1-based data row of the registry (the first of a group), NA for ``missing``.
    counties : DataFrame
        Per county of the registry (official order): ``county_code``, ``county``,
        ``official`` (committees of the list), ``in_registry``, ``missing``, then one count
        per finding code.
    townships : DataFrame
        Per township: ``county``, ``township_code``, ``township``, ``official``,
        ``in_registry``, ``missing``.
    has_codes : bool
        Whether the registry gives division codes (without them nothing is checked).
    rows : int
        Data rows of the registry.
    rows_without_code : int
        Rows with no code (not checked).
    per_committee : bool
        Whether each row is one administrative village (no ``admin_village`` column).
    report_missing_urban : bool
        Whether urban 居委会 count as official units that must have a row.
    task : str
        ``"check"``.
    """

    findings: pd.DataFrame
    counties: pd.DataFrame
    townships: pd.DataFrame
    has_codes: bool
    rows: int
    rows_without_code: int
    per_committee: bool
    report_missing_urban: bool = False
    task: str = "check"

    def tables(self) -> dict[str, pd.DataFrame]:
        """``registry_check.csv``: one finding per row, the detail in Chinese and English."""
        f = self.findings
        table = f[COLUMNS[:-1]].copy()
        zh, en = (f[c].astype(object).astype(str) for c in ("detail_zh", "detail_en"))
        table["detail"] = (zh + " / " + en).to_numpy(object)
        return {"registry_check.csv": table[COLUMNS]}

    def summary(self) -> dict[str, object]:
        """Headline figures under stable keys: rows, committees, one count per finding."""
        out: dict[str, object] = {
            "rows": self.rows,
            "has_codes": self.has_codes,
            "rows_without_code": self.rows_without_code,
        }
        if self.has_codes:
            out["committees_official"] = int(self.counties["official"].sum())
            out["committees_in_registry"] = int(self.counties["in_registry"].sum())
        counts = self.findings["finding"].value_counts()
        out.update({k: int(counts.get(k, 0)) for k in FINDINGS})
        return out


def codes_of_layer(villages: pd.DataFrame) -> VillageCodes:
    """Make the code table of a study's village layer (rows numbered 1, 2, ... in order).

    Parameters
    ----------
    villages : DataFrame
        Villages in the schema of :func:`lvliang_coverage.inputs.readers.read_villages`.

    Returns
    -------
    VillageCodes
        Its name, administrative-village name, code, county and township.
    """
    table = pd.DataFrame({"row": np.arange(1, len(villages) + 1, dtype=np.int64)})
    columns: dict[str, str] = {}
    for column in CODE_COLUMNS:
        if column in villages.columns:
            values = villages[column].astype(object).where(villages[column].notna(), "")
            table[column] = values.astype(str).to_numpy()
            columns[column] = column
        else:
            table[column] = ""
    if not (table["admin_village"] != "").any():
        columns.pop("admin_village", None)
    source = villages["source"].iloc[0] if "source" in villages and len(villages) else ""
    return VillageCodes(table, Path(str(source)), columns)


def _empty_findings() -> pd.DataFrame:
    """Make a findings table without rows."""
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in [*COLUMNS, "detail_zh", "detail_en"]})
    frame["row"] = frame["row"].astype("Int64")
    return frame


def _group_findings(
    rows: pd.DataFrame, keys: list[str], finding: str, detail: pd.Series, detail_en: pd.Series
) -> pd.DataFrame:
    """One finding per group of ``rows`` sharing ``keys``: the first row, the rows listed."""
    if rows.empty:
        return _empty_findings()
    r = rows.assign(_zh=detail.to_numpy(), _en=detail_en.to_numpy())
    g = r.sort_values("row", kind="stable").groupby(keys, sort=False, dropna=False)
    first = g.first().reset_index()
    row_lists = g["row"].agg(list).to_numpy()
    out = pd.DataFrame(
        {
            "finding": finding,
            "code": first["admin_code"].to_numpy(),
            "name": first["unit"].to_numpy(),
            "county": first["place_county"].to_numpy(),
            "township": first["place_township"].to_numpy(),
            "row": pd.array(first["row"].to_numpy(), dtype="Int64"),
            "detail_zh": [
                z + _rows_text(pd.Series(x), 0)
                for z, x in zip(first["_zh"], row_lists, strict=True)
            ],
            "detail_en": [
                e + _rows_text(pd.Series(x), 1)
                for e, x in zip(first["_en"], row_lists, strict=True)
            ],
        }
    )
    out["detail"] = ""
    return out[[*COLUMNS, "detail_zh", "detail_en"]]


def _duplicates(coded: pd.DataFrame, per_committee: bool) -> pd.DataFrame:
    """Codes given to different administrative villages (one finding per village and code).

    In a registry of settlements, settlements of one 行政村 share its code; a code is
    duplicated when rows holding it name different administrative villages. In a registry
    of one row per 行政村, any repeated code is duplicated.
    """
    c = coded.assign(unit_key=coded["row"].astype(str) if per_committee else coded["unit_core"])
    named = c[c["unit_key"] != ""]
    distinct = named.groupby("admin_code")["unit_key"].nunique()
    d = named[named["admin_code"].isin(distinct[distinct > 1].index)]
    if d.empty:
        return _empty_findings()
    keys = ["admin_code", "unit_key"]
    groups = d.groupby(keys, sort=False).agg(unit=("unit", "first"), row=("row", "min"))
    groups = groups.reset_index().sort_values("row", kind="stable")
    names = groups["unit"].where(groups["unit"] != "", "—")
    texts: dict[int, list[str]] = {0: [], 1: []}
    for lang, sep in ((0, "、"), (1, ", ")):
        labels = [
            _text("row_of", lang, name=n, row=r) for n, r in zip(names, groups["row"], strict=True)
        ]
        by_code: dict[str, list[tuple[str, str]]] = {}
        for code, key, label in zip(groups["admin_code"], groups["unit_key"], labels, strict=True):
            by_code.setdefault(code, []).append((key, label))
        for code, key in zip(groups["admin_code"], groups["unit_key"], strict=True):
            others = sep.join(label for k, label in by_code[code] if k != key)
            texts[lang].append(_text("duplicate_code", lang, others=others))
    groups = groups.assign(_zh=texts[0], _en=texts[1])
    rows = d.merge(groups[[*keys, "_zh", "_en"]], on=keys, how="left")
    return _group_findings(rows, keys, "duplicate_code", rows["_zh"], rows["_en"])


def _differs(
    known: pd.DataFrame, column: str, suffix: str, prefixes: tuple[str, ...] = ()
) -> pd.Series:
    """Whether each row's ``column`` (county or township) names another place than its code."""
    official = f"official_{column}"
    given = _core(known[column], (suffix,), prefixes)
    expected = _core(known[official], (suffix,), prefixes)
    return (known[column] != "") & (known[official] != "") & (given != expected)


def _mismatch(known: pd.DataFrame, column: str, differs: pd.Series) -> pd.DataFrame:
    """One finding per code and wrong ``column`` value (``county`` or ``township``)."""
    bad = known[differs]
    official = f"official_{column}"
    finding = f"{column}_mismatch"
    pairs = list(zip(bad[official], bad[column], strict=True))
    zh = pd.Series([_text(finding, 0, official=o, given=g) for o, g in pairs], index=bad.index)
    en = pd.Series([_text(finding, 1, official=o, given=g) for o, g in pairs], index=bad.index)
    return _group_findings(bad, ["admin_code", column], finding, zh, en)


def check_registry(
    registry: VillageCodes, divisions: Divisions, *, report_missing_urban: bool = False
) -> RegistryCheckResult:
    """Check a registry's division codes and names against an official division list.

    Parameters
    ----------
    registry : VillageCodes
        The registry's rows (names, codes, county and township as given).
    divisions : Divisions
        The official list.
    report_missing_urban : bool
        Also report urban 居委会 without a row.

    Returns
    -------
    RegistryCheckResult
        The findings (:data:`FINDINGS`) and the counts per county and township.

    Notes
    -----
    The row's administrative village is its ``admin_village`` (a registry of settlements),
    else its ``name`` (a registry of one row per 行政村). Names compare without spaces,
    without 村委会/居委会 and a final 村/社区 (:func:`committee_core`); counties without a
    final 县/区/市 and a leading city name; townships without 镇/乡/街道. County, township
    and name are checked for codes of the list only; a code that is not in it is
    ``unknown_code``. ``missing`` lists the official committees that no row holds, in
    the counties the registry covers: the counties of its known codes, leaving out rows
    whose county column names another county (a stray code does not bring in a county).
    """
    t = registry.table.copy()
    per_committee = registry.per_committee
    coded_mask = t["admin_code"] != ""
    if not registry.has_codes:
        return RegistryCheckResult(
            _empty_findings(), pd.DataFrame(), pd.DataFrame(), False, len(t), len(t), per_committee
        )
    look = divisions.lookup(t["admin_code"])
    t["unit"] = t["name"] if per_committee else t["admin_village"]
    t["unit_core"] = committee_core(t["unit"]).where(t["unit"] != "", "")
    t["place_county"] = t["county"].where(t["county"] != "", look["county"])
    t["place_township"] = t["township"].where(t["township"] != "", look["township"])
    t["official_county"] = look["county"]
    t["official_township"] = look["township"]
    t["official_name"] = look["name"]
    t["known"] = look["known"]
    coded = t[coded_mask]

    unknown = coded[~coded["known"]]
    malformed = ~is_village_code(unknown["admin_code"])
    zh, en = (
        pd.Series(
            np.where(malformed, _text("not_12_digits", lang), _text("unknown_code", lang)),
            index=unknown.index,
            dtype=object,
        )
        for lang in (0, 1)
    )
    parts = [_group_findings(unknown, ["admin_code", "unit_core"], "unknown_code", zh, en)]
    parts.append(_duplicates(coded, per_committee))

    known = coded[coded["known"]]
    cities = tuple(sorted(set(divisions.table["city"]) - {""}, key=len, reverse=True))
    county_names = tuple(sorted(set(divisions.counties["name"]), key=len, reverse=True))
    county_differs = _differs(known, "county", _COUNTY_SUFFIX, ("山西省", *cities))
    parts.append(_mismatch(known, "county", county_differs))
    town_differs = _differs(known, "township", _TOWNSHIP_SUFFIX, (*cities, *county_names))
    parts.append(_mismatch(known, "township", town_differs))
    named = known[
        (known["unit"] != "") & (known["unit_core"] != committee_core(known["official_name"]))
    ]
    zh, en = (
        pd.Series(
            [_text("name_differs", lang, official=o) for o in named["official_name"]],
            index=named.index,
            dtype=object,
        )
        for lang in (0, 1)
    )
    parts.append(_group_findings(named, ["admin_code", "unit_core"], "name_differs", zh, en))

    codes = known.loc[~county_differs, "admin_code"].str[:6]
    counties = [c for c in divisions.counties["code"] if c in set(codes)]
    official = divisions.committees(counties, urban=report_missing_urban)
    present = official["code"].isin(set(known["admin_code"]))
    absent = official[~present.to_numpy()]
    kind = np.where(absent["type"] == RESIDENTS_COMMITTEE, "kind_residents", "kind_committee")
    missing = pd.DataFrame(
        {
            "finding": "missing",
            "code": absent["code"].to_numpy(),
            "name": absent["name"].to_numpy(),
            "county": absent["county"].to_numpy(),
            "township": absent["township"].to_numpy(),
            "row": pd.array([pd.NA] * len(absent), dtype="Int64"),
            "detail": "",
            "detail_zh": [_text("missing", 0, kind=_text(k, 0)) for k in kind],
            "detail_en": [_text("missing", 1, kind=_text(k, 1)) for k in kind],
        }
    )
    findings = pd.concat([missing, *[p for p in parts if not p.empty]], ignore_index=True)
    findings = _ordered(findings)
    per_county = _per_county(official, present, findings, divisions, counties)
    per_township = _per_township(official, present)
    return RegistryCheckResult(
        findings,
        per_county,
        per_township,
        True,
        len(t),
        int((~coded_mask).sum()),
        per_committee,
        report_missing_urban,
    )


def _ordered(findings: pd.DataFrame) -> pd.DataFrame:
    """Sort findings by county (official order), finding type, code and row."""
    rank = {name: i for i, name in enumerate(county_order(findings["county"]))}
    order = pd.DataFrame(
        {
            "county": findings["county"].map(rank),
            "finding": findings["finding"].map({f: i for i, f in enumerate(FINDINGS)}),
            "code": findings["code"],
            "row": findings["row"].fillna(0),
        }
    )
    index = order.sort_values(["county", "finding", "code", "row"], kind="stable").index
    return findings.loc[index].reset_index(drop=True)


def _per_county(
    official: pd.DataFrame,
    present: pd.Series,
    findings: pd.DataFrame,
    divisions: Divisions,
    counties: list[str],
) -> pd.DataFrame:
    """Official committees, those in the registry, missing and findings per county."""
    c = divisions.counties.set_index("code").loc[counties, "name"]
    per = pd.DataFrame({"county_code": c.index, "county": c.to_numpy()})
    grouped = official.assign(present=present.to_numpy()).groupby("county_code")
    per["official"] = per["county_code"].map(grouped.size()).fillna(0).astype(np.int64)
    per["in_registry"] = per["county_code"].map(grouped["present"].sum()).fillna(0).astype(np.int64)
    per["missing"] = per["official"] - per["in_registry"]
    counts = findings[findings["finding"] != "missing"].groupby(["county", "finding"]).size()
    for finding in FINDINGS[1:]:
        values = (
            counts.xs(finding, level="finding")
            if finding in counts.index.get_level_values(1)
            else pd.Series(dtype=np.int64)
        )
        per[finding] = per["county"].map(values).fillna(0).astype(np.int64)
    return per


def _per_township(official: pd.DataFrame, present: pd.Series) -> pd.DataFrame:
    """Official committees, those in the registry and missing per township (code order)."""
    o = official.assign(present=present.to_numpy())
    g = o.groupby(["county", "township_code", "township"], sort=False)
    out = g.agg(official=("code", "size"), in_registry=("present", "sum")).reset_index()
    out["in_registry"] = out["in_registry"].astype(np.int64)
    out["missing"] = out["official"] - out["in_registry"]
    return out.sort_values("township_code", kind="stable").reset_index(drop=True)


def run_check(
    study: Study,
    rules: Rules,
    *,
    registry: VillageCodes | None = None,
    divisions: Divisions | None = None,
) -> RegistryCheckResult:
    """Check the study's village registry (or ``registry``) against the official list.

    Parameters
    ----------
    study : Study
        The study; its village layer is checked unless ``registry`` is given.
    rules : Rules
        Rules in force (``[registry]``).
    registry : VillageCodes, optional
        The registry as read by :func:`lvliang_coverage.inputs.readers.read_village_codes`
        (rows numbered as in the file, county and township as given).
    divisions : Divisions, optional
        The official list (default the shipped Lüliang list of 2023).

    Returns
    -------
    RegistryCheckResult
        The findings.

    Raises
    ------
    InputError
        When the study has no village layer.
    """
    if registry is None:
        if study.villages is None:
            msg = (
                "没有可核查的村庄名录，请用 --villages 给出 / "
                "no village registry to check: give --villages"
            )
            raise InputError(msg, column="villages")
        registry = codes_of_layer(study.villages)
    table = divisions if divisions is not None else load_divisions()
    settings = registry_rules(rules)
    return check_registry(registry, table, report_missing_urban=settings.report_missing_urban)


__all__ = [
    "COLUMNS",
    "FINDINGS",
    "RegistryCheckResult",
    "RegistryRules",
    "check_registry",
    "codes_of_layer",
    "committee_core",
    "registry_rules",
    "run_check",
]
