"""The provisioning admin API: only the lab's admin key opens it; what it creates is real directory state."""

from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.lab_admin import ADMIN_HEADER
from keyless_lab.emulator.lab_provisioning import BASE


def call(server: EmulatorServer, method: str, path: str, key: str | None) -> tuple[int, object]:
    headers = {ADMIN_HEADER: key} if key is not None else {}
    request = urllib.request.Request(f"{server.urls.https}{BASE}{path}", method=method, headers=headers, data=b"{}")
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
