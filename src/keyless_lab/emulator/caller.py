"""Who is calling the Azure OpenAI data plane, and how they proved it.

Azure OpenAI accepts either an `api-key` header or `Authorization: Bearer <Entra ID token>`.
A key identifies nobody; a token names a principal (`oid`) in a tenant (`tid`), which is what
Azure RBAC and the audit log need.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .access_tokens import TokenRejected
from .state import EmulatorState

ANONYMOUS_KEY_HOLDER = "anonymous (api-key)"


@dataclass(frozen=True)
class Caller:
    name: str
    object_id: str
    auth: str  # "token" or "api-key"
    how: str  # a sentence fragment for the reply, e.g. "a system-assigned managed identity token"
    tenant: str = ""


def describe_token(claims: dict[str, Any], principal_kind: str | None) -> str:
    """What kind of credential produced this token, as far as its claims tell."""
    if claims.get("xms_mirid"):
        kind = principal_kind or "managed identity"
        return f"a Microsoft Entra ID token for a {kind}"
    if claims.get("idtyp") == "user" or "scp" in claims:
        return "a Microsoft Entra ID token from a user sign-in"
    return {
        "1": "a Microsoft Entra ID token from a client secret",
        "2": "a Microsoft Entra ID token from a certificate or federated credential",
    }.get(str(claims.get("appidacr", claims.get("azpacr", ""))), "a Microsoft Entra ID token")


def authenticate(request: Request, state: EmulatorState) -> Caller | Response:
    """Identify the caller, or return the error response Azure OpenAI would send."""
    authorization = request.headers.get("authorization")
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return errors.invalid_token()
        try:
            claims = state.openai_tokens.validate(token.strip())
        except TokenRejected:
            return errors.invalid_token()
        tenant = str(claims["tid"])
        if tenant != state.directory.openai.tenant:
            return errors.tenant_mismatch(tenant)
        object_id = str(claims.get("oid", ""))
        principal = state.directory.principal(object_id)
        return Caller(
            name=principal.name if principal else object_id,
            object_id=object_id,
            auth="token",
            how=describe_token(claims, principal.description if principal else None),
            tenant=tenant,
        )
    # Keys arrive with the Azure OpenAI emulator issue; until then every key is invalid.
    return errors.invalid_key()
