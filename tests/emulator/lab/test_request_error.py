"""The lab's one error: `LabRequestError` raised by a lab admin route reaches the caller through the
application's handler as `{"error": message}` with its status."""

from __future__ import annotations

import json

from starlette.testclient import TestClient

from keyless_lab.emulator.app import https_app
from keyless_lab.emulator.lab.admin import ADMIN_HEADER, ROLE_ASSIGNMENTS_PATH
from keyless_lab.emulator.lab.request_error import LabRequestError
from keyless_lab.emulator.state import EmulatorState, Urls


def test_the_error_renders_the_labs_body_with_its_status() -> None:
    response = LabRequestError("user not found", 404).response()
    assert response.status_code == 404 and json.loads(bytes(response.body)) == {"error": "user not found"}
    bad = LabRequestError("bad").response()
    assert bytes(bad.body) == b'{"error":"bad"}' and bad.status_code == 400


def test_the_errors_headers_go_on_the_answer_before_its_own() -> None:
    answer = LabRequestError("no", 403, headers={"Cache-Control": "no-store"}).response()
    assert answer.status_code == 403 and answer.headers.items()[0] == ("cache-control", "no-store")
    assert answer.headers["content-type"] == "application/json"


def test_a_raised_lab_error_is_rendered_by_the_applications_handler() -> None:
    state = EmulatorState(urls=Urls(https="https://127.0.0.1:1", http="http://127.0.0.1:1"))
    client = TestClient(https_app(state))
    denied = client.post(ROLE_ASSIGNMENTS_PATH, json={})
    assert denied.status_code == 401 and "X-Keyless-Lab-Admin-Key" in denied.json()["error"]
    not_an_object = client.post(ROLE_ASSIGNMENTS_PATH, headers={ADMIN_HEADER: state.admin_secret}, content=b"[1]")
    assert not_an_object.status_code == 400 and not_an_object.json() == {"error": "the body must be a JSON object"}
