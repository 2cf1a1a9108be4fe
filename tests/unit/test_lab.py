"""start_lab: what it sets, what it refuses, what it restores."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from dotenv import dotenv_values

from keyless_lab import LabConfigurationError, start_lab
from keyless_lab.emulator import server as server_module
from keyless_lab.emulator.lab.environment import UNSET_IN_EMULATOR_MODE


def test_emulator_mode_points_the_environment_at_the_emulator_and_restores_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AZURE_CLIENT_ID", "learner-shell-value")
    monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    with start_lab() as lab:
        assert capsys.readouterr().out.startswith("Lab ready (emulator mode)")
        assert lab.is_emulated and lab.deployment == "gpt-4o-mini"
        assert os.environ["AZURE_AUTHORITY_HOST"].startswith("https://127.0.0.1:")
        assert os.environ["AZURE_POD_IDENTITY_AUTHORITY_HOST"].startswith("http://127.0.0.1:")
        assert os.environ["REQUESTS_CA_BUNDLE"] == os.environ["SSL_CERT_FILE"]
        assert "AZURE_CLIENT_ID" not in os.environ  # would steer credentials to another identity
        assert lab.credential_options == {"disable_instance_discovery": True}
        assert all(name not in os.environ for name in UNSET_IN_EMULATOR_MODE)
    assert os.environ["AZURE_CLIENT_ID"] == "learner-shell-value"
    assert "AZURE_AUTHORITY_HOST" not in os.environ


def test_unknown_deployment_in_emulator_mode_lists_what_exists() -> None:
    with pytest.raises(LabConfigurationError, match="the lab has: gpt-4o-mini"):
        start_lab(deployment="gpt-99")


def test_azure_mode_starts_nothing_and_offers_no_emulator_controls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    lab = start_lab(mode="azure", endpoint="https://res.openai.azure.com", deployment="gpt-4o", quiet=True)
    assert not lab.is_emulated and lab.endpoint == "https://res.openai.azure.com/"
    assert lab.credential_options == {}
    assert "AZURE_AUTHORITY_HOST" not in os.environ
    with pytest.raises(LabConfigurationError, match="emulator-only"):
        lab.audit_table()
    lab.close()


def test_rerunning_start_lab_replaces_the_previous_emulator() -> None:
    first = start_lab(quiet=True)
    first_endpoint = first.endpoint
    second = start_lab(quiet=True)
    assert first.server is None, "the first lab was closed"
    assert second.endpoint != first_endpoint
    second.close()


def test_key_helpers_write_a_private_env_file_and_rotate(tmp_path: Path) -> None:
    with start_lab(quiet=True) as lab:
        key1 = lab.api_key("key1")
        assert str(key1) not in repr(key1), "keys are masked in repr"
        env_file = lab.write_key_env_file(tmp_path)
        assert env_file.stat().st_mode & 0o077 == 0, "only the owner may read the .env"
        assert dotenv_values(env_file) == {"AZURE_OPENAI_ENDPOINT": lab.endpoint, "AZURE_OPENAI_API_KEY": key1}
        lab.regenerate_key("key1")
        assert lab.api_key("key1") != key1 and lab.api_key("key2")
        lab.set_local_auth(False)
        assert lab.directory["openai"]["disable_local_auth"] is True


def test_run_as_app_service_sets_the_platform_variables_until_close() -> None:
    with start_lab(quiet=True) as lab:
        lab.run_as_app_service()
        assert os.environ["IDENTITY_ENDPOINT"].endswith("/msi/token") and os.environ["IDENTITY_HEADER"]
    assert "IDENTITY_ENDPOINT" not in os.environ and "IDENTITY_HEADER" not in os.environ


def test_azure_mode_reads_the_named_env_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_DEPLOYMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    env_file = tmp_path / "elsewhere" / "azure.env"
    env_file.parent.mkdir()
    env_file.write_text("AZURE_OPENAI_ENDPOINT=https://res.openai.azure.com\nAZURE_OPENAI_DEPLOYMENT=gpt-4o\n")
    lab = start_lab(mode="azure", env_file=str(env_file), quiet=True)
    assert (lab.endpoint, lab.deployment) == ("https://res.openai.azure.com/", "gpt-4o")
    lab.close()


def test_azure_mode_stops_on_a_blank_required_parameter_before_anything_runs() -> None:
    with pytest.raises(LabConfigurationError, match="needs identity_client_id"):
        start_lab(
            mode="azure",
            endpoint="https://res.openai.azure.com",
            deployment="gpt-4o",
            required={"identity_client_id": ""},
            quiet=True,
        )


def test_emulator_mode_ignores_blank_required_parameters() -> None:
    with start_lab(required={"identity_client_id": ""}, quiet=True) as lab:
        assert lab.is_emulated


def test_a_failed_restart_keeps_the_working_lab(monkeypatch: pytest.MonkeyPatch) -> None:
    first = start_lab(quiet=True)
    try:
        environment = dict(os.environ)

        def port_clash() -> None:
            raise OSError(errno.EADDRINUSE, "Address already in use")

        monkeypatch.setattr(server_module, "_bind_loopback", port_clash)
        with pytest.raises(LabConfigurationError) as failure:
            start_lab(quiet=True)
        message = str(failure.value)
        assert "Address already in use" in message and "\n" not in message
        assert "previous lab" in message
        assert first.server is not None and first.server.running, "the working lab was kept"
        assert dict(os.environ) == environment, "its environment too"
        monkeypatch.undo()
        with pytest.raises(LabConfigurationError, match="the lab has: gpt-4o-mini"):
            start_lab(deployment="gpt-99", quiet=True)
        assert first.server is not None and first.server.running, "a refused deployment keeps it as well"
    finally:
        first.close()


def test_environment_table_can_show_only_the_named_variables() -> None:
    with start_lab(quiet=True) as lab:
        everything = [row[0] for row in lab.environment_table().rows]
        some = lab.environment_table(names=("SSL_CERT_FILE", "AZURE_AUTHORITY_HOST", "NOT_SET_BY_THE_LAB"))
        assert [row[0] for row in some.rows] == [
            n for n in everything if n in ("SSL_CERT_FILE", "AZURE_AUTHORITY_HOST")
        ]
        assert len(everything) > len(some.rows) == 2 and all(row[1] for row in some.rows)


def test_run_as_aks_pod_and_github_job_set_the_platform_variables_and_close_restores_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AZURE_FEDERATED_TOKEN_FILE", raising=False)
    with start_lab(quiet=True) as lab:
        pod = lab.run_as_aks_pod("keyless", "chat-app", "26077e4e-b349-41d0-8d65-6a9ea39c8d7f")
        assert Path(os.environ["AZURE_FEDERATED_TOKEN_FILE"]) == Path(pod["AZURE_FEDERATED_TOKEN_FILE"])
        assert os.environ["AZURE_CLIENT_ID"] == "26077e4e-b349-41d0-8d65-6a9ea39c8d7f"
        job = lab.run_as_github_job("contoso/keyless-lab", environment="prod")
        assert os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"] == job["ACTIONS_ID_TOKEN_REQUEST_URL"]
    assert "AZURE_FEDERATED_TOKEN_FILE" not in os.environ and "ACTIONS_ID_TOKEN_REQUEST_URL" not in os.environ
