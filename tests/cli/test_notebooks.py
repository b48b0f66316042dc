"""Every notebook under notebooks/ runs from top to bottom and ends with its map inline."""

import ast
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import lvliang_coverage

NOTEBOOKS = sorted((Path(__file__).resolve().parents[2] / "notebooks").glob("*.ipynb"))

# text each notebook must print, and text of the map it shows last
EXPECTED = {
    "01_clinic_coverage.ipynb": (
        ["covered_by_existing", "small_compliant", "整改措施"],
        "村卫生室覆盖核查",
    ),
    "02_water_siting.ipynb": (
        ["served_residents", "maintenance_yuan_year", "年维修养护资金(元)"],
        "农村饮水安全工程规划",
    ),
    "03_relocation.ipynb": (["sites_passing", "relocating villages"], "安置点"),
    "04_elderly_daycare.ipynb": (
        ["elderly_served", "elderly_covered_after_plan", "整改措施"],
        "日间照料中心规划",
    ),
}


def test_every_notebook_is_checked():
    assert sorted(EXPECTED) == [p.name for p in NOTEBOOKS]


def _package_imports(source: str) -> list[str]:
    """Every import of the package in a code cell: ``lvliang_coverage[.sub]`` or ``...:name``."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    found = []
    for node in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "lvliang_coverage"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == (
            "lvliang_coverage"
        ):
            found += [f"{node.module}:{a.name}" for a in node.names]
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_imports_public_api_only(path):
    """Notebooks import the package root only: ``import lvliang_coverage as lc`` or its names."""
    nb = nbformat.read(path, as_version=4)
    imports = [i for c in nb.cells if c.cell_type == "code" for i in _package_imports(c.source)]
    assert imports, "the notebook does not use the package"
    public = {f"lvliang_coverage:{name}" for name in lvliang_coverage.__all__}
    private = [i for i in imports if i != "lvliang_coverage" and i not in public]
    assert not private, f"imports below the public API: {private}"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    # kernel spec 'python3' of this virtualenv: jupyter_client starts it with this interpreter
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    words, map_text = EXPECTED[path.name]
    for word in words:
        assert word in text, word
    html = nb.cells[-1]["outputs"][-1]["data"]["text/html"]
    assert "<iframe" in html
    assert "srcdoc=" in html
    assert map_text in html
