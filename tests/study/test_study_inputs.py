"""Study.from_files: stray points, the metric CRS, CRS mix-ups and bounds from the rules."""

import csv
import re

import numpy as np
import pyproj
import pytest

from lvliang_coverage import InputError, load_rules
from lvliang_coverage.inputs.readers import OutliersDroppedWarning
from lvliang_coverage.study import Study

HEADER = ["编号", "村名", "常住人口", "经度", "纬度"]
PARIS = ["P", "巴黎", 150, 2.3522, 48.8566]


def write_csv(path, header, rows):
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return path


def _roads(repo_root):
    return repo_root / "data" / "default" / "roads.osm.bz2"  # header box 110.39-112.31 E


def _villages(tmp_path, repo_root, extra=()):
    """30 default villages (inside Lüliang) with ``extra`` rows inserted as rows 6 ..."""
    with (repo_root / "data" / "default" / "villages.csv").open(encoding="utf-8") as fh:
        default = list(csv.DictReader(fh))[100:130]
    rows = [[f"V{i}", f"村{i}", 100 + i, r["lon"], r["lat"]] for i, r in enumerate(default)]
    return write_csv(tmp_path / "v.csv", HEADER, [*rows[:5], *extra, *rows[5:]])


def _outline_km(lon, lat, west, south, east, north):
    """Geodesic km from a point to the nearest of 16,000 points along a lon/lat box."""
    t = np.linspace(0.0, 1.0, 4001)
    xs = np.r_[west + (east - west) * t, np.full_like(t, east), west + (east - west) * t]
    ys = np.r_[np.full_like(t, south), south + (north - south) * t, np.full_like(t, north)]
    xs = np.r_[xs, np.full_like(t, west)]
    ys = np.r_[ys, south + (north - south) * t]
    geod = pyproj.Geod(ellps="WGS84")
    return geod.inv(np.full_like(xs, lon), np.full_like(ys, lat), xs, ys)[2].min() / 1000.0


def test_stray_village_is_an_error_naming_its_row(tmp_path, repo_root):
    path = _villages(tmp_path, repo_root, [PARIS])
    with pytest.raises(InputError) as info:
        Study.from_files(villages=path, roads=_roads(repo_root))
    err = info.value
    assert err.file == str(path)
    assert err.row == 6
    assert err.column == "经度"
    assert "点位超出路网范围" in err.message
    assert "outside the extent of the road file roads.osm.bz2" in err.message
    assert "1 of 31 point(s)" in err.message
    assert "rows 6;" in err.message
    km = float(re.search(r"lies ([0-9.]+) km", err.message).group(1))
    box = (110.385352, 36.7475399, 112.3080911, 38.7176386)  # the file's <bounds>
    assert km == pytest.approx(_outline_km(PARIS[3], PARIS[4], *box), rel=0.01)


def test_drop_outliers_keeps_the_rest_and_lists_the_dropped(tmp_path, repo_root):
    path = _villages(tmp_path, repo_root, [PARIS])
    with pytest.warns(OutliersDroppedWarning, match="rows 6"):
        study = Study.from_files(villages=path, roads=_roads(repo_root), drop_outliers=True)
    assert len(study.villages) == 30
    assert "P" not in study.villages["village_id"].tolist()
    assert study.dropped["id"].tolist() == ["P"]
    assert study.dropped["row"].tolist() == [6]
    assert study.dropped["file"].tolist() == [str(path)]
    assert study.metric_crs == "EPSG:4546"


def test_without_outliers_nothing_is_dropped(tmp_path, repo_root):
    study = Study.from_files(villages=_villages(tmp_path, repo_root), roads=_roads(repo_root))
    assert len(study.villages) == 30
    assert study.dropped.empty
    assert study.metric_crs == "EPSG:4546"


def test_boundaries_are_the_study_area(tmp_path, repo_root):
    counties = repo_root / "data" / "lvliang" / "counties.geojson"
    # 113.0 E lies tens of kilometres east of Lüliang's counties
    path = _villages(tmp_path, repo_root, [["E", "东村", 100, 113.0, 37.5]])
    with pytest.raises(InputError, match="点位超出研究区 / points outside the study area") as info:
        Study.from_files(villages=path, roads=_roads(repo_root), boundaries=counties)
    assert info.value.row == 6
    loose = load_rules({"inputs": {"max_outside_km": 200.0}})
    study = Study.from_files(
        villages=path, roads=_roads(repo_root), boundaries=counties, rules=loose
    )
    assert len(study.villages) == 31


def test_degree_data_with_a_projected_coords_option(tmp_path, repo_root):
    with pytest.raises(InputError, match="look like degrees") as info:
        Study.from_files(
            villages=_villages(tmp_path, repo_root), roads=_roads(repo_root), coords="EPSG:4546"
        )
    assert "--coords wgs84" in info.value.message


def test_bounds_of_the_rules_in_force(tmp_path, repo_root):
    path = _villages(tmp_path, repo_root)
    strict = load_rules({"inputs": {"max_village_residents": 120}})
    with pytest.raises(InputError, match="implausible value") as info:
        Study.from_files(villages=path, roads=_roads(repo_root), rules=strict)
    assert info.value.row == 22  # the first village of 121 residents or more (V21: 121)


def test_default_study_metric_crs(default_study):
    assert default_study.metric_crs == "EPSG:4546"
    assert default_study.dropped.empty


def test_reader_options_read_candidates_like_the_study(tmp_path, default_study):
    from lvliang_coverage.inputs.readers import read_candidates  # noqa: PLC0415

    path = write_csv(
        tmp_path / "c.csv",
        ["编号", "名称", "经度", "纬度"],
        [["H1", "闲置小学", 111.13, 37.52], ["H2", "巴黎", *PARIS[3:]]],
    )
    with pytest.raises(InputError, match="points outside the study area") as info:
        read_candidates(path, **default_study.reader_options())
    assert info.value.row == 2
    options = default_study.reader_options(drop_outliers=True)
    with pytest.warns(OutliersDroppedWarning):
        cand = read_candidates(path, **options)
    assert cand["site_id"].tolist() == ["H1"]
    assert options["outliers"].table()["id"].tolist() == ["H2"]
