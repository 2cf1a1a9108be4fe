"""The real WorkloadIdentityCredential with a projected service-account token from the emulated
AKS cluster issuer, federated to the user-assigned identity `id-keyless-openai`."""

from __future__ import annotations

import ssl
from pathlib import Path

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DefaultAzureCredential, WorkloadIdentityCredential, get_bearer_token_provider
from openai import AzureOpenAI

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    CI_APP_CLIENT_ID,
    OPENAI_IDENTITY_CLIENT_ID,
    OPENAI_IDENTITY_OBJECT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
IDENTITY_CLIENT_ID = OPENAI_IDENTITY_CLIENT_ID  # id-keyless-openai
IDENTITY_OBJECT_ID = OPENAI_IDENTITY_OBJECT_ID
CI_APP = CI_APP_CLIENT_ID  # app-keyless-ci


@pytest.fixture
def pod(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Act as the pod `chat-app` in namespace `keyless`, with the webhook's environment."""
    env = emulator.workload_identity_environment(IDENTITY_CLIENT_ID, "keyless", "chat-app")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def test_workload_identity_token_is_for_the_user_assigned_identity(pod: dict[str, str]) -> None:
    claims = jwt.decode(WorkloadIdentityCredential().get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["oid"] == IDENTITY_OBJECT_ID
    assert claims["appid"] == IDENTITY_CLIENT_ID
    assert claims["appidacr"] == "2"
    assert claims["xms_mirid"].endswith("/userAssignedIdentities/id-keyless-openai")


def test_workload_identity_calls_chat_completions(pod: dict[str, str], emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version="2024-10-21",
        azure_ad_token_provider=get_bearer_token_provider(WorkloadIdentityCredential(), SCOPE),
        max_retries=0,
    )
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    assert "id-keyless-openai" in reply.choices[0].message.content


def test_default_azure_credential_picks_workload_identity(pod: dict[str, str]) -> None:
    credential = DefaultAzureCredential(exclude_managed_identity_credential=True)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["oid"] == IDENTITY_OBJECT_ID


def test_cluster_issuer_publishes_discovery_and_jwks(emulator: EmulatorServer, pod: dict[str, str]) -> None:
    verify = ssl.create_default_context(cafile=str(emulator.tls.bundle))
    issuer = emulator.state.external_issuers.aks.issuer
    assert issuer.startswith(emulator.urls.https) and issuer.endswith("/")
    discovery = httpx.get(f"{issuer}.well-known/openid-configuration", verify=verify).json()
    assert discovery["issuer"] == issuer
    jwks = httpx.get(discovery["jwks_uri"], verify=verify).json()
    token = Path(pod["AZURE_FEDERATED_TOKEN_FILE"]).read_text()
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == jwt.get_unverified_header(token)["kid"])).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience="api://AzureADTokenExchange", issuer=issuer)
    assert claims["sub"] == "system:serviceaccount:keyless:chat-app"
    assert all("d" not in k for k in jwks["keys"])


def _credential_with(emulator: EmulatorServer, tmp_path, token: str, client_id: str = IDENTITY_CLIENT_ID):
    path = tmp_path / "token"
    path.write_text(token)
    return WorkloadIdentityCredential(
        tenant_id=emulator.state.directory.primary_tenant.id, client_id=client_id, token_file_path=str(path)
    )


@pytest.mark.parametrize(
    ("namespace", "service_account", "audience", "code"),
    [
        ("keyless", "other-app", "api://AzureADTokenExchange", "AADSTS700213"),
        ("Keyless", "chat-app", "api://AzureADTokenExchange", "AADSTS7002138"),  # matches only if case is ignored
        ("keyless", "chat-app", "api://AzureADTokenExchangeX", "AADSTS700212"),
    ],
    ids=["wrong-service-account", "subject-case", "wrong-audience"],
)
def test_mismatched_subject_or_audience(
    emulator: EmulatorServer, tmp_path, namespace: str, service_account: str, audience: str, code: str
) -> None:
    token = emulator.state.external_issuers.aks.service_account_token(namespace, service_account, audience)
    with pytest.raises(ClientAuthenticationError) as caught:
        _credential_with(emulator, tmp_path, token).get_token(SCOPE)
    assert f"{code}: No matching federated identity record found for presented assertion" in str(caught.value)


def test_token_from_an_untrusted_issuer_is_aadsts700211(emulator: EmulatorServer, tmp_path) -> None:
    token = emulator.state.external_issuers.gitlab.id_token("contoso/keyless-lab")
    with pytest.raises(ClientAuthenticationError) as caught:
        _credential_with(emulator, tmp_path, token).get_token(SCOPE)
    assert "AADSTS700211" in str(caught.value)
    assert "'https://gitlab.com'" in str(caught.value)


def test_expired_service_account_token_is_aadsts700024(emulator: EmulatorServer, tmp_path) -> None:
    token = emulator.state.external_issuers.aks.service_account_token("keyless", "chat-app", lifetime=-60)
    with pytest.raises(ClientAuthenticationError, match="AADSTS700024"):
        _credential_with(emulator, tmp_path, token).get_token(SCOPE)


def test_token_signed_by_another_key_is_rejected(emulator: EmulatorServer, tmp_path) -> None:
    genuine = emulator.state.external_issuers.aks.service_account_token("keyless", "chat-app")
    claims = jwt.decode(genuine, options={"verify_signature": False})
    from cryptography.hazmat.primitives.asymmetric import rsa

    forger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = jwt.encode(claims, forger, algorithm="RS256", headers={"kid": jwt.get_unverified_header(genuine)["kid"]})
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        _credential_with(emulator, tmp_path, forged).get_token(SCOPE)


def test_federated_credential_added_to_an_app_at_run_time(fresh_emulator: EmulatorServer, tmp_path) -> None:
    aks = fresh_emulator.state.external_issuers.aks
    fresh_emulator.state.directory.add_federated_credential(
        "app-keyless-ci", issuer=aks.issuer, subject="system:serviceaccount:ci:runner", name="aks-runner"
    )
    credential = _credential_with(fresh_emulator, tmp_path, aks.service_account_token("ci", "runner"), CI_APP)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["appid"] == CI_APP
    assert claims["appidacr"] == "2"
    assert "xms_mirid" not in claims


def test_system_assigned_identity_cannot_hold_federated_credentials(emulator: EmulatorServer) -> None:
    with pytest.raises(ValueError, match="system-assigned"):
        emulator.state.directory.add_federated_credential("vm-keyless-lab", "https://gitlab.com", "x")


def test_each_service_account_token_has_its_own_jti(emulator: EmulatorServer) -> None:
    """Kubernetes 1.30+ puts a jti in every token: a rotation within the same second still changes the file."""
    aks = emulator.state.external_issuers.aks
    first, second = (aks.service_account_token("keyless", "chat-app") for _ in range(2))
    assert first != second
    claims = [jwt.decode(t, options={"verify_signature": False}) for t in (first, second)]
    assert claims[0]["jti"] != claims[1]["jti"]
