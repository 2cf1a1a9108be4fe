"""What every grant needs: the parsed request, scope parsing, and the token response shape."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...crypto.access_tokens import IssuedToken
from ...directory import Tenant
from ..aadsts import MISSING_PARAMETER, EntraError


@dataclass(frozen=True)
class TokenRequest:
    tenant: Tenant
    fields: dict[str, str]
    token_url: str  # the exact URL a client assertion's `aud` must name
    request: Request


def require_fields(req: TokenRequest, *names: str) -> None:
    """AADSTS900144 for the first of `names` the request left out or empty."""
    for name in names:
        if not req.fields.get(name):
            raise EntraError(MISSING_PARAMETER, name=name)


OIDC_SCOPES = {"openid", "profile", "offline_access", "email"}


def resource_of_default_scope(scope: str) -> str | None:
    """`https://cognitiveservices.azure.com/.default` -> `https://cognitiveservices.azure.com`."""
    resources = [s for s in scope.split() if s not in OIDC_SCOPES]
    if len(resources) != 1 or not resources[0].endswith("/.default"):
        return None
    return resources[0].removesuffix("/.default")


def token_response(issued: IssuedToken, extra: dict[str, object] | None = None) -> JSONResponse:
    body: dict[str, object] = {
        "token_type": "Bearer",
        "expires_in": issued.expires_in,
        "ext_expires_in": issued.expires_in,
        "access_token": issued.token,
    }
    body.update(extra or {})
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
