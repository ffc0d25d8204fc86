"""notebooks/explore.ipynb: committed without outputs, and runs top to bottom on fresh pipeline outputs."""

import re
import shutil
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


SEED = re.compile(r"\d{3}_[0-9a-f]{16}\.txt")  # the seed texts among the samples (news, no communiqué)


@pytest.fixture(scope="module")
def seed_outputs(samples_dir, tmp_path_factory):
    """The refresh job run on the seed texts alone."""
    from pipelines.cli import run

    raw = tmp_path_factory.mktemp("seeds")
    for path in samples_dir.iterdir():
        if SEED.fullmatch(path.name):
            shutil.copy(path, raw / path.name)
    out = tmp_path_factory.mktemp("seed_outputs")
    mp = pytest.MonkeyPatch()
    mp.delenv("DAGSTER_HOME", raising=False)
    try:
        run(raw, out)
    finally:
        mp.undo()
    return raw, out


@pytest.fixture(scope="module", params=["samples", "seeds"])
def data(request, samples_dir):
    """(raw folder, outputs) of a run on every sample, then on the seed texts alone."""
    if request.param == "samples":
        return samples_dir, request.getfixturevalue("pipeline_outputs")
    return request.getfixturevalue("seed_outputs")


@pytest.fixture(scope="module")
def executed(data, tmp_path_factory):
    """The notebook's code cells after a run in a folder with no data/processed above it."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    mp = pytest.MonkeyPatch()
    mp.setenv(DATA_ENV, str(data[1]))  # the kernel inherits it
    try:
        NotebookClient(notebook, timeout=120, kernel_name="python3",
                       resources={"metadata": {"path": str(tmp_path_factory.mktemp("notebook"))}}).execute()
    finally:
        mp.undo()
    return _code_cells(notebook)


def test_first_cell_draws_a_chart(executed):
    assert any("image/png" in output.get("data", {}) for output in executed[0].outputs)


def test_notebook_reads_the_data_root_from_the_environment(executed, data):
    printed = "".join(o.get("text", "") for cell in executed for o in cell.outputs if o.output_type == "stream")
    documents = sum(p.suffix in {".txt", ".md"} for p in data[0].iterdir())
    assert f"{documents} documents," in printed and "conflicting keys" in printed


def test_notebook_runs_without_errors_or_warnings(executed):
    streams = [o for cell in executed for o in cell.outputs if o.output_type in ("error", "stream")]
    assert [o.get("text", o.get("ename")) for o in streams if o.get("name") != "stdout"] == []


def test_notebook_builds_a_panel_of_the_regions_present(executed, data):
    printed = "".join(o.get("text", "") for cell in executed for o in cell.outputs if o.output_type == "stream")
    if data[0].name == "samples":
        assert "prefecture panel for 2025" in printed
    assert "panel for" in printed or "nothing to put side by side" in printed
