"""The resettlement notebook runs on the default data and ends with the map inline."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "03_relocation.ipynb"


def test_relocation_notebook_runs(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # kernel spec 'python3' of the virtualenv; jupyter_client starts it with this interpreter
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "sites_passing" in text
    assert "relocating villages" in text
    html = nb.cells[-1]["outputs"][-1]["data"]["text/html"]
    assert "<iframe" in html
    assert "srcdoc=" in html
    assert "安置点" in html
