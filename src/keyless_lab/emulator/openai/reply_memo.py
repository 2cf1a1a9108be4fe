"""Encoded chat replies kept for the rest of their second, so a repeated request skips rebuilding one.

A chat completion is a pure function of the caller, the deployment, the request body and the
second it is answered in (`created`): the same request in the same second gets the same bytes.
A class of learners re-running one cell, a retrying client, or a load test sends exactly that,
and parsing, validating, composing and serialising the reply is most of the chat route's own
work. The memo keeps the encoded body and the tokens it charged; every check still runs on each
call (authentication, tenant, deployment, RBAC, quota, audit), only the reply is reused.

Bounded twice, as caches of request data must be: bodies over `MAX_BODY_BYTES` are never kept,
and the memo is emptied when it holds `MAX_ENTRIES` replies or a new second begins.
"""

from __future__ import annotations

from dataclasses import dataclass

from .caller import Caller

MAX_BODY_BYTES = 4096  # requests larger than this are answered without the memo
MAX_ENTRIES = 1024


@dataclass(frozen=True)
class MemoReply:
    body: bytes  # the encoded JSON reply
    charged: int  # tokens charged to the deployment's quota


class ReplyMemo:
    """Encoded replies by (caller, deployment, raw request body), valid for one second."""

    def __init__(self) -> None:
        self._second = -1
        self._replies: dict[tuple[Caller, str, bytes], MemoReply] = {}

    def get(self, caller: Caller, deployment: str, raw: bytes, second: int) -> MemoReply | None:
        if second != self._second:
            return None
        return self._replies.get((caller, deployment, raw))

    def put(self, caller: Caller, deployment: str, raw: bytes, second: int, reply: MemoReply) -> None:
        if len(raw) > MAX_BODY_BYTES:
            return
        if second != self._second or len(self._replies) >= MAX_ENTRIES:
            self._replies = {}
            self._second = second
        self._replies[(caller, deployment, raw)] = reply
