"""The real DeviceCodeCredential against the emulated device authorization endpoint and verification page.

The prompt callback approves the code the way a notebook does: through the lab's emulator-only
approval endpoint (another process could call it too) or the Python helper. The pending, slow-down,
expired and already-used answers are checked on the wire with their AADSTS codes.
"""

from __future__ import annotations

import datetime as dt
import ssl
import time
from urllib.parse import urljoin

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DeviceCodeCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import AZURE_CLI_CLIENT_ID, CONTOSO_TENANT_ID
from keyless_lab.emulator.lab.admin import ADMIN_HEADER
from keyless_lab.emulator.lab.device_approval import APPROVE_PATH, approve_device_code
from keyless_lab.shims.browser import FormParser, choose

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
AZURE_CLI = AZURE_CLI_CLIENT_ID
ADA = "ada@contosolab.onmicrosoft.com"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def http(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(emulator.tls.bundle)))


def start_flow(client: httpx.Client, emulator: EmulatorServer) -> dict[str, object]:
    response = client.post(
        f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/devicecode",
        data={"client_id": AZURE_CLI, "scope": f"{SCOPE} offline_access openid profile"},
    )
    assert response.status_code == 200, response.text
    return response.json()


def poll(client: httpx.Client, emulator: EmulatorServer, device_code: str) -> httpx.Response:
    return client.post(
        f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": DEVICE_GRANT, "client_id": AZURE_CLI, "device_code": device_code},
    )


def test_discovery_advertises_the_device_authorization_endpoint(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        doc = client.get(f"{emulator.urls.authority_host}/{TENANT}/v2.0/.well-known/openid-configuration").json()
    assert doc["device_authorization_endpoint"] == f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/devicecode"


def test_device_code_credential_signs_in_through_the_lab_approval_endpoint(emulator: EmulatorServer) -> None:
    prompts: list[tuple[str, str, dt.datetime]] = []

    def approve(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        prompts.append((verification_uri, user_code, expires_on))
        with http(emulator) as client:
            answer = client.post(
                f"{emulator.urls.authority_host}/_lab/devicecode/approve",
                json={"user_code": user_code, "user": ADA},
                headers={ADMIN_HEADER: emulator.state.admin_secret},
            )
        assert answer.status_code == 200, answer.text

    credential = DeviceCodeCredential(disable_instance_discovery=True, prompt_callback=approve, timeout=30)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["upn"] == ADA and claims["idtyp"] == "user" and claims["appid"] == AZURE_CLI
    ((uri, code, expires_on),) = prompts
    assert uri == f"{emulator.urls.authority_host}/devicelogin" and len(code) == 9
    assert 800 < (expires_on - dt.datetime.now(dt.UTC)).total_seconds() <= 900


def test_device_code_credential_with_the_python_approval_helper(emulator: EmulatorServer) -> None:
    def approve(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        assert approve_device_code(emulator.state, user_code, "grace@contosolab.onmicrosoft.com") == ""

    credential = DeviceCodeCredential(tenant_id=TENANT, disable_instance_discovery=True, prompt_callback=approve)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["upn"] == "grace@contosolab.onmicrosoft.com"


def test_a_person_can_sign_in_on_the_verification_page(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        flow = start_flow(client, emulator)
        page = client.get(str(flow["verification_uri"]))
        assert page.status_code == 200 and "Enter code" in page.text
        page = client.post(str(flow["verification_uri"]), data={"otc": str(flow["user_code"]).lower()})
        for _ in range(2):  # account picker, then consent
            parser = FormParser()
            parser.feed(page.text)
            form, fields = choose(parser.forms, ADA, "accept")  # type: ignore[misc]
            page = client.post(urljoin(str(page.url), form.action), data=fields)
        assert "You have signed in to the Microsoft Azure CLI application" in page.text
        tokens = poll(client, emulator, str(flow["device_code"]))
    assert tokens.status_code == 200 and tokens.json()["refresh_token"]


def test_pending_then_slow_down_then_single_use(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        flow = start_flow(client, emulator)
        assert flow["interval"] == 1  # emulator-only: Entra says 5
        pending = poll(client, emulator, str(flow["device_code"]))
        assert pending.status_code == 400
        assert pending.json()["error"] == "authorization_pending"
        assert pending.json()["error_description"].startswith(
            "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling."
        )
        too_fast = poll(client, emulator, str(flow["device_code"]))
        assert too_fast.status_code == 400 and too_fast.json()["error"] == "slow_down"
        assert approve_device_code(emulator.state, str(flow["user_code"]), ADA) == ""
        assert poll(client, emulator, str(flow["device_code"])).status_code == 200
        again = poll(client, emulator, str(flow["device_code"]))
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert again.json()["error_codes"] == [54005]


def test_the_credential_gives_up_while_authorization_is_pending(emulator: EmulatorServer) -> None:
    credential = DeviceCodeCredential(disable_instance_discovery=True, prompt_callback=lambda *args: None, timeout=1)
    with pytest.raises(ClientAuthenticationError, match="Timed out waiting for user to authenticate"):
        credential.get_token(SCOPE)


def test_an_expired_device_code_raises_aadsts70020(fresh_emulator: EmulatorServer) -> None:
    def let_it_expire(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        fresh_emulator.state.clock.advance(901)  # Entra's device codes live 15 minutes

    credential = DeviceCodeCredential(disable_instance_discovery=True, prompt_callback=let_it_expire)
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(SCOPE)
    assert (
        "AADSTS70020: The provided value for the input parameter 'device_code' is not valid. This device code "
        "has expired." in str(caught.value)
    )
    with http(fresh_emulator) as client:
        flow = start_flow(client, fresh_emulator)
        fresh_emulator.state.clock.advance(901)
        expired = poll(client, fresh_emulator, str(flow["device_code"]))
        assert approve_device_code(fresh_emulator.state, str(flow["user_code"]), ADA) != ""
    assert expired.status_code == 400 and expired.json()["error"] == "expired_token"
    assert expired.json()["error_codes"] == [70020]


def sign_in_on_the_page(client: httpx.Client, flow: dict[str, object], answer: str) -> httpx.Response:
    """What a person does on the verification page: enter the code, pick Ada, then accept or decline."""
    page = client.post(str(flow["verification_uri"]), data={"otc": str(flow["user_code"])})
    for _ in range(2):  # account picker, then consent
        parser = FormParser()
        parser.feed(page.text)
        form, fields = choose(parser.forms, ADA, answer)  # type: ignore[misc]
        page = client.post(urljoin(str(page.url), form.action), data=fields)
    return page


def test_declining_on_the_verification_page_ends_the_flow_with_authorization_declined(
    emulator: EmulatorServer,
) -> None:
    with http(emulator) as client:
        flow = start_flow(client, emulator)
        page = sign_in_on_the_page(client, flow, "decline")
        assert "declined" in page.text
        answer = poll(client, emulator, str(flow["device_code"]))
        assert approve_device_code(emulator.state, str(flow["user_code"]), ADA) != ""  # a decline is final
    assert answer.status_code == 400 and answer.json()["error"] == "authorization_declined"
    assert answer.json()["error_codes"] == [65004]


def test_the_credential_stops_polling_when_the_person_declines(emulator: EmulatorServer) -> None:
    def decline(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
        with http(emulator) as client:
            sign_in_on_the_page(client, {"verification_uri": verification_uri, "user_code": user_code}, "decline")

    credential = DeviceCodeCredential(disable_instance_discovery=True, prompt_callback=decline, timeout=60)
    started = dt.datetime.now(dt.UTC)
    with pytest.raises(ClientAuthenticationError, match=r"authorization_declined|AADSTS65004"):
        credential.get_token(SCOPE)
    assert (dt.datetime.now(dt.UTC) - started).total_seconds() < 30  # stopped, not polled until the timeout


def test_an_unknown_device_code_is_aadsts7000014(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        answer = poll(client, emulator, "DAQ.lab.not-a-device-code")
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert answer.json()["error_codes"] == [7000014]
    assert answer.json()["error_description"].startswith(
        "AADSTS7000014: The provided value for the input parameter 'device_code' is not valid."
    )


def test_the_approval_route_needs_the_lab_admin_key(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        flow = start_flow(client, emulator)
        url = f"{emulator.urls.authority_host}{APPROVE_PATH}"
        body = {"user_code": flow["user_code"], "user": ADA}
        missing = client.post(url, json=body)
        wrong = client.post(url, json=body, headers={ADMIN_HEADER: "not-the-key"})
        still_pending = poll(client, emulator, str(flow["device_code"]))
    assert missing.status_code == 401 and wrong.status_code == 401
    assert "X-Keyless-Lab-Admin-Key" in missing.json()["error"]
    assert still_pending.json()["error"] == "authorization_pending"


def test_an_approved_code_cannot_be_approved_again_as_someone_else(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        flow = start_flow(client, emulator)
        url = f"{emulator.urls.authority_host}{APPROVE_PATH}"
        key = {ADMIN_HEADER: emulator.state.admin_secret}
        first = client.post(url, json={"user_code": flow["user_code"], "user": ADA}, headers=key)
        grace = "grace@contosolab.onmicrosoft.com"
        second = client.post(url, json={"user_code": flow["user_code"], "user": grace}, headers=key)
        tokens = poll(client, emulator, str(flow["device_code"]))
    assert first.status_code == 200
    assert second.status_code == 400 and "already" in second.json()["error"]
    claims = jwt.decode(tokens.json()["access_token"], options={"verify_signature": False})
    assert claims["upn"] == ADA


def test_a_poll_with_another_client_id_does_not_burn_an_approved_code(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        flow = start_flow(client, emulator)
        assert approve_device_code(emulator.state, str(flow["user_code"]), ADA) == ""
        stranger = client.post(
            f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/token",
            data={
                "grant_type": DEVICE_GRANT,
                "client_id": "872cd9fa-d31f-45e0-9eab-6e460a02d1f1",  # Visual Studio, a real public client
                "device_code": str(flow["device_code"]),
            },
        )
        time.sleep(0.6)  # not a slow_down
        owner = poll(client, emulator, str(flow["device_code"]))
    assert stranger.status_code == 400
    assert owner.status_code == 200, owner.text


def test_an_unknown_client_cannot_start_a_device_flow(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        response = client.post(
            f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/devicecode",
            data={"client_id": "00000000-0000-0000-0000-000000000000", "scope": SCOPE},
        )
    assert response.status_code == 400 and response.json()["error_codes"] == [700016]
