from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "raw" / "samples"


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    assert SAMPLES.is_dir(), f"sample texts missing: {SAMPLES}"
    return SAMPLES


@pytest.fixture(scope="session")
def pipeline_outputs(samples_dir, tmp_path_factory) -> Path:
    """The refresh job run once, in process, on the samples into a temp dir (shared by the tests)."""
    from pipelines.cli import run

    out = tmp_path_factory.mktemp("processed")
    mp = pytest.MonkeyPatch()
    mp.delenv("DAGSTER_HOME", raising=False)
    try:
        summary = run(samples_dir, out)
    finally:
        mp.undo()
    assert summary["documents"] == len(list(samples_dir.glob("*.txt")))
    return out
