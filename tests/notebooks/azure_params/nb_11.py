"""11: the app registration the workflow signs in as (ids, not secrets). Outside a GitHub Actions job the
live cells skip, as they would on a laptop."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer

from . import principals


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    app = principals(server)["app-keyless-ci"]
    return {"client_id": app["client_id"], "tenant_id": app["tenant"]}
