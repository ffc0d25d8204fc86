"""notebooks/explore.ipynb: committed without outputs, and runs top to bottom on fresh pipeline outputs."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from econ_indicators.load import DATA_ENV

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "explore.ipynb"


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def test_notebook_is_committed_without_outputs():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(notebook)
    assert all(not cell.outputs and cell.execution_count is None for cell in _code_cells(notebook))


@pytest.fixture(scope="module")
def executed(pipeline_outputs, tmp_path_factory):
    """The notebook's code cells after a run in a folder with no data/processed above it."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    mp = pytest.MonkeyPatch()
    mp.setenv(DATA_ENV, str(pipeline_outputs))  # the kernel inherits it
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}}).execute()
    finally:
        mp.undo()
    return _code_cells(notebook)


def test_first_cell_draws_a_chart(executed):
    assert any("image/png" in output.get("data", {}) for output in executed[0].outputs)


def test_notebook_reads_the_data_root_from_the_environment(executed, samples_dir):
    printed = "".join(o.get("text", "") for cell in executed for o in cell.outputs if o.output_type == "stream")
    documents = sum(p.suffix in {".txt", ".md"} for p in samples_dir.iterdir())
    assert f"{documents} documents," in printed and "conflicting keys" in printed


def test_notebook_runs_without_errors_or_warnings(executed):
    streams = [o for cell in executed for o in cell.outputs if o.output_type in ("error", "stream")]
    assert [o.get("text", o.get("ename")) for o in streams if o.get("name") != "stdout"] == []
