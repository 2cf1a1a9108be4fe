"""Headless Chromium for the project's real-browser checks (JupyterLab rendering, sign-in pages, console).

Playwright drives the system's Chromium (Debian package `chromium`, installed by
`scripts/ensure-tools.sh`); nothing downloads a browser at run time. The flags keep Chromium
quiet on a closed network: no background networking, component updates, sync or QUIC.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-dev-shm-usage",
)


class BrowserUnavailable(RuntimeError):
    """Chromium is not installed; the message says how to install it."""


def chromium_path() -> Path:
    """The Chromium executable: `KEYLESS_LAB_CHROMIUM`, else `chromium` on PATH."""
    configured = os.environ.get("KEYLESS_LAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    path = Path(configured)
    if not path.is_file():
        raise BrowserUnavailable(
            f"Chromium not found at {path}: run scripts/ensure-tools.sh (apt-get install chromium) "
            "or set KEYLESS_LAB_CHROMIUM to a Chromium executable"
        )
    return path


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless Chromium browser, closed on exit."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), args=list(CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()
