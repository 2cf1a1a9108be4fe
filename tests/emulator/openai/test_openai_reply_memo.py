"""The chat reply memo: a request repeated within its second reuses the encoded reply, while every
check (authentication, RBAC, quota, audit) still runs on each call; the memo stays bounded."""

from __future__ import annotations

from dataclasses import dataclass

import orjson
from starlette.testclient import TestClient

from keyless_lab.emulator.app import https_app
from keyless_lab.emulator.clock import Clock
from keyless_lab.emulator.openai.caller import KEY_HOLDERS
from keyless_lab.emulator.openai.reply_memo import MAX_BODY_BYTES, MAX_ENTRIES, MemoReply, ReplyMemo
from keyless_lab.emulator.state import EmulatorState, Urls

PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
BODY = orjson.dumps({"messages": [{"role": "user", "content": "Hello twice"}]})


@dataclass
class FrozenClock(Clock):
    """A clock that moves only when told to, so "the same second" is certain in the test."""

    at: float = 1_800_000_000.25

    def now(self) -> float:
        return self.at + self.offset


def lab() -> tuple[EmulatorState, TestClient, dict[str, str]]:
    state = EmulatorState(urls=Urls(https="https://127.0.0.1:1", http="http://127.0.0.1:1"), clock=FrozenClock())
    headers = {"api-key": state.openai_keys.key1, "content-type": "application/json"}
    return state, TestClient(https_app(state)), headers


def test_a_repeated_request_in_the_same_second_gets_the_same_bytes_and_is_still_audited_and_charged() -> None:
    state, client, headers = lab()
    first = client.post(PATH, content=BODY, headers=headers)
    second = client.post(PATH, content=BODY, headers=headers)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert len(state.audit.records("Azure OpenAI")) == 2
    remaining = [int(r.headers["x-ratelimit-remaining-requests"]) for r in (first, second)]
    assert remaining[1] == remaining[0] - 1, remaining  # the quota is charged on the reused reply too
    assert first.headers["apim-request-id"] != second.headers["apim-request-id"]


def test_the_next_second_builds_a_new_reply_with_its_own_created_time() -> None:
    state, client, headers = lab()
    first = client.post(PATH, content=BODY, headers=headers).json()
    state.clock.advance(1)
    later = client.post(PATH, content=BODY, headers=headers).json()
    assert later["created"] == first["created"] + 1
    assert later["choices"] == first["choices"]


def test_a_reused_reply_still_refuses_a_caller_whose_key_was_rotated() -> None:
    state, client, headers = lab()
    assert client.post(PATH, content=BODY, headers=headers).status_code == 200
    state.openai_keys.regenerate("key1")
    assert client.post(PATH, content=BODY, headers=headers).status_code == 401


def test_the_memo_keeps_no_large_bodies_and_a_bounded_number_of_replies() -> None:
    memo = ReplyMemo()
    caller = KEY_HOLDERS["key1"]
    reply = MemoReply(b"{}", 1)
    large = b"x" * (MAX_BODY_BYTES + 1)
    memo.put(caller, "d", large, 7, reply)
    assert memo.get(caller, "d", large, 7) is None
    for index in range(MAX_ENTRIES + 1):
        memo.put(caller, "d", str(index).encode(), 7, reply)
    assert memo.get(caller, "d", b"0", 7) is None  # emptied when full
    assert memo.get(caller, "d", str(MAX_ENTRIES).encode(), 7) is reply
    assert memo.get(caller, "d", str(MAX_ENTRIES).encode(), 8) is None  # a new second
