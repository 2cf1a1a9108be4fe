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
from starlette.responses import Response

from ... import errors
from ...directory import Application, Principal
from ...state import EmulatorState
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


def unknown_application(client_id: str, tenant_name: str) -> Response:
    return errors.entra_error(
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can "
        "happen if the application has not been installed by the administrator of the tenant or consented to "
        "by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    )


def malformed_assertion() -> Response:
    return errors.entra_error("invalid_request", 50027, "JWT token is invalid or malformed.")


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


def authenticate_client(state: EmulatorState, req: TokenRequest) -> AuthenticatedClient | Response:
    """Identify and authenticate the confidential client of a token request, or return Entra's error."""
    basic = basic_credentials(req)
    client_id = (req.fields.get("client_id") or (basic[0] if basic else "")).strip().lower()
    if not client_id:
        return errors.missing_parameter("client_id")
    app = state.directory.application(client_id)
    identity = None if app else state.directory.user_assigned_identity(client_id)
    owner = app or identity
    if owner is None or owner.tenant != req.tenant.id:
        return unknown_application(client_id, req.tenant.name)
    principal = state.directory.principal(owner.object_id)
    assert principal is not None  # every app has its service principal; identities are principals

    assertion = req.fields.get("client_assertion")
    secret = req.fields.get("client_secret")
    if secret is None and basic is not None and basic[0].strip().lower() == client_id:
        secret = basic[1]
    if assertion is None and secret is None:
        return errors.entra_error(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            status=401,
        )
    if assertion is not None:
        return _authenticate_assertion(state, req, app, principal, assertion)
    assert secret is not None
    return _check_secret(state, app, principal, client_id, secret)


def _authenticate_assertion(
    state: EmulatorState, req: TokenRequest, app: Application | None, principal: Principal, assertion: str
) -> AuthenticatedClient | Response:
    """A certificate assertion when `iss` is the client itself, otherwise a federated (external) token."""
    assertion_type = req.fields.get("client_assertion_type")
    if assertion_type is None:
        return errors.missing_parameter("client_assertion_type")
    if assertion_type != JWT_BEARER:
        return errors.entra_error("invalid_request", 90011, "Unexpected client assertion type.")
    try:
        unverified = jwt.decode(assertion, options={"verify_signature": False})
        header = jwt.get_unverified_header(assertion)
    except (jwt.PyJWTError, ValueError, TypeError):
        return malformed_assertion()
    if not isinstance(unverified, dict) or not isinstance(header, dict):
        return malformed_assertion()
    if str(unverified.get("iss", "")).lower() == principal.client_id:
        if app is None:  # a managed identity has no certificate credentials
            return _no_certificate_on(principal)
        result = verify_certificate_assertion(state, req, app, assertion, header, unverified)
        return result if isinstance(result, Response) else AuthenticatedClient(principal, "certificate", "2")
    result = verify_federated_assertion(state, principal.client_id, assertion, header, unverified)
    return result if isinstance(result, Response) else AuthenticatedClient(principal, "federated credential", "2")


def _no_certificate_on(principal: Principal) -> Response:
    return errors.entra_error(
        "invalid_client",
        700027,
        f"Client assertion contains an invalid signature. [Reason - The key was not found., "
        f"Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured keys for app "
        f"Id '{principal.client_id}'.]",
        status=401,
    )


def invalid_secret(client_id: str) -> Response:
    return errors.entra_error(
        "invalid_client",
        7000215,
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
        f"value, not the client secret ID, for a secret added to app '{client_id}'.",
        status=401,
    )


def _check_secret(
    state: EmulatorState, app: Application | None, principal: Principal, client_id: str, presented: str
) -> AuthenticatedClient | Response:
    if app is None:  # managed identities have no client secrets
        return invalid_secret(client_id)
    matching = [s for s in app.secrets if hmac.compare_digest(s.value.encode(), presented.encode())]
    if not matching:
        return invalid_secret(app.client_id)
    if all(s.expires_at < state.clock.now() for s in matching):
        return errors.entra_error(
            "invalid_client",
            7000222,
            f"The provided client secret keys for app '{app.client_id}' are expired. Visit the Azure portal to "
            f"create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate "
            f"credentials for added security: https://aka.ms/certCreds.",
            status=401,
        )
    return AuthenticatedClient(principal, "client secret", "1")
