"""What every Entra ID endpoint reads from a request: a bounded urlencoded form (chunked bodies
included) and the tenant its path names. One copy each, shared by the token endpoint, the device
authorization endpoint and the sign-in pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl

from starlette.exceptions import HTTPException
from starlette.requests import Request

from ..body_limit import TOO_LARGE
from ..directory import Tenant
from ..state import EmulatorState
from .aadsts import BODY_TOO_LARGE, UNKNOWN_TENANT, EntraError

MAX_FORM_BYTES = 64 * 1024
# Path segments that name no tenant but "whichever tenant the user signs in to".
MULTI_TENANT = ("organizations", "common")


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


async def read_form(request: Request) -> dict[str, str]:
    """A urlencoded form body without needing python-multipart; 413 past 64 KiB, chunked ones too."""
    body = await read_bounded(request, MAX_FORM_BYTES)
    if body is None:
        raise HTTPException(413, TOO_LARGE)
    return parse_form(body)


async def read_entra_form(request: Request) -> dict[str, str]:
    """The form of a token or device-code request; past 64 KiB (chunked ones too), Entra's JSON error
    rather than `read_form`'s 413 page."""
    body = await read_bounded(request, MAX_FORM_BYTES)
    if body is None:
        raise EntraError(BODY_TOO_LARGE)
    return parse_form(body)


@dataclass(frozen=True)
class MultiTenant:
    """A path naming no tenant (`organizations`, `common`): whichever tenant the user signs in to."""

    segment: str


def resolve_tenant(state: EmulatorState, segment: str) -> Tenant | MultiTenant | None:
    """The tenant named by a path segment; `MultiTenant` for organizations/common; None if unknown."""
    if segment.lower() in MULTI_TENANT:
        return MultiTenant(segment)
    return state.directory.tenant(segment)


def known_tenant(state: EmulatorState, segment: str) -> Tenant | MultiTenant:
    """`resolve_tenant` for the token and device-code endpoints: AADSTS90002 for a tenant that does not exist."""
    tenant = resolve_tenant(state, segment)
    if tenant is None:
        raise EntraError(UNKNOWN_TENANT, tenant=segment)
    return tenant
