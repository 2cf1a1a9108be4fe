"""The client assertion `az login --service-principal --certificate` signs, checked against the shape MSAL
builds (header `x5t` = padded base64url SHA-1 thumbprint; `aud` = token endpoint; `iss` = `sub` =
client id; `exp` = `iat` + 600; no `nbf`).

End to end (the emulator verifying it against a registered certificate) lives with the certificate
grant; here: the header and claims MSAL's shape requires, and a signature the certificate verifies.
"""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID, CONTOSO_TENANT_ID
from keyless_lab.shims._lab import certificate_assertion

CLIENT = BATCH_APP_CLIENT_ID
TOKEN_URL = f"https://127.0.0.1:1/{CONTOSO_TENANT_ID}/oauth2/v2.0/token"


def pem_with_key_and_certificate(path: Path) -> x509.Certificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "keyless-lab test")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        + certificate.public_bytes(serialization.Encoding.PEM)
    )
    return certificate


def test_assertion_has_the_header_and_claims_entra_checks(tmp_path: Path) -> None:
    certificate = pem_with_key_and_certificate(tmp_path / "sp.pem")
    assertion = certificate_assertion(str(tmp_path / "sp.pem"), CLIENT, TOKEN_URL)
    header = jwt.get_unverified_header(assertion)
    expected_x5t = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())).decode()
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert header["x5t"] == expected_x5t and header["x5t"].endswith("=")  # padded, as MSAL sends it
    claims = jwt.decode(assertion, certificate.public_key(), algorithms=["RS256"], audience=TOKEN_URL)  # type: ignore[arg-type]
    assert claims["iss"] == claims["sub"] == CLIENT and claims["jti"]
    assert claims["exp"] - claims["iat"] == 600 and "nbf" not in claims
