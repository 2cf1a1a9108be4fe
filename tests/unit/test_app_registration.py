"""The emulator-only app registration helpers: files a learner would write, refused in azure mode."""

from __future__ import annotations

import stat
import time
from pathlib import Path

import pytest
from cryptography import x509
from dotenv import dotenv_values

from keyless_lab import LabConfigurationError, start_lab
from keyless_lab.app_registration import add_expired_certificate, lab_secret, write_service_principal_env
from keyless_lab.emulator.crypto.certificates import thumbprint


def test_env_file_holds_the_three_variables_privately(tmp_path: Path) -> None:
    with start_lab(quiet=True) as lab:
        path = write_service_principal_env(lab, tmp_path)
        values = dotenv_values(path)
        app = lab.principal("app-keyless-batch")
        assert values["AZURE_CLIENT_ID"] == app["client_id"] and values["AZURE_TENANT_ID"] == app["tenant"]
        assert values["AZURE_CLIENT_SECRET"] == lab_secret(lab, "app-keyless-batch", "lab-secret")
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert str(lab_secret(lab, "app-keyless-batch", "lab-secret")) not in repr(
            lab_secret(lab, "app-keyless-batch", "lab-secret")
        )
        with pytest.raises(LabConfigurationError, match="no secret named"):
            lab_secret(lab, "app-keyless-batch", "nope")


def test_expired_certificate_is_registered_and_expired() -> None:
    with start_lab(quiet=True) as lab:
        pem = add_expired_certificate(lab)
        cert = x509.load_pem_x509_certificate(pem.read_bytes())
        assert cert.not_valid_after_utc.timestamp() < time.time()
        app = lab.server.state.directory.application(lab.principal("app-keyless-batch")["client_id"])  # type: ignore[union-attr]
        assert thumbprint(cert) in {c.thumbprint for c in app.certificates}  # type: ignore[union-attr]


def test_azure_mode_refuses(tmp_path: Path) -> None:
    lab = start_lab(mode="azure", endpoint="https://res.openai.azure.com", deployment="gpt-4o", quiet=True)
    with pytest.raises(LabConfigurationError, match="emulator-only"):
        write_service_principal_env(lab, tmp_path)
    assert not (tmp_path / ".env").exists()
