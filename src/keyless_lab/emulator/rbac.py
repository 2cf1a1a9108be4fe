"""Azure RBAC for the Azure OpenAI data plane: built-in roles, their data actions, enforcement.

Azure decides data-plane access by *data actions*: a principal may call an operation when a role
assigned to it at the resource (or a parent scope) grants the operation's data action. `*` in a
role's action is a wildcard, matched case-insensitively, as in Azure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

OPENAI = "Microsoft.CognitiveServices/accounts/OpenAI"


@dataclass(frozen=True)
class RoleDefinition:
    id: str
    name: str
    data_actions: tuple[str, ...]


# The built-in role definitions the course uses (ids and data actions as Azure publishes them,
# trimmed to the OpenAI data actions the emulator serves).
BUILTIN_ROLES: tuple[RoleDefinition, ...] = (
    RoleDefinition(
        id="5e0bd9bd-7b93-4f28-af87-19fc36ad61bd",
        name="Cognitive Services OpenAI User",
        data_actions=(
            f"{OPENAI}/*/read",
            f"{OPENAI}/engines/completions/action",
            f"{OPENAI}/engines/search/action",
            f"{OPENAI}/engines/generate/action",
            f"{OPENAI}/deployments/search/action",
            f"{OPENAI}/deployments/completions/action",
            f"{OPENAI}/deployments/chat/completions/action",
            f"{OPENAI}/deployments/extensions/chat/completions/action",
            f"{OPENAI}/deployments/embeddings/action",
            f"{OPENAI}/images/generations/action",
            # The Responses API (`POST/GET /openai/v1/responses`). Seen in a current copy of the role's
            # definition and in PermissionDenied answers naming `.../OpenAI/responses/write`;
            # unconfirmed against Microsoft's published built-in roles page.
            f"{OPENAI}/responses/*",
        ),
    ),
    RoleDefinition(
        id="a001fd3d-188f-4b5d-821b-7da978bf7442",
        name="Cognitive Services OpenAI Contributor",
        data_actions=(f"{OPENAI}/*",),
    ),
    RoleDefinition(
        id="a97b65f3-24c7-4388-baec-2e87135dc908",
        name="Cognitive Services User",
        data_actions=("Microsoft.CognitiveServices/*",),
    ),
    RoleDefinition(
        id="acdd72a7-3385-48ef-bd42-f606fba81ae7",
        name="Reader",
        data_actions=(),
    ),
)


def role_by_name(name_or_id: str) -> RoleDefinition:
    key = name_or_id.lower()
    for role in BUILTIN_ROLES:
        if key in (role.name.lower(), role.id):
            return role
    raise KeyError(f"no built-in role {name_or_id!r} in the lab (known: {[r.name for r in BUILTIN_ROLES]})")


@cache
def _pattern(action: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in action.split("*")) + "$", re.IGNORECASE)


def grants(role: RoleDefinition, data_action: str) -> bool:
    """Whether the role's data actions cover the requested one (Azure wildcard semantics)."""
    return any(_pattern(action).match(data_action) for action in role.data_actions)


def scope_covers(scope: str, resource_id: str) -> bool:
    """An assignment at a scope applies to that resource and everything beneath it."""
    scope, resource_id = scope.rstrip("/").lower(), resource_id.rstrip("/").lower()
    return resource_id == scope or resource_id.startswith(scope + "/")
