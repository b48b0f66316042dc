"""The shared options of the layer methods: ``show``, unknown keywords, required columns, popups."""

import geopandas as gpd
import pytest
from map_cases import payloads
from shapely.geometry import LineString, box

from lvliang_coverage.errors import InputError
from lvliang_coverage.maps.coverage_map import CoverageMap


@pytest.fixture
def isochrones() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"minutes": [15, 30]},
        geometry=[box(111.1, 37.4, 111.2, 37.5), box(111.0, 37.3, 111.3, 37.6)],
        crs="EPSG:4326",
    )


@pytest.fixture
def links() -> gpd.GeoDataFrame:
    line = LineString([(111.10, 37.50), (111.1, 37.45)])
    return gpd.GeoDataFrame({"name": ["a"], "kind": ["new"]}, geometry=[line], crs="EPSG:4326")


def _calls(villages, facilities, edges, counties, isochrones, links):
    """One call per layer method that adds one switchable layer."""
    return {
        "boundaries": lambda m, **kw: m.add_boundaries(counties, **kw),
        "roads": lambda m, **kw: m.add_roads(edges, **kw),
        "rivers": lambda m, **kw: m.add_rivers(edges.assign(level=1), **kw),
        "villages": lambda m, **kw: m.add_villages(villages, status_col="covered", **kw),
        "circles": lambda m, **kw: m.add_circles(facilities, 2500.0, **kw),
        "isochrones": lambda m, **kw: m.add_isochrones(isochrones, **kw),
        "lines": lambda m, **kw: m.add_lines(links, **kw),
        "layer": lambda m, **kw: m.add_layer(links, "links", **kw),
    }


@pytest.mark.parametrize(
    "method",
    ["boundaries", "roads", "rivers", "villages", "circles", "isochrones", "lines", "layer"],
)
def test_show_switches_the_layer_off_and_unknown_keywords_are_refused(
    method, villages, facilities, edges, counties, isochrones, links
):
    add = _calls(villages, facilities, edges, counties, isochrones, links)[method]
    m = CoverageMap(counties, basemap="none")
    add(m)
    add(m, show=False)
    assert [layer.show for layer in m._layers] == [True, False]
    with pytest.raises(TypeError, match="shw"):
        add(m, shw=False)
    assert len(m._layers) == 2  # the refused call added nothing


def test_facility_layers_start_off_only_for_hidden_kinds(facilities, counties):
    m = CoverageMap(counties, basemap="none", lang="en")
    m.add_facilities(facilities, hidden_kinds=["school", "workshop"])
    assert [layer.show for layer in m._layers] == [True, True, True, False, False, True]


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda m, v, f, i: m.add_villages(v, status_col="nope"),
            "status column 'nope' not in the villages layer",
        ),
        (
            lambda m, v, f, i: m.add_facilities(f, kind_col="nope"),
            "kind column 'nope' not in the facilities layer",
        ),
        (
            lambda m, v, f, i: m.add_isochrones(i, minutes_col="nope"),
            "minutes column 'nope' not in the isochrones layer",
        ),
        (
            lambda m, v, f, i: m.add_layer(v, "x", category_col="nope"),
            "category column 'nope' not in the layer",
        ),
        (
            lambda m, v, f, i: m.add_circles(f, 100.0, tooltip_col="nope"),
            "tooltip column 'nope' not in the layer",
        ),
    ],
)
def test_missing_columns_are_named(call, message, villages, facilities, isochrones, counties):
    m = CoverageMap(counties, basemap="none")
    with pytest.raises(InputError, match=message) as info:
        call(m, villages, facilities, isochrones)
    assert info.value.column == "nope"
    assert m._layers == []


def test_default_popups_are_the_schema_columns_present(villages, facilities, counties):
    extra = villages.assign(households=[1, 2, 3, 4, 5], status=["a", "b", "a", "b", "a"])
    m = CoverageMap(counties, basemap="none", lang="en")
    m.add_villages(extra, status_col="status")
    m.add_villages(extra, status_col="water_safe")  # already a schema column: listed once
    m.add_villages(extra, popup_cols=["name"])
    m.add_facilities(facilities.iloc[:1])
    cols = [layer[0]["cols"] for layer in payloads(m.get_html())]
    schema = ["ID", "County", "Residents", "Households", "Safe drinking water"]
    assert cols[0] == [*schema, "Status"]
    assert cols[1] == schema
    assert cols[2] == ["Name"]
    assert cols[3] == ["ID", "Type", "Doctors"]
