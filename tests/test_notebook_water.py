"""The water-bureau notebook runs on the default data and ends with the map inline."""

import sys
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbclient import NotebookClient

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "02_water_siting.ipynb"


@pytest.mark.slow  # about 20 s: the default data, three plans and the map
def test_water_notebook_runs(tmp_path):
    spec = KernelSpecManager().get_kernel_spec("python3")
    # 'python' in the spec is replaced by this interpreter (sys.executable) when the kernel starts
    assert Path(spec.argv[0]).name in {"python", "python3", Path(sys.executable).name}
    nb = nbformat.read(NOTEBOOK, as_version=4)
    client = NotebookClient(
        nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(
        o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs
    )
    assert "served_residents" in text
    assert "maintenance_yuan_year" in text
    assert "年维修养护资金(元)" in text
    html = nb.cells[-1]["outputs"][-1]["data"]["text/html"]
    assert "<iframe" in html
    assert "srcdoc=" in html
    assert "农村饮水安全工程规划" in html
