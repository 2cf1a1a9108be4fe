"""The lab's BROWSER executable: returns at once, then signs in in the background.

It must return at once: InteractiveBrowserCredential starts its redirect listener only after
`webbrowser.open` (which honours `BROWSER`) returns.
"""

from __future__ import annotations

import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import msal
import pytest

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import AZURE_CLI_CLIENT_ID, CONTOSO_TENANT_ID

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID


class Listener(HTTPServer):
    """A redirect listener like the credential's: records the one form post it receives."""

    def __init__(self) -> None:
        self.received: dict[str, str] = {}
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                outer.received = {k: v[0] for k, v in parse_qs(body).items()}
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"Authentication complete.")
                outer.arrived.set()

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("localhost", 0), Handler)


def start_auth_code_flow(emulator: EmulatorServer) -> tuple[Listener, msal.PublicClientApplication, dict]:
    """A redirect listener plus the flow MSAL starts for it, as InteractiveBrowserCredential does."""
    listener = Listener()
    app = msal.PublicClientApplication(
        AZURE_CLI_CLIENT_ID,
        authority=f"{emulator.urls.authority_host}/{TENANT}",
        instance_discovery=False,
    )
    redirect_uri = f"http://localhost:{listener.server_address[1]}"
    flow = app.initiate_auth_code_flow([SCOPE], redirect_uri=redirect_uri, response_mode="form_post")
    return listener, app, flow


def test_browser_returns_at_once_and_posts_the_code_to_the_listener(emulator: EmulatorServer) -> None:
    listener, app, flow = start_auth_code_flow(emulator)
    # Nothing serves the listener yet, so a browser command that waited for the sign-in would hang
    # here until the timeout: returning at all proves it returns before the sign-in finishes.
    launched = subprocess.run([os.environ["BROWSER"], flow["auth_uri"]], timeout=10)
    assert launched.returncode == 0
    assert not listener.arrived.is_set()
    thread = threading.Thread(target=listener.handle_request, daemon=True)
    thread.start()  # like the credential: serve the listener only after the browser command returned
    assert listener.arrived.wait(20), "the background sign-in never reached the listener"
    thread.join(5)
    listener.server_close()
    assert listener.received["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, listener.received)
    assert result["id_token_claims"]["preferred_username"] == "ada@contosolab.onmicrosoft.com"


def test_browser_user_can_be_chosen_by_argument(emulator: EmulatorServer) -> None:
    listener, app, flow = start_auth_code_flow(emulator)
    browser = os.environ["BROWSER"]
    assert (
        subprocess.run([browser, "--user", "grace@contosolab.onmicrosoft.com", flow["auth_uri"]], timeout=10).returncode
        == 0
    )
    listener.timeout = 20
    listener.handle_request()
    listener.server_close()
    result = app.acquire_token_by_auth_code_flow(flow, listener.received)
    assert result["id_token_claims"]["preferred_username"] == "grace@contosolab.onmicrosoft.com"


def test_browser_picks_the_account_the_app_hints_as_a_person_would(emulator: EmulatorServer) -> None:
    listener = Listener()
    app = msal.PublicClientApplication(
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
        authority=f"{emulator.urls.authority_host}/{TENANT}",
        instance_discovery=False,
    )
    flow = app.initiate_auth_code_flow(
        [SCOPE],
        redirect_uri=f"http://localhost:{listener.server_address[1]}",
        response_mode="form_post",
        login_hint="grace@contosolab.onmicrosoft.com",
    )
    assert os.environ["KEYLESS_LAB_SIGNIN_USER"] == "ada@contosolab.onmicrosoft.com"
    assert subprocess.run([os.environ["BROWSER"], flow["auth_uri"]], timeout=10).returncode == 0
    listener.timeout = 20
    listener.handle_request()
    listener.server_close()
    result = app.acquire_token_by_auth_code_flow(flow, listener.received)
    assert result["id_token_claims"]["preferred_username"] == "grace@contosolab.onmicrosoft.com"


def test_yourself_mode_records_the_link_and_signs_nobody_in(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    links = tmp_path / "links.txt"
    monkeypatch.setenv("KEYLESS_LAB_SIGN_IN", "yourself")
    monkeypatch.setenv("KEYLESS_LAB_SIGNIN_LINKS", str(links))
    monkeypatch.delenv("KEYLESS_LAB_PERSON_BROWSER", raising=False)
    listener, _app, flow = start_auth_code_flow(emulator)
    assert subprocess.run([os.environ["BROWSER"], flow["auth_uri"]], timeout=10).returncode == 0
    assert links.read_text() == flow["auth_uri"] + "\n"
    listener.timeout = 1.5
    listener.handle_request()  # nobody comes: no person has clicked yet
    listener.server_close()
    assert not listener.arrived.is_set()


def test_device_sign_in_walks_the_verification_page_and_reports_what_it_says(emulator: EmulatorServer) -> None:
    from keyless_lab.shims.browser import device_sign_in

    device = emulator.state.user_sessions.begin_device(TENANT, "04b07795-8ddb-461a-bbee-02f9e1bf7b46", SCOPE)
    page = f"{emulator.urls.authority_host}/devicelogin"
    said = device_sign_in(page, device.user_code, "grace@contosolab.onmicrosoft.com")
    assert said.startswith("You have signed in to the Microsoft Azure CLI application")
    assert device.user_id == "f436906a-973f-4ff3-9a31-46d81f4aef3a"
    assert device_sign_in(page, device.user_code, "grace@contosolab.onmicrosoft.com").startswith(
        "That code didn't work."
    )
    with pytest.raises(ValueError, match="only signs in on this machine"):
        device_sign_in("https://microsoft.com/devicelogin", device.user_code, "grace@contosolab.onmicrosoft.com")
