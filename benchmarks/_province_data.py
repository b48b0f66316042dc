"""Deterministic synthetic Shanxi for the province benchmark: layout, registries, roads, DEM."""

from __future__ import annotations

import bz2
import io
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyproj
import shapely

REPO = Path(__file__).resolve().parents[1]
DIVISIONS = REPO / "data" / "shanxi" / "divisions_2023.csv.bz2"
"""The official 2023 division list of Shanxi (NBS, see data/README.md), bzip2."""

METRIC = "+proj=tmerc +lat_0=0 +lon_0=112.4 +k=1 +x_0=500000 +y_0=0 +ellps=GRS80 +units=m"
"""Transverse Mercator on 112.4E (GRS80, metres): the generator's working plane."""

OUTLINE = [
    (110.30, 34.62), (110.95, 34.60), (112.00, 34.95), (113.30, 35.20), (113.75, 35.80),
    (114.00, 36.70), (114.55, 37.80), (114.30, 39.30), (114.10, 40.10), (113.70, 40.68),
    (112.60, 40.70), (111.90, 40.30), (111.30, 39.60), (110.90, 38.80), (110.45, 37.80),
    (110.20, 36.80), (110.30, 35.60),
]  # fmt: skip
"""A rough outline of Shanxi (lon/lat degrees, EPSG:4326): its convex hull is the study area."""

EXTENT = (110.2, 34.6, 114.6, 40.7)
"""Extent (lon/lat degrees) of the synthetic DEM."""

TARGET_NODES = 2_000_000
"""Road nodes of the whole province: fixes the road-grid spacing (about 290 m)."""

LATTICE_M = 1000.0
"""Spacing (metres) of the layout lattice that the regions are cut from."""

ROAD_BUFFER_M = 3000.0
"""Roads reach this far (metres) beyond the outline, so border settlements have roads."""

_TO_METRIC = pyproj.Transformer.from_crs("EPSG:4326", METRIC, always_xy=True)
_TO_LONLAT = pyproj.Transformer.from_crs(METRIC, "EPSG:4326", always_xy=True)


def load_divisions(path: Path = DIVISIONS) -> pd.DataFrame:
    """Read the Shanxi division list (codes as text), from ``.csv`` or ``.csv.bz2``."""
    raw = path.read_bytes()
    if path.suffix == ".bz2":
        raw = bz2.decompress(raw)
    return pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False)


def outline_metric() -> shapely.Polygon:
    """The study outline in the working plane (metres)."""
    lon, lat = np.array(OUTLINE).T
    x, y = _TO_METRIC.transform(lon, lat)
    return shapely.convex_hull(shapely.multipoints(np.c_[x, y]))


def road_spacing_m(target_nodes: int = TARGET_NODES) -> float:
    """Grid spacing (metres) giving about ``target_nodes`` road nodes over the whole outline."""
    area = outline_metric().buffer(ROAD_BUFFER_M).area
    return float(np.sqrt(area / target_nodes))


def to_lonlat(geom: shapely.Geometry) -> shapely.Geometry:
    """Transform a geometry from the working plane (metres) to lon/lat (degrees)."""
    geom = shapely.segmentize(geom, 5000.0)
    return shapely.transform(geom, lambda c: np.c_[_TO_LONLAT.transform(c[:, 0], c[:, 1])])


def _rcb(
    xy: np.ndarray, idx: np.ndarray, box: tuple[float, float, float, float], weights: np.ndarray
) -> list[tuple[tuple[float, float, float, float], np.ndarray]]:
    """Cut a box into one compact box per weight (recursive coordinate bisection).

    Parameters
    ----------
    xy : numpy.ndarray
        Lattice points (metres), shape (n, 2).
    idx : numpy.ndarray
        Indices of the points inside ``box``.
    box : tuple of float
        ``(xmin, ymin, xmax, ymax)`` in metres.
    weights : numpy.ndarray
        Positive weights of the children, in order; each child gets a share of the points
        proportional to its weight.

    Returns
    -------
    list of (box, indices)
        One box and its point indices per child, in the order of ``weights``.
    """
    if len(weights) == 1:
        return [(box, idx)]
    cum = np.cumsum(weights, dtype=float)
    k = int(np.argmin(np.abs(cum[:-1] - cum[-1] / 2.0)))
    frac = cum[k] / cum[-1]
    xmin, ymin, xmax, ymax = box
    axis = 0 if (xmax - xmin) >= (ymax - ymin) else 1
    lo, hi = (xmin, xmax) if axis == 0 else (ymin, ymax)
    coords = xy[idx, axis]
    if len(idx) >= 2:
        cut = float(np.quantile(coords, frac))
        cut = min(max(cut, lo), hi)
    else:
        cut = lo + frac * (hi - lo)
    left = coords < cut
    if axis == 0:
        box_a, box_b = (xmin, ymin, cut, ymax), (cut, ymin, xmax, ymax)
    else:
        box_a, box_b = (xmin, ymin, xmax, cut), (xmin, cut, xmax, ymax)
    return _rcb(xy, idx[left], box_a, weights[: k + 1]) + _rcb(
        xy, idx[~left], box_b, weights[k + 1 :]
    )


@dataclass
class Layout:
    """Boxes (metres) of every county, township and village-level unit, and the lattice.

    Attributes
    ----------
    divisions : DataFrame
        The official list (counties, townships, villages).
    boxes : dict of str to tuple
        Division code -> ``(xmin, ymin, xmax, ymax)`` in the working plane (metres).
    points : dict of str to numpy.ndarray
        Village code -> its lattice points (metres), shape (k, 2).
    """

    divisions: pd.DataFrame
    boxes: dict[str, tuple[float, float, float, float]]
    points: dict[str, np.ndarray]


def layout(divisions: pd.DataFrame) -> Layout:
    """Cut the outline into cities, counties, townships and village units, nested and compact.

    Each level is cut by recursive coordinate bisection in code order, every unit's share of
    the lattice proportional to the village-level units it holds (at least 1), so the
    hierarchy is geographically coherent: a township's villages are neighbours, a county's
    townships too.
    """
    poly = outline_metric()
    x0, y0, x1, y1 = poly.bounds
    gx, gy = np.meshgrid(np.arange(x0, x1, LATTICE_M), np.arange(y0, y1, LATTICE_M))
    xy = np.c_[gx.ravel(), gy.ravel()]
    xy = xy[shapely.contains_xy(poly, xy[:, 0], xy[:, 1])]
    villages = divisions[divisions["level"] == "village"]
    per_county = villages.groupby("county_code").size()
    per_township = villages.groupby("township_code").size()
    counties = divisions[divisions["level"] == "county"]
    townships = divisions[divisions["level"] == "township"]
    boxes: dict[str, tuple[float, float, float, float]] = {}
    points: dict[str, np.ndarray] = {}
    city_of = counties.groupby("city_code", sort=True)["code"].apply(list)
    city_w = np.array([max(1, per_county.reindex(c).fillna(0).sum()) for c in city_of])
    city_cut = _rcb(xy, np.arange(len(xy)), (x0, y0, x1, y1), city_w)
    town_of = townships.groupby("county_code", sort=True)["code"].apply(list)
    vil_of = villages.groupby("township_code", sort=True)["code"].apply(list)
    for codes, (cbox, cidx) in zip(city_of, city_cut, strict=True):
        w = np.array([max(1, int(per_county.get(c, 0))) for c in codes])
        for code, (box, idx) in zip(codes, _rcb(xy, cidx, cbox, w), strict=True):
            boxes[code] = box
            towns = town_of.get(code, [])
            tw = np.array([max(1, int(per_township.get(t, 0))) for t in towns])
            for town, (tbox, tidx) in zip(towns, _rcb(xy, idx, box, tw), strict=True):
                boxes[town] = tbox
                vils = vil_of.get(town, [])
                if not vils:
                    continue
                cut = _rcb(xy, tidx, tbox, np.ones(len(vils)))
                for vil, (vbox, vidx) in zip(vils, cut, strict=True):
                    boxes[vil] = vbox
                    if len(vidx) == 0:
                        vidx_xy = np.array([[(vbox[0] + vbox[2]) / 2, (vbox[1] + vbox[3]) / 2]])
                    else:
                        vidx_xy = xy[vidx]
                    points[vil] = vidx_xy
    return Layout(divisions, boxes, points)


def settlements(lay: Layout, seed: int = 0) -> pd.DataFrame:
    """Settlements (自然村) of every village-level unit, with residents and positions.

    村委会 hold 1 + Poisson(2.5) settlements (at most 12) and lognormal residents (median 450,
    sigma 0.85: about 17 % under 200), shared out by Dirichlet(2) weights; 居委会 one urban
    settlement (median 3,000); each county's first 居委会 is the county seat (30,000-150,000).
    Positions: lattice points of the unit's box, jittered by up to 500 m (metres, working
    plane; ``x``, ``y`` columns).
    """
    rng = np.random.default_rng(seed)
    vil = lay.divisions[lay.divisions["level"] == "village"].reset_index(drop=True)
    urban = vil["type"].to_numpy() == "居委会"
    n = len(vil)
    pop_unit = np.where(
        urban,
        rng.lognormal(np.log(3000.0), 0.6, n),
        rng.lognormal(np.log(450.0), 0.85, n),
    )
    first_urban = vil[urban].groupby("county_code").head(1).index.to_numpy()
    seat = np.zeros(n, dtype=bool)
    seat[first_urban] = True
    pop_unit[seat] = rng.uniform(30_000, 150_000, int(seat.sum()))
    pop_unit = np.maximum(np.rint(pop_unit), 12).astype(np.int64)
    k = np.where(urban, 1, np.minimum(1 + rng.poisson(2.5, n), 12))
    unit = np.repeat(np.arange(n), k)
    w = rng.gamma(2.0, 1.0, len(unit))
    share = w / np.bincount(unit, weights=w)[unit]
    pop = np.floor(share * pop_unit[unit]).astype(np.int64)
    first = np.r_[0, np.cumsum(k)[:-1]]
    pop[first] += pop_unit - np.bincount(unit, weights=pop, minlength=n).astype(np.int64)
    codes = vil["code"].to_numpy()
    xy = np.empty((len(unit), 2))
    for i, code in enumerate(codes):
        pts = lay.points[code]
        pick = rng.integers(0, len(pts), k[i])
        xy[first[i] : first[i] + k[i]] = pts[pick]
    xy += rng.uniform(-LATTICE_M / 2, LATTICE_M / 2, xy.shape)
    rank = np.arange(len(unit)) - first[unit] + 1
    base = vil["name"].str.replace(r"(村委会|居委会|社区|虚拟社区)$", "", regex=True).to_numpy()
    names = pd.Series(base[unit]).radd("样例") + pd.Series(rank).astype(str) + "组"
    households = np.maximum(1, np.rint(pop / rng.uniform(2.5, 3.2, len(unit)))).astype(np.int64)
    poor = np.rint(pop * rng.beta(2.0, 18.0, len(unit))).astype(np.int64)
    return pd.DataFrame(
        {
            "village_id": [f"S{i + 1:06d}" for i in range(len(unit))],
            "name": names.to_numpy(),
            "county": vil["county"].to_numpy()[unit],
            "township": vil["township"].to_numpy()[unit],
            "township_code": vil["township_code"].to_numpy()[unit],
            "population": pop,
            "households": households,
            "registered_poor": np.minimum(poor, pop),
            "admin_village": vil["name"].to_numpy()[unit],
            "admin_code": codes[unit],
            "county_seat": seat[unit] & (rank == 1),
            "source": "synthetic",
            "x": xy[:, 0],
            "y": xy[:, 1],
        }
    )


def facilities(
    lay: Layout, vil: pd.DataFrame, seed: int = 0, n_clinics: int = 3000
) -> pd.DataFrame:
    """Clinics, one health centre per 乡/镇/街道 with settlements, one hospital per county.

    Clinics stand at the largest settlement of ``n_clinics`` 村委会 drawn with weights growing
    with residents; health centres at each township's largest settlement (0-4 doctors);
    hospitals at the county seat (else the county's largest settlement). Positions 60-120 m
    from the settlement (metres, working plane).
    """
    rng = np.random.default_rng(seed + 1)
    order = vil.sort_values(["population", "village_id"], ascending=[False, True])
    largest = order.drop_duplicates("admin_code")
    rural = largest[~largest["admin_code"].str[-3:].astype(int).lt(200)]
    weight = np.sqrt(rural["population"].to_numpy(dtype=float))
    pick = rng.choice(
        len(rural), size=min(n_clinics, len(rural)), replace=False, p=weight / weight.sum()
    )
    clinics = rural.iloc[np.sort(pick)]
    towns = lay.divisions[lay.divisions["level"] == "township"]
    served = set(towns.loc[towns["type"].isin(["乡", "镇", "街道"]), "code"])
    centres = order.drop_duplicates("township_code")
    centres = centres[centres["township_code"].isin(served)].sort_values("township_code")
    hospitals = order[order["county_seat"]].drop_duplicates("county")
    hospitals = pd.concat([hospitals, order.drop_duplicates("county")]).drop_duplicates("county")
    hospitals = hospitals.sort_values("admin_code")
    parts = []
    for prefix, kind, rows, label in (
        ("CL", "clinic", clinics, "卫生室"),
        ("HC", "health_centre", centres, "卫生院"),
        ("HO", "hospital", hospitals, "人民医院"),
    ):
        names = rows["township"] + label if kind == "health_centre" else rows["name"] + label
        if kind == "hospital":
            names = rows["county"] + label
        doctors = (
            rng.choice([0, 1, 2, 3, 4], len(rows), p=[0.08, 0.2, 0.32, 0.25, 0.15])
            if kind == "health_centre"
            else np.zeros(len(rows), dtype=int)
        )
        angle = rng.uniform(0, 2 * np.pi, len(rows))
        dist = rng.uniform(60.0, 120.0, len(rows))
        parts.append(
            pd.DataFrame(
                {
                    "facility_id": [f"{prefix}{i + 1:05d}" for i in range(len(rows))],
                    "name": names.to_numpy(),
                    "kind": kind,
                    "county": rows["county"].to_numpy(),
                    "township": rows["township"].to_numpy(),
                    "doctors": doctors,
                    "source": "synthetic",
                    "x": rows["x"].to_numpy() + dist * np.cos(angle),
                    "y": rows["y"].to_numpy() + dist * np.sin(angle),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def with_lonlat(df: pd.DataFrame) -> pd.DataFrame:
    """Replace the working-plane ``x``, ``y`` (metres) by ``lon``, ``lat`` (degrees, 1e-6)."""
    lon, lat = _TO_LONLAT.transform(df["x"].to_numpy(), df["y"].to_numpy())
    out = df.drop(columns=["x", "y"]).copy()
    out["lon"] = np.round(lon, 6)
    out["lat"] = np.round(lat, 6)
    return out


def polygons_geojson(lay: Layout, codes: list[str], props: list[dict[str, str]]) -> str:
    """GeoJSON (EPSG:4326) of the boxes of ``codes`` clipped to the buffered outline."""
    area = outline_metric().buffer(ROAD_BUFFER_M)
    feats = []
    for code, prop in zip(codes, props, strict=True):
        geom = to_lonlat(shapely.intersection(shapely.box(*lay.boxes[code]), area))
        geom = shapely.set_precision(geom, 1e-6)
        feats.append(
            {
                "type": "Feature",
                "properties": prop,
                "geometry": json.loads(shapely.to_geojson(geom)),
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False)
