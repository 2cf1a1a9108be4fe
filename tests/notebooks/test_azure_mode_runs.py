"""Azure mode, exercised offline: each notebook runs with `mode=azure` against an emulator that plays
the part of a real resource — started outside the notebook, reached only through parameters and the
environment, as a VM with a managed identity would see Azure. Emulator-only cells must skip cleanly."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nbformat
import pytest

from keyless_lab import notebooks
from keyless_lab.emulator import EmulatorServer

NOTEBOOKS = notebooks.course_notebooks()


def azure_parameters(path: Path, server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    directory = server.state.directory.describe()
    principals = {p["name"]: p for p in directory["principals"]}
    params: dict[str, Any] = {"mode": "azure", "endpoint": server.urls.openai_endpoint, "deployment": "gpt-4o-mini"}
    if path.name.startswith("01-"):
        env_file = tmp_path / "resource.env"
        env_file.write_text(f"AZURE_OPENAI_API_KEY={server.state.openai_keys.key1}\n")
        params["env_file"] = str(env_file)
    if path.name.startswith("03-"):
        params.update(
            identity_client_id=principals["id-keyless-openai"]["client_id"],
            no_role_client_id=principals["id-keyless-noaccess"]["client_id"],
            no_role_resource_id=principals["id-keyless-noaccess"]["resource_id"],
        )
    return params


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_unchanged_in_azure_mode(path: Path, tmp_path: Path, fresh_emulator: EmulatorServer) -> None:
    result = notebooks.execute(path, tmp_path / path.name, parameters=azure_parameters(path, fresh_emulator, tmp_path))
    assert result.ok, result.error
    executed = nbformat.read(tmp_path / path.name, as_version=4)
    texts = "".join("".join(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))
    assert "Lab ready (azure mode)" in texts and "Self-check passed." in texts
    assert "emulator mode" not in texts
