"""What the emulated directory holds: tenants, principals (managed identities, apps, users), app
secrets, the Azure OpenAI resource and its deployments, role assignments, the emulated VM."""

from __future__ import annotations

import secrets as secrets_module
import string
from dataclasses import dataclass, field

from .. import rbac
from ..openai.api_keys import OpenAIKeys
from .app_credentials import RegisteredCertificate


@dataclass(frozen=True)
class Tenant:
    id: str
    name: str
    domain: str
    primary: bool = False


@dataclass(frozen=True)
class Principal:
    """A security principal that can hold a token: a managed identity (later: apps, users)."""

    name: str
    object_id: str
    client_id: str
    tenant: str
    kind: str  # "system-assigned", "user-assigned" (managed identities); apps and users later
    resource_id: str = ""

    @property
    def principal_type(self) -> str:
        """The principal type as Azure RBAC shows it."""
        return "User" if self.kind == "user" else "ServicePrincipal"

    @property
    def description(self) -> str:
        labels = {
            "system-assigned": "system-assigned managed identity",
            "user-assigned": "user-assigned managed identity",
            "application": "service principal (app registration)",
        }
        return labels.get(self.kind, self.kind)


def new_secret_value() -> str:
    """A lab-only client secret in the shape Entra generates (40 characters, with `~`)."""
    alphabet = string.ascii_letters + string.digits + "_-."
    body = "".join(secrets_module.choice(alphabet) for _ in range(37))
    return f"{body[:3]}8Q~{body[3:37]}"


@dataclass(frozen=True)
class ClientSecret:
    key_id: str
    display_name: str
    value: str
    expires_at: float
    created_at: float = 0.0

    @property
    def hint(self) -> str:
        """The first three characters, which is all the portal shows after creation."""
        return self.value[:3]


@dataclass
class Application:
    """An app registration plus its service principal in the home tenant."""

    name: str
    client_id: str
    object_id: str  # the service principal's object id (what RBAC and `oid` use)
    tenant: str
    secrets: list[ClientSecret] = field(default_factory=list)
    certificates: list[RegisteredCertificate] = field(default_factory=list)


@dataclass(frozen=True)
class User:
    """A person in a tenant; as a principal (RBAC, `oid`) it is the `Principal` of kind "user"."""

    display_name: str
    given_name: str
    surname: str
    upn: str
    object_id: str
    tenant: str


@dataclass(frozen=True)
class PublicClient:
    """A first-party public client application (no secret), such as the Azure CLI."""

    name: str
    client_id: str


@dataclass(frozen=True)
class Deployment:
    name: str
    model: str
    model_version: str
    # Rate limits, off (None) by default: requests and tokens per minute, as a deployment's quota.
    rpm: int | None = None
    tpm: int | None = None


@dataclass
class OpenAIResource:
    name: str
    tenant: str
    resource_id: str
    deployments: dict[str, Deployment]
    disable_local_auth: bool = False
    # False: a resource created without a custom subdomain (only the regional endpoint), which
    # refuses Microsoft Entra ID tokens: a keys-only resource.
    custom_subdomain: bool = True
    keys: OpenAIKeys = field(default_factory=OpenAIKeys)  # key1/key2, generated per instance


@dataclass(frozen=True)
class RoleAssignment:
    principal_id: str
    role: rbac.RoleDefinition
    scope: str


@dataclass
class Compute:
    """The emulated VM whose IMDS endpoint the lab exposes, with the identities attached to it."""

    name: str
    resource_id: str
    system_assigned: str | None
    user_assigned: list[str] = field(default_factory=list)
