"""Client authentication at the token endpoint: who is the client, and how did it prove it?

Three ways, as in Entra ID:
- `client_secret`: a shared secret of the app registration (`appidacr` "1");
- `client_assertion` signed with the app's certificate (`private_key_jwt`; `iss` = `sub` = client id);
- `client_assertion` issued by an external OIDC provider and trusted through a federated identity
  credential on the app or on a user-assigned managed identity (`iss` is that provider).
The last two give `appidacr` "2".
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from urllib.parse import unquote

import jwt

from ...directory import Application, Principal
from ...state import EmulatorState
from ..aadsts import (
    EXPIRED_SECRET,
    INVALID_SECRET,
    MALFORMED_JWT,
    MISSING_PARAMETER,
    NO_CERTIFICATE_ON_CLIENT,
    NO_CLIENT_CREDENTIAL,
    UNEXPECTED_ASSERTION_TYPE,
    UNKNOWN_APPLICATION,
    EntraError,
)
from .base import TokenRequest
from .certificate_assertion import verify_certificate_assertion
from .federated_assertion import verify_federated_assertion

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@dataclass(frozen=True)
class AuthenticatedClient:
    principal: Principal
    method: str  # "client secret", "certificate", "federated credential"
    appidacr: str

    @property
    def is_managed_identity(self) -> bool:
        return self.principal.kind == "user-assigned"


def basic_credentials(req: TokenRequest) -> tuple[str, str] | None:
    """`client_secret_basic`: `Authorization: Basic base64(urlencode(id):urlencode(secret))` (RFC 6749 2.3.1)."""
    scheme, _, value = req.request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    client_id, sep, secret = decoded.partition(":")
    return (unquote(client_id), unquote(secret)) if sep else None


def authenticate_client(state: EmulatorState, req: TokenRequest) -> AuthenticatedClient:
    """Identify and authenticate the confidential client of a token request; raises Entra's error."""
    basic = basic_credentials(req)
    client_id = (req.fields.get("client_id") or (basic[0] if basic else "")).strip().lower()
    if not client_id:
        raise EntraError(MISSING_PARAMETER, name="client_id")
    app = state.directory.application(client_id)
    identity = None if app else state.directory.user_assigned_identity(client_id)
    owner = app or identity
    if owner is None or owner.tenant != req.tenant.id:
        raise EntraError(UNKNOWN_APPLICATION, client_id=client_id, tenant=req.tenant.name)
    principal = state.directory.principal(owner.object_id)
    assert principal is not None  # every app has its service principal; identities are principals

    assertion = req.fields.get("client_assertion")
    secret = req.fields.get("client_secret")
    if secret is None and basic is not None and basic[0].strip().lower() == client_id:
        secret = basic[1]
    if assertion is None and secret is None:
        raise EntraError(NO_CLIENT_CREDENTIAL)
    if assertion is not None:
        return _authenticate_assertion(state, req, app, principal, assertion)
    assert secret is not None
    return _check_secret(state, app, principal, client_id, secret)


def _authenticate_assertion(
    state: EmulatorState, req: TokenRequest, app: Application | None, principal: Principal, assertion: str
) -> AuthenticatedClient:
    """A certificate assertion when `iss` is the client itself, otherwise a federated (external) token."""
    assertion_type = req.fields.get("client_assertion_type")
    if assertion_type is None:
        raise EntraError(MISSING_PARAMETER, name="client_assertion_type")
    if assertion_type != JWT_BEARER:
        raise EntraError(UNEXPECTED_ASSERTION_TYPE)
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except (jwt.PyJWTError, ValueError, TypeError):
        raise EntraError(MALFORMED_JWT) from None
    if not isinstance(unverified, dict) or not isinstance(header, dict):
        raise EntraError(MALFORMED_JWT)
    if str(unverified.get("iss", "")).lower() == principal.client_id:
        if app is None:  # a managed identity has no certificate credentials
            raise EntraError(NO_CERTIFICATE_ON_CLIENT, client_id=principal.client_id)
        verify_certificate_assertion(state, req, app, assertion, header, unverified)
        return AuthenticatedClient(principal, "certificate", "2")
    verify_federated_assertion(state, principal.client_id, assertion, header, unverified)
    return AuthenticatedClient(principal, "federated credential", "2")


def _check_secret(
    state: EmulatorState, app: Application | None, principal: Principal, client_id: str, presented: str
) -> AuthenticatedClient:
    if app is None:  # managed identities have no client secrets
        raise EntraError(INVALID_SECRET, client_id=client_id)
    matching = [s for s in app.secrets if hmac.compare_digest(s.value.encode(), presented.encode())]
    if not matching:
        raise EntraError(INVALID_SECRET, client_id=app.client_id)
    if all(s.expires_at < state.clock.now() for s in matching):
        raise EntraError(EXPIRED_SECRET, client_id=app.client_id)
    return AuthenticatedClient(principal, "client secret", "1")
