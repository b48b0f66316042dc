"""The one ``--candidates FILE`` option the clinic and day-care plans share."""

from __future__ import annotations

from pathlib import Path

from lvliang_coverage.services.clinics import cli as clinics_cli
from lvliang_coverage.services.commands import candidates_option
from lvliang_coverage.services.daycare import cli as daycare_cli


class _Study:
    """Stands in for a Study: records the reader options asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def reader_options(self, *, coords: str = "wgs84", drop_outliers: bool = False) -> dict:
        self.asked.append(coords)
        return {"coords": coords}


def _candidates_of(command) -> list:
    return [o for o in command.options if o.name == "candidates"]


def test_option_reads_the_file_with_the_studys_reader_options(tmp_path):
    path = tmp_path / "候选点.csv"
    path.write_text(
        "编号,名称,经度,纬度\nS1,甲村,111.1,37.5\nS2,乙村,111.2,37.6\n", encoding="utf-8"
    )
    option = candidates_option("Candidate sites.")
    assert (option.name, option.type, option.help, option.key) == (
        "candidates",
        Path | None,
        "Candidate sites.",
        None,
    )
    study = _Study()
    sites = option.read(path, study, "wgs84")
    assert study.asked == ["wgs84"]
    assert list(sites["site_id"]) == ["S1", "S2"]
    assert list(sites["name"]) == ["甲村", "乙村"]
    assert sites.crs.to_epsg() == 4326
    assert sites.geometry.x.round(6).tolist() == [111.1, 111.2]


def test_clinic_and_daycare_plans_use_the_shared_reader():
    clinic = _candidates_of(clinics_cli.PLAN)
    daycare = _candidates_of(daycare_cli.PLAN)
    assert len(clinic) == len(daycare) == 1
    assert clinic[0].read is daycare[0].read is candidates_option("x").read
    # each service keeps its own help text
    assert "300+" in clinic[0].help
    assert "idle schools" in daycare[0].help
    assert _candidates_of(clinics_cli.CHECK) == []
    assert _candidates_of(daycare_cli.CHECK) == daycare
