"""Azure-mode parameters for each notebook, as a learner with a real resource would pass them.

The emulator plays the real resource: the notebook is started in azure mode, reached only through
these parameters and the environment. A notebook that needs more than `endpoint` and `deployment`
has a module here, `nb_NN.py`, with `parameters(server, tmp_path) -> dict` (one module per notebook,
so that notebooks written in parallel do not edit a shared table).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer

DEPLOYMENT = "gpt-4o-mini"


def principals(server: EmulatorServer) -> dict[str, dict[str, Any]]:
    """The seeded principals by name: object id, client id, resource id, tenant."""
    return {p["name"]: p for p in server.state.directory.describe()["principals"]}


def for_notebook(path: Path, server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    params: dict[str, Any] = {"mode": "azure", "endpoint": server.urls.openai_endpoint, "deployment": DEPLOYMENT}
    try:
        module = importlib.import_module(f"{__name__}.nb_{path.name[:2]}")
    except ModuleNotFoundError:
        return params
    params.update(module.parameters(server, tmp_path))
    return params
