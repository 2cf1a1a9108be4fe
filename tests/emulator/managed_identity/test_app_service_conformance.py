"""The real ManagedIdentityCredential on the emulated App Service endpoint, and user-assigned
identity selection (client id, object id, resource id) on both App Service and IMDS."""

from __future__ import annotations

import httpx
import jwt
import pytest
from azure.identity import CredentialUnavailableError, ManagedIdentityCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    OPENAI_IDENTITY_CLIENT_ID,
    OPENAI_IDENTITY_OBJECT_ID,
    SUBSCRIPTION_ID,
    VM_OBJECT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
OPENAI_ID = {
    "client_id": OPENAI_IDENTITY_CLIENT_ID,
    "object_id": OPENAI_IDENTITY_OBJECT_ID,
}
OPENAI_ID_RESOURCE = (
    f"/subscriptions/{SUBSCRIPTION_ID}/resourceGroups/rg-keyless-lab"
    "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-keyless-openai"
)


def claims_of(credential: ManagedIdentityCredential) -> dict:
    return jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})


@pytest.fixture(params=["imds", "app_service"])
def host(request: pytest.FixtureRequest, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test once on the VM (IMDS) and once "on App Service"."""
    if request.param == "app_service":
        for name, value in emulator.app_service_environment().items():
            monkeypatch.setenv(name, value)
    return request.param


def test_system_assigned_identity(host: str) -> None:
    claims = claims_of(ManagedIdentityCredential())
    assert claims["oid"] == VM_OBJECT_ID
    assert claims["appidacr"] == "2"
    assert claims["xms_mirid"].endswith("/virtualMachines/vm-keyless-lab")


@pytest.mark.parametrize(
    "selector",
    [
        {"client_id": OPENAI_ID["client_id"]},
        {"identity_config": {"client_id": OPENAI_ID["client_id"]}},
        {"identity_config": {"object_id": OPENAI_ID["object_id"]}},
        {"identity_config": {"resource_id": OPENAI_ID_RESOURCE}},
    ],
    ids=["client_id", "config-client_id", "object_id", "resource_id"],
)
def test_user_assigned_identity_selected(host: str, selector: dict) -> None:
    claims = claims_of(ManagedIdentityCredential(**selector))
    assert claims["oid"] == OPENAI_ID["object_id"]
    assert claims["appid"] == OPENAI_ID["client_id"]
    # Real tokens spell the segment `resourcegroups` in lower case; the ARM id uses `resourceGroups`.
    assert claims["xms_mirid"] == OPENAI_ID_RESOURCE.replace("/resourceGroups/", "/resourcegroups/")


@pytest.mark.parametrize(
    "selector",
    [
        {"client_id": "00000000-0000-0000-0000-000000000000"},
        {"identity_config": {"object_id": "00000000-0000-0000-0000-000000000001"}},
        {"identity_config": {"resource_id": OPENAI_ID_RESOURCE.replace("id-keyless-openai", "id-missing")}},
    ],
    ids=["client_id", "object_id", "resource_id"],
)
def test_unknown_identity_is_unavailable(host: str, selector: dict) -> None:
    expected = "Unable to load the proper Managed Identity" if host == "app_service" else "Identity not found"
    with pytest.raises(CredentialUnavailableError, match=expected):
        ManagedIdentityCredential(**selector).get_token(SCOPE)


def test_app_service_token_response_shape(emulator: EmulatorServer) -> None:
    env = emulator.app_service_environment()
    response = httpx.get(
        env["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01", "resource": "https://cognitiveservices.azure.com"},
        headers={"X-IDENTITY-HEADER": env["IDENTITY_HEADER"]},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["resource"] == "https://cognitiveservices.azure.com"
    assert int(body["expires_on"]) == jwt.decode(body["access_token"], options={"verify_signature": False})["exp"]


@pytest.mark.parametrize("header", [None, "wrong-secret"], ids=["missing", "wrong"])
def test_app_service_rejects_a_missing_or_wrong_identity_header(emulator: EmulatorServer, header: str | None) -> None:
    env = emulator.app_service_environment()
    headers = {"X-IDENTITY-HEADER": header} if header else {}
    response = httpx.get(
        env["IDENTITY_ENDPOINT"],
        params={"api-version": "2019-08-01", "resource": "https://cognitiveservices.azure.com"},
        headers=headers,
    )
    assert response.status_code == 401
    assert response.json()["statusCode"] == 401
    assert "access_token" not in response.json()


def test_wrong_identity_header_fails_the_real_credential(emulator: EmulatorServer, monkeypatch) -> None:
    monkeypatch.setenv("IDENTITY_ENDPOINT", emulator.app_service_environment()["IDENTITY_ENDPOINT"])
    monkeypatch.setenv("IDENTITY_HEADER", "not-the-secret")
    with pytest.raises(CredentialUnavailableError, match="401"):
        ManagedIdentityCredential().get_token(SCOPE)


def test_each_emulator_has_its_own_identity_header(emulator: EmulatorServer, fresh_emulator: EmulatorServer) -> None:
    assert emulator.app_service_environment()["IDENTITY_HEADER"] != fresh_emulator.state.identity_header
    assert len(fresh_emulator.state.identity_header) >= 32
