"""Signing-key rotation: new tokens carry the new `kid`; tokens signed before still verify by their
`kid` while the previous key is published, and stop verifying once it is dropped."""

from __future__ import annotations

import ssl

import httpx
import jwt
from azure.identity import ManagedIdentityCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import CONTOSO_TENANT_ID

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID


def chat(server: EmulatorServer, token: str) -> httpx.Response:
    return httpx.post(
        f"{server.urls.openai_endpoint}openai/deployments/gpt-4o-mini/chat/completions",
        params={"api-version": "2024-10-21"},
        headers={"Authorization": f"Bearer {token}"},
        json={"messages": [{"role": "user", "content": "hi"}]},
        verify=ssl.create_default_context(cafile=str(server.tls.bundle)),
    )


def published_kids(server: EmulatorServer) -> set[str]:
    jwks = httpx.get(
        f"{server.urls.authority_host}/{TENANT}/discovery/v2.0/keys",
        verify=ssl.create_default_context(cafile=str(server.tls.bundle)),
    ).json()
    return {k["kid"] for k in jwks["keys"]}


def test_rotation_keeps_old_tokens_valid_until_the_old_key_is_dropped(fresh_emulator: EmulatorServer) -> None:
    old_token = ManagedIdentityCredential().get_token(SCOPE).token
    old_kid = jwt.get_unverified_header(old_token)["kid"]

    new_key = fresh_emulator.state.keys.rotate()
    new_token = ManagedIdentityCredential().get_token(SCOPE).token
    assert jwt.get_unverified_header(new_token)["kid"] == new_key.kid != old_kid
    assert published_kids(fresh_emulator) == {old_kid, new_key.kid}
    assert chat(fresh_emulator, old_token).status_code == 200
    assert chat(fresh_emulator, new_token).status_code == 200

    fresh_emulator.state.keys.rotate(keep_previous=False)  # no cache clear: withdrawal is enough
    assert old_kid not in published_kids(fresh_emulator)
    assert chat(fresh_emulator, old_token).status_code == 401
