"""A smoke run of the chat authentication benchmark (about a second per case, asyncio client).

The figures themselves are not asserted (they depend on the machine); the run must serve every
case with 200s only and print the four rows, the replay ceiling and the target checks.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import chat_auth  # benchmarks/chat_auth.py
import pytest
from coroutines import run_to_completion  # tests/emulator/coroutines.py: the browser tests leave a loop running

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--client", "asyncio", "--duration", "1", "--warmup", "0", "--connections", "10"]


@pytest.mark.parametrize("protocol", ["uvicorn", "emulator"])
def test_benchmark_runs_end_to_end_with_the_asyncio_client(protocol: str) -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "chat_auth.py"), *QUICK, "--protocol", protocol]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "client=asyncio (asyncio fallback: wrk not used)" in out
    rows = {
        parts[0]: parts
        for parts in (line.split() for line in out.splitlines())
        if len(parts) == 8 and parts[0] in ("floor", "replay", "api-key", "bearer")
    }
    assert list(rows) == ["floor", "replay", "api-key", "bearer"], out
    assert all(int(row[5]) > 0 and int(row[6]) == 0 for row in rows.values()), out  # requests served, no non-200
    assert "[ok] every response was a 200" in out
    assert "bearer >= 0.8x floor req/s" in out and "bearer p99 <= 1.5x floor p99" in out
    assert "replay (the bearer reply's bytes, no checks)" in out


def test_benchmark_in_process_mode_measures_all_four_cases() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "chat_auth.py"), "--in-process", "200"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    cases = [line.split()[0] for line in result.stdout.splitlines() if "us/request" in line]
    assert cases == ["floor", "replay", "api-key", "bearer"], result.stdout


def test_the_replay_route_sends_the_bearer_reply_and_leaves_the_chat_route_in_place() -> None:
    """The replay case must send the chat route's own bytes (or its ceiling means nothing) and must be
    matched after the chat route (or it would make the chat cases cheaper)."""
    with ThreadPoolExecutor(max_workers=1) as pool:  # build_app runs asyncio.run: not on a thread with a loop
        app, _, token = pool.submit(chat_auth.build_app).result()
    bearer = {"Authorization": f"Bearer {token}"}
    chat = run_to_completion(chat_auth._record(app, chat_auth.chat_scope(chat_auth.CHAT_PATH, bearer)))
    replay = run_to_completion(chat_auth._record(app, chat_auth.chat_scope(chat_auth.REPLAY_PATH, bearer)))

    def shape(messages: list[dict[str, Any]]) -> tuple[int, list[bytes], int]:
        start, body = messages
        return start["status"], [name for name, _ in start["headers"]], len(body["body"])

    assert shape(replay) == shape(chat)
    assert json.loads(replay[1]["body"])["object"] == "chat.completion"
    paths = [getattr(route, "path", "") for route in app.router.routes]
    assert paths.index("/bench/replay/deployments/gpt-4o-mini/chat/completions") > paths.index(
        "/openai/deployments/{deployment}/chat/completions"
    )
    assert paths[0] == chat_auth.FLOOR_PATH
