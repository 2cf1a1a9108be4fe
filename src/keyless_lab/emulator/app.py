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

from . import errors
from .body_limit import BodyLimit
from .entra import aadsts, device_authorization, discovery, signin, token_endpoint
from .entra.aadsts import EntraError
from .federation import routes as issuers
from .lab import admin as lab_admin
from .lab import app_credential_admin, console, device_approval, federation_admin
from .lab import provisioning as lab_provisioning
from .lab import request_error as lab_request_error
from .lab.request_error import LabRequestError
from .managed_identity import app_service
from .managed_identity import imds as managed_identity
from .openai import routes as openai
from .state import EmulatorState

# The Azure OpenAI data plane first: its chat route is the hot path (hundreds of calls a second
# in a class or benchmark), and Starlette tries routes in order, one regex each. Its paths all
# start with `/openai/`, which no other surface's pattern matches, so the order changes nothing else.
HTTPS_SURFACES = (
    openai,
    discovery,
    token_endpoint,
    issuers,
    signin,
    device_authorization,
    lab_admin,
    device_approval,
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
    app = Starlette(
        routes=routes,
        # Every Entra error raised by a route is rendered by one handler, in Entra's shape; the lab's
        # admin routes raise LabRequestError, rendered by the lab's one handler.
        exception_handlers={
            404: _not_found,
            405: _method_not_allowed,
            EntraError: aadsts.render,
            LabRequestError: lab_request_error.render,
        },
        middleware=[Middleware(BodyLimit)],  # every body bounded, chunked ones included (413)
    )
    app.state.emulator = state  # module-level handlers find it with `state.emulator_state(request)`
    return app


def https_app(state: EmulatorState) -> Starlette:
    return _app(state, HTTPS_SURFACES)


def http_app(state: EmulatorState) -> Starlette:
    return _app(state, HTTP_SURFACES)
