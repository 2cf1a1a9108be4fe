"""Every request body the emulator reads is bounded, chunked ones included: 413 beyond the limit."""

from __future__ import annotations

import ssl
from collections.abc import Iterator

import httpx
import pytest

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.body_limit import MAX_BODY_BYTES
from keyless_lab.emulator.directory.seed_ids import CONTOSO_TENANT_ID

TENANT = CONTOSO_TENANT_ID
ROUTES = ["/_lab/devicecode/approve", "/_lab/admin/role-assignments", f"/{TENANT}/login", "/devicelogin"]


def client(server: EmulatorServer) -> httpx.Client:
    return httpx.Client(
        base_url=server.urls.authority_host,
        verify=ssl.create_default_context(cafile=str(server.tls.bundle)),
        headers={"X-Keyless-Lab-Admin-Key": server.state.admin_secret},
        timeout=30,
    )


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A body without Content-Length (Transfer-Encoding: chunked)."""
    for _ in range(total // size):
        yield b"a" * size


@pytest.mark.parametrize("path", ROUTES)
def test_a_chunked_body_over_the_limit_is_refused(shared_emulator: EmulatorServer, path: str) -> None:
    with client(shared_emulator) as http:
        response = http.post(path, content=chunks(2 * MAX_BODY_BYTES))
    assert response.status_code == 413, response.text[:200]


@pytest.mark.parametrize("path", [f"/{TENANT}/oauth2/v2.0/devicecode", f"/{TENANT}/oauth2/v2.0/token"])
def test_entra_endpoints_refuse_a_large_chunked_form_as_entra_does(shared_emulator: EmulatorServer, path: str) -> None:
    with client(shared_emulator) as http:
        response = http.post(path, content=chunks(MAX_BODY_BYTES // 2))
    assert response.status_code == 400
    assert response.json()["error_description"].startswith("AADSTS900144: The request body is too large.")


def test_a_declared_length_over_the_limit_is_refused_before_reading(shared_emulator: EmulatorServer) -> None:
    with client(shared_emulator) as http:
        response = http.post("/_lab/devicecode/approve", content=b"{" + b" " * (MAX_BODY_BYTES + 1) + b"}")
    assert response.status_code == 413


def test_small_bodies_reach_the_route(shared_emulator: EmulatorServer) -> None:
    with client(shared_emulator) as http:
        response = http.post("/_lab/devicecode/approve", json={"user_code": "NOPE", "user": "nobody"})
    assert response.status_code == 400 and "no user" in response.json()["error"]
