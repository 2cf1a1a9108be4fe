"""Every notebook runs under papermill in both the documented ways, under the network guard."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from keyless_lab import notebooks

NOTEBOOKS = notebooks.course_notebooks()


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_against_the_embedded_emulator(path: Path, tmp_path: Path) -> None:
    result = notebooks.execute(path, tmp_path / path.name)
    assert result.ok, result.error
    assert result.seconds < 60
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    texts = ["".join(o.get("text", "")) for c in executed.cells for o in c.get("outputs", [])]
    assert any("Self-check passed." in t for t in texts)
