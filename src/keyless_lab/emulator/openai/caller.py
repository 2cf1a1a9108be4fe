"""Who is calling the Azure OpenAI data plane, and how they proved it.

Azure OpenAI accepts either an `api-key` header or `Authorization: Bearer <Entra ID token>`.
A key identifies nobody; a token names a principal (`oid`) in a tenant (`tid`), which is what
Azure RBAC and the audit log need. The v1 surface (`/openai/v1/...`) also takes the key as a
bearer value, because the plain `OpenAI` client sends `api_key` that way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from .. import errors
from ..crypto.access_tokens import TokenRejected
from ..state import EmulatorState
from .api_keys import KEY_NAMES

ANONYMOUS_KEY_HOLDER = "anonymous (api-key)"


@dataclass(frozen=True)
class Caller:
    name: str
    object_id: str
    auth: str  # "token" or "api-key"
    how: str  # a sentence fragment for the reply, e.g. "a system-assigned managed identity token"
    tenant: str = ""
    credential: str = ""  # "key1"/"key2", or the kind of credential behind a token (see credential_kind)


@dataclass(frozen=True)
class Rejected:
    """Authentication failed: the response Azure sends, plus what the audit log should say."""

    response: Response
    auth: str  # what was attempted: "token", "api-key" or "none"
    reason: str


KEY_HOLDERS = {
    name: Caller(
        name=ANONYMOUS_KEY_HOLDER,
        object_id="",
        auth="api-key",
        how=f"the resource's API key ({name}), which names no one",
        credential=name,
    )
    for name in KEY_NAMES
}


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


def credential_kind(claims: dict[str, Any], principal_kind: str | None) -> str:
    """A short label for the audit log: the credential type the token's claims reveal."""
    if claims.get("xms_mirid"):
        return principal_kind or "managed identity"
    if claims.get("idtyp") == "user" or "scp" in claims:
        return "user sign-in"
    return {"1": "client secret", "2": "certificate or federated credential"}.get(
        str(claims.get("appidacr", claims.get("azpacr", ""))), "token"
    )


class CallerCache:
    """Callers already identified, by token: the signature is verified once (TokenValidator caches
    it) and the principal looked up once; each call still re-checks the token's lifetime."""

    MAX_CACHED = 10_000

    def __init__(self) -> None:
        self._callers: dict[str, Caller] = {}

    def get(self, token: str) -> Caller | None:
        return self._callers.get(token)

    def put(self, token: str, caller: Caller) -> None:
        if len(self._callers) >= self.MAX_CACHED:
            self._callers.clear()
        self._callers[token] = caller


def authenticate(
    state: EmulatorState,
    authorization: str | None,
    api_key: str | None,
    *,
    key_as_bearer: bool = False,
    cache: CallerCache | None = None,
) -> Caller | Rejected:
    """Identify the caller from the `Authorization` and `api-key` header values, or return the
    rejection Azure OpenAI would send.

    `key_as_bearer` (the v1 surface): a bearer value that is not a JWT is checked as an API key.
    """
    if authorization is not None:
        scheme, _, value = authorization.partition(" ")
        token = value.strip()
        if scheme.lower() != "bearer":
            return Rejected(errors.invalid_token(), "token", "not a Bearer authorization")
        if key_as_bearer and token and "." not in token:
            return _key_holder(token, state)
        if not token:
            return Rejected(errors.invalid_token(), "token", "empty bearer token")
        return _token_holder(token, state, cache)
    if api_key is None:
        return Rejected(errors.invalid_key(), "none", "no api-key or Authorization header")
    return _key_holder(api_key, state)


def _key_holder(key: str, state: EmulatorState) -> Caller | Rejected:
    resource = state.directory.openai
    if resource.disable_local_auth:
        return Rejected(errors.key_auth_disabled(), "api-key", "key authentication is disabled")
    name = resource.keys.match(key.strip())
    if name is None:
        return Rejected(errors.invalid_key(), "api-key", "not a key of this resource")
    return KEY_HOLDERS[name]


def _token_holder(token: str, state: EmulatorState, cache: CallerCache | None) -> Caller | Rejected:
    if not state.directory.openai.custom_subdomain:  # unconfirmed: Azure checks this before the token itself
        return Rejected(errors.custom_subdomain_required(), "token", "the resource has no custom subdomain")
    try:
        claims = state.openai_tokens.validate(token)  # always: lifetime is checked on every call
    except TokenRejected as exc:
        return Rejected(errors.invalid_token(), "token", str(exc))
    known = cache.get(token) if cache is not None else None
    if known is not None:
        return known
    tenant = str(claims["tid"])
    if tenant != state.directory.openai.tenant:
        return Rejected(errors.tenant_mismatch(tenant), "token", f"token tenant {tenant}")
    object_id = str(claims.get("oid", ""))
    principal = state.directory.principal(object_id)
    kind = principal.description if principal else None
    caller = Caller(
        name=principal.name if principal else object_id,
        object_id=object_id,
        auth="token",
        how=describe_token(claims, kind),
        tenant=tenant,
        credential=credential_kind(claims, kind),
    )
    if cache is not None and principal is not None:
        cache.put(token, caller)
    return caller
