"""`az ad app credential list / delete / reset --cert` in the lab's `az` stand-in: rotation with the
commands a learner runs on Azure, proven with the real ClientSecretCredential and CertificateCredential."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from az_cli import az
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, ClientSecretCredential

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.crypto.certificates import create_self_signed

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = "813b284c-71c7-4e13-b233-b05203e22cc8"
APP = "fbc1a949-a612-4cdb-bbd4-6d785cf74e2e"
LAB = {"disable_instance_discovery": True}


def test_list_shows_metadata_and_never_a_value(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0
    listed = json.loads(az("ad", "app", "credential", "list", "--id", APP).stdout)
    assert {c["displayName"] for c in listed} == {"lab-secret", "expired-secret"}
    assert all(c["secretText"] is None and len(c["hint"]) == 3 for c in listed)
    values = {s.value for s in fresh_emulator.state.directory.application(APP).secrets}  # type: ignore[union-attr]
    assert not any(value in json.dumps(listed) for value in values)
    certs = json.loads(az("ad", "app", "credential", "list", "--id", APP, "--cert").stdout)
    assert [c["type"] for c in certs] == ["AsymmetricX509Cert"] and certs[0]["usage"] == "Verify"


def test_rotation_add_switch_delete(fresh_emulator: EmulatorServer) -> None:
    assert az("login").returncode == 0
    first = next(s for s in fresh_emulator.state.directory.application(APP).secrets if s.display_name == "lab-secret")  # type: ignore[union-attr]
    added = json.loads(az("ad", "app", "credential", "reset", "--id", APP, "--append", "--display-name", "v2").stdout)
    assert ClientSecretCredential(TENANT, APP, added["password"], **LAB).get_token(SCOPE).token
    deleted = az("ad", "app", "credential", "delete", "--id", APP, "--key-id", first.key_id)
    assert deleted.returncode == 0 and deleted.stdout == "", deleted.stderr
    with pytest.raises(ClientAuthenticationError, match="AADSTS7000215"):
        ClientSecretCredential(TENANT, APP, first.value, **LAB).get_token(SCOPE)
    again = az("ad", "app", "credential", "delete", "--id", APP, "--key-id", first.key_id)
    assert again.returncode == 1 and "No credential with key id" in again.stderr


def test_reset_cert_registers_a_public_certificate(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    assert az("login").returncode == 0
    _, files = create_self_signed(tmp_path, "mine", "CN-for-test")
    with pytest.raises(ClientAuthenticationError, match="AADSTS700027"):
        CertificateCredential(TENANT, APP, certificate_path=str(files.pem_path), **LAB).get_token(SCOPE)
    uploaded = az("ad", "app", "credential", "reset", "--id", APP, "--cert", f"@{files.cer_path}", "--append")
    assert uploaded.returncode == 0, uploaded.stderr
    assert json.loads(uploaded.stdout) == {"appId": APP, "password": None, "tenant": TENANT}
    assert CertificateCredential(TENANT, APP, certificate_path=str(files.pem_path), **LAB).get_token(SCOPE).token
    certs = json.loads(az("ad", "app", "credential", "list", "--id", APP, "--cert").stdout)
    assert len(certs) == 2  # --append kept the lab's certificate
    mine = next(c for c in certs if c["displayName"] == "CN=CN-for-test")
    assert az("ad", "app", "credential", "delete", "--id", APP, "--key-id", mine["keyId"], "--cert").returncode == 0
    with pytest.raises(ClientAuthenticationError, match="The key was not found"):
        CertificateCredential(TENANT, APP, certificate_path=str(files.pem_path), **LAB).get_token(SCOPE)


def test_reset_cert_without_append_replaces_the_certificates(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    assert az("login").returncode == 0
    _, files = create_self_signed(tmp_path, "only", "only")
    assert az("ad", "app", "credential", "reset", "--id", APP, "--cert", f"@{files.cer_path}").returncode == 0
    assert len(fresh_emulator.state.directory.application(APP).certificates) == 1  # type: ignore[union-attr]
    bad = az("ad", "app", "credential", "reset", "--id", APP, "--cert", "not a certificate")
    assert bad.returncode == 1 and "PEM or base64 DER" in bad.stderr
