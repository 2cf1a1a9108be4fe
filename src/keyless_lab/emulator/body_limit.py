"""A bound on every request body read through the Starlette routes, chunked bodies included.

Routes that check only `Content-Length` read a chunked body (which has none) to its end, however
long; this middleware counts the bytes as the route receives them and answers 413 past the limit,
and refuses a declared length past it before the route runs. Routes keep their own, smaller bounds
with their own error texts (the token endpoint's AADSTS900144 at 64 KiB); the Azure OpenAI data
plane reads its bodies itself with a 16 MiB bound (`asgi.Incoming.body`) and is passed through
untouched, to keep its hot path free of a wrapper.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import PlainTextResponse

from .asgi import Message, Receive, Scope, Send

MAX_BODY_BYTES = 1024 * 1024  # far above any sign-in form, approval or admin request
DATA_PLANE_PREFIX = "/openai/"
TOO_LARGE = "Request body too large"


class BodyLimit:
    """ASGI middleware: 413 for a body over `limit` bytes, declared or received."""

    def __init__(self, app: object, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(DATA_PLANE_PREFIX):
            await self.app(scope, receive, send)  # type: ignore[operator]
            return
        for name, value in scope["headers"]:
            if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                await PlainTextResponse(TOO_LARGE, status_code=413)(scope, receive, send)
                return
        received = 0

        async def bounded_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    # Raised inside the route, so Starlette renders it as the 413 response.
                    raise HTTPException(413, TOO_LARGE)
            return message

        await self.app(scope, bounded_receive, send)  # type: ignore[operator]
