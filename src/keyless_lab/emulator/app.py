"""Wire the protocol surfaces into two Starlette applications, one per listener.

HTTPS carries Microsoft Entra ID and Azure OpenAI (azure-identity refuses a non-https
authority); plain HTTP carries the managed identity endpoints, as on Azure. A new surface is
a module with `routes(state)` (and optionally `ADVERTISES`, discovery fields it implements)
added to the lists below.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from . import (
    app_credential_admin,
    app_service,
    authority,
    console,
    device_authorization,
    errors,
    federation_admin,
    issuers,
    lab_admin,
    lab_provisioning,
    managed_identity,
    openai,
    signin,
    token_endpoint,
)
from .body_limit import BodyLimit
from .state import EmulatorState

HTTPS_SURFACES = (
    authority,
    token_endpoint,
    openai,
    issuers,
    signin,
    device_authorization,
    lab_admin,
    federation_admin,
    lab_provisioning,
    app_credential_admin,
)
HTTP_SURFACES = (managed_identity, app_service, console)  # console: plain HTTP, see console.py


async def _not_found(request: Request, exc: Exception) -> Response:
    return errors.resource_not_found()


async def _method_not_allowed(request: Request, exc: Exception) -> Response:
    return errors.resource_not_found()


def _app(state: EmulatorState, surfaces: tuple[object, ...]) -> Starlette:
    routes = []
    for surface in surfaces:
        routes.extend(surface.routes(state))  # type: ignore[attr-defined]
        state.advertised_endpoints.update(getattr(surface, "ADVERTISES", {}))
    return Starlette(
        routes=routes,
        exception_handlers={404: _not_found, 405: _method_not_allowed},
        middleware=[Middleware(BodyLimit)],  # every body bounded, chunked ones included (413)
    )


def https_app(state: EmulatorState) -> Starlette:
    return _app(state, HTTPS_SURFACES)


def http_app(state: EmulatorState) -> Starlette:
    return _app(state, HTTP_SURFACES)
