"""05: the learner's app ids and the PEM of a certificate they uploaded to the app beforehand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    directory = server.state.directory
    app = next(a for a in directory.applications.values() if a.name == "app-keyless-batch")
    uploaded = directory.add_certificate(app.client_id, "learner-laptop")  # "Upload certificate" in the portal
    assert uploaded.files is not None
    return {"tenant_id": app.tenant, "client_id": app.client_id, "certificate_path": str(uploaded.files.pem_path)}
