"""In azure mode a notebook stops in its setup cell, with one line, when a value it needs is blank.

Every notebook passes the parameters azure mode cannot do without to `start_lab(required={...})`;
blank ones must stop the first code cell that runs `start_lab`, before any credential is built
(on Azure, a blank identity id silently selects another identity). A notebook with nothing extra is
checked with a missing endpoint instead. The endpoint given is a public name: if the guard in
`start_lab` failed, the next cell would try to reach it and the network guard would fail the run.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import nbformat
import pytest

from keyless_lab import notebooks

NOTEBOOKS = notebooks.course_notebooks()
UNREACHABLE_ENDPOINT = "https://keyless-lab-example.openai.azure.com/"


def setup_cell_index(path: Path) -> int:
    cells = json.loads(path.read_text())["cells"]
    return next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and "start_lab(" in "".join(c["source"]))


def declared_required(path: Path) -> list[str]:
    """The keys of the `required={...}` dict passed to `start_lab` in the setup cell."""
    source = "".join(json.loads(path.read_text())["cells"][setup_cell_index(path)]["source"])
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "start_lab":
            for keyword in node.keywords:
                if keyword.arg == "required":
                    assert isinstance(keyword.value, ast.Dict), "required= is a literal dict"
                    return [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)]
    return []


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_azure_mode_stops_the_setup_cell_with_one_line(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT", "AZURE_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    required = declared_required(path)
    parameters: dict[str, object] = {"mode": "azure", "deployment": "gpt-4o-mini"}
    if required:
        parameters.update({"endpoint": UNREACHABLE_ENDPOINT, **dict.fromkeys(required, "")})
        expected = f"needs {required[0]}"
    else:
        expected = "needs an endpoint"
    result = notebooks.execute(path, tmp_path / path.name, parameters=parameters)
    assert not result.ok
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    errors = [(c, o) for c in executed.cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert len(errors) == 1, errors
    failing_cell, error = errors[0]
    assert "start_lab(" in failing_cell.source, "the setup cell stops, not a later one"
    assert error["ename"] == "LabConfigurationError"
    assert expected in error["evalue"] and all(name in error["evalue"] for name in required)
    assert error["traceback"] == [f"LabConfigurationError: {error['evalue']}"]
