"""The lab control plane's one error: `LabRequestError(message, status)`, raised where a bad admin
request is found (no admin key, a body that is not a JSON object, a missing field, an unknown name)
and rendered by one handler (`render`, registered in `emulator/app.py`) as `{"error": message}`.

The body is the lab's own, not Azure's: only the lab's tools (the `az` stand-in, provision.sh, the
notebook helpers) read it, and they print the message as one line.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse


class LabRequestError(Exception):
    """A lab admin request that cannot be served; `status` is 400 unless said otherwise."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.message}, status_code=self.status)


async def render(request: Request, exc: Exception) -> JSONResponse:
    """The application's exception handler for `LabRequestError`."""
    assert isinstance(exc, LabRequestError)
    return exc.response()
