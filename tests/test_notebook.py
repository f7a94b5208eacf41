"""examples/quickstart.ipynb runs from top to bottom (nbclient), on a small city."""

from __future__ import annotations

import nbformat
from conftest import ROOT
from nbclient import NotebookClient

NOTEBOOK = ROOT / "examples" / "quickstart.ipynb"


def test_quickstart_notebook_executes():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
    client = NotebookClient(
        nb,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    texts = [
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
    ]
    joined = "\n".join(texts)
    assert "9 runs in" in joined
    assert "small_city: governance.resources=1.5" in joined
    assert "paired" in joined
    assert any("Figure" in text for text in texts)
