"""Malformed requests to the user sign-in surfaces get OAuth/HTML errors, never a 500 or a hang."""

from __future__ import annotations

import ssl

import httpx
import pytest

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import AZURE_CLI_CLIENT_ID, CONTOSO_TENANT_ID

TENANT = CONTOSO_TENANT_ID
CLI = AZURE_CLI_CLIENT_ID
TOKEN = f"/{TENANT}/oauth2/v2.0/token"

CASES = [
    ("POST", TOKEN, {"grant_type": "authorization_code"}, 400),
    ("POST", TOKEN, {"grant_type": "authorization_code", "client_id": CLI, "code": "x", "redirect_uri": "y"}, 400),
    ("POST", TOKEN, {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": CLI}, 400),
    ("POST", TOKEN, {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": "zz"}, 400),
    ("POST", TOKEN, {"grant_type": "refresh_token", "client_id": CLI}, 400),
    ("POST", "/organizations/oauth2/v2.0/token", {"grant_type": "client_credentials", "client_id": CLI}, 400),
    ("POST", f"/{TENANT}/oauth2/v2.0/devicecode", {}, 400),
    ("POST", f"/{TENANT}/oauth2/v2.0/devicecode", {"client_id": CLI, "scope": "https://vault.azure.net/.default"}, 400),
    ("POST", f"/{TENANT}/login", {}, 400),
    ("POST", f"/{TENANT}/login", {"ctx": "forged", "username": "ada@contosolab.onmicrosoft.com"}, 400),
    ("POST", "/devicelogin", {"otc": "NOPE"}, 400),
    ("GET", f"/{TENANT}/oauth2/v2.0/authorize", {}, 400),
    ("GET", "/nosuchtenant/oauth2/v2.0/authorize", {"client_id": CLI}, 400),
]


@pytest.mark.parametrize(("method", "path", "fields", "status"), CASES)
def test_malformed_sign_in_requests(
    emulator: EmulatorServer, method: str, path: str, fields: dict[str, str], status: int
) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(emulator.tls.bundle)), timeout=10) as client:
        url = emulator.urls.authority_host + path
        response = client.get(url, params=fields) if method == "GET" else client.post(url, data=fields)
    assert response.status_code == status, response.text
    if response.headers["content-type"].startswith("application/json"):
        assert response.json()["error_description"].startswith("AADSTS")
    else:
        assert "AADSTS" in response.text or "didn't work" in response.text


def test_lab_endpoints_refuse_garbage(emulator: EmulatorServer) -> None:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(emulator.tls.bundle)), timeout=10) as client:
        base = emulator.urls.authority_host
        key = {"X-Keyless-Lab-Admin-Key": emulator.state.admin_secret}
        approve = f"{base}/_lab/devicecode/approve"
        assert client.post(approve, content=b"{not json").status_code == 401  # the admin key comes first
        assert client.post(approve, headers=key, content=b"{not json").status_code == 400
        assert client.post(approve, headers=key, json={"user_code": "X", "user": "ada"}).status_code == 400
        assert client.post(approve, headers=key, json={"user_code": ["X"], "user": "ada"}).status_code == 400
        assert client.post(f"{base}/_lab/admin/role-assignments", json={}).status_code == 401
        assert client.post(f"{base}/_lab/admin/role-assignments", headers=key, content=b"[").status_code == 400
        unknown = client.post(
            f"{base}/_lab/admin/role-assignments", headers=key, json={"assignee": "nobody", "role": "Reader"}
        )
        assert unknown.status_code == 404
