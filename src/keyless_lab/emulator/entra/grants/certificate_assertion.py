"""`private_key_jwt`: a client assertion signed with a certificate registered on the app.

What Entra checks (and MSAL sends): header `alg` RS256 (or PS256), `x5t` = base64url SHA-1
thumbprint (MSAL keeps the '=' padding; compare padding-insensitively) or `x5t#S256`; optional
`x5c` chain (`send_certificate_chain=True`); claims `iss` = `sub` = client id, `aud` = the token
endpoint URL, `exp` (and `nbf` when present). A repeated `jti` is accepted: MSAL reuses one
assertion for up to ten minutes.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

import jwt
from cryptography import x509
from starlette.responses import Response

from ... import errors
from ...crypto.certificates import hex_from_b64url, thumbprint
from ...directory import Application, RegisteredCertificate
from ...state import EmulatorState
from .assertion_time import check_assertion_lifetime
from .base import TokenRequest

ALGORITHMS = ("RS256", "PS256")


def invalid_signature(app: Application, reason: str, presented: str, found: RegisteredCertificate | None) -> Response:
    found_text = ""
    if found is not None:
        start = found.certificate.not_valid_before_utc.strftime("%m/%d/%Y %H:%M:%S")
        end = found.certificate.not_valid_after_utc.strftime("%m/%d/%Y %H:%M:%S")
        found_text = f" Found key 'Start={start}, End={end}',"
    return errors.entra_error(
        "invalid_client",
        700027,
        f"Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: "
        f"'{presented}',{found_text} Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see "
        f"configured keys for app Id '{app.client_id}'. Review the documentation at "
        "https://docs.microsoft.com/en-us/graph/deployments to determine the corresponding service endpoint and "
        "https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query "
        f"request URL, such as 'https://graph.microsoft.com/beta/applications/{app.client_id}'].",
        status=401,
    )


def _presented_thumbprint(header: dict[str, Any]) -> tuple[str, str] | None:
    """("sha1"|"sha256", upper-case hex) from `x5t` or `x5t#S256`."""
    for field, kind in (("x5t#S256", "sha256"), ("x5t", "sha1")):
        value = header.get(field)
        if isinstance(value, str) and value:
            hex_value = hex_from_b64url(value)
            if hex_value:
                return kind, hex_value
    return None


def _leaf_of_x5c(header: dict[str, Any]) -> x509.Certificate | bool | None:
    """The first certificate of `x5c`, None when absent, False when unreadable."""
    chain = header.get("x5c")
    if chain is None:
        return None
    if isinstance(chain, str):  # some clients send a single string
        chain = [chain]
    if not isinstance(chain, list) or not chain or not isinstance(chain[0], str):
        return False
    try:
        return x509.load_der_x509_certificate(base64.b64decode(chain[0], validate=False))
    except (ValueError, binascii.Error):
        return False


def verify_certificate_assertion(
    state: EmulatorState,
    req: TokenRequest,
    app: Application,
    assertion: str,
    header: dict[str, Any],
    claims: dict[str, Any],
) -> Response | None:
    """None when the assertion proves possession of a registered certificate's key, else Entra's error."""
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        return errors.entra_error(
            "invalid_request", 5002730, "Invalid JWT token. Unsupported key for the signing algorithm."
        )
    presented = _presented_thumbprint(header)
    if presented is None:
        return errors.entra_error(
            "invalid_request", 50027, "Invalid JWT token. No certificate thumbprint specified in token header."
        )
    kind, hex_thumbprint = presented
    registered = next(
        (c for c in app.certificates if (c.sha256_thumbprint if kind == "sha256" else c.thumbprint) == hex_thumbprint),
        None,
    )
    if registered is None:
        return invalid_signature(app, "The key was not found.", hex_thumbprint, None)
    leaf = _leaf_of_x5c(header)
    if leaf is False:
        return errors.entra_error("invalid_request", 50027, "JWT token is invalid or malformed.")
    if isinstance(leaf, x509.Certificate) and thumbprint(leaf) != registered.thumbprint:
        return invalid_signature(app, "The key was not found.", thumbprint(leaf), None)
    now = state.clock.now()
    if not registered.not_before <= now <= registered.expires_at:
        return invalid_signature(app, "The key used is expired.", hex_thumbprint, registered)
    try:
        jwt.decode(
            assertion,
            registered.certificate.public_key(),  # type: ignore[arg-type]
            algorithms=[str(algorithm)],
            options={"verify_aud": False, "verify_exp": False, "verify_nbf": False, "verify_iat": False},
        )
    except jwt.PyJWTError:
        return invalid_signature(
            app, "Key was found, but use of the key to verify the signature failed.", hex_thumbprint, registered
        )
    if claims.get("sub") != claims.get("iss"):
        return errors.entra_error(
            "invalid_client", 50048, "Subject must match the issuer claim in the client assertion.", status=401
        )
    audience = claims.get("aud")
    accepted = {
        req.token_url,
        f"{state.urls.authority_host}/{req.tenant.id}/oauth2/v2.0/token",
        f"{state.urls.authority_host}/{req.tenant.domain}/oauth2/v2.0/token",
    }
    audiences = audience if isinstance(audience, list) else [audience]
    if len(audiences) != 1 or audiences[0] not in accepted:
        # Current Entra wording (AADSTS700023, captured in 2021); older answers said AADSTS50012.
        return errors.entra_error(
            "invalid_client",
            700023,
            "Client assertion audience claim does not match Realm issuer. Review the documentation at "
            "https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
            status=401,
        )
    check_assertion_lifetime(state, claims)  # raises AADSTS700024 outside the validity window
    return None
