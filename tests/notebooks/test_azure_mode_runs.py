"""Azure mode, exercised offline: each notebook runs with `mode=azure` against an emulator that plays
the part of a real resource — started outside the notebook, reached only through parameters and the
environment, as a VM with a managed identity would see Azure. Emulator-only cells must skip cleanly."""

from __future__ import annotations

from pathlib import Path

import azure_params
import nbformat
import pytest

from keyless_lab import notebooks
from keyless_lab.emulator import EmulatorServer

NOTEBOOKS = notebooks.course_notebooks()


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_unchanged_in_azure_mode(path: Path, tmp_path: Path, fresh_emulator: EmulatorServer) -> None:
    parameters = azure_params.for_notebook(path, fresh_emulator, tmp_path)
    result = notebooks.execute(path, tmp_path / path.name, parameters=parameters)
    assert result.ok, result.error
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    texts = "".join("".join(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))
    assert "Lab ready (azure mode)" in texts and "Self-check passed." in texts
    assert "emulator mode" not in texts
