"""The Responses API (`POST /openai/v1/responses`): the request, the reply, its stream, and the store.

Microsoft's current quickstarts call `client.responses.create(model=<deployment>, input=...)` on
the v1 surface. The reply is the same deterministic text a chat completion gets (who called, how,
what they asked), wrapped in the Responses shape: an `output` list holding one assistant `message`
with one `output_text` part, and `usage` in input/output tokens. Streaming sends named
server-sent events (`event: response.created` ... `event: response.completed`, each with a
`sequence_number`), as OpenAI documents them. Responses are stored unless `store` is false, so
`GET /openai/v1/responses/{id}` and `previous_response_id` work; the store is bounded.

Unconfirmed (not documented by Microsoft): whether Azure ends a Responses stream with
`data: [DONE]` (OpenAI does not; neither does the lab), the operation name Azure's 429 message uses
for it (the lab says `Responses_Create`), and the exact 404 text for an unknown response id (the
lab uses OpenAI's "Response with id '<id>' not found.").
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse, Response

from .. import errors
from .caller import Caller
from .chat import compose_reply, count_tokens, message_text, truncate
from .requests import invalid_type, missing_parameter, positive_int

MIN_OUTPUT_TOKENS = 16  # OpenAI's minimum for `max_output_tokens`
MAX_STORED = 1_000  # responses kept for GET / previous_response_id (oldest dropped first)


@dataclass(frozen=True)
class ResponsesRequest:
    question: str  # the last user message: what the reply repeats
    input_tokens: int
    instructions: str | None
    stream: bool
    store: bool
    max_output_tokens: int | None
    previous_response_id: str | None


def _item_text(item: Any) -> tuple[str, str] | Response:
    """(role, text) of one input item: `{"role", "content"}` with a string or `input_text` parts."""
    if not isinstance(item, dict):
        return invalid_type("input[]", "an object", item)
    role, content = item.get("role", "user"), item.get("content", "")
    if not isinstance(role, str):
        return invalid_type("input[].role", "a string", role)
    if isinstance(content, list):
        parts = [p.get("text", "") for p in content if isinstance(p, dict) and p.get("type") in ("input_text", "text")]
        return role, " ".join(str(p) for p in parts)
    if not isinstance(content, str):
        return invalid_type("input[].content", "a string or an array", content)
    return role, message_text({"content": content})


def responses_request(body: dict[str, Any]) -> ResponsesRequest | Response:
    raw = body.get("input")
    if raw is None:
        return missing_parameter("input")
    if isinstance(raw, str):
        turns = [("user", raw)]
    elif isinstance(raw, list):
        turns = []
        for item in raw:
            turn = _item_text(item)
            if isinstance(turn, Response):
                return turn
            turns.append(turn)
    else:
        return invalid_type("input", "a string or an array", raw)
    instructions = body.get("instructions")
    if instructions is not None and not isinstance(instructions, str):
        return invalid_type("instructions", "a string", instructions)
    flags = {}
    for name, default in (("stream", False), ("store", True)):
        value = body.get(name)
        if value is not None and not isinstance(value, bool):
            return invalid_type(name, "a boolean", value)
        flags[name] = default if value is None else value
    limit = positive_int(body, "max_output_tokens")
    if isinstance(limit, Response):
        return limit
    if limit is not None and limit < MIN_OUTPUT_TOKENS:
        return errors.invalid_request(
            f"Invalid 'max_output_tokens': integer below minimum value. Expected a value >= {MIN_OUTPUT_TOKENS}, "
            f"but got {limit} instead.",
            param="max_output_tokens",
            code="integer_below_min_value",
        )
    previous = body.get("previous_response_id")
    if previous is not None and not isinstance(previous, str):
        return invalid_type("previous_response_id", "a string", previous)
    question = next((text for role, text in reversed(turns) if role == "user"), "")
    input_tokens = sum(count_tokens(text) for _, text in turns) + (count_tokens(instructions) if instructions else 0)
    return ResponsesRequest(question, input_tokens, instructions, flags["stream"], flags["store"], limit, previous)


def build_response(
    caller: Caller, deployment: str, model: str, request: ResponsesRequest, now: float
) -> dict[str, Any]:
    """The completed (or, cut by `max_output_tokens`, incomplete) response object."""
    text = compose_reply(caller, deployment, request.question)
    incomplete = request.max_output_tokens is not None and count_tokens(text) > request.max_output_tokens
    if incomplete:
        text = truncate(text, request.max_output_tokens or MIN_OUTPUT_TOKENS)
    output_tokens = count_tokens(text)
    message = {
        "id": "msg_" + secrets.token_hex(24),
        "type": "message",
        "status": "incomplete" if incomplete else "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }
    return {
        "id": "resp_" + secrets.token_hex(24),
        "object": "response",
        "created_at": int(now),
        "status": "incomplete" if incomplete else "completed",
        "background": False,
        "error": None,
        "incomplete_details": {"reason": "max_output_tokens"} if incomplete else None,
        "instructions": request.instructions,
        "max_output_tokens": request.max_output_tokens,
        "model": model,
        "output": [message],
        "parallel_tool_calls": True,
        "previous_response_id": request.previous_response_id,
        "reasoning": {"effort": None, "summary": None},
        "store": request.store,
        "temperature": 1.0,
        "text": {"format": {"type": "text"}},
        "tool_choice": "auto",
        "tools": [],
        "top_p": 1.0,
        "truncation": "disabled",
        "usage": {
            "input_tokens": request.input_tokens,
            "input_tokens_details": {"cached_tokens": 0},
            "output_tokens": output_tokens,
            "output_tokens_details": {"reasoning_tokens": 0},
            "total_tokens": request.input_tokens + output_tokens,
        },
        "user": None,
        "metadata": {},
    }


def stream_events(response: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The named events of a streamed response, numbered by `sequence_number`, one delta per word."""
    message = response["output"][0]
    part = message["content"][0]
    text = part["text"]
    opening = {**response, "status": "in_progress", "output": [], "usage": None, "incomplete_details": None}
    item_ids = {"item_id": message["id"], "output_index": 0, "content_index": 0}
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": opening},
        {"type": "response.in_progress", "response": opening},
        {
            "type": "response.output_item.added",
            "output_index": 0,
            "item": {**message, "status": "in_progress", "content": []},
        },
        {"type": "response.content_part.added", **item_ids, "part": {**part, "text": ""}},
    ]
    words = text.split(" ")
    events += [
        {"type": "response.output_text.delta", **item_ids, "delta": word if i == 0 else " " + word, "logprobs": []}
        for i, word in enumerate(words)
    ]
    events += [
        {"type": "response.output_text.done", **item_ids, "text": text, "logprobs": []},
        {"type": "response.content_part.done", **item_ids, "part": part},
        {"type": "response.output_item.done", "output_index": 0, "item": message},
        {"type": "response.completed" if response["status"] == "completed" else "response.incomplete",
         "response": response},
    ]  # fmt: skip
    for number, event in enumerate(events):
        yield {**event, "sequence_number": number}


class ResponseStore:
    """Stored responses by id, the oldest dropped beyond `MAX_STORED` (memory stays bounded)."""

    def __init__(self, limit: int = MAX_STORED) -> None:
        self._limit = limit
        self._items: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, response: dict[str, Any]) -> None:
        with self._lock:
            self._items[response["id"]] = response
            while len(self._items) > self._limit:
                self._items.popitem(last=False)

    def get(self, response_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._items.get(response_id)


def response_not_found(response_id: str) -> Response:
    """404 for an id the store does not hold (never stored, `store: false`, or dropped)."""
    return JSONResponse(
        {
            "error": {
                "message": f"Response with id '{response_id}' not found.",
                "type": "invalid_request_error",
                "param": None,
                "code": None,
            }
        },
        status_code=404,
    )


def previous_response_not_found(response_id: str) -> Response:
    return errors.invalid_request(f"Previous response with id '{response_id}' not found.", param="previous_response_id")
