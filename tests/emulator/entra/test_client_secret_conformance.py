"""The real ClientSecretCredential and EnvironmentCredential against the emulated token endpoint.

MSAL-based credentials need `disable_instance_discovery=True` in the lab: without it
MSAL would ask login.microsoftonline.com about the unknown authority host.
"""

from __future__ import annotations

import ssl

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientSecretCredential, EnvironmentCredential
from chat_client import chat_reply

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    BATCH_APP_CLIENT_ID,
    BATCH_APP_OBJECT_ID,
    CONTOSO_TENANT_ID,
    FABRIKAM_TENANT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
OTHER_TENANT = FABRIKAM_TENANT_ID
APP = BATCH_APP_CLIENT_ID
APP_OBJECT_ID = BATCH_APP_OBJECT_ID
LAB = {"disable_instance_discovery": True}


def secret(server: EmulatorServer, display_name: str) -> str:
    app = server.state.directory.application(APP)
    assert app is not None
    return next(s.value for s in app.secrets if s.display_name == display_name)


def test_client_secret_gets_an_app_only_token(emulator: EmulatorServer) -> None:
    credential = ClientSecretCredential(TENANT, APP, secret(emulator, "lab-secret"), **LAB)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["aud"] == "https://cognitiveservices.azure.com"
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["appid"] == APP
    assert claims["oid"] == claims["sub"] == APP_OBJECT_ID
    assert claims["idtyp"] == "app"
    assert claims["appidacr"] == "1"
    assert "xms_mirid" not in claims


def test_environment_credential_calls_azure_openai(emulator: EmulatorServer, monkeypatch) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", APP)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", secret(emulator, "lab-secret"))
    credential = EnvironmentCredential(**LAB)
    reply = chat_reply(credential, emulator)
    assert "app-keyless-batch" in reply
    assert "client secret" in reply


def aadsts(excinfo: pytest.ExceptionInfo[ClientAuthenticationError]) -> str:
    return str(excinfo.value)


def test_wrong_secret_is_aadsts7000215(emulator: EmulatorServer) -> None:
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientSecretCredential(TENANT, APP, "not-the-secret", **LAB).get_token(SCOPE)
    assert "AADSTS7000215: Invalid client secret provided." in aadsts(caught)
    assert f"for a secret added to app '{APP}'" in aadsts(caught)


def test_expired_secret_is_aadsts7000222(emulator: EmulatorServer) -> None:
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientSecretCredential(TENANT, APP, secret(emulator, "expired-secret"), **LAB).get_token(SCOPE)
    assert f"AADSTS7000222: The provided client secret keys for app '{APP}' are expired." in aadsts(caught)


def test_unknown_application_is_aadsts700016(emulator: EmulatorServer) -> None:
    unknown = "11111111-2222-3333-4444-555555555555"
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientSecretCredential(TENANT, unknown, "whatever", **LAB).get_token(SCOPE)
    assert f"AADSTS700016: Application with identifier '{unknown}' was not found in the directory" in aadsts(caught)


def test_app_from_another_tenant_is_not_found_there(emulator: EmulatorServer) -> None:
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientSecretCredential(OTHER_TENANT, APP, secret(emulator, "lab-secret"), **LAB).get_token(SCOPE)
    assert "AADSTS700016" in aadsts(caught)
    assert "Fabrikam" in aadsts(caught)


def test_unknown_tenant_fails_at_discovery(emulator: EmulatorServer) -> None:
    # MSAL reads the tenant's OpenID configuration first; the emulator answers AADSTS90002 (400) there,
    # and MSAL reports it as an authority it cannot configure.
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientSecretCredential("no-such-tenant.example", APP, secret(emulator, "lab-secret"), **LAB).get_token(SCOPE)
    assert "Unable to get authority configuration" in aadsts(caught)


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (
            ["https://cognitiveservices.azure.com/user_impersonation"],
            "AADSTS1002012: The provided value for scope https://cognitiveservices.azure.com/user_impersonation is "
            "not valid. Client credential flows must have a scope value with /.default suffixed",
        ),
        (
            [SCOPE, "https://management.azure.com/.default"],
            "AADSTS70011: The provided value for the input parameter 'scope' is not valid.",
        ),
        (
            ["https://vault.azure.net/.default"],
            "AADSTS500011: The resource principal named https://vault.azure.net was not found",
        ),
    ],
    ids=["delegated-scope-aadsts1002012", "two-resources-aadsts70011", "unknown-resource-aadsts500011"],
)
def test_a_scope_client_credentials_cannot_use_is_refused(
    emulator: EmulatorServer, scopes: list[str], expected: str
) -> None:
    credential = ClientSecretCredential(TENANT, APP, secret(emulator, "lab-secret"), **LAB)
    with pytest.raises(ClientAuthenticationError) as caught:
        credential.get_token(*scopes)
    assert expected in aadsts(caught)


def test_a_new_secret_works_at_once(fresh_emulator: EmulatorServer) -> None:
    added = fresh_emulator.state.directory.add_client_secret("app-keyless-batch", "rotated")
    credential = ClientSecretCredential(TENANT, APP, added.value, **LAB)
    assert credential.get_token(SCOPE).token


def test_client_secret_basic_authentication(emulator: EmulatorServer) -> None:
    # Advertised in discovery (token_endpoint_auth_methods_supported), used by curl-style clients.
    response = httpx.post(
        f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/token",
        data={"grant_type": "client_credentials", "scope": SCOPE},
        auth=(APP, secret(emulator, "lab-secret")),
        verify=ssl.create_default_context(cafile=str(emulator.tls.bundle)),
    )
    assert response.status_code == 200, response.text
    assert jwt.decode(response.json()["access_token"], options={"verify_signature": False})["appid"] == APP
