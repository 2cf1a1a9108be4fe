"""The client assertion `az login --service-principal --certificate` signs, checked against the shape MSAL
builds (header `x5t` = padded base64url SHA-1 thumbprint; `aud` = token endpoint; `iss` = `sub` =
client id; `exp` = `iat` + 600; no `nbf`).

End to end (the emulator verifying it against a registered certificate) lives with the certificate
grant; here: the header and claims MSAL's shape requires, and a signature the certificate verifies.
"""

from __future__ import annotations

import base64
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import hashes

from keyless_lab.emulator.crypto.certificates import create_self_signed
from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID, CONTOSO_TENANT_ID
from keyless_lab.shims._lab import certificate_assertion

CLIENT = BATCH_APP_CLIENT_ID
TOKEN_URL = f"https://127.0.0.1:1/{CONTOSO_TENANT_ID}/oauth2/v2.0/token"


def test_assertion_has_the_header_and_claims_entra_checks(tmp_path: Path) -> None:
    certificate, files = create_self_signed(tmp_path, "sp", "keyless-lab test", lifetime_days=1)
    assertion = certificate_assertion(str(files.pem_path), CLIENT, TOKEN_URL)  # key and certificate in one PEM
    header = jwt.get_unverified_header(assertion)
    expected_x5t = base64.urlsafe_b64encode(certificate.fingerprint(hashes.SHA1())).decode()
    assert header["alg"] == "RS256" and header["typ"] == "JWT"
    assert header["x5t"] == expected_x5t and header["x5t"].endswith("=")  # padded, as MSAL sends it
    claims = jwt.decode(assertion, certificate.public_key(), algorithms=["RS256"], audience=TOKEN_URL)  # type: ignore[arg-type]
    assert claims["iss"] == claims["sub"] == CLIENT and claims["jti"]
    assert claims["exp"] - claims["iat"] == 600 and "nbf" not in claims
