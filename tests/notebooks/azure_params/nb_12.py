"""12: the key for the key-based half comes from a `.env` file; a short measurement (each call is billed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    env_file = tmp_path / "resource.env"
    env_file.write_text(f"AZURE_OPENAI_API_KEY={server.state.openai_keys.key1}\n")
    return {"env_file": str(env_file), "calls": 20}
