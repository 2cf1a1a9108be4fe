"""03: the ids a learner reads from `az identity show` for the two user-assigned identities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer

from . import principals


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    by_name = principals(server)
    return {
        "identity_client_id": by_name["id-keyless-openai"]["client_id"],
        "no_role_client_id": by_name["id-keyless-noaccess"]["client_id"],
        "no_role_resource_id": by_name["id-keyless-noaccess"]["resource_id"],
    }
