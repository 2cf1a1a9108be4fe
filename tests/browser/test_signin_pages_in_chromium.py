"""A real browser does what a person does on the emulator's sign-in pages.

Headless Chromium (Playwright, Debian's /usr/bin/chromium) stands in for the person, not the lab's
scripted form-submitter: during a real `InteractiveBrowserCredential.get_token` it opens the
sign-in page the credential asked for, clicks Ada, accepts, and the page's own script posts the
code to the credential's localhost listener; during a real `DeviceCodeCredential.get_token` it
types the code on the verification page and confirms. The credential's URL reaches the browser
the way `sign_in="yourself"` shows it to a person: the lab's BROWSER records it to a file.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jwt
import pytest
from azure.identity import DeviceCodeCredential, InteractiveBrowserCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.shims import browser as browser_shim

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext

SCOPE = "https://cognitiveservices.azure.com/.default"
ADA = "ada@contosolab.onmicrosoft.com"
WAIT = 30


class InThread:
    """Run `get_token` in a thread, as the notebook's kernel waits while the person acts."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None

        def target() -> None:
            try:
                self.result = call()
            except BaseException as exc:  # handed to the test thread
                self.error = exc

        self.thread = threading.Thread(target=target, daemon=True)
        self.thread.start()

    def join(self) -> Any:
        self.thread.join(WAIT)
        assert not self.thread.is_alive(), "the credential never returned"
        if self.error is not None:
            raise self.error
        return self.result


def wait_for(check: Callable[[], Any], what: str) -> Any:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def person_context(chromium_browser: Browser) -> Iterator[BrowserContext]:
    # The lab's CA is not in Chromium's store; a person accepts the warning for 127.0.0.1 once.
    context = chromium_browser.new_context(ignore_https_errors=True)
    yield context
    context.close()


def upn(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["upn"])


@pytest.mark.browser
def test_a_person_clicks_ada_during_interactive_browser_get_token(
    emulator: EmulatorServer, person_context: BrowserContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = tmp_path / "links.txt"
    monkeypatch.setenv(browser_shim.SIGN_IN_VAR, "yourself")
    monkeypatch.setenv(browser_shim.LINKS_VAR, str(links))
    monkeypatch.delenv(browser_shim.PERSON_BROWSER_VAR, raising=False)
    for name in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    credential = InteractiveBrowserCredential(disable_instance_discovery=True, timeout=WAIT)
    waiting = InThread(lambda: credential.get_token(SCOPE))

    url = wait_for(lambda: links.exists() and links.read_text().strip(), "the sign-in link")
    assert "/oauth2/v2.0/authorize?" in url and "code_challenge=" in url
    page = person_context.new_page()
    page.goto(url)
    assert page.title() == "Sign in to your account"
    page.get_by_role("button", name="Ada Lovelace").click()
    page.get_by_role("button", name="Accept").click()  # the consent page
    # The form_post page submits itself to http://localhost:<port>, the credential's listener.
    page.wait_for_url("http://localhost:*", timeout=WAIT * 1000)

    token = waiting.join()
    assert upn(token.token) == ADA
    assert "Authentication complete" in page.content()


@pytest.mark.browser
def test_a_person_types_the_device_code_and_confirms(emulator: EmulatorServer, person_context: BrowserContext) -> None:
    shown: list[tuple[str, str]] = []

    def prompt(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        shown.append((verification_uri, user_code))

    credential = DeviceCodeCredential(disable_instance_discovery=True, prompt_callback=prompt, timeout=WAIT)
    waiting = InThread(lambda: credential.get_token(SCOPE))

    verification_uri, user_code = wait_for(lambda: shown and shown[0], "the device code prompt")
    page = person_context.new_page()
    page.goto(verification_uri)
    page.get_by_label("Code").fill(user_code)
    page.get_by_role("button", name="Next").click()
    page.get_by_role("button", name="Ada Lovelace").click()
    page.get_by_role("button", name="Accept").click()
    assert "You have signed in" in page.locator("#done").inner_text()

    token = waiting.join()
    assert upn(token.token) == ADA


@pytest.mark.browser
def test_a_wrong_code_is_refused_on_the_page(emulator: EmulatorServer, person_context: BrowserContext) -> None:
    page = person_context.new_page()
    page.goto(f"{emulator.urls.authority_host}/devicelogin")
    page.get_by_label("Code").fill("NOTACODE1")
    page.get_by_role("button", name="Next").click()
    assert page.locator("#error").inner_text().startswith("That code didn't work.")
