"""The refresh token grant: MSAL uses it silently, tokens rotate, and idle or bogus ones fail as on Entra."""

from __future__ import annotations

import datetime as dt
import ssl

import httpx
import pytest
from azure.identity import DeviceCodeCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    AZURE_CLI_CLIENT_ID,
    BATCH_APP_CLIENT_ID,
    CONTOSO_TENANT_ID,
    FABRIKAM_TENANT_ID,
)
from keyless_lab.emulator.lab.device_approval import approve_device_code

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
AZURE_CLI = AZURE_CLI_CLIENT_ID
ADA = "ada@contosolab.onmicrosoft.com"


def signed_in_refresh_token(emulator: EmulatorServer, client: httpx.Client) -> str:
    base = f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0"
    flow = client.post(f"{base}/devicecode", data={"client_id": AZURE_CLI, "scope": f"{SCOPE} offline_access"}).json()
    assert approve_device_code(emulator.state, flow["user_code"], ADA) == ""
    tokens = client.post(
        f"{base}/token",
        data={
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": AZURE_CLI,
            "device_code": flow["device_code"],
        },
    ).json()
    return tokens["refresh_token"]


def redeem(emulator: EmulatorServer, client: httpx.Client, refresh_token: str) -> httpx.Response:
    return client.post(
        f"{emulator.urls.authority_host}/organizations/oauth2/v2.0/token",
        data={"grant_type": "refresh_token", "client_id": AZURE_CLI, "refresh_token": refresh_token, "scope": SCOPE},
    )


@pytest.fixture
def client(fresh_emulator: EmulatorServer) -> httpx.Client:
    with httpx.Client(verify=ssl.create_default_context(cafile=str(fresh_emulator.tls.bundle))) as c:
        yield c  # type: ignore[misc]


def test_msal_refreshes_silently_when_the_access_token_is_near_expiry(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.policy.shorten(120)  # under MSAL's 5-minute margin: the next get_token refreshes
    prompts = []

    def approve(uri: str, code: str, expires_on: dt.datetime) -> None:
        prompts.append(code)
        assert approve_device_code(fresh_emulator.state, code, ADA) == ""

    credential = DeviceCodeCredential(disable_instance_discovery=True, prompt_callback=approve)
    first = credential.get_token(SCOPE)
    second = credential.get_token(SCOPE)
    assert len(prompts) == 1, "the second token must come from the refresh token, without a new sign-in"
    assert first.token != second.token
    operations = [r.operation for r in fresh_emulator.state.audit.records("Entra ID")]
    assert operations.count("token refresh_token") == 1


def test_refresh_tokens_rotate(fresh_emulator: EmulatorServer, client: httpx.Client) -> None:
    first = signed_in_refresh_token(fresh_emulator, client)
    answer = redeem(fresh_emulator, client, first)
    assert answer.status_code == 200, answer.text
    rotated = answer.json()["refresh_token"]
    assert rotated != first and answer.json()["scope"].endswith("/.default")
    assert redeem(fresh_emulator, client, rotated).status_code == 200


def test_an_idle_refresh_token_fails_with_aadsts700082(fresh_emulator: EmulatorServer, client: httpx.Client) -> None:
    token = signed_in_refresh_token(fresh_emulator, client)
    fresh_emulator.state.clock.advance(90 * 86_400 + 60)
    answer = redeem(fresh_emulator, client, token)
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_grant" and body["error_codes"] == [700082]
    assert body["error_description"].startswith("AADSTS700082: The refresh token has expired due to inactivity.")


def test_a_bogus_refresh_token_fails_with_aadsts9002313(fresh_emulator: EmulatorServer, client: httpx.Client) -> None:
    answer = redeem(fresh_emulator, client, "not-a-refresh-token")
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant" and answer.json()["error_codes"] == [9002313]


def test_a_refresh_token_is_bound_to_its_client(fresh_emulator: EmulatorServer, client: httpx.Client) -> None:
    token = signed_in_refresh_token(fresh_emulator, client)
    answer = client.post(
        f"{fresh_emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": "refresh_token", "client_id": BATCH_APP_CLIENT_ID,
              "refresh_token": token, "scope": SCOPE},
    )  # fmt: skip
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_a_refresh_token_is_bound_to_its_users_tenant(fresh_emulator: EmulatorServer, client: httpx.Client) -> None:
    token = signed_in_refresh_token(fresh_emulator, client)
    answer = client.post(
        f"{fresh_emulator.urls.authority_host}/{FABRIKAM_TENANT_ID}/oauth2/v2.0/token",
        data={"grant_type": "refresh_token", "client_id": AZURE_CLI, "refresh_token": token, "scope": SCOPE},
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant" and answer.json()["error_codes"] == [9002313]


@pytest.mark.parametrize("missing", ["client_id", "refresh_token"])
def test_a_missing_field_is_aadsts900144(fresh_emulator: EmulatorServer, client: httpx.Client, missing: str) -> None:
    data = {"grant_type": "refresh_token", "client_id": AZURE_CLI, "refresh_token": "anything", "scope": SCOPE}
    del data[missing]
    answer = client.post(f"{fresh_emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/token", data=data)
    assert answer.status_code == 400 and answer.json()["error_codes"] == [900144]
    assert f"'{missing}'" in answer.json()["error_description"]
