"""06: the laptop path. The learner has run `az login` and `azd auth login` before starting the notebook
(here: the lab's stand-ins, with the emulator's environment applied), and pins the tenant."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    subprocess.run(["az", "login", "--output", "none"], check=True, timeout=60)
    subprocess.run(["azd", "auth", "login"], check=True, timeout=60, capture_output=True)
    return {"tenant_id": server.state.directory.primary_tenant.id}
