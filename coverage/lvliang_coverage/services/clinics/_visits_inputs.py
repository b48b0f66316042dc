"""Inputs of the monthly visits: patients per village, the clinics, which clinic serves whom."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from lvliang_coverage.errors import InputError
from lvliang_coverage.inputs._readers import read_raw
from lvliang_coverage.inputs.projection import STORAGE_CRS, metric_crs_of
from lvliang_coverage.network.distance import metric_xy, nearest_m
from lvliang_coverage.services.access import AccessRule, Router, access
from lvliang_coverage.services.clinics.units import unit_keys
from lvliang_coverage.services.clinics.visits_columns import CHRONIC_POOR

BASES = ("own", "plan", "fastest")
"""How a village's clinic is found, in this order: the clinic of its administrative village
(at one of its settlements, normally the largest), the sharing group of a clinic plan, the
fastest clinic to reach from the village."""

BASE_COLUMNS = ["clinic_id", "name", "county", "township", "kind", "doctors", "geometry"]
"""Columns of the clinics the doctors start from: ``kind`` is the facility kind, or
``planned`` for a new central clinic of a plan (at its village)."""

PLAN_SITE_PREFIX = "C-"
"""Prefix of a plan's new central clinic: ``C-<village_id>`` (see ``clinics plan``)."""


def patients(villages: pd.DataFrame, share: float) -> tuple[np.ndarray, np.ndarray]:
    """Chronic patients among the registered poor of each village, and whether estimated.

    ``chronic_poor`` (慢性病贫困人口) where the registry gives it; elsewhere (a missing column
    or a blank cell) ``registered_poor`` x ``share``, rounded to whole residents.

    Parameters
    ----------
    villages : DataFrame
        Villages (``population``, ``registered_poor``, optional ``chronic_poor``).
    share : float
        Share of the registered poor who are chronic patients (0-1), where estimated.

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Patients per village (int, residents) and a boolean per village: estimated.

    Raises
    ------
    InputError
        When a count exceeds the residents or the registered poor, or neither column is
        given (naming the row and the column).
    """
    n = len(villages)
    given = np.full(n, np.nan)
    if CHRONIC_POOR in villages.columns:
        given = pd.to_numeric(villages[CHRONIC_POOR], errors="coerce").to_numpy(dtype=float)
    estimated = np.isnan(given)
    poor = np.full(n, np.nan)
    if "registered_poor" in villages.columns:
        poor = pd.to_numeric(villages["registered_poor"], errors="coerce").to_numpy(dtype=float)
    if (estimated & np.isnan(poor)).any():
        row = int(np.flatnonzero(estimated & np.isnan(poor))[0]) + 1
        msg = (
            "缺少慢性病贫困人口和建档立卡贫困人口 / the village has neither chronic_poor "
            "(慢性病贫困人口) nor registered_poor (建档立卡贫困人口)"
        )
        raise InputError(msg, row=row, column=CHRONIC_POOR)
    residents = villages["population"].to_numpy(dtype=float)
    for limit, what in (
        (residents, "常住人口 / the residents"),
        (poor, "建档立卡贫困人口 / the registered poor"),
    ):
        over = ~estimated & ~np.isnan(limit) & (given > limit)
        if over.any():
            row = int(np.flatnonzero(over)[0]) + 1
            msg = (
                f"慢性病贫困人口超过{what.split(' / ')[0]} / chronic_poor "
                f"({int(given[over][0])}) exceeds {what.split(' / ')[1]} ({int(limit[over][0])})"
            )
            raise InputError(msg, row=row, column=CHRONIC_POOR)
    counts = np.where(estimated, np.floor(np.nan_to_num(poor) * share + 0.5), given)
    return counts.astype(np.int64), estimated


def read_plan(path: str | Path) -> pd.DataFrame:
    """Read a clinic plan's assignment table: which village shares which clinic.

    The table ``clinics plan`` writes (``clinic_plan_groups.csv``: ``village_id``,
    ``site_id``, ``population``, ``minutes``); only the first two columns are read
    (``facility_id`` is taken for ``site_id``). CSV (UTF-8 or GBK) or XLSX.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    pandas.DataFrame
        ``village_id``, ``site_id`` (text) and ``row`` (1-based data row).

    Raises
    ------
    InputError
        When the file is missing or unreadable, lacks a column, has a blank id or names a
        village twice.
    """
    raw = read_raw(path)
    frame = raw.frame.rename(columns=lambda c: str(c).strip().lower())
    if "site_id" not in frame.columns and "facility_id" in frame.columns:
        frame = frame.rename(columns={"facility_id": "site_id"})
    for col in ("village_id", "site_id"):
        if col not in frame.columns:
            msg = f"共建方案缺少列 / the clinic plan has no column {col!r}"
            raise InputError(msg, file=path, column=col)
    out = pd.DataFrame(
        {
            "village_id": frame["village_id"].astype(str).str.strip().to_numpy(),
            "site_id": frame["site_id"].astype(str).str.strip().to_numpy(),
            "row": raw.rows,
        }
    )
    for col in ("village_id", "site_id"):
        blank = (out[col] == "") | (out[col].str.lower() == "nan")
        if blank.any():
            msg = f"共建方案有空编号 / the clinic plan has a blank {col}"
            raise InputError(msg, file=path, row=int(out["row"][blank].iloc[0]), column=col)
    twice = out["village_id"].duplicated()
    if twice.any():
        msg = (
            f"共建方案中一个村出现两次 / the clinic plan names village "
            f"{out['village_id'][twice].iloc[0]!r} twice"
        )
        raise InputError(msg, file=path, row=int(out["row"][twice].iloc[0]), column="village_id")
    return out


def _column(frame: pd.DataFrame, name: str) -> np.ndarray:
    """Return a text column of ``frame`` (None where absent)."""
    if name in frame.columns:
        return frame[name].to_numpy(dtype=object)
    return np.full(len(frame), None, dtype=object)


def clinic_bases(
    clinics: gpd.GeoDataFrame,
    villages: gpd.GeoDataFrame,
    *,
    doctors_default: int,
    plan: pd.DataFrame | None = None,
    care: gpd.GeoDataFrame | None = None,
    plan_file: str | Path | None = None,
) -> gpd.GeoDataFrame:
    """List the clinics whose doctors visit: village clinics, plus the sites a plan assigns.

    Parameters
    ----------
    clinics : GeoDataFrame
        Working village clinics (``facility_id``, ``name``, optional ``doctors``), any CRS.
    villages : GeoDataFrame
        Villages (``village_id``, ``name``, ``county``, ``township``), for new clinics.
    doctors_default : int
        Doctors of a clinic whose registry gives none (missing or 0).
    plan : DataFrame, optional
        A plan's assignment table (:func:`read_plan`).
    care : GeoDataFrame, optional
        Every basic-care facility (a plan's existing site may be a health centre).
    plan_file : str or Path, optional
        The plan's file, named in errors.

    Returns
    -------
    GeoDataFrame
        :data:`BASE_COLUMNS`, EPSG:4326, one row per clinic id.

    Raises
    ------
    InputError
        When a plan's site is neither a known facility nor ``C-<village_id>`` of a village.
    """
    parts = [_facility_bases(clinics, doctors_default)]
    if plan is not None and len(plan):
        known = set(parts[0]["clinic_id"])
        wanted = plan.drop_duplicates("site_id")
        wanted = wanted[~wanted["site_id"].isin(known)]
        if care is not None and len(wanted):
            more = care[care["facility_id"].astype(str).isin(wanted["site_id"])]
            parts.append(_facility_bases(more, doctors_default))
            known |= set(parts[-1]["clinic_id"])
            wanted = wanted[~wanted["site_id"].isin(known)]
        new = wanted["site_id"].str.startswith(PLAN_SITE_PREFIX)
        at = villages.set_index(villages["village_id"].astype(str))
        vid = wanted["site_id"].str.slice(len(PLAN_SITE_PREFIX))
        bad = ~new | ~vid.isin(at.index)
        if bad.any():
            first = wanted[bad].iloc[0]
            msg = (
                f"共建方案中的卫生室不存在 / the plan's clinic {first['site_id']!r} is neither a "
                f"clinic of the study nor {PLAN_SITE_PREFIX}<village_id> of one of its villages"
            )
            raise InputError(msg, file=plan_file, row=int(first["row"]), column="site_id")
        host = at.loc[vid.to_numpy()]
        parts.append(
            gpd.GeoDataFrame(
                {
                    "clinic_id": wanted["site_id"].to_numpy(),
                    "name": host["name"].to_numpy(),
                    "county": host["county"].to_numpy(),
                    "township": host["township"].to_numpy(),
                    "kind": "planned",
                    "doctors": doctors_default,
                },
                geometry=host.geometry.to_crs(STORAGE_CRS).to_numpy(),
                crs=STORAGE_CRS,
            )
        )
    bases = pd.concat(parts, ignore_index=True)
    return gpd.GeoDataFrame(bases, geometry="geometry", crs=STORAGE_CRS)[BASE_COLUMNS]


def _facility_bases(facilities: gpd.GeoDataFrame, doctors_default: int) -> gpd.GeoDataFrame:
    """Facilities as bases: their doctors where the registry gives more than 0."""
    doctors = np.full(len(facilities), np.nan)
    if "doctors" in facilities.columns:
        doctors = pd.to_numeric(facilities["doctors"], errors="coerce").to_numpy(dtype=float)
    doctors = np.where(np.nan_to_num(doctors) > 0, doctors, doctors_default).astype(np.int64)
    return gpd.GeoDataFrame(
        {
            "clinic_id": facilities["facility_id"].astype(str).to_numpy(),
            "name": _column(facilities, "name"),
            "county": _column(facilities, "county"),
            "township": _column(facilities, "township"),
            "kind": _column(facilities, "kind"),
            "doctors": doctors,
        },
        geometry=facilities.geometry.to_crs(STORAGE_CRS).to_numpy(),
        crs=STORAGE_CRS,
    )


def own_clinics(villages: gpd.GeoDataFrame, clinics: gpd.GeoDataFrame, host_m: float) -> np.ndarray:
    """Find the clinic of each village's administrative village (None where it has none).

    A clinic stands at a settlement when it is the clinic nearest to it and within
    ``host_m`` metres (straight line). A settlement with a clinic is served by it; the
    other settlements of its administrative village (:func:`~.units.unit_keys`) by the
    clinic at the unit's largest settlement that has one.

    Parameters
    ----------
    villages : GeoDataFrame
        Settlements (``village_id``, ``population``; ``admin_village`` / ``admin_code``
        group them), any CRS.
    clinics : GeoDataFrame
        Village clinics (``facility_id``), any CRS.
    host_m : float
        Metres within which a clinic counts as standing at a settlement.

    Returns
    -------
    numpy.ndarray of object
        Clinic id per village, None where its administrative village has no clinic.
    """
    n = len(villages)
    out = np.full(n, None, dtype=object)
    if n == 0 or len(clinics) == 0:
        return out
    crs = metric_crs_of(villages)
    v_xy = metric_xy(villages, crs)
    dist, at = nearest_m(metric_xy(clinics, crs), v_xy)  # the settlement of every clinic
    ids = clinics["facility_id"].astype(str).to_numpy()
    hosted = pd.DataFrame({"village": at, "clinic": ids, "d": dist})
    hosted = hosted[hosted["d"] <= host_m].sort_values(["village", "d"], kind="stable")
    hosted = hosted.drop_duplicates("village")
    own = np.full(n, None, dtype=object)
    own[hosted["village"].to_numpy()] = hosted["clinic"].to_numpy()
    units = unit_keys(villages).to_numpy()
    pop = villages["population"].to_numpy(dtype=float)
    table = pd.DataFrame({"unit": units, "clinic": own, "pop": pop, "pos": np.arange(n)})
    with_clinic = table[table["clinic"].notna()].sort_values(
        ["unit", "pop", "pos"], ascending=[True, False, True], kind="stable"
    )
    unit_clinic = with_clinic.drop_duplicates("unit").set_index("unit")["clinic"]
    out[:] = pd.Series(units).map(unit_clinic).to_numpy(dtype=object)
    has_own = pd.notna(own)
    out[has_own] = own[has_own]
    out[pd.isna(out)] = None
    return out


def check_plan(
    plan: pd.DataFrame, villages: pd.DataFrame, plan_file: str | Path | None = None
) -> None:
    """Refuse a plan naming a village the study does not have (a plan of other data).

    Parameters
    ----------
    plan : DataFrame
        A plan's assignment table (:func:`read_plan`).
    villages : DataFrame
        Every village of the study (``village_id``).
    plan_file : str or Path, optional
        The plan's file, named in the error.

    Raises
    ------
    InputError
        Naming the first unknown village and its row.
    """
    unknown = ~plan["village_id"].isin(set(villages["village_id"].astype(str)))
    if unknown.any():
        first = plan[unknown].iloc[0]
        msg = (
            f"共建方案中的村不在村庄数据中 / the plan's village {first['village_id']!r} is "
            "not in the villages"
        )
        raise InputError(msg, file=plan_file, row=int(first["row"]), column="village_id")


def serving_clinics(
    villages: gpd.GeoDataFrame,
    clinics: gpd.GeoDataFrame,
    net: Router,
    *,
    host_m: float,
    plan: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Which clinic's doctor visits each village, and why (:data:`BASES`).

    Parameters
    ----------
    villages : GeoDataFrame
        The villages to visit (``village_id``, ``population``, ...), any CRS.
    clinics : GeoDataFrame
        Working village clinics (``facility_id``), any CRS.
    net : TravelNetwork
        Network of the doctors' mode (the fastest clinic is found on it).
    host_m : float
        Metres within which a clinic stands at a settlement (:func:`own_clinics`).
    plan : DataFrame, optional
        A plan's assignment table (:func:`read_plan`).

    Returns
    -------
    pandas.DataFrame
        ``village_id``, ``clinic_id`` (None where no clinic is reachable) and ``basis``
        (one of :data:`BASES`, empty where none), one row per village in order.

    Villages the plan does not name keep their own or fastest clinic (check the plan's
    villages first with :func:`check_plan`).
    """
    vid = villages["village_id"].astype(str).to_numpy()
    clinic = own_clinics(villages, clinics, host_m)
    basis = np.where(pd.notna(clinic), "own", "").astype(object)
    if plan is not None and len(plan):
        site = pd.Series(vid).map(plan.set_index("village_id")["site_id"]).to_numpy(object)
        use = (basis == "") & pd.notna(site)
        clinic[use] = site[use]
        basis[use] = "plan"
    rest = np.flatnonzero(basis == "")
    if len(rest) and len(clinics):
        rule = AccessRule(max_s=60.0 * 30.0)  # only the fastest clinic is read here
        found = access(
            villages.iloc[rest].reset_index(drop=True).assign(village_id=vid[rest]),
            clinics.assign(facility_id=clinics["facility_id"].astype(str)),
            net,
            rule,
            time_to_nearest=False,
        )
        fastest = found["fastest_id"].to_numpy(object)
        ok = pd.notna(fastest)
        clinic[rest[ok]] = fastest[ok]
        basis[rest[ok]] = "fastest"
    return pd.DataFrame({"village_id": vid, "clinic_id": clinic, "basis": basis})


def day_seconds(hours: float) -> int:
    """Seconds of a working day of ``hours`` hours (whole seconds)."""
    return math.floor(hours * 3600.0)
