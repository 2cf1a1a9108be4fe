"""The live lab console in a real browser (headless Chromium): it loads with its token, a call made
from another process appears without a reload, hostile text is shown as text, and the token leaves
the address bar. The screenshot it takes is the one scripts/console_screenshot.py regenerates."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from keyless_lab.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from console_screenshot import make_traffic  # noqa: E402

if TYPE_CHECKING:
    from playwright.sync_api import Browser

HOSTILE = '<img src=x onerror="document.title=`pwned`">'

HOSTILE_CALL = f"""
import os
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import NotFoundError, OpenAI

provider = get_bearer_token_provider(ManagedIdentityCredential(), "https://cognitiveservices.azure.com/.default")
client = OpenAI(base_url=os.environ["AZURE_OPENAI_ENDPOINT"] + "openai/v1/", api_key=provider)
hi = [{{"role": "user", "content": "hi"}}]
client.chat.completions.create(model=os.environ["AZURE_OPENAI_DEPLOYMENT"], messages=hi)
try:
    client.chat.completions.create(model={HOSTILE!r}, messages=hi)
except NotFoundError:
    print("hostile deployment refused")
"""


@pytest.mark.browser
def test_console_shows_calls_from_another_process_live(chromium_browser: Browser, tmp_path: Path) -> None:
    with EmulatorServer() as server:
        server.state.directory.add_deployment("dep-<b>bold")  # a name is text, never markup
        page = chromium_browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server.console_url)
        page.get_by_text("vm-keyless-lab").first.wait_for(timeout=15_000)
        assert "token=" not in page.url, "the token leaves the address bar"
        assert page.locator("#audit tbody tr").count() == 0

        call = make_traffic(server, HOSTILE_CALL)
        assert call.returncode == 0, call.stderr
        assert "hostile deployment refused" in call.stdout

        rows = page.locator("#audit tbody tr")
        rows.nth(2).wait_for(timeout=15_000)  # IMDS token, the chat call, the refused call: no reload
        text = page.locator("#audit").inner_text()
        assert "token request" in text and "IMDS" in text and "model call" in text
        assert HOSTILE in text, "the hostile deployment name is shown as text"
        assert page.locator("#audit img").count() == 0 and page.title() == "keyless-lab console"
        assert "dep-<b>bold" in page.locator("#deployments").inner_text()
        assert page.locator("#deployments b").count() == 0
        assert "keys enabled" in page.locator("#keys").inner_text()
        page.screenshot(path=str(tmp_path / "console.png"), full_page=True)
        assert (tmp_path / "console.png").stat().st_size > 10_000
        assert errors == []

        page.goto(server.urls.http + "/_lab/console?token=wrong")
        assert "needs the link with its token" in page.inner_text("body")
