"""Server-sent events, as Azure OpenAI streams: chat completions as `data: <json>` frames then
`data: [DONE]`; the Responses API as named events (`event: <type>` + `data: <json>`), no `[DONE]`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import Any

from starlette.responses import StreamingResponse

from ..asgi import RawHeaders
from ..jsonio import dumps

DONE = b"data: [DONE]\n\n"


def sse_frame(payload: dict[str, Any]) -> bytes:
    return b"data: " + dumps(payload) + b"\n\n"


async def _frames(chunks: Iterable[dict[str, Any]]) -> AsyncIterator[bytes]:
    for chunk in chunks:
        yield sse_frame(chunk)
    yield DONE


def event_stream(chunks: Iterable[dict[str, Any]], headers: RawHeaders) -> StreamingResponse:
    """A streaming response of the chunks; the client reads them as they are written."""
    return StreamingResponse(
        _frames(chunks),
        media_type="text/event-stream; charset=utf-8",
        headers={"cache-control": "no-cache", **_text(headers)},
    )


async def _named_frames(events: Iterable[dict[str, Any]]) -> AsyncIterator[bytes]:
    for event in events:
        yield b"event: " + str(event["type"]).encode() + b"\n" + sse_frame(event)


def named_event_stream(events: Iterable[dict[str, Any]], headers: RawHeaders) -> StreamingResponse:
    """A stream of named events (the Responses API's shape)."""
    return StreamingResponse(
        _named_frames(events),
        media_type="text/event-stream; charset=utf-8",
        headers={"cache-control": "no-cache", **_text(headers)},
    )


def _text(headers: RawHeaders) -> dict[str, str]:
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in headers}
