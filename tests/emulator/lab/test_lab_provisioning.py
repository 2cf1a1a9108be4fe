"""The provisioning admin API: only the lab's admin key opens it; what it creates is real directory state."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.lab.admin import ADMIN_HEADER
from keyless_lab.emulator.lab.provisioning import BASE
from keyless_lab.emulator.openai.caller import Caller, Rejected, authenticate


def call(
    server: EmulatorServer, method: str, path: str, key: str | None, body: dict[str, object] | None = None
) -> tuple[int, object]:
    headers = {ADMIN_HEADER: key} if key is not None else {}
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(f"{server.urls.https}{BASE}{path}", method=method, headers=headers, data=data)
    context = ssl.create_default_context(cafile=str(server.tls.bundle))
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_needs_the_admin_key(shared_emulator: EmulatorServer) -> None:
    for key in (None, "", "wrong", shared_emulator.state.console_secret):
        assert call(shared_emulator, "GET", "/account", key)[0] == 401


def test_created_app_and_identity_are_directory_entries(fresh_emulator: EmulatorServer) -> None:
    key = fresh_emulator.state.admin_secret
    status, app = call(fresh_emulator, "PUT", "/applications/app-new", key)
    assert status == 200 and isinstance(app, dict)
    assert fresh_emulator.state.directory.application(app["appId"]) is not None
    again = call(fresh_emulator, "PUT", "/applications/app-new", key)[1]
    assert again == app, "creating twice returns the same app"
    status, identity = call(fresh_emulator, "PUT", "/identities/id-new", key)
    assert status == 200 and isinstance(identity, dict)
    assert fresh_emulator.state.directory.user_assigned_identity(identity["clientId"]) is not None
    assert call(fresh_emulator, "DELETE", f"/applications/{app['appId']}", key)[0] == 200
    assert fresh_emulator.state.directory.application(app["appId"]) is None


def test_an_app_can_be_created_in_the_other_seeded_tenant(fresh_emulator: EmulatorServer) -> None:
    key = fresh_emulator.state.admin_secret
    fabrikam = "d1dd60de-2430-45c8-bdeb-d8d02ef27368"
    status, app = call(
        fresh_emulator, "PUT", "/applications/app-elsewhere", key, {"tenant": "fabrikamlab.onmicrosoft.com"}
    )
    assert status == 200 and isinstance(app, dict)
    assert fresh_emulator.state.directory.applications[app["appId"]].tenant == fabrikam
    assert call(fresh_emulator, "PUT", "/applications/app-nowhere", key, {"tenant": "nowhere.example"})[0] == 404


def test_a_resource_without_custom_subdomain_refuses_tokens_until_restored(fresh_emulator: EmulatorServer) -> None:
    key = fresh_emulator.state.admin_secret
    status, account = call(fresh_emulator, "POST", "/account", key, {"custom_subdomain": False})
    assert status == 200 and isinstance(account, dict)
    assert account["properties"]["customSubDomainName"] is None
    state = fresh_emulator.state
    refused = authenticate(state, "Bearer a.b.c", None)
    assert isinstance(refused, Rejected) and refused.response.status_code == 400
    assert b"Please provide a custom subdomain for token authentication" in bytes(refused.response.body)
    assert isinstance(authenticate(state, None, state.directory.openai.keys.key1), Caller), "keys still work"
    _, account = call(fresh_emulator, "DELETE", "/account", key)
    assert isinstance(account, dict) and account["properties"]["customSubDomainName"] == "oai-keyless-lab"


def test_certificate_years_are_checked_as_the_credential_reset_checks_them(fresh_emulator: EmulatorServer) -> None:
    key, path = fresh_emulator.state.admin_secret, "/applications/app-keyless-batch/certificates"
    for years, says in (
        ("x", "years must be a number, not str"),
        (1e308, "years must be more than 0 and at most 100"),
        (-1, "years must be more than 0 and at most 100"),
    ):
        assert call(fresh_emulator, "POST", path, key, {"years": years}) == (400, {"error": says}), years
    status, body = call(fresh_emulator, "POST", path, key, {"years": None})  # null: the default of one year
    assert status == 200 and isinstance(body, dict) and body["thumbprint"]
