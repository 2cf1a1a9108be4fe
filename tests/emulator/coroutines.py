"""Run a coroutine to completion from a test, whatever the test's thread is already running.

The real-browser tests' session fixture drives Chromium through Playwright's sync API, which keeps
an event loop running in the main thread of the pytest-xdist worker that uses it; `asyncio.run()`
refuses to start there, so a test's outcome would depend on which worker it lands on. A fresh
thread has no loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_to_completion(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
