"""10: outside a pod, the values the workload identity webhook would inject: the identity's client id,
the tenant, and a service-account token file signed by the (emulated) cluster issuer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer

from . import principals


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    identity = principals(server)["id-keyless-openai"]
    token_file = server.state.external_issuers.aks.write_token_file(
        tmp_path / "azure-identity-token", "keyless", "chat-app"
    )
    return {"identity_client_id": identity["client_id"], "tenant_id": identity["tenant"], "token_file": str(token_file)}
