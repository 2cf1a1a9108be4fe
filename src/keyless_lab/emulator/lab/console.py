"""The live lab console: what the lab sees, for a learner beside the notebook or an instructor's projector.

`GET /_lab/console?token=<secret>` serves one page (console_html.py) that polls
`GET /_lab/console/state?since=N` once a second: the directory (principals, role assignments,
deployments, whether keys are enabled) and the audit log since row N, token requests and model
calls in one timeline. Read-only.

It is served on the plain-HTTP loopback listener (the IMDS one), not the HTTPS one: a browser
does not trust the lab's private CA, and loopback HTTP with a token in the link is how JupyterLab
itself is reached. The token is the instance's console secret (not the admin API's key, so a
projected or shared console link cannot change the directory); it travels in the link, then in a
header. Everything shown is data (JSON rendered with `textContent`), never markup, because
principal names and request fields (a deployment name in a URL) are attacker-controlled text.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..state import EmulatorState
from . import console_html
from .request_error import LabRequestError

CONSOLE_PATH = "/_lab/console"
STATE_PATH = "/_lab/console/state"
TOKEN_HEADER = "x-keyless-lab-console-token"
MAX_ROWS = 500  # per poll; the page keeps the most recent rows

# Services that hand out tokens, shown as "token request" rows beside "model call" rows.
TOKEN_SERVICES = {"Entra ID", "IMDS", "App Service MSI", "GitHub Actions"}


def console_secret(state: EmulatorState) -> str:
    return state.console_secret


def console_url(state: EmulatorState) -> str:
    return f"{state.urls.http}{CONSOLE_PATH}?token={console_secret(state)}"


def _authorised(state: EmulatorState, presented: str) -> bool:
    return hmac.compare_digest(presented.encode(), console_secret(state).encode())


class ConsoleTokenRequired(LabRequestError):
    """The console's 403, rendered by the lab's one handler: the page answers HTML (a browser shows
    it), the state API `{"error": ...}`; both with the console's headers (no-store, no-referrer)."""

    def __init__(self, page: bool) -> None:
        super().__init__("the lab console needs its token", 403, headers=_headers())
        self.page = page

    def response(self) -> Response:
        if self.page:
            return HTMLResponse(console_html.FORBIDDEN, status_code=self.status, headers=self.headers)
        return super().response()


def require_token(state: EmulatorState, presented: str, page: bool) -> None:
    """Raises the console's 403 unless `presented` is this instance's console secret."""
    if not _authorised(state, presented):
        raise ConsoleTokenRequired(page)


def _kind(service: str, auth: str) -> str:
    if auth == "admin":
        return "admin"
    return "token request" if service in TOKEN_SERVICES else "model call"


def snapshot(state: EmulatorState, since: int) -> dict[str, Any]:
    """The directory and the audit rows from `since` on; no secret values, ever."""
    directory = state.directory
    names = {p.object_id: p.name for p in directory.principals.values()}
    records = state.audit.since(max(since, 0))
    total = since + len(records)
    records = records[-MAX_ROWS:]
    resource = directory.openai
    return {
        "principals": [
            {"name": p.name, "kind": p.description, "object_id": p.object_id, "client_id": p.client_id}
            for p in directory.principals.values()
        ],
        "role_assignments": [
            {"principal": names.get(ra.principal_id, ra.principal_id), "role": ra.role.name, "scope": ra.scope}
            for ra in directory.role_assignments
        ],
        "resource": {
            "name": resource.name,
            "keys_enabled": not resource.disable_local_auth,
            "deployments": [
                {"name": d.name, "model": f"{d.model} ({d.model_version})"} for d in resource.deployments.values()
            ],
        },
        "audit": [
            {
                "seconds": r.seconds,
                "kind": _kind(r.service, r.auth),
                "service": r.service,
                "operation": r.operation,
                "deployment": r.deployment,
                "principal": r.principal,
                "auth": r.auth,
                "credential": r.credential,
                "status": r.status,
            }
            for r in records
        ],
        "next": total,
    }


def _headers() -> dict[str, str]:
    return {
        "Cache-Control": "no-store",
        "Referrer-Policy": "no-referrer",  # the token is in the page's URL
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
    }


def routes(state: EmulatorState) -> list[Route]:
    async def page(request: Request) -> Response:
        require_token(state, request.query_params.get("token", ""), page=True)
        nonce = secrets.token_urlsafe(16)
        headers = {
            **_headers(),
            "Content-Security-Policy": (
                f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; "
                "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
            ),
        }
        return HTMLResponse(console_html.page(nonce), headers=headers)

    async def current(request: Request) -> Response:
        require_token(state, request.headers.get(TOKEN_HEADER, ""), page=False)
        try:
            since = int(request.query_params.get("since", "0"))
        except ValueError:
            since = 0
        return JSONResponse(snapshot(state, since), headers=_headers())

    return [Route(CONSOLE_PATH, page, methods=["GET"]), Route(STATE_PATH, current, methods=["GET"])]
