"""The Microsoft Entra ID token endpoint: `POST /{tenant}/oauth2/v2.0/token`.

One endpoint serves every OAuth grant; this module parses the form, resolves the tenant, and
hands the request to the grant named by `grant_type`. Grants live in `grants/`; a new grant is a
function registered in `GRANTS`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import errors
from .grants import GRANTS, USER_GRANTS, TokenRequest
from .state import EmulatorState

TOKEN_PATH = "/{tenant}/oauth2/v2.0/token"
# MSAL refuses a discovery document without `authorization_endpoint`, even for app-only flows.
ADVERTISES = {"token_endpoint": TOKEN_PATH, "authorization_endpoint": "/{tenant}/oauth2/v2.0/authorize"}
MAX_FORM_BYTES = 64 * 1024
MULTI_TENANT_SEGMENTS = ("organizations", "common")


def parse_form(body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as a dict; anything unparseable yields no fields."""
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=100)
    except (UnicodeDecodeError, ValueError):
        return {}
    return dict(pairs)


async def read_bounded(request: Request, limit: int) -> bytes | None:
    """The body, or None when it is (or announces to be) larger than `limit`, even when chunked."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    body = b"".join(chunks)
    request._body = body  # so that a grant may still call `await request.body()` (Starlette's cache)
    return body


def routes(state: EmulatorState) -> list[Route]:
    async def token(request: Request) -> Response:
        tenant_segment = request.path_params["tenant"]
        tenant = state.directory.tenant(tenant_segment)
        multi_tenant = tenant is None and tenant_segment.lower() in MULTI_TENANT_SEGMENTS
        if tenant is None and not multi_tenant:
            return errors.unknown_tenant(tenant_segment)
        body = await read_bounded(request, MAX_FORM_BYTES)
        if body is None:
            return errors.entra_error("invalid_request", 900144, "The request body is too large.")
        fields = parse_form(body)
        grant_type = fields.get("grant_type", "")
        if not grant_type:
            return errors.missing_parameter("grant_type")
        grant = GRANTS.get(grant_type)
        if grant is None:
            return errors.entra_error(
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{grant_type}'.",
            )
        if tenant is None:  # organizations/common: only user grants (the user's tenant is in the grant)
            if grant_type not in USER_GRANTS:
                return errors.unknown_tenant(tenant_segment)
            tenant = state.directory.primary_tenant
        token_url = f"{state.urls.authority_host}/{tenant_segment}/oauth2/v2.0/token"
        return await grant(state, TokenRequest(tenant=tenant, fields=fields, token_url=token_url, request=request))

    return [Route(TOKEN_PATH, token, methods=["POST"])]
