"""Notebook 00 in azure mode reaches the resource, so a wrong value stops it there with one line."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from keyless_lab import notebooks
from keyless_lab.emulator import EmulatorServer

WELCOME = next(p for p in notebooks.course_notebooks() if p.name.startswith("00-"))


@pytest.mark.notebook
def test_a_wrong_deployment_stops_notebook_00_with_what_to_check(
    tmp_path: Path, fresh_emulator: EmulatorServer
) -> None:
    parameters = {"mode": "azure", "endpoint": fresh_emulator.urls.openai_endpoint, "deployment": "gpt-nope"}
    result = notebooks.execute(WELCOME, tmp_path / WELCOME.name, parameters=parameters)
    assert not result.ok
    executed = nbformat.read(tmp_path / WELCOME.name, as_version=4)
    errors = [(c, o) for c in executed.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1
    cell, error = errors[0]
    assert "chat.completions.create" in cell.source, "the reachability cell stops, not the setup cell"
    assert error["ename"] == "LabConfigurationError" and len(error["traceback"]) == 1
    assert "NotFoundError: Error code: 404" in error["evalue"]
    assert "no deployment named 'gpt-nope'" in error["evalue"]
