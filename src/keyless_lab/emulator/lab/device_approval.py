"""Scripted device-code approval: `POST /_lab/devicecode/approve` and `approve_device_code()`.

An emulator-only way to approve a device code without a person (JSON `{"user_code", "user"}`), for
notebooks, tests and the `az`/`azd` stand-ins. Approving signs someone in, so the route needs the
lab's admin key (`X-Keyless-Lab-Admin-Key`, as the admin API does), and a code is approved once;
the public verification page (`entra/signin.py`) stays the person's way in.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..entra.signin import users_for
from ..state import EmulatorState, emulator_state
from .admin import read_admin_request
from .request_error import LabRequestError

APPROVE_PATH = "/_lab/devicecode/approve"


def approve_device_code(state: EmulatorState, user_code: str, user: str) -> str:
    """Sign `user` (UPN or object id) in on the verification page for `user_code`.

    Returns "" on success, else a sentence saying why not (unknown user or code, used, expired).
    """
    person = state.directory.user(user)
    if person is None:
        return f"no user {user!r} in the lab directory"
    device = state.user_sessions.device_by_user_code(user_code)
    if device is None:
        return f"no device code {user_code!r} is waiting for sign-in"
    if person not in users_for(state, device.tenant):
        return f"{person.upn} is not a member of tenant {device.tenant!r}"
    if state.user_sessions.approve_device(user_code, person.object_id) is None:
        return f"device code {user_code!r} has expired or was already answered (approved or declined)"
    state.audit.record("Entra ID", "sign-in (device code, scripted)", person.upn, person.object_id, "user", 200)
    return ""


async def approve(request: Request) -> Response:
    state = emulator_state(request)
    body = await read_admin_request(request, state)
    user_code, user = body.get("user_code"), body.get("user")
    if not (isinstance(user_code, str) and isinstance(user, str)):
        raise LabRequestError('expected JSON {"user_code": "...", "user": "..."}')
    refused = approve_device_code(state, user_code, user)
    if refused:
        raise LabRequestError(refused)
    return JSONResponse({"approved": True, "user_code": user_code.upper(), "user": state.directory.user(user).upn})  # type: ignore[union-attr]


def routes(state: EmulatorState) -> list[Route]:
    return [Route(APPROVE_PATH, approve, methods=["POST"])]
