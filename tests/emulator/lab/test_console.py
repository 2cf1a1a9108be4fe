"""The live console's data endpoint: its token, what it shows, and what it never shows."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.lab.console import STATE_PATH, TOKEN_HEADER


def get(server: EmulatorServer, path: str, token: str | None) -> tuple[int, bytes]:
    headers = {TOKEN_HEADER: token} if token is not None else {}
    request = urllib.request.Request(server.urls.http + path, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.mark.parametrize("token", [None, "", "wrong"])
def test_the_console_needs_its_token(shared_emulator: EmulatorServer, token: str | None) -> None:
    assert get(shared_emulator, STATE_PATH, token)[0] == 403
    assert get(shared_emulator, f"/_lab/console?token={token or ''}", None)[0] == 403


def test_the_refusal_is_html_for_the_page_and_json_for_the_api_with_the_consoles_headers(
    shared_emulator: EmulatorServer,
) -> None:
    answers = {}
    for path, headers in ((STATE_PATH, {TOKEN_HEADER: "wrong"}), ("/_lab/console?token=wrong", {})):
        request = urllib.request.Request(shared_emulator.urls.http + path, headers=headers)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        answers[path] = refused.value
        assert refused.value.code == 403
        assert refused.value.headers["Cache-Control"] == "no-store"
        assert refused.value.headers["Referrer-Policy"] == "no-referrer"
        assert refused.value.headers["X-Content-Type-Options"] == "nosniff"
        assert refused.value.headers["X-Frame-Options"] == "DENY"
    api, page = answers.values()
    assert json.loads(api.read()) == {"error": "the lab console needs its token"}
    assert page.headers["Content-Type"].startswith("text/html") and b"needs the link with its token" in page.read()


def test_the_admin_key_does_not_open_the_console(shared_emulator: EmulatorServer) -> None:
    assert get(shared_emulator, STATE_PATH, shared_emulator.state.admin_secret)[0] == 403


def test_the_page_is_static_with_a_strict_content_security_policy(shared_emulator: EmulatorServer) -> None:
    with urllib.request.urlopen(shared_emulator.console_url, timeout=10) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
    assert "script-src 'nonce-" in policy and "unsafe-inline" not in policy
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "vm-keyless-lab" not in page, "the page carries no lab data; the script fetches it"


def test_state_shows_directory_and_audit_but_no_secret(fresh_emulator: EmulatorServer) -> None:
    state = fresh_emulator.state
    state.audit.record("IMDS", "GET token", "vm-keyless-lab", "oid", "managed identity", 200)
    state.audit.record("Azure OpenAI", "chat/completions", "vm-keyless-lab", "oid", "token", 200, deployment="x")
    state.directory.set_local_auth(False)
    status, body = get(fresh_emulator, STATE_PATH + "?since=0", state.console_secret)
    assert status == 200
    data = json.loads(body)
    assert [a["kind"] for a in data["audit"]] == ["token request", "model call"]
    assert data["next"] == 2 and data["resource"]["keys_enabled"] is False
    assert {"vm-keyless-lab", "app-keyless-batch"} <= {p["name"] for p in data["principals"]}
    assert any(a["role"] == "Cognitive Services OpenAI User" for a in data["role_assignments"])
    secrets = [*state.openai_keys.as_dict().values(), state.admin_secret, state.identity_header]
    secrets += [s.value for app in state.directory.applications.values() for s in app.secrets]
    assert all(secret not in body.decode() for secret in secrets)
    _, later = get(fresh_emulator, STATE_PATH + "?since=2", state.console_secret)
    assert json.loads(later)["audit"] == []
