"""Emulator-only situations that the seeded directory cannot produce by an ordinary sign-in.

The lab has one tenant with principals. A token from *another* tenant reaches Azure OpenAI in
real life when a multi-tenant application's service principal in tenant B, or a guest signed in
to tenant B, calls a resource in tenant A. The lab has no such principal, so it signs the token
the way tenant B's Entra ID would (same keys, `tid` of the other tenant): notebook 13 uses it to
show the tenant-mismatch 400 and what fixes it.
"""

from __future__ import annotations

import dataclasses

from .config import LabConfigurationError
from .lab import Lab

RESOURCE = "https://cognitiveservices.azure.com"


def token_from_another_tenant(lab: Lab, principal: str = "vm-keyless-lab") -> str:
    """An Azure OpenAI access token for `principal` as the lab's second tenant would issue it."""
    if lab.server is None:
        raise LabConfigurationError("a token from another tenant is emulator-only")
    state = lab.server.state
    home = state.directory.principal(lab.principal(principal)["object_id"])
    others = [t["id"] for t in lab.directory["tenants"] if t["id"] != home.tenant]  # type: ignore[union-attr]
    if not others:
        raise LabConfigurationError("the lab directory has no second tenant")
    elsewhere = dataclasses.replace(home, tenant=others[0])  # type: ignore[type-var]
    return state.issuer.managed_identity_token(elsewhere, RESOURCE, 3600).token
