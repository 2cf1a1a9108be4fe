"""08: the resource's tenant. The code is entered by the lab's stand-in person, who acts only on
verification pages served from this machine (the emulator playing Azure)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer

from . import principals


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    return {"tenant_id": principals(server)["ada@contosolab.onmicrosoft.com"]["tenant"]}
