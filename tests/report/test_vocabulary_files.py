"""The zh/en texts live in TOML files shipped with the package, loaded by Terms.from_package."""

from __future__ import annotations

import sys
import tomllib
from importlib import resources

import pytest

from lvliang_coverage.errors import InputError
from lvliang_coverage.report import vocabulary
from lvliang_coverage.report.vocabulary import Terms, column_label, mode_name, text

PACKAGES = (
    "lvliang_coverage.services",
    "lvliang_coverage.services.clinics",
    "lvliang_coverage.services.daycare",
    "lvliang_coverage.services.relocation",
    "lvliang_coverage.services.water",
)


@pytest.fixture
def text_package(tmp_path, monkeypatch):
    """Make an importable package ``textpkg`` (fresh per test) whose files the test writes."""
    pkg = tmp_path / "textpkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "textpkg", raising=False)
    vocabulary._package_file.cache_clear()
    yield pkg
    vocabulary._package_file.cache_clear()


def test_from_package_reads_sections_in_file_order(text_package):
    (text_package / "terms.toml").write_text(
        '[terms]\nb = ["乙", "B {n}"]\na = ["甲", "A"]\n\n[other]\nx = ["丙", "C"]\n',
        encoding="utf-8",
    )
    terms = Terms.from_package("textpkg")
    assert terms.keys() == ("b", "a")
    assert terms.get("b", "en", n=3) == "B 3"
    assert terms.get("a", "zh") == "甲"
    assert Terms.from_package("textpkg", section="other").in_lang("zh") == {"x": "丙"}
    assert terms.by_lang() == {"zh": ["乙", "甲"], "en": ["B {n}", "A"]}


def test_from_package_reads_the_file_once(text_package):
    path = text_package / "terms.toml"
    path.write_text('[terms]\na = ["甲", "A"]\n', encoding="utf-8")
    assert Terms.from_package("textpkg").get("a", "en") == "A"
    path.write_text('[terms]\na = ["甲2", "A2"]\n', encoding="utf-8")
    assert Terms.from_package("textpkg").get("a", "en") == "A"  # cached, not re-read


@pytest.mark.parametrize(
    ("content", "section", "needle"),
    [
        ('[terms]\na = ["甲"]\n', "terms", "terms.a"),
        ('[terms]\na = ["甲", 2]\n', "terms", "terms.a"),
        ('[terms]\na = "甲"\n', "terms", "terms.a"),
        ('[terms]\na = ["甲", "A"]\n', "reasons", "[reasons]"),
        ("[terms\n", "terms", "not valid TOML"),
    ],
)
def test_bad_text_files_give_a_clear_error(text_package, content, section, needle):
    (text_package / "terms.toml").write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as info:
        Terms.from_package("textpkg", section=section)
    assert needle in str(info.value)
    assert "textpkg/terms.toml" in str(info.value.file)


def test_missing_text_file(text_package):
    with pytest.raises(InputError, match="text file missing"):
        Terms.from_package("textpkg", "nothing.toml")


def test_join_keeps_order_and_later_terms_win():
    a = Terms({"x": ("甲", "A"), "y": ("乙", "B")})
    b = Terms({"y": ("乙2", "B2"), "z": ("丙", "C")})
    joined = a | b
    assert joined.keys() == ("x", "y", "z")
    assert joined.get("y", "en") == "B2"
    assert a.get("y", "en") == "B"  # the parts are unchanged


def test_shared_vocabulary_texts():
    assert text("villages", "zh") == "自然村"
    assert text("basemap_gaode", "en") == "Gaode (Amap)"
    assert text("clinic", "zh") == "村卫生室"  # not in the file: the facility kind's label
    assert column_label("capacity_m3d", "en") == "Capacity (m³/day)"
    assert column_label("not_a_column", "zh") == "not_a_column"
    assert mode_name("motorcycle", "zh") == "摩托车/电动三轮"
    assert mode_name("boat", "en") == "boat"


@pytest.mark.parametrize(
    ("package", "name"),
    [("lvliang_coverage.report", "vocabulary.toml"), *((p, "terms.toml") for p in PACKAGES)],
)
def test_shipped_text_files_are_well_formed(package, name):
    data = tomllib.loads(resources.files(package).joinpath(name).read_text(encoding="utf-8"))
    assert data
    for section in data:
        terms = Terms.from_package(package, name, section=section)
        assert terms.keys() == tuple(data[section])
        for zh, en in zip(*terms.by_lang().values(), strict=True):
            assert zh.strip()
            assert en.strip()
