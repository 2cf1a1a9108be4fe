"""The chain table is read from azure-identity, and the log says who answered."""

from __future__ import annotations

import logging
import os

import jwt
import pytest
from azure.identity import ChainedTokenCredential, DefaultAzureCredential

from keyless_lab.credential_chain import (
    attempts_table,
    chain,
    exclude_keywords,
    identity_log,
    names,
    principal_label,
    token_credentials_values,
    who_answers,
)
from keyless_lab.emulator import EmulatorServer

LAB_OPTIONS = {"disable_instance_discovery": True}


def test_chain_matches_what_default_azure_credential_builds(emulator: EmulatorServer) -> None:
    entries = chain(LAB_OPTIONS)
    built = names(DefaultAzureCredential(**LAB_OPTIONS))
    assert [e.name for e in entries if e.in_default] == built
    assert [e.name for e in entries][:3] == [
        "EnvironmentCredential",
        "WorkloadIdentityCredential",
        "ManagedIdentityCredential",
    ]
    by_name = {e.name: e for e in entries}
    assert by_name["AzureCliCredential"].excluded_by == "exclude_cli_credential"
    assert by_name["InteractiveBrowserCredential"].in_default is False
    assert by_name["ManagedIdentityCredential"].groups == ("prod",)
    assert by_name["SharedTokenCacheCredential"].by_name is False  # no AZURE_TOKEN_CREDENTIALS name
    assert all(e.excluded_by for e in entries), "every credential has its exclude_* keyword"


def test_library_lists_are_read_not_typed() -> None:
    assert "exclude_managed_identity_credential" in exclude_keywords()
    values = token_credentials_values()
    assert values[:2] == ["dev", "prod"] and "azureclicredential" in values
    assert "AZURE_TOKEN_CREDENTIALS" not in os.environ


def test_who_answers_reads_the_log(emulator: EmulatorServer) -> None:
    result = who_answers(DefaultAzureCredential(**LAB_OPTIONS))
    assert result.answered == "ManagedIdentityCredential"
    assert result.principal == "managed identity vm-keyless-lab"


def test_who_answers_names_where_the_chain_stopped(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_TENANT_ID", "813b284c-71c7-4e13-b233-b05203e22cc8")
    monkeypatch.setenv("AZURE_CLIENT_ID", "fbc1a949-a612-4cdb-bbd4-6d785cf74e2e")
    monkeypatch.setenv("AZURE_CLIENT_SECRET", "not-the-secret")
    result = who_answers(DefaultAzureCredential(**LAB_OPTIONS))
    assert (result.answered, result.stopped_at, result.reason) == (None, "EnvironmentCredential", "AADSTS7000215")
    assert str(result).startswith("no token, stopped at EnvironmentCredential")


def test_attempts_table_has_one_row_per_attempt(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AZURE_TOKEN_CREDENTIALS", "prod")
    credential = DefaultAzureCredential(exclude_managed_identity_credential=True, **LAB_OPTIONS)
    with identity_log(), pytest.raises(Exception) as caught:
        credential.get_token("https://cognitiveservices.azure.com/.default")
    table = attempts_table(caught.value)
    assert [row[0] for row in table.rows] == ["EnvironmentCredential", "WorkloadIdentityCredential"]


def test_identity_log_collects_and_restores(emulator: EmulatorServer) -> None:
    logger = logging.getLogger("azure.identity")
    before = (logger.level, logger.propagate, list(logger.handlers))
    with identity_log() as log:
        ChainedTokenCredential(DefaultAzureCredential(**LAB_OPTIONS)).get_token(
            "https://cognitiveservices.azure.com/.default"
        )
    assert log.answered == "DefaultAzureCredential"  # the outer chain's line comes last
    assert any("acquired a token from ManagedIdentityCredential" in line for line in log.lines)
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


@pytest.mark.parametrize(
    ("claims", "label"),
    [
        ({"upn": "ada@contoso"}, "user ada@contoso"),
        ({"xms_mirid": "/subscriptions/s/.../userAssignedIdentities/id-x", "appid": "a"}, "managed identity id-x"),
        ({"appid": "1234"}, "app 1234"),
    ],
)
def test_principal_label(claims: dict, label: str) -> None:
    assert principal_label(jwt.encode(claims, "k" * 32, algorithm="HS256")) == label
