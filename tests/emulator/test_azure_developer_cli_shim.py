"""The real AzureDeveloperCliCredential against the lab's `azd` stand-in (a real process on PATH)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator

import jwt
import pytest
from azure.identity import AzureDeveloperCliCredential, CredentialUnavailableError, get_bearer_token_provider
from openai import AzureOpenAI

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import CONTOSO_TENANT_ID

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
ADA = "ada@contosolab.onmicrosoft.com"


@pytest.fixture
def utc() -> Iterator[None]:
    """azure-identity reads azd's expiresOn as local time: run these with TZ=UTC."""
    before = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if before is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = before
    time.tzset()


def azd(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["azd", *args], capture_output=True, text=True, timeout=30)


def test_signed_out_azd_makes_the_credential_unavailable(fresh_emulator: EmulatorServer) -> None:
    result = azd("auth", "token", "--output", "json", "--no-prompt", "--scope", SCOPE)
    assert result.returncode == 1 and "not logged in, run `azd auth login` to login" in result.stderr
    with pytest.raises(CredentialUnavailableError, match="Please run 'azd auth login'"):
        AzureDeveloperCliCredential().get_token(SCOPE)
    check = azd("auth", "login", "--check-status")
    assert check.returncode == 1 and "Not logged in, run `azd auth login` to login to Azure" in check.stdout


def test_azd_auth_login_then_the_credential_calls_chat_completions(fresh_emulator: EmulatorServer, utc: None) -> None:
    login = azd("auth", "login")
    assert login.returncode == 0 and "Logged in to Azure." in login.stdout, login.stderr
    assert azd("auth", "login", "--check-status").stdout.strip() == f"Logged in to Azure as {ADA}"
    credential = AzureDeveloperCliCredential(tenant_id=TENANT)
    token = credential.get_token(SCOPE)
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["upn"] == ADA and claims["idtyp"] == "user" and claims["aud"] == "https://cognitiveservices.azure.com"
    assert abs(token.expires_on - int(claims["exp"])) <= 1
    client = AzureOpenAI(
        azure_endpoint=fresh_emulator.urls.openai_endpoint,
        api_version="2024-10-21",
        azure_ad_token_provider=get_bearer_token_provider(credential, SCOPE),
        max_retries=0,
    )
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert "Hello, ada@contosolab.onmicrosoft.com" in (reply.choices[0].message.content or "")


def test_azd_auth_token_prints_token_and_utc_expiry(fresh_emulator: EmulatorServer) -> None:
    assert azd("auth", "login").returncode == 0
    result = azd("auth", "token", "--output", "json", "--no-prompt", "--scope", SCOPE, "--tenant-id", TENANT)
    body = json.loads(result.stdout)
    assert set(body) == {"token", "expiresOn"}
    assert time.strptime(body["expiresOn"], "%Y-%m-%dT%H:%M:%SZ")
    assert azd("auth", "logout").returncode == 0
    with pytest.raises(CredentialUnavailableError):
        AzureDeveloperCliCredential().get_token(SCOPE)
