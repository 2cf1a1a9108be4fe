"""The real ManagedIdentityCredential against the emulated IMDS endpoint."""

from __future__ import annotations

import ssl

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError, ManagedIdentityCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    CONTOSO_TENANT_ID,
    NOACCESS_IDENTITY_CLIENT_ID,
    NOACCESS_IDENTITY_OBJECT_ID,
    VM_OBJECT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID


def test_system_assigned_identity_gets_a_v1_token_with_entra_claims(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE)
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["aud"] == "https://cognitiveservices.azure.com"
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["oid"] == claims["sub"] == VM_OBJECT_ID
    assert claims["tid"] == TENANT
    assert claims["idtyp"] == "app"
    assert claims["xms_mirid"].endswith("/providers/Microsoft.Compute/virtualMachines/vm-keyless-lab")
    assert 86_000 < claims["exp"] - claims["iat"] <= 86_400


def test_token_signature_verifies_against_the_published_jwks(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE).token
    jwks_url = f"{emulator.urls.authority_host}/{TENANT}/discovery/v2.0/keys"
    jwks = httpx.get(jwks_url, verify=ssl.create_default_context(cafile=str(emulator.tls.bundle))).json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == kid)).key
    assert jwt.decode(token, key, algorithms=["RS256"], audience="https://cognitiveservices.azure.com")
    assert all("d" not in k and "p" not in k for k in jwks["keys"]), "JWKS must hold public keys only"


def test_user_assigned_identity_selected_by_client_id(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential(client_id=NOACCESS_IDENTITY_CLIENT_ID).get_token(SCOPE)
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["oid"] == NOACCESS_IDENTITY_OBJECT_ID
    assert "userAssignedIdentities/id-keyless-noaccess" in claims["xms_mirid"]


def test_unknown_identity_is_a_400_that_azure_identity_reports_as_unavailable(
    emulator: EmulatorServer,
) -> None:
    credential = ManagedIdentityCredential(client_id="00000000-0000-0000-0000-000000000000")
    with pytest.raises(CredentialUnavailableError, match="Identity not found"):
        credential.get_token(SCOPE)


def test_imds_requires_the_metadata_header(emulator: EmulatorServer) -> None:
    url = f"{emulator.urls.http}/metadata/identity/oauth2/token"
    params = {"api-version": "2018-02-01", "resource": "https://cognitiveservices.azure.com"}
    without = httpx.get(url, params=params)
    assert without.status_code == 400
    # The error id of the token endpoint's table in "How to use managed identities on a VM to acquire
    # an access token" (Microsoft Learn).
    assert without.json() == {
        "error": "bad_request_102",
        "error_description": "Required metadata header not specified",
    }
    assert httpx.get(url, params=params, headers={"Metadata": "true"}).status_code == 200


@pytest.mark.parametrize("value", ["True", "TRUE", "yes", "1", "true,true"])
def test_imds_metadata_header_must_be_true_in_lower_case(emulator: EmulatorServer, value: str) -> None:
    url = f"{emulator.urls.http}/metadata/identity/oauth2/token"
    params = {"api-version": "2018-02-01", "resource": "https://cognitiveservices.azure.com"}
    answer = httpx.get(url, params=params, headers={"Metadata": value})
    assert answer.status_code == 400 and answer.json()["error"] == "bad_request_102"


def test_imds_rejects_requests_carrying_x_forwarded_for(emulator: EmulatorServer) -> None:
    url = f"{emulator.urls.http}/metadata/identity/oauth2/token"
    params = {"api-version": "2018-02-01", "resource": "https://cognitiveservices.azure.com"}
    answer = httpx.get(url, params=params, headers={"Metadata": "true", "X-Forwarded-For": "203.0.113.7"})
    assert answer.status_code == 400
    assert "access_token" not in answer.json()


@pytest.mark.parametrize("version", ["2018-02-1", "2099-01-01", "latest"])
def test_imds_refuses_an_unknown_api_version(emulator: EmulatorServer, version: str) -> None:
    url = f"{emulator.urls.http}/metadata/identity/oauth2/token"
    params = {"api-version": version, "resource": "https://cognitiveservices.azure.com"}
    answer = httpx.get(url, params=params, headers={"Metadata": "true"})
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("Bad request. api-version is invalid or was not specified")
    assert "2018-02-01" in answer.json()["newest-versions"] or "2025-04-07" in answer.json()["newest-versions"]


def test_xms_mirid_spells_resourcegroups_in_lower_case(emulator: EmulatorServer) -> None:
    claims = jwt.decode(ManagedIdentityCredential().get_token(SCOPE).token, options={"verify_signature": False})
    assert "/resourcegroups/" in claims["xms_mirid"] and "/resourceGroups/" not in claims["xms_mirid"]


def test_unknown_resource_is_refused_with_aadsts500011(emulator: EmulatorServer) -> None:
    with pytest.raises(ClientAuthenticationError) as caught:
        ManagedIdentityCredential().get_token("https://vault.azure.net/.default")
    assert "AADSTS500011" in str(caught.value) or "invalid_resource" in str(caught.value)
