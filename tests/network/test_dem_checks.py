"""A DEM missing the study area, without or with a wrong CRS, or all nodata is an error."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import rasterio
from netfixtures import ORIGIN_X, ORIGIN_Y, lonlat, make_graph, points
from rasterio.transform import from_origin

from lvliang_coverage.errors import InputError
from lvliang_coverage.network.routing import TravelNetwork
from lvliang_coverage.network.terrain import DemCoverageWarning
from lvliang_coverage.network.travel import graph_edge_times

# the graph: a chain of 5 nodes along y = 0, from x = 0 to x = 2000 m (local EPSG:4546 metres)
XS = [0.0, 500.0, 1000.0, 1500.0, 2000.0]


@pytest.fixture
def chain():
    return make_graph({i: (x, 0.0) for i, x in enumerate(XS)}, [(i, i + 1, {}) for i in range(4)])


def _write(
    path, data, *, crs="EPSG:4546", x0=ORIGIN_X - 500, y0=ORIGIN_Y + 500, res=10.0, nodata=None
):
    profile = {
        "driver": "GTiff",
        "height": data.shape[0],
        "width": data.shape[1],
        "count": 1,
        "dtype": data.dtype,
        "transform": from_origin(x0, y0, res, res),
    }
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def _slope(ncol: int = 300, nrow: int = 100) -> np.ndarray:
    """A 10 % slope rising eastwards: 1 m per 10 m cell."""
    return np.tile(np.arange(ncol, dtype="float32") + 1000.0, (nrow, 1))


def test_covering_dem_is_used_without_warning(tmp_path, chain):
    dem = _write(tmp_path / "ok.tif", _slope())  # x -500 .. 2500 m, y -500 .. 500 m
    with warnings.catch_warnings():
        warnings.simplefilter("error", DemCoverageWarning)
        hilly = TravelNetwork.from_graph(chain, mode="walk", dem=dem)
    flat = TravelNetwork.from_graph(chain, mode="walk")
    assert (hilly.time_fwd > flat.time_fwd + 1.0).all()  # uphill eastwards is slower


def test_dem_elsewhere_is_an_error_naming_the_file(tmp_path, chain):
    far = _write(tmp_path / "far.tif", _slope(), x0=ORIGIN_X + 100_000)  # 100 km east
    for build in (
        lambda: TravelNetwork.from_graph(chain, mode="walk", dem=far),
        lambda: graph_edge_times(chain, "walk", dem=far),
    ):
        with pytest.raises(InputError, match="不覆盖研究区 / the elevation model does not") as info:
            build()
        assert info.value.file == str(far.resolve())
        assert "none of the 5 road nodes" in str(info.value)
        assert "lon 112." in str(info.value)  # where the raster is (about 112.1 E)


def test_degree_raster_labelled_projected_is_explained(tmp_path, chain):
    lon0, lat0 = lonlat(-500.0, 500.0)
    data = _slope(300, 100)
    dem = _write(tmp_path / "deg.tif", data, crs="EPSG:4546", x0=lon0, y0=lat0, res=0.0001)
    with pytest.raises(InputError, match="look like longitude/latitude degrees") as info:
        TravelNetwork.from_graph(chain, mode="walk", dem=dem)
    assert "EPSG:4546" in str(info.value)
    assert info.value.file == str(dem.resolve())


def test_metre_raster_labelled_degrees_is_explained(tmp_path, chain):
    dem = _write(tmp_path / "m.tif", _slope(), crs="EPSG:4326")  # x0 ~ 499,500 "degrees"
    with pytest.raises(InputError, match="is in degrees, but its coordinates"):
        TravelNetwork.from_graph(chain, mode="walk", dem=dem)


def test_dem_without_crs_is_an_error(tmp_path, chain):
    dem = _write(tmp_path / "nocrs.tif", _slope(), crs=None)
    with pytest.raises(InputError, match="no CRS") as info:
        TravelNetwork.from_graph(chain, mode="walk", dem=dem)
    assert info.value.file == str(dem.resolve())


def test_all_nodata_dem_is_an_error(tmp_path, chain):
    data = np.full((100, 300), -9999.0, dtype="float32")
    dem = _write(tmp_path / "nodata.tif", data, nodata=-9999.0)
    with pytest.raises(InputError, match="only nodata") as info:
        TravelNetwork.from_graph(chain, mode="walk", dem=dem)
    assert info.value.file == str(dem.resolve())


def test_partly_covering_dem_warns_with_the_share_and_is_flat_outside(tmp_path, chain):
    # covers x -500 .. 1200 m: nodes 0, 1 and 2 (3 of 5); nodes 3 and 4 lie outside
    dem = _write(tmp_path / "part.tif", _slope(170))
    with pytest.warns(DemCoverageWarning, match=r"2 of 5 road nodes \(40\.0%\)") as rec:
        net = TravelNetwork.from_graph(chain, mode="walk", dem=dem)
    assert "part.tif" in str(rec[0].message)
    assert "\n" not in str(rec[0].message)
    flat = TravelNetwork.from_graph(chain, mode="walk")
    # the road 3-4 lies wholly off the raster: flat ground there
    last = int(np.flatnonzero((net.node_ids[net.road_a] == 3) & (net.node_ids[net.road_b] == 4))[0])
    assert net.time_fwd[last] == pytest.approx(flat.time_fwd[last], rel=1e-12)
    assert net.time_fwd[0] > flat.time_fwd[0] + 1.0
    # villages off the raster: a warning with their share, their legs on flat ground
    villages = points([(250.0, 50.0), (1800.0, 50.0)], ["in", "out"], col="village_id")
    with pytest.warns(DemCoverageWarning, match=r"1 of 2 points \(50\.0%\)"):
        snap = net.snap(villages)
    assert snap["leg_s"].iloc[1] == pytest.approx(flat.snap(villages)["leg_s"].iloc[1])
