"""The data plane's ASGI layer: query values (cached by query string), bodies, encoded headers."""

from __future__ import annotations

from typing import Any

import pytest
from coroutines import run_to_completion

from keyless_lab.emulator import asgi
from keyless_lab.emulator.asgi import BodyTooLarge, Incoming, send_body


def _incoming(query: bytes = b"", messages: list[dict[str, Any]] | None = None) -> Incoming:
    pending = list(messages or [{"type": "http.request", "body": b"", "more_body": False}])

    async def receive() -> dict[str, Any]:
        return pending.pop(0)

    return Incoming({"type": "http", "headers": [], "query_string": query}, receive)


def test_query_values_are_right_for_each_query_string_and_name_however_often_asked() -> None:
    for _ in range(3):  # the first call computes, the later ones come from the cache
        assert _incoming(b"api-version=2024-10-21").query("api-version") == "2024-10-21"
        assert _incoming(b"api-version=2024-06-01").query("api-version") == "2024-06-01"
        assert _incoming(b"a=1&api-version=x+y%21&api-version=2").query("api-version") == "x y!"
        assert _incoming(b"api%2Dversion=1").query("api-version") == "1"
        assert _incoming(b"api-version=2024-10-21").query("other") is None
        assert _incoming(b"").query("api-version") is None


def test_the_query_cache_is_bounded() -> None:
    for n in range(asgi.MAX_QUERY_VALUES + 50):
        assert _incoming(b"api-version=%d" % n).query("api-version") == str(n)
    assert len(asgi._QUERY_VALUES) <= asgi.MAX_QUERY_VALUES
    long_query = b"api-version=" + b"9" * asgi.MAX_CACHED_QUERY_BYTES
    assert _incoming(long_query).query("api-version") == "9" * asgi.MAX_CACHED_QUERY_BYTES
    assert (long_query, "api-version") not in asgi._QUERY_VALUES


def test_a_body_is_read_whole_from_one_message_or_several() -> None:
    one = [{"type": "http.request", "body": b'{"a": 1}', "more_body": False}]
    assert run_to_completion(_incoming(messages=one).body()) == b'{"a": 1}'
    chunks = [
        {"type": "http.request", "body": b'{"a"', "more_body": True},
        {"type": "http.request", "body": b"", "more_body": True},
        {"type": "http.request", "body": b": 1}", "more_body": False},
    ]
    assert run_to_completion(_incoming(messages=chunks).body()) == b'{"a": 1}'
    assert run_to_completion(_incoming(messages=[{"type": "http.disconnect"}]).body()) == b""


def test_a_body_over_the_bound_is_refused_in_one_message_or_several(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(asgi, "MAX_BODY_BYTES", 8)
    with pytest.raises(BodyTooLarge):
        run_to_completion(_incoming(messages=[{"type": "http.request", "body": b"x" * 9}]).body())
    chunks = [{"type": "http.request", "body": b"x" * 5, "more_body": True}] * 2
    with pytest.raises(BodyTooLarge):
        run_to_completion(_incoming(messages=chunks).body())


def test_send_body_puts_content_type_and_length_before_the_given_headers() -> None:
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    run_to_completion(send_body(send, b'{"ok":true}', [(b"apim-request-id", b"id"), (b"x-ms-region", b"r")], 201))
    assert sent[0] == {
        "type": "http.response.start",
        "status": 201,
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", b"11"),
            (b"apim-request-id", b"id"),
            (b"x-ms-region", b"r"),
        ],
    }
    assert sent[1] == {"type": "http.response.body", "body": b'{"ok":true}'}
