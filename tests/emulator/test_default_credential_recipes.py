"""Every DefaultAzureCredential recipe, deterministic in the lab (azure-identity 1.27: the chain is
Environment, WorkloadIdentity, ManagedIdentity, SharedTokenCache, VisualStudioCode, AzureCli,
AzurePowerShell, AzureDeveloperCli, Broker; AZURE_TOKEN_CREDENTIALS narrows it to `dev`, `prod` or one
credential class).

The lab recipe: the lab environment (AZURE_AUTHORITY_HOST, AZURE_POD_IDENTITY_AUTHORITY_HOST, the
CA bundle, the az/azd stand-ins on PATH) plus one emulator-only constructor option,
`DefaultAzureCredential(disable_instance_discovery=True)`. DefaultAzureCredential forwards that
keyword to the MSAL-based credentials it builds (Environment, SharedTokenCache, InteractiveBrowser);
without it, MSAL asks login.microsoftonline.com to vouch for the emulator's host (last test).
`authority=` is forwarded only to Environment and SharedTokenCache, so the lab sets
AZURE_AUTHORITY_HOST instead. Managed identity goes to the emulated IMDS, never 169.254.169.254
(the session's network guard would fail the run).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DefaultAzureCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    ADA_OBJECT_ID,
    BATCH_APP_CLIENT_ID,
    CONTOSO_TENANT_ID,
    OPENAI_IDENTITY_CLIENT_ID,
    OPENAI_IDENTITY_OBJECT_ID,
    VM_OBJECT_ID,
)

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
VM = VM_OBJECT_ID
ADA_OID = ADA_OBJECT_ID
BATCH_APP = BATCH_APP_CLIENT_ID
LAB_OPTIONS = {"disable_instance_discovery": True}  # what lab.credential_options holds in emulator mode


def oid(credential: DefaultAzureCredential) -> str:
    return str(jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})["oid"])


def az_login() -> None:
    subprocess.run(["az", "login"], check=True, capture_output=True, timeout=30)


def imds_calls(emulator: EmulatorServer) -> int:
    return len(emulator.state.audit.records("IMDS"))


def test_default_chain_uses_the_emulated_imds(fresh_emulator: EmulatorServer) -> None:
    assert oid(DefaultAzureCredential(**LAB_OPTIONS)) == VM
    assert imds_calls(fresh_emulator) == 1


def test_dev_uses_the_developer_tools_only(fresh_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    az_login()
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    assert oid(DefaultAzureCredential(**LAB_OPTIONS)) == ADA_OID
    assert imds_calls(fresh_emulator) == 0


def test_dev_falls_through_to_azd_when_az_is_signed_out(
    fresh_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["azd", "auth", "login"], check=True, capture_output=True, timeout=30)
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "dev")
    credential = DefaultAzureCredential(**LAB_OPTIONS)
    assert oid(credential) == ADA_OID
    assert type(credential._successful_credential).__name__ == "AzureDeveloperCliCredential"


def test_prod_ignores_a_signed_in_az(fresh_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    az_login()
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "prod")
    assert oid(DefaultAzureCredential(**LAB_OPTIONS)) == VM


def test_a_class_name_selects_only_that_credential(
    fresh_emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    az_login()
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "AzureCLICredential")  # case-insensitive
    credential = DefaultAzureCredential(**LAB_OPTIONS)
    assert [type(c).__name__ for c in credential.credentials] == ["AzureCliCredential"]
    assert oid(credential) == ADA_OID and imds_calls(fresh_emulator) == 0


def test_an_invalid_value_is_a_value_error(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "ManagedIdentity")
    with pytest.raises(ValueError, match="Invalid value for AZURE_TOKEN_CREDENTIALS: managedidentity"):
        DefaultAzureCredential(**LAB_OPTIONS)


def test_exclude_keyword_skips_managed_identity(fresh_emulator: EmulatorServer) -> None:
    az_login()
    assert oid(DefaultAzureCredential(exclude_managed_identity_credential=True, **LAB_OPTIONS)) == ADA_OID
    assert imds_calls(fresh_emulator) == 0


def test_exclude_keywords_override_the_environment_variable(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "prod")
    credential = DefaultAzureCredential(exclude_managed_identity_credential=True, **LAB_OPTIONS)
    names = [type(c).__name__ for c in credential.credentials]
    assert names[0] == "EnvironmentCredential" and "ManagedIdentityCredential" not in names
    with pytest.raises(ClientAuthenticationError, match="DefaultAzureCredential failed to retrieve a token"):
        credential.get_token(SCOPE)


def test_environment_variables_select_the_environment_credential(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = emulator.state.directory.application(BATCH_APP)
    assert app is not None
    secret = next(s for s in app.secrets if s.display_name == "lab-secret")
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", BATCH_APP)
    monkeypatch.setenv("AZURE_CLIENT_SECRET", secret.value)
    credential = DefaultAzureCredential(**LAB_OPTIONS)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["appid"] == BATCH_APP and claims["idtyp"] == "app"
    assert type(credential._successful_credential).__name__ == "EnvironmentCredential"


def test_azure_client_id_alone_selects_a_user_assigned_identity(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_ID", OPENAI_IDENTITY_CLIENT_ID)  # id-keyless-openai
    assert oid(DefaultAzureCredential(**LAB_OPTIONS)) == OPENAI_IDENTITY_OBJECT_ID


def test_interactive_browser_when_named(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "InteractiveBrowserCredential")
    assert oid(DefaultAzureCredential(**LAB_OPTIONS)) == ADA_OID


def test_without_the_lab_option_msal_would_ask_microsoft_about_the_host(
    emulator: EmulatorServer, tmp_path: Path
) -> None:
    """Why the recipe needs disable_instance_discovery: shown in a child process with its own guard log."""
    log = tmp_path / "violations.log"  # private, so this deliberate attempt does not fail the session
    app = emulator.state.directory.application(BATCH_APP)
    assert app is not None
    env = {
        **os.environ,
        "KEYLESS_LAB_NETGUARD_LOG": str(log),
        "AZURE_TENANT_ID": TENANT,
        "AZURE_CLIENT_ID": BATCH_APP,
        "AZURE_CLIENT_SECRET": app.secrets[0].value,
    }
    code = (
        "from azure.identity import DefaultAzureCredential\n"
        "try:\n"
        "    DefaultAzureCredential(retry_total=0).get_token('https://cognitiveservices.azure.com/.default')\n"
        "except Exception as e:\n"
        "    print(type(e).__name__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert "ClientAuthenticationError" in result.stdout, result.stderr
    assert "login.microsoftonline.com" in log.read_text()
