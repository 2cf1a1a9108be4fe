"""Deterministic chat completions that teach: who called, how, as which deployment, and what they asked.

The reply and its `usage` are pure functions of the caller, the deployment and the messages, so
notebook outputs are stable. The body has Azure's shape (content filter results, prompt filter
results, the dated model name), and streamed replies are cut into Azure-shaped chunks.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from .caller import Caller
from .requests import ChatRequest

SAFE = {"filtered": False, "severity": "safe"}
CONTENT_FILTER = {"hate": SAFE, "self_harm": SAFE, "sexual": SAFE, "violence": SAFE}
PROMPT_FILTER = [{"prompt_index": 0, "content_filter_results": CONTENT_FILTER}]
SYSTEM_FINGERPRINT = "fp_keylesslab"
WORDS = re.compile(r"\S+")
TOKENS_PER_MESSAGE = 4  # role and separators, roughly as OpenAI's chat format counts them


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: about four tokens for every three words."""
    return max(1, (len(text.split()) * 4 + 2) // 3)


def message_text(message: dict[str, Any]) -> str:
    content = message.get("content") or ""
    if isinstance(content, list):
        return " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict) and p.get("type") == "text")
    return str(content)


def prompt_tokens(messages: list[dict[str, Any]]) -> int:
    return sum(count_tokens(message_text(m)) + TOKENS_PER_MESSAGE for m in messages)


def last_user_message(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            return message_text(message)
    return ""


def preview(question: str, width: int = 120) -> str:
    """The question with whitespace collapsed, cut to `width` characters, reading no further than needed
    (a message may be megabytes long)."""
    words: list[str] = []
    length = -1
    for match in WORDS.finditer(question):
        words.append(match.group())
        length += 1 + len(match.group())
        if length > width:
            break
    said = " ".join(words)
    return said[: width - 3] + "..." if len(said) > width else said


def compose_reply(caller: Caller, deployment: str, question: str) -> str:
    said = preview(question)
    asked = f'You asked: "{said}"' if said else "Your request had no user message."
    if caller.auth == "api-key":
        return (
            f"Hello! This is the keyless-lab emulator answering as deployment '{deployment}'. You called Azure "
            f"OpenAI with {caller.how}: Azure RBAC was not consulted and the audit log cannot say who you are. "
            f"{asked}"
        )
    return (
        f"Hello, {caller.name}! This is the keyless-lab emulator answering as deployment '{deployment}'. "
        f"You called Azure OpenAI with {caller.how}, object id {caller.object_id}, and Azure RBAC let it "
        f"through. {asked}"
    )


def truncate(text: str, max_tokens: int) -> str:
    """The longest prefix of whole words whose token count fits `max_tokens`."""
    words = text.split(" ")
    keep = max(1, (max_tokens * 3) // 4)
    while keep > 1 and count_tokens(" ".join(words[:keep])) > max_tokens:
        keep -= 1
    return " ".join(words[:keep])


@dataclass(frozen=True)
class ChatReply:
    id: str
    created: int
    model: str
    content: str
    finish_reason: str
    n: int
    prompt_tokens: int
    completion_tokens: int  # for all n choices

    @property
    def usage(self) -> dict[str, int]:
        return {
            "completion_tokens": self.completion_tokens,
            "prompt_tokens": self.prompt_tokens,
            "total_tokens": self.prompt_tokens + self.completion_tokens,
        }


@lru_cache(maxsize=4096)
def _reply_text(
    caller: Caller, deployment: str, said: str, question_digest: bytes, max_tokens: int | None
) -> tuple[str, str, str, int]:
    """(content, finish_reason, id, completion tokens): a pure function, so repeated calls are cached.

    Keyed on the question's preview and digest, never the question itself: a cache keyed on the
    message would keep every distinct (possibly megabyte-long) message alive.
    """
    content = compose_reply(caller, deployment, said)
    finish_reason = "stop"
    if max_tokens is not None and count_tokens(content) > max_tokens:
        content, finish_reason = truncate(content, max_tokens), "length"
    identity = f"{deployment}|{caller.object_id}|{caller.credential}|".encode() + question_digest
    return content, finish_reason, f"chatcmpl-{hashlib.sha256(identity).hexdigest()[:29]}", count_tokens(content)


def build_reply(caller: Caller, deployment: str, model: str, request: ChatRequest, now: float) -> ChatReply:
    question = last_user_message(request.messages)
    digest = hashlib.sha256(question.encode("utf-8", "surrogatepass")).digest()
    content, finish_reason, reply_id, completion_tokens = _reply_text(
        caller, deployment, preview(question), digest, request.max_tokens
    )
    return ChatReply(
        id=reply_id,
        created=int(now),
        model=model,
        content=content,
        finish_reason=finish_reason,
        n=request.n,
        prompt_tokens=prompt_tokens(request.messages),
        completion_tokens=completion_tokens * request.n,
    )


def quota_tokens(request: ChatRequest, reply: ChatReply) -> int:
    """What the token quota is charged: the prompt plus `max_tokens` when given (Azure reserves it up
    front), otherwise the reply's own tokens."""
    if request.max_tokens is not None:
        return reply.prompt_tokens + request.max_tokens * request.n
    return reply.prompt_tokens + reply.completion_tokens


def completion_body(reply: ChatReply) -> dict[str, Any]:
    return {
        "choices": [
            {
                "content_filter_results": CONTENT_FILTER,
                "finish_reason": reply.finish_reason,
                "index": index,
                "logprobs": None,
                "message": {"annotations": [], "content": reply.content, "refusal": None, "role": "assistant"},
            }
            for index in range(reply.n)
        ],
        "created": reply.created,
        "id": reply.id,
        "model": reply.model,
        "object": "chat.completion",
        "prompt_filter_results": PROMPT_FILTER,
        "system_fingerprint": SYSTEM_FINGERPRINT,
        "usage": reply.usage,
    }


def stream_chunks(reply: ChatReply, include_usage: bool) -> Iterator[dict[str, Any]]:
    """Azure's streaming sequence: prompt filter results first (no choices), a role chunk, one chunk
    per word with content filter results, a finish chunk, and with `include_usage` a final usage
    chunk with no choices (every earlier chunk then carries `"usage": null`)."""
    yield {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": PROMPT_FILTER,
    }
    common = {
        "created": reply.created,
        "id": reply.id,
        "model": reply.model,
        "object": "chat.completion.chunk",
        "system_fingerprint": SYSTEM_FINGERPRINT,
    }
    if include_usage:
        common["usage"] = None

    def chunk(index: int, delta: dict[str, Any], filters: dict[str, Any], finish: str | None) -> dict[str, Any]:
        choice = {
            "content_filter_results": filters,
            "delta": delta,
            "finish_reason": finish,
            "index": index,
            "logprobs": None,
        }
        return {"choices": [choice], **common}

    words = reply.content.split(" ")
    for index in range(reply.n):
        yield chunk(index, {"content": "", "refusal": None, "role": "assistant"}, {}, None)
        for position, word in enumerate(words):
            yield chunk(index, {"content": word if position == 0 else " " + word}, CONTENT_FILTER, None)
        yield chunk(index, {}, {}, reply.finish_reason)
    if include_usage:
        yield {**common, "choices": [], "usage": reply.usage}
