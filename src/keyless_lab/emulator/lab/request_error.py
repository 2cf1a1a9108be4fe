"""The lab control plane's one error: `LabRequestError(message, status)`, raised where a bad admin
request is found (no admin key, a body that is not a JSON object, a missing field, an unknown name)
and rendered by one handler (`render`, registered in `emulator/app.py`) as `{"error": message}`.

The body is the lab's own, not Azure's: only the lab's tools (the `az` stand-in, provision.sh, the
notebook helpers) read it, and they print the message as one line.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response


class LabRequestError(Exception):
    """A lab request that cannot be served; `status` is 400 unless said otherwise, and `headers` go
    on the answer (the console's security headers). A subclass may answer in another shape by
    overriding `response` (the console's page answers HTML)."""

    def __init__(self, message: str, status: int = 400, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.headers = message, status, headers

    def response(self) -> Response:
        return JSONResponse({"error": self.message}, status_code=self.status, headers=self.headers)


async def render(request: Request, exc: Exception) -> Response:
    """The application's exception handler for `LabRequestError` (and its subclasses)."""
    assert isinstance(exc, LabRequestError)
    return exc.response()
