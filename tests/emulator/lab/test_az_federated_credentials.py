"""`az identity federated-credential create` and `az ad app federated-credential create` through the lab's
`az` stand-in: a subject that Entra refused is trusted once the command has run, as on Azure."""

from __future__ import annotations

import json
import os
import ssl

import httpx
import jwt
import pytest
from az_cli import az
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential, WorkloadIdentityCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    CI_APP_CLIENT_ID,
    CONTOSO_TENANT_ID,
    NOACCESS_IDENTITY_CLIENT_ID,
    NOACCESS_IDENTITY_OBJECT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
NOACCESS_CLIENT_ID = NOACCESS_IDENTITY_CLIENT_ID
NOACCESS_OBJECT_ID = NOACCESS_IDENTITY_OBJECT_ID
CI_APP = CI_APP_CLIENT_ID


def test_identity_federated_credential_create_trusts_a_new_service_account(
    signed_in: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pod = signed_in.workload_identity_environment(NOACCESS_CLIENT_ID, "keyless", "batch")
    for name, value in pod.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ClientAuthenticationError, match="AADSTS700211"):  # no credential trusts this issuer yet
        WorkloadIdentityCredential().get_token(SCOPE)

    issuer = signed_in.state.external_issuers.aks.issuer
    created = az(
        "identity", "federated-credential", "create", "--name", "aks-batch", "--identity-name",
        "id-keyless-noaccess", "--resource-group", "rg-keyless-lab", "--issuer", issuer,
        "--subject", "system:serviceaccount:keyless:batch", "--audiences", "api://AzureADTokenExchange",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    shown = json.loads(created.stdout)
    assert shown["name"] == "aks-batch" and shown["subject"] == "system:serviceaccount:keyless:batch"
    assert shown["id"].endswith("/userAssignedIdentities/id-keyless-noaccess/federatedIdentityCredentials/aks-batch")

    token = WorkloadIdentityCredential().get_token(SCOPE).token
    assert jwt.decode(token, options={"verify_signature": False})["oid"] == NOACCESS_OBJECT_ID


def test_app_federated_credential_create_trusts_a_new_branch(
    signed_in: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in signed_in.github_actions_environment("contoso/keyless-lab", ref="refs/heads/release").items():
        monkeypatch.setenv(name, value)

    def runner_token() -> str:
        response = httpx.get(
            os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=api://AzureADTokenExchange",
            headers={"Authorization": f"Bearer {os.environ['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}"},
            verify=ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"]),
        )
        return response.json()["value"]

    with pytest.raises(ClientAuthenticationError, match="AADSTS700213"):  # issuer trusted, subject not
        ClientAssertionCredential(TENANT, CI_APP, func=runner_token).get_token(SCOPE)

    parameters = {
        "name": "github-release",
        "issuer": "https://token.actions.githubusercontent.com",
        "subject": "repo:contoso/keyless-lab:ref:refs/heads/release",
        "audiences": ["api://AzureADTokenExchange"],
    }
    created = az("ad", "app", "federated-credential", "create", "--id", CI_APP, "--parameters", json.dumps(parameters))
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["subject"] == parameters["subject"]

    token = ClientAssertionCredential(TENANT, CI_APP, func=runner_token).get_token(SCOPE).token
    assert jwt.decode(token, options={"verify_signature": False})["appid"] == CI_APP


def test_federated_credential_commands_need_a_signed_in_az(fresh_emulator: EmulatorServer) -> None:
    result = az(
        "ad", "app", "federated-credential", "create", "--id", CI_APP, "--parameters",
        '{"name": "x", "issuer": "https://gitlab.com", "subject": "project_path:a/b:ref_type:branch:ref:main"}',
    )  # fmt: skip
    assert result.returncode != 0 and "az login" in result.stderr


def test_identity_federated_credential_create_under_a_taken_name_updates_it(signed_in: EmulatorServer) -> None:
    """An identity's federated credential is an ARM resource: `create` is a PUT that creates or updates,
    so running the command again with a corrected subject replaces the credential (an app's, a Graph
    object, is refused under a taken name)."""
    issuer = signed_in.state.external_issuers.aks.issuer

    def create(subject: str) -> dict:
        made = az(
            "identity", "federated-credential", "create", "--name", "aks-retry", "--identity-name",
            "id-keyless-noaccess", "--resource-group", "rg-keyless-lab", "--issuer", issuer, "--subject", subject,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        return json.loads(made.stdout)

    create("system:serviceaccount:Keyless:retry")
    assert create("system:serviceaccount:keyless:retry")["subject"] == "system:serviceaccount:keyless:retry"
    subjects = [
        f.subject
        for f in signed_in.state.directory.federated_credentials_of(NOACCESS_CLIENT_ID)
        if f.name == "aks-retry"
    ]
    assert subjects == ["system:serviceaccount:keyless:retry"]
