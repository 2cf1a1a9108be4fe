"""09: the learner runs the notebook where their app runs, signed in with `az login` (the timing section
compares the chain with AzureCliCredential)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    subprocess.run(["az", "login"], check=True, capture_output=True, timeout=60)  # the lab's az stand-in
    return {}
