"""04: the learner's `.env` with the app registration's three values, kept outside the repository."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    app = next(a for a in server.state.directory.applications.values() if a.name == "app-keyless-batch")
    secret = next(s for s in app.secrets if s.display_name == "lab-secret")
    env_file = tmp_path / "app-keyless-batch.env"
    env_file.write_text(
        f"AZURE_TENANT_ID={app.tenant}\nAZURE_CLIENT_ID={app.client_id}\nAZURE_CLIENT_SECRET={secret.value}\n"
    )
    env_file.chmod(0o600)
    return {"env_file": str(env_file)}
