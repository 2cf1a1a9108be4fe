"""The real AzureCliCredential against the lab's `az` stand-in (a real process on PATH).

Proves the argument set and JSON AzureCliCredential relies on, the signed-out wording that makes
it raise CredentialUnavailableError, AADSTS errors becoming ClientAuthenticationError, the other
`az login` modes, the admin commands, and that the process runs under the network guard.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jwt
import pytest
from az_cli import az
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import (
    AzureCliCredential,
    ClientSecretCredential,
    CredentialUnavailableError,
)
from chat_client import chat_reply

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    AZURE_CLI_CLIENT_ID,
    BATCH_APP_CLIENT_ID,
    CONTOSO_TENANT_ID,
    GRACE_OBJECT_ID,
    OPENAI_IDENTITY_CLIENT_ID,
    OPENAI_IDENTITY_OBJECT_ID,
    VM_OBJECT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
ADA = "ada@contosolab.onmicrosoft.com"
GRACE = "grace@contosolab.onmicrosoft.com"
BATCH_APP = BATCH_APP_CLIENT_ID


def claims_of(credential: object) -> dict[str, object]:
    token = credential.get_token(SCOPE).token  # type: ignore[attr-defined]
    return jwt.decode(token, options={"verify_signature": False})


def test_the_shim_is_the_az_on_path(fresh_emulator: EmulatorServer) -> None:
    assert shutil.which("az") == str(fresh_emulator.bin_dir / "az")
    assert Path(shutil.which("az") or "").read_text().startswith("#!")


def test_signed_out_az_makes_the_credential_unavailable(fresh_emulator: EmulatorServer) -> None:
    result = az("account", "get-access-token", "--output", "json", "--resource", "https://cognitiveservices.azure.com")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == "ERROR: Please run 'az login' to setup account."
    with pytest.raises(CredentialUnavailableError, match="Please run 'az login' to set up an account"):
        AzureCliCredential().get_token(SCOPE)


def test_az_login_as_a_user_then_the_credential_calls_chat_completions(fresh_emulator: EmulatorServer) -> None:
    login = az("login", "--username", ADA)
    assert login.returncode == 0, login.stderr
    printed = json.loads(login.stdout)[0]
    assert printed["user"] == {"name": ADA, "type": "user"}
    # `az login` renames environmentName to cloudName in what it prints; `az account show` does not.
    assert printed["cloudName"] == "AzureCloud" and "environmentName" not in printed
    assert json.loads(az("account", "show").stdout)["environmentName"] == "AzureCloud"
    credential = AzureCliCredential()
    claims = claims_of(credential)
    assert claims["upn"] == ADA and claims["idtyp"] == "user" and claims["scp"] == "user_impersonation"
    assert claims["appid"] == AZURE_CLI_CLIENT_ID
    assert "Hello, ada@contosolab.onmicrosoft.com" in chat_reply(credential, fresh_emulator)
    assert claims_of(AzureCliCredential(tenant_id=TENANT))["tid"] == TENANT


def test_get_access_token_prints_the_real_json_shape(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0  # KEYLESS_LAB_SIGNIN_USER (Ada) by default
    result = az("account", "get-access-token", "--output", "json", "--scope", SCOPE, "--tenant", TENANT)
    body = json.loads(result.stdout)
    # With --tenant, az prints no subscription (azure-cli's get_raw_token adds it only without one).
    assert set(body) == {"accessToken", "expiresOn", "expires_on", "tenant", "tokenType"}
    assert body["tokenType"] == "Bearer" and body["tenant"] == TENANT and isinstance(body["expires_on"], int)
    default = json.loads(az("account", "get-access-token", "--output", "json", "--scope", SCOPE).stdout)
    assert set(default) == {"accessToken", "expiresOn", "expires_on", "subscription", "tenant", "tokenType"}
    show = json.loads(az("account", "show").stdout)
    assert show["tenantId"] == TENANT and show["id"] == default["subscription"] and show["user"]["name"] == ADA
    assert az("account", "show", "--query", "tenantId", "-o", "tsv").stdout.strip() == TENANT


def test_az_logout_signs_out(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0
    assert az("logout").returncode == 0
    with pytest.raises(CredentialUnavailableError):
        AzureCliCredential().get_token(SCOPE)
    assert az("account", "show").stderr.strip() == "ERROR: Please run 'az login' to setup account."


def test_an_aadsts_error_from_az_is_a_client_authentication_error(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0
    fresh_emulator.state.clock.advance(91 * 86_400)  # the refresh token is now idle longer than 90 days
    with pytest.raises(ClientAuthenticationError) as caught:
        AzureCliCredential().get_token(SCOPE)
    assert not isinstance(caught.value, CredentialUnavailableError)
    assert "AADSTS700082: The refresh token has expired due to inactivity." in caught.value.message


def test_az_login_service_principal_and_credential_reset(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0  # the admin commands need a signed-in account
    reset = az("ad", "app", "credential", "reset", "--id", BATCH_APP, "--append")
    assert reset.returncode == 0, reset.stderr
    assert "The output includes credentials that you must protect" in reset.stderr
    created = json.loads(reset.stdout)
    assert created["appId"] == BATCH_APP and created["tenant"] == TENANT
    # The new secret works with the real ClientSecretCredential ...
    secret_credential = ClientSecretCredential(TENANT, BATCH_APP, created["password"], disable_instance_discovery=True)
    assert claims_of(secret_credential)["appid"] == BATCH_APP
    # ... and with `az login --service-principal`; a wrong secret is Entra's error, on stderr.
    wrong = az("login", "--service-principal", "-u", BATCH_APP, "-p", "not-the-secret", "--tenant", TENANT)
    assert wrong.returncode == 1 and wrong.stderr.startswith("ERROR: AADSTS7000215: Invalid client secret provided.")
    # `--password=` keeps a generated secret that starts with "-" from reading as an option (as with the real az).
    login = az("login", "--service-principal", "-u", BATCH_APP, f"--password={created['password']}", "--tenant", TENANT)
    assert login.returncode == 0, login.stderr
    claims = claims_of(AzureCliCredential())
    assert claims["idtyp"] == "app" and claims["appid"] == BATCH_APP and claims["appidacr"] == "1"


def test_az_login_identity_uses_the_emulated_imds(fresh_emulator: EmulatorServer) -> None:
    assert az("login", "--identity").returncode == 0
    claims = claims_of(AzureCliCredential())
    assert claims["oid"] == VM_OBJECT_ID and "xms_mirid" in claims
    assert az("login", "--identity", "--client-id", OPENAI_IDENTITY_CLIENT_ID).returncode == 0
    assert claims_of(AzureCliCredential())["oid"] == OPENAI_IDENTITY_OBJECT_ID


def test_az_role_assignment_create_and_delete_change_access(fresh_emulator: EmulatorServer) -> None:
    assert az("login", "--username", GRACE).returncode == 0
    credential = AzureCliCredential()
    openai_scope = fresh_emulator.state.directory.openai.resource_id
    created = az("role", "assignment", "create", "--assignee", GRACE, "--role", "Cognitive Services OpenAI User",
                 "--scope", openai_scope)  # fmt: skip
    assert created.returncode == 0, created.stderr
    assignment = json.loads(created.stdout)
    assert assignment["principalType"] == "User" and assignment["scope"] == openai_scope
    assert assignment["roleDefinitionId"].endswith("5e0bd9bd-7b93-4f28-af87-19fc36ad61bd")
    assert "Hello, grace@contosolab.onmicrosoft.com" in chat_reply(credential, fresh_emulator)
    deleted = az("role", "assignment", "delete", "--assignee", GRACE, "--role", "Cognitive Services OpenAI User",
                 "--scope", openai_scope)  # fmt: skip
    assert deleted.returncode == 0 and not fresh_emulator.state.directory.assignments_for(GRACE_OBJECT_ID)


def test_the_admin_api_refuses_a_caller_without_the_admin_key(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0
    env = {**os.environ, "KEYLESS_LAB_ADMIN_KEY": "wrong"}
    result = az("ad", "app", "credential", "reset", "--id", BATCH_APP, env=env)
    assert result.returncode == 1 and "X-Keyless-Lab-Admin-Key" in result.stderr


def test_az_runs_under_the_network_guard(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    """An az process pointed at a real Microsoft host is stopped by the guard it inherits."""
    log = tmp_path / "violations.log"  # a private log, so this deliberate attempt does not fail the session
    env = {
        **os.environ,
        "KEYLESS_LAB_NETGUARD_LOG": str(log),
        "AZURE_AUTHORITY_HOST": "https://login.microsoftonline.com",
    }
    result = az("login", "--username", ADA, env=env)
    assert result.returncode == 1 and "network guard blocked" in result.stderr
    assert "login.microsoftonline.com" in log.read_text()
