"""A smoke run of the chat authentication benchmark (about a second per case, asyncio client).

The figures themselves are not asserted (they depend on the machine); the run must serve every
case with 200s only and print the three rows and the target checks.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUICK = ["--client", "asyncio", "--duration", "1", "--warmup", "0", "--connections", "10"]


def test_benchmark_runs_end_to_end_with_the_asyncio_client() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "chat_auth.py"), *QUICK]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "client=asyncio (asyncio fallback: wrk not used)" in out
    rows = {
        parts[0]: parts
        for parts in (line.split() for line in out.splitlines())
        if len(parts) == 8 and parts[0] in ("floor", "api-key", "bearer")
    }
    assert set(rows) == {"floor", "api-key", "bearer"}, out
    assert all(int(row[5]) > 0 and int(row[6]) == 0 for row in rows.values()), out  # requests served, no non-200
    assert "[ok] every response was a 200" in out
    assert "bearer >= 0.8x floor req/s" in out and "bearer p99 <= 1.5x floor p99" in out


def test_benchmark_in_process_mode_measures_all_three_cases() -> None:
    command = [sys.executable, str(ROOT / "benchmarks" / "chat_auth.py"), "--in-process", "200"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    cases = [line.split()[0] for line in result.stdout.splitlines() if "us/request" in line]
    assert cases == ["floor", "api-key", "bearer"], result.stdout
