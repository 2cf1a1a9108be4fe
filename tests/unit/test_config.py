from __future__ import annotations

from pathlib import Path

import pytest

from keyless_lab.config import (
    DEFAULT_API_VERSION,
    LabConfigurationError,
    Secret,
    check_required_parameters,
    instance_discovery_options,
    mask,
    resolve_settings,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT", "OPENAI_API_VERSION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env from the project


def test_emulator_mode_needs_nothing() -> None:
    settings = resolve_settings("emulator")
    assert settings.is_emulated and settings.api_version == DEFAULT_API_VERSION


def test_unknown_mode_is_one_clear_error() -> None:
    with pytest.raises(LabConfigurationError, match="mode must be one of emulator, azure"):
        resolve_settings("production")


def test_azure_mode_without_endpoint_says_what_to_pass() -> None:
    with pytest.raises(LabConfigurationError) as caught:
        resolve_settings("azure", deployment="gpt-4o")
    assert "-p endpoint https://<resource>.openai.azure.com/" in str(caught.value)
    assert caught.value._render_traceback_() == [f"LabConfigurationError: {caught.value}"]


def test_azure_mode_without_deployment_says_what_to_pass() -> None:
    with pytest.raises(LabConfigurationError, match="-p deployment"):
        resolve_settings("azure", endpoint="https://res.openai.azure.com/")


def test_azure_mode_rejects_http_and_paths() -> None:
    with pytest.raises(LabConfigurationError, match="not an https URL"):
        resolve_settings("azure", endpoint="http://res.openai.azure.com", deployment="d")
    with pytest.raises(LabConfigurationError, match="has a path"):
        resolve_settings("azure", endpoint="https://res.openai.azure.com/openai/v1/", deployment="d")


def test_azure_mode_reads_environment_then_dotenv(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "AZURE_OPENAI_ENDPOINT=https://from-dotenv.openai.azure.com\nAZURE_OPENAI_DEPLOYMENT=dotenv-dep\n"
    )
    settings = resolve_settings("azure")
    assert settings.endpoint == "https://from-dotenv.openai.azure.com/"
    assert settings.deployment == "dotenv-dep"
    monkeypatch.setenv("AZURE_OPENAI_DEPLOYMENT", "env-dep")
    assert resolve_settings("azure").deployment == "env-dep"
    assert resolve_settings("azure", deployment="param-dep").deployment == "param-dep"


def test_secrets_are_masked_in_repr() -> None:
    secret = Secret("abc8Q~supersecretvalue1234567890")
    assert "supersecret" not in repr(secret)
    assert repr(secret).startswith("Secret('abc…")
    assert secret == "abc8Q~supersecretvalue1234567890"
    assert mask("") == "(not set)"
    assert mask("0123456789abcdef", keep=0) == "set (16 characters, masked)"


def test_required_parameters_pass_when_all_are_set() -> None:
    check_required_parameters({"identity_client_id": "2bafc011", "no_role_resource_id": "/subscriptions/x"})


def test_blank_required_parameters_are_named_in_one_line() -> None:
    with pytest.raises(LabConfigurationError) as caught:
        check_required_parameters({"identity_client_id": "", "tenant_id": "t", "no_role_resource_id": "  "})
    message = str(caught.value)
    assert "needs identity_client_id and no_role_resource_id" in message
    assert "`-p identity_client_id <value> -p no_role_resource_id <value>`" in message
    assert "tenant_id" not in message and "\n" not in message


@pytest.mark.parametrize(
    ("host", "options"),
    [
        ("https://127.0.0.1:4443", {"disable_instance_discovery": True}),
        ("https://azurestack.contoso.example", {"disable_instance_discovery": True}),
        ("https://login.microsoftonline.com", {}),
        ("https://login.microsoftonline.us", {}),
        ("", {}),
    ],
)
def test_instance_discovery_is_skipped_only_for_an_authority_msal_does_not_know(
    monkeypatch: pytest.MonkeyPatch, host: str, options: dict[str, bool]
) -> None:
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", host)
    assert instance_discovery_options() == options
