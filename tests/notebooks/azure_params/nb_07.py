"""07: the resource's tenant and a user without a role, as a learner reads them in the Entra admin center.

The person who signs in is the environment's: the emulator playing Azure serves the sign-in page on
loopback, and BROWSER (the lab's stand-in) picks the account, as a person's browser would.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from keyless_lab.emulator import EmulatorServer

from . import principals


def parameters(server: EmulatorServer, tmp_path: Path) -> dict[str, Any]:
    grace = principals(server)["grace@contosolab.onmicrosoft.com"]
    return {"tenant_id": grace["tenant"], "no_role_user": grace["name"]}
