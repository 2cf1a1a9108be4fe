"""The real ClientAssertionCredential fed by the emulated GitHub Actions runner token endpoint (and
by GitLab-style ID tokens), federated to the app registration `app-keyless-ci`."""

from __future__ import annotations

import os
import ssl

import httpx
import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential
from chat_client import chat_reply

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import CI_APP_CLIENT_ID, CONTOSO_TENANT_ID

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
CI_APP = CI_APP_CLIENT_ID  # app-keyless-ci
REPO = "contoso/keyless-lab"


def github_id_token(audience: str | None = "api://AzureADTokenExchange") -> str:
    """What azure/login (core.getIDToken) does inside a job: ask the runner for an OIDC token."""
    url = os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"]
    if audience is not None:
        url += f"&audience={audience}"
    response = httpx.get(
        url,
        headers={"Authorization": f"Bearer {os.environ['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"},
        verify=ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"]),
    )
    response.raise_for_status()
    return response.json()["value"]


def in_job(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch, **job) -> None:
    for name, value in emulator.github_actions_environment(REPO, **job).items():
        monkeypatch.setenv(name, value)


def test_main_branch_job_gets_a_token_and_calls_openai(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch)
    credential = ClientAssertionCredential(TENANT, CI_APP, func=github_id_token)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["appid"] == CI_APP
    assert claims["appidacr"] == "2"
    assert "app-keyless-ci" in chat_reply(credential, emulator)


def test_runner_token_claims(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch, environment="prod")
    claims = jwt.decode(github_id_token(), options={"verify_signature": False})
    assert claims["iss"] == "https://token.actions.githubusercontent.com"
    assert claims["sub"] == f"repo:{REPO}:environment:prod"
    assert claims["aud"] == "api://AzureADTokenExchange"
    assert claims["repository"] == REPO and claims["environment"] == "prod"


def test_prod_environment_job_is_trusted(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch, environment="prod")
    assert ClientAssertionCredential(TENANT, CI_APP, func=github_id_token).get_token(SCOPE).token


@pytest.mark.parametrize(
    "job",
    [
        {"event_name": "pull_request", "ref": "refs/pull/7/merge"},
        {"ref": "refs/heads/feature"},
        {"environment": "staging"},
    ],
    ids=["pull_request", "other-branch", "other-environment"],
)
def test_untrusted_subjects_are_aadsts700213(emulator: EmulatorServer, monkeypatch, job: dict) -> None:
    in_job(emulator, monkeypatch, **job)
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientAssertionCredential(TENANT, CI_APP, func=github_id_token).get_token(SCOPE)
    assert "AADSTS700213: No matching federated identity record found for presented assertion subject" in str(
        caught.value
    )


def test_a_subject_that_differs_only_in_case_is_aadsts7002138(emulator: EmulatorServer, monkeypatch) -> None:
    """Entra matches federated subjects case-sensitively and says so with its own code (Azure/login#515)."""
    in_job(emulator, monkeypatch, environment="Prod")  # the credential says environment:prod
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientAssertionCredential(TENANT, CI_APP, func=github_id_token).get_token(SCOPE)
    assert (
        f"AADSTS7002138: No matching federated identity record found for presented assertion subject "
        f"'repo:{REPO}:environment:Prod'. The subject matches with case-insensitive comparison, but not with "
        "case-sensitive comparison." in str(caught.value)
    )


def test_immutable_subject_claims_carry_the_owner_and_repository_ids(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch, environment="prod", immutable_subject=True)
    claims = jwt.decode(github_id_token(), options={"verify_signature": False})
    owner_id, repository_id = claims["repository_owner_id"], claims["repository_id"]
    assert owner_id.isdigit() and repository_id.isdigit() and owner_id != repository_id
    assert claims["sub"] == f"repo:contoso@{owner_id}/keyless-lab@{repository_id}:environment:prod"
    assert claims["repository"] == REPO  # the names stay in their own claims


def test_the_ids_are_the_same_in_every_job_of_a_repository(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch, immutable_subject=True)
    first = jwt.decode(github_id_token(), options={"verify_signature": False})
    in_job(emulator, monkeypatch)
    second = jwt.decode(github_id_token(), options={"verify_signature": False})
    assert (first["repository_id"], first["repository_owner_id"]) == (
        second["repository_id"],
        second["repository_owner_id"],
    )
    assert second["sub"] == f"repo:{REPO}:ref:refs/heads/main"


def test_a_name_form_credential_does_not_trust_an_immutable_subject(
    fresh_emulator: EmulatorServer, monkeypatch
) -> None:
    """A repository created since 15 July 2026 sends the id form: a credential written with names alone
    refuses it (AADSTS700213), one with the ids accepts it."""
    in_job(fresh_emulator, monkeypatch, environment="prod", immutable_subject=True)
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientAssertionCredential(TENANT, CI_APP, func=github_id_token).get_token(SCOPE)
    assert "AADSTS700213: " in str(caught.value)
    subject = jwt.decode(github_id_token(), options={"verify_signature": False})["sub"]
    fresh_emulator.state.directory.add_federated_credential(
        "app-keyless-ci", "https://token.actions.githubusercontent.com", subject
    )
    assert ClientAssertionCredential(TENANT, CI_APP, func=github_id_token).get_token(SCOPE).token


def test_default_github_audience_is_aadsts700212(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch)
    with pytest.raises(ClientAuthenticationError) as caught:
        ClientAssertionCredential(TENANT, CI_APP, func=lambda: github_id_token(audience=None)).get_token(SCOPE)
    assert "AADSTS700212" in str(caught.value)
    assert "'https://github.com/contoso'" in str(caught.value)


def test_issuer_without_a_federated_credential_is_aadsts700211(emulator: EmulatorServer) -> None:
    token = emulator.state.external_issuers.aks.service_account_token("keyless", "chat-app")
    with pytest.raises(ClientAuthenticationError, match="AADSTS700211"):
        ClientAssertionCredential(TENANT, CI_APP, func=lambda: token).get_token(SCOPE)


def test_runner_endpoint_requires_the_request_token(emulator: EmulatorServer, monkeypatch) -> None:
    in_job(emulator, monkeypatch)
    response = httpx.get(
        os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"],
        headers={"Authorization": "Bearer not-the-token"},
        verify=ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"]),
    )
    assert response.status_code == 401
    assert "value" not in response.json()


def test_gitlab_id_token_from_the_environment(emulator: EmulatorServer, monkeypatch) -> None:
    # .gitlab-ci.yml: id_tokens: {AZURE_ID_TOKEN: {aud: api://AzureADTokenExchange}}
    monkeypatch.setenv("AZURE_ID_TOKEN", emulator.state.external_issuers.gitlab.id_token(REPO))
    credential = ClientAssertionCredential(TENANT, CI_APP, func=lambda: os.environ["AZURE_ID_TOKEN"])
    assert jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})["appid"] == CI_APP


def test_gitlab_token_for_another_branch_is_aadsts700213(emulator: EmulatorServer) -> None:
    token = emulator.state.external_issuers.gitlab.id_token(REPO, ref="dev")
    with pytest.raises(ClientAuthenticationError, match="AADSTS700213"):
        ClientAssertionCredential(TENANT, CI_APP, func=lambda: token).get_token(SCOPE)


def test_describe_lists_federated_subjects(emulator: EmulatorServer) -> None:
    subjects = {f["subject"] for f in emulator.state.directory.describe()["federated_credentials"]}
    assert f"repo:{REPO}:ref:refs/heads/main" in subjects
    assert f"repo:{REPO}:environment:prod" in subjects
    assert "system:serviceaccount:keyless:chat-app" in subjects
    issuers = {f["issuer"] for f in emulator.state.directory.describe()["federated_credentials"]}
    assert emulator.state.external_issuers.aks.issuer in issuers  # the ${AKS_OIDC_ISSUER} placeholder was filled


def test_removed_federated_credential_no_longer_trusts_the_branch(fresh_emulator: EmulatorServer, monkeypatch) -> None:
    in_job(fresh_emulator, monkeypatch)
    assert fresh_emulator.state.directory.remove_federated_credential("app-keyless-ci", "github-main") == 1
    with pytest.raises(ClientAuthenticationError, match="AADSTS700213"):
        ClientAssertionCredential(TENANT, CI_APP, func=github_id_token).get_token(SCOPE)
