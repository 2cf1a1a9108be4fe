"""The data plane's reply caches keep bytes per distinct request bounded, not a copy of each request.

Chat replies and embedding directions are pure functions and cached; a cache keyed on the request
text itself keeps every distinct large message alive (30 distinct 8 MiB messages once kept 273 MiB).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable

from keyless_lab.emulator.openai.caller import KEY_HOLDERS
from keyless_lab.emulator.openai.chat import build_reply
from keyless_lab.emulator.openai.embeddings import embed
from keyless_lab.emulator.openai.models import model_info
from keyless_lab.emulator.openai.requests import ChatRequest

MIB = 1024 * 1024
DISTINCT_REQUESTS = 30


def retained_after(call: Callable[[str], object], make_text: Callable[[int], str]) -> int:
    """Bytes still allocated after `call` ran on DISTINCT_REQUESTS distinct 1 MiB texts (then dropped)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for index in range(DISTINCT_REQUESTS):
            text = make_text(index)
            call(text)
            del text
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_chat_replies_to_distinct_large_messages_keep_no_copy_of_them() -> None:
    caller = KEY_HOLDERS["key1"]

    def chat(text: str) -> object:
        request = ChatRequest([{"role": "user", "content": text}], False, False, None, 1)
        return build_reply(caller, "gpt-4o-mini", "gpt-4o-mini-2024-07-18", request, 0.0)

    kept = retained_after(chat, lambda i: f"question {i} " + "many words " * (MIB // 11))
    assert kept < MIB, f"{kept / MIB:.1f} MiB kept for {DISTINCT_REQUESTS} distinct 1 MiB messages"


def test_replies_still_differ_by_the_whole_message_not_its_preview() -> None:
    caller = KEY_HOLDERS["key1"]
    prefix = "same opening words " * 20

    def reply_id(ending: str) -> str:
        request = ChatRequest([{"role": "user", "content": prefix + ending}], False, False, None, 1)
        return build_reply(caller, "gpt-4o-mini", "gpt-4o-mini-2024-07-18", request, 0.0).id

    assert reply_id("one") != reply_id("two"), "the reply id still depends on the whole message"


def test_embeddings_of_distinct_huge_words_keep_no_copy_of_them() -> None:
    small = model_info("text-embedding-3-small")
    kept = retained_after(lambda text: embed(text, small, 8), lambda i: f"{i:02d}" + "x" * MIB)
    assert kept < MIB, f"{kept / MIB:.1f} MiB kept for {DISTINCT_REQUESTS} distinct 1 MiB words"
