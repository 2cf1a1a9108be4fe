"""A thin ASGI layer for the data plane's hot routes: read what the checks need, send JSON directly.

Starlette's `Request` builds header, query and body objects the data plane mostly does not use;
reading the two authentication headers, `api-version` and the body straight from the ASGI scope,
and sending pre-encoded JSON, removes that per-request work from every chat completion. Error
responses are still Starlette responses (from `errors.py`), sent as they are.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote_plus

from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from .jsonio import dumps

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

RawHeaders = list[tuple[bytes, bytes]]  # response headers as ASGI sends them: encoded once, where they are made

JSON_CONTENT_TYPE = (b"content-type", b"application/json")
MAX_BODY_BYTES = 16 * 1024 * 1024  # far above any real request; a bound so a body cannot grow without limit


MAX_QUERY_VALUES = 256  # query answers kept (see `Incoming.query`), each for a query string of at most
MAX_CACHED_QUERY_BYTES = 256  # this many bytes
_QUERY_VALUES: dict[tuple[bytes, str], str | None] = {}


class BodyTooLarge(Exception):
    pass


def _query_value(raw: bytes, name: str) -> str | None:
    for part in raw.decode("latin-1").split("&"):
        key, _, value = part.partition("=")
        if key == name or unquote_plus(key) == name:
            return unquote_plus(value)
    return None


class Incoming:
    """The parts of one request the data plane reads: auth headers, a query value, the body."""

    __slots__ = ("api_key", "authorization", "receive", "scope")

    def __init__(self, scope: Scope, receive: Receive) -> None:
        self.scope = scope
        self.receive = receive
        self.authorization: str | None = None
        self.api_key: str | None = None
        for name, value in scope["headers"]:
            if name == b"authorization":
                self.authorization = value.decode("latin-1")
            elif name == b"api-key":
                self.api_key = value.decode("latin-1")

    @property
    def path_params(self) -> dict[str, str]:
        return self.scope.get("path_params", {})

    def query(self, name: str) -> str | None:
        """One query parameter's value (the first occurrence), without building a full mapping.

        Clients send the same few query strings over and over (`api-version=2024-10-21`), so the
        answers are kept by (query string, name), bounded like every cache of request data."""
        raw: bytes = self.scope.get("query_string", b"")
        if not raw:
            return None
        key = (raw, name)
        try:
            return _QUERY_VALUES[key]
        except KeyError:
            pass
        value = _query_value(raw, name)
        if len(raw) > MAX_CACHED_QUERY_BYTES:
            return value
        if len(_QUERY_VALUES) >= MAX_QUERY_VALUES:
            _QUERY_VALUES.clear()
        _QUERY_VALUES[key] = value
        return value

    async def body(self) -> bytes:
        message = await self.receive()
        if message["type"] == "http.request" and not message.get("more_body", False):
            body: bytes = message.get("body", b"")
            if len(body) > MAX_BODY_BYTES:
                raise BodyTooLarge
            return body  # the usual case: the whole body in one message
        return await self._rest_of_body(message)

    async def _rest_of_body(self, message: Message) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            if chunk:
                size += len(chunk)
                if size > MAX_BODY_BYTES:
                    raise BodyTooLarge
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
            message = await self.receive()
        return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# The reply classes are plain slotted dataclasses, not frozen ones: a frozen dataclass's __init__
# costs about half a microsecond more, once per request.
@dataclass(slots=True)
class JsonReply:
    """A successful JSON answer, serialised and sent by `deliver` without a Response object."""

    payload: Any
    headers: RawHeaders
    charged: int = 0  # tokens charged to the quota (kept with the reply by `ReplyMemo`)


@dataclass(slots=True)
class EncodedJsonReply:
    """A successful JSON answer already serialised (a reply reused from `ReplyMemo`)."""

    body: bytes
    headers: RawHeaders


@dataclass(slots=True)
class ThreadedJsonReply:
    """A successful JSON answer whose body is CPU-heavy to build: `build` runs in a worker thread,
    so the event loop keeps serving other requests, and returns the body in pieces."""

    build: Callable[[], list[bytes]]
    headers: RawHeaders


Outcome = Response | JsonReply | EncodedJsonReply | ThreadedJsonReply  # what a data-plane operation answers


async def deliver(outcome: Outcome, scope: Scope, receive: Receive, send: Send) -> None:
    if isinstance(outcome, EncodedJsonReply):
        await send_body(send, outcome.body, outcome.headers)
    elif isinstance(outcome, JsonReply):
        await send_body(send, dumps(outcome.payload), outcome.headers)
    elif isinstance(outcome, ThreadedJsonReply):
        await send_pieces(send, await run_in_threadpool(outcome.build), outcome.headers)
    else:
        await outcome(scope, receive, send)


async def send_pieces(send: Send, pieces: list[bytes], headers: RawHeaders) -> None:
    raw_headers = [JSON_CONTENT_TYPE, (b"content-length", b"%d" % sum(map(len, pieces))), *headers]
    await send({"type": "http.response.start", "status": 200, "headers": raw_headers})
    for number, piece in enumerate(pieces, 1):
        await send({"type": "http.response.body", "body": piece, "more_body": number < len(pieces)})


async def send_json(send: Send, payload: Any, headers: RawHeaders, status: int = 200) -> None:
    await send_body(send, dumps(payload), headers, status)


async def send_body(send: Send, body: bytes, headers: RawHeaders, status: int = 200) -> None:
    raw_headers = [JSON_CONTENT_TYPE, (b"content-length", b"%d" % len(body)), *headers]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})
