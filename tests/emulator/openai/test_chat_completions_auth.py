"""The real AzureOpenAI client against the emulated chat completions route: who gets in, who does not."""

from __future__ import annotations

import base64
import json

import openai
import pytest
from azure.identity import ManagedIdentityCredential
from openai import AzureOpenAI

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import NOACCESS_IDENTITY_CLIENT_ID, NOACCESS_IDENTITY_OBJECT_ID

SCOPE = "https://cognitiveservices.azure.com/.default"
NO_ROLE_CLIENT_ID = NOACCESS_IDENTITY_CLIENT_ID
TOKEN_401 = {
    "statusCode": 401,
    "message": "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired.",
}
MESSAGES = [{"role": "user", "content": "Hello! Tell me about managed identity"}]


def client_with(server: EmulatorServer, token: str) -> AzureOpenAI:
    return AzureOpenAI(
        azure_endpoint=server.urls.openai_endpoint, api_version="2024-02-01", azure_ad_token=token, max_retries=0
    )


def test_system_assigned_identity_is_answered_and_named(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE).token
    reply = client_with(emulator, token).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    content = reply.choices[0].message.content or ""
    assert "vm-keyless-lab" in content and "system-assigned managed identity" in content
    assert (
        reply.usage is not None
        and reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    )


def test_identity_without_a_role_gets_permission_denied(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential(client_id=NO_ROLE_CLIENT_ID).get_token(SCOPE).token
    with pytest.raises(openai.AuthenticationError) as caught:
        client_with(emulator, token).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert caught.value.status_code == 401
    assert caught.value.body == {
        "code": "PermissionDenied",
        "message": f"The principal `{NOACCESS_IDENTITY_OBJECT_ID}` lacks the required data action "
        "`Microsoft.CognitiveServices/accounts/OpenAI/deployments/chat/completions/action` to perform "
        "`POST /openai/deployments/{deployment-id}/chat/completions` operation.",
    }


def _tamper(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["oid"] = "00000000-0000-0000-0000-000000000000"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _assert_token_401(server: EmulatorServer, token: str) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        client_with(server, token).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert caught.value.status_code == 401
    assert caught.value.response.json() == TOKEN_401


def test_tampered_token_is_rejected(emulator: EmulatorServer) -> None:
    _assert_token_401(emulator, _tamper(ManagedIdentityCredential().get_token(SCOPE).token))


def test_token_for_another_audience_is_rejected(emulator: EmulatorServer) -> None:
    _assert_token_401(emulator, ManagedIdentityCredential().get_token("https://management.azure.com/.default").token)


def test_expired_token_is_rejected(fresh_emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE).token
    client_with(fresh_emulator, token).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    fresh_emulator.state.clock.advance(86_400 + 1)  # the emulator's clock passes the token's exp
    _assert_token_401(fresh_emulator, token)


def test_unknown_deployment_is_the_real_404(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE).token
    with pytest.raises(openai.NotFoundError) as caught:
        client_with(emulator, token).chat.completions.create(model="no-such-model", messages=MESSAGES)
    assert caught.value.body["code"] == "DeploymentNotFound"


def test_calls_are_audited_with_principal_and_method(fresh_emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE).token
    client_with(fresh_emulator, token).chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    rows = fresh_emulator.state.audit.rows("Azure OpenAI")
    assert [(r["principal"], r["auth"], r["status"]) for r in rows] == [("vm-keyless-lab", "token", 200)]
