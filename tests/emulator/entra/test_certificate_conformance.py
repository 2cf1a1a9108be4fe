"""The real CertificateCredential (PEM and password-protected PKCS#12) against the emulated token
endpoint, and the `private_key_jwt` checks Entra makes, shown with hand-made assertions."""

from __future__ import annotations

import base64
import ssl
import time
import uuid
from pathlib import Path

import httpx
import jwt
import msal
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CertificateCredential, EnvironmentCredential
from chat_client import chat_reply
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.crypto.certificates import create_self_signed
from keyless_lab.emulator.directory import RegisteredCertificate
from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID, CONTOSO_TENANT_ID

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
APP = BATCH_APP_CLIENT_ID
LAB = {"disable_instance_discovery": True}


def lab_cert(server: EmulatorServer) -> RegisteredCertificate:
    app = server.state.directory.application(APP)
    assert app is not None and app.certificates
    return app.certificates[0]


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def test_pem_certificate_gets_a_token(emulator: EmulatorServer) -> None:
    cert = lab_cert(emulator)
    assert cert.files is not None
    token = CertificateCredential(TENANT, APP, certificate_path=str(cert.files.pem_path), **LAB).get_token(SCOPE)
    claims = claims_of(token.token)
    assert claims["appid"] == APP
    assert claims["appidacr"] == "2"
    assert claims["idtyp"] == "app"


def test_password_protected_pfx_gets_a_token(emulator: EmulatorServer) -> None:
    files = lab_cert(emulator).files
    assert files is not None
    credential = CertificateCredential(
        TENANT, APP, certificate_path=str(files.pfx_path), password=files.pfx_password, **LAB
    )
    assert claims_of(credential.get_token(SCOPE).token)["appidacr"] == "2"


def test_pfx_with_a_wrong_password_fails_before_any_request(emulator: EmulatorServer) -> None:
    files = lab_cert(emulator).files
    assert files is not None
    with pytest.raises(ValueError):
        CertificateCredential(TENANT, APP, certificate_path=str(files.pfx_path), password="wrong", **LAB)


def test_certificate_chain_x5c_is_accepted(emulator: EmulatorServer) -> None:
    files = lab_cert(emulator).files
    assert files is not None
    credential = CertificateCredential(
        TENANT, APP, certificate_path=str(files.pem_path), send_certificate_chain=True, **LAB
    )
    assert credential.get_token(SCOPE).token


def test_environment_credential_with_a_certificate_calls_azure_openai(emulator: EmulatorServer, monkeypatch) -> None:
    files = lab_cert(emulator).files
    assert files is not None
    monkeypatch.setenv("AZURE_TENANT_ID", TENANT)
    monkeypatch.setenv("AZURE_CLIENT_ID", APP)
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PATH", str(files.pfx_path))
    monkeypatch.setenv("AZURE_CLIENT_CERTIFICATE_PASSWORD", files.pfx_password)
    assert "certificate or federated credential" in chat_reply(EnvironmentCredential(**LAB), emulator)


def test_unregistered_certificate_is_aadsts700027(emulator: EmulatorServer, tmp_path: Path) -> None:
    cert, files = create_self_signed(tmp_path, "rogue", "not registered")
    with pytest.raises(ClientAuthenticationError) as caught:
        CertificateCredential(TENANT, APP, certificate_path=str(files.pem_path), **LAB).get_token(SCOPE)
    thumb = cert.fingerprint(hashes.SHA1()).hex().upper()
    assert "AADSTS700027: Client assertion contains an invalid signature. [Reason - The key was not found." in str(
        caught.value
    )
    assert f"Thumbprint of key used by client: '{thumb}'" in str(caught.value)


def test_added_certificate_works_and_expired_one_does_not(fresh_emulator: EmulatorServer) -> None:
    directory = fresh_emulator.state.directory
    added = directory.add_certificate("app-keyless-batch", "second")
    assert added.files is not None and added.files.pem_path.is_file() and added.files.pfx_path.is_file()
    assert CertificateCredential(TENANT, APP, certificate_path=str(added.files.pem_path), **LAB).get_token(SCOPE)

    old = directory.add_certificate("app-keyless-batch", "old", expires_in_days=-1)
    assert old.files is not None
    with pytest.raises(ClientAuthenticationError, match=r"AADSTS700027.*The key used is expired"):
        CertificateCredential(TENANT, APP, certificate_path=str(old.files.pem_path), **LAB).get_token(SCOPE)


def test_directory_description_lists_certificate_paths(emulator: EmulatorServer) -> None:
    app = next(a for a in emulator.state.directory.describe()["applications"] if a["client_id"] == APP)
    cert = app["certificates"][0]
    assert cert["thumbprint"] == lab_cert(emulator).thumbprint
    assert Path(cert["pem_path"]).is_file() and Path(cert["pfx_path"]).is_file() and cert["pfx_password"]
    assert str(emulator.state_dir) in cert["pem_path"]


# -- hand-made assertions: what exactly Entra checks ---------------------------------------------
def _x5t(cert: x509.Certificate, padded: bool = True) -> str:
    value = base64.urlsafe_b64encode(cert.fingerprint(hashes.SHA1())).decode()
    return value if padded else value.rstrip("=")


def _post(server: EmulatorServer, assertion: str) -> httpx.Response:
    return httpx.post(
        f"{server.urls.authority_host}/{TENANT}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": APP,
            "scope": SCOPE,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
        verify=ssl.create_default_context(cafile=str(server.tls.bundle)),
    )


def _assertion(
    server: EmulatorServer,
    key_pem: Path,
    cert: x509.Certificate,
    *,
    padded: bool = True,
    x5c: x509.Certificate | None = None,
    **overrides,
) -> str:
    """A client assertion as MSAL makes it, signed with `key_pem`, naming `cert` (and `x5c`, if given);
    `overrides` replace claims."""
    now = time.time()
    claims = {
        "aud": f"{server.urls.authority_host}/{TENANT}/oauth2/v2.0/token",
        "iss": APP,
        "sub": APP,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
    }
    header: dict[str, object] = {"x5t": _x5t(cert, padded)}
    if x5c is not None:
        header["x5c"] = [base64.b64encode(x5c.public_bytes(serialization.Encoding.DER)).decode()]
    claims.update(overrides)
    key = serialization.load_pem_private_key(key_pem.read_bytes(), None)
    return jwt.encode(claims, key, algorithm="RS256", headers=header)  # type: ignore[arg-type]


@pytest.mark.parametrize("padded", [True, False], ids=["x5t-padded", "x5t-unpadded"])
def test_thumbprint_padding_does_not_matter_and_a_jti_may_repeat(emulator: EmulatorServer, padded: bool) -> None:
    registered = lab_cert(emulator)
    assert registered.files is not None
    assertion = _assertion(emulator, registered.files.pem_path, registered.certificate, padded=padded)
    assert _post(emulator, assertion).status_code == 200
    assert _post(emulator, assertion).status_code == 200  # MSAL reuses an assertion for up to ten minutes


def test_signature_by_another_key_is_aadsts700027(emulator: EmulatorServer, tmp_path: Path) -> None:
    _, rogue = create_self_signed(tmp_path, "rogue", "rogue")
    assertion = _assertion(emulator, rogue.pem_path, lab_cert(emulator).certificate)
    response = _post(emulator, assertion)
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
    assert "Key was found, but use of the key to verify the signature failed." in response.json()["error_description"]


@pytest.mark.parametrize(
    ("overrides", "status", "code"),
    [
        ({"aud": "https://login.microsoftonline.com/common/oauth2/v2.0/token"}, 401, 700023),
        ({"sub": "someone-else"}, 401, 50048),
        ({"exp": time.time() - 60}, 401, 700024),
        ({"nbf": time.time() + 3600}, 401, 700024),
    ],
    ids=["wrong-aud", "sub-not-iss", "expired", "not-yet-valid"],
)
def test_assertion_claims_are_checked(emulator: EmulatorServer, overrides: dict, status: int, code: int) -> None:
    registered = lab_cert(emulator)
    assert registered.files is not None
    response = _post(emulator, _assertion(emulator, registered.files.pem_path, registered.certificate, **overrides))
    assert response.status_code == status
    assert response.json()["error_codes"] == [code]


def test_wrong_audience_has_current_entra_wording(emulator: EmulatorServer) -> None:
    registered = lab_cert(emulator)
    assert registered.files is not None
    wrong = {"aud": "https://login.microsoftonline.com/common/oauth2/v2.0/token"}
    response = _post(emulator, _assertion(emulator, registered.files.pem_path, registered.certificate, **wrong))
    assert response.json()["error"] == "invalid_client"
    assert response.json()["error_description"].startswith(
        "AADSTS700023: Client assertion audience claim does not match Realm issuer. Review the documentation at "
        "https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials ."
    )


def test_msal_with_a_pfx_path_signs_ps256_with_a_sha256_thumbprint(emulator: EmulatorServer) -> None:
    files = lab_cert(emulator).files
    assert files is not None
    app = msal.ConfidentialClientApplication(
        APP,
        client_credential={"private_key_pfx_path": str(files.pfx_path), "passphrase": files.pfx_password},
        authority=f"{emulator.urls.authority_host}/{TENANT}",
        instance_discovery=False,
    )
    result = app.acquire_token_for_client([SCOPE])
    assert "access_token" in result, result
    assert claims_of(result["access_token"])["appidacr"] == "2"


def test_removed_certificate_no_longer_authenticates(fresh_emulator: EmulatorServer) -> None:
    directory = fresh_emulator.state.directory
    added = directory.add_certificate("app-keyless-batch", "short-lived")
    assert added.files is not None
    assert directory.remove_certificate("app-keyless-batch", added.thumbprint) == 1
    with pytest.raises(ClientAuthenticationError, match="The key was not found"):
        CertificateCredential(TENANT, APP, certificate_path=str(added.files.pem_path), **LAB).get_token(SCOPE)


def test_x5c_naming_another_certificate_is_aadsts700027(emulator: EmulatorServer, tmp_path: Path) -> None:
    registered = lab_cert(emulator)
    assert registered.files is not None
    other, _ = create_self_signed(tmp_path, "other", "other")
    response = _post(emulator, _assertion(emulator, registered.files.pem_path, registered.certificate, x5c=other))
    assert response.status_code == 401
    assert response.json()["error_codes"] == [700027]
