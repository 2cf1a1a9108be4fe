"""The AADSTS table: every entry renders Entra's error body, and a raised EntraError reaches the
client through the application's one handler."""

from __future__ import annotations

import json
from string import Formatter

from starlette.testclient import TestClient

from keyless_lab.emulator.app import https_app
from keyless_lab.emulator.directory.seed_ids import CONTOSO_TENANT_ID
from keyless_lab.emulator.entra import aadsts
from keyless_lab.emulator.state import EmulatorState, Urls

ENTRIES = [v for v in vars(aadsts).values() if isinstance(v, aadsts.Aadsts)]


def test_every_entry_renders_entras_body_with_its_code_and_says_where_it_was_seen() -> None:
    assert len(ENTRIES) >= 10
    for entry in ENTRIES:
        fields = {name: "x" for _, name, _, _ in Formatter().parse(entry.template) if name}
        body = json.loads(bytes(aadsts.EntraError(entry, **fields).response().body))
        assert body["error"] == entry.error and body["error_codes"] == [entry.code]
        assert body["error_description"].startswith(f"AADSTS{entry.code}: {entry.template.format(**fields)} Trace ID: ")
        assert entry.seen


def test_a_raised_entra_error_is_rendered_by_the_applications_handler() -> None:
    state = EmulatorState(urls=Urls(https="https://127.0.0.1:1", http="http://127.0.0.1:1"))
    client = TestClient(https_app(state))
    answer = client.post(f"/{CONTOSO_TENANT_ID}/oauth2/v2.0/token", data={"grant_type": "no_such_grant"})
    assert answer.status_code == 400
    assert answer.json()["error"] == "unsupported_grant_type"
    assert answer.json()["error_description"].startswith("AADSTS70003: The app requested an unsupported grant type")
