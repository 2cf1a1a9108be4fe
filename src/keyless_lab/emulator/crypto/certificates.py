"""Lab-only client certificates: a self-signed RSA certificate per registration, written as the
files a learner would have (PEM with key + certificate, password-protected PKCS#12, public .cer).

Entra ID stores only the public certificate of an app's "certificate credential"; the client
proves possession of the private key by signing a `private_key_jwt` assertion whose header names
the certificate by thumbprint (`x5t` = SHA-1, `x5t#S256` = SHA-256, base64url).
"""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID


@dataclass(frozen=True)
class CertificateFiles:
    """Where the lab wrote a certificate's material (lab-only; never commit these)."""

    pem_path: Path  # private key + certificate: CertificateCredential(certificate_path=...)
    pfx_path: Path  # PKCS#12 protected by `pfx_password`
    pfx_password: str
    cer_path: Path  # the public certificate alone: what you upload to the app registration


def thumbprint(cert: x509.Certificate) -> str:
    """The SHA-1 thumbprint in upper-case hex, as the Azure portal shows it."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()


def sha256_thumbprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex().upper()


def b64url_thumbprint(hex_thumbprint: str) -> str:
    """The JWT header form (`x5t`): base64url of the digest bytes, padding stripped."""
    return base64.urlsafe_b64encode(bytes.fromhex(hex_thumbprint)).decode().rstrip("=")


def hex_from_b64url(value: str) -> str | None:
    """`x5t` back to hex; padding-insensitive (MSAL sends '=' padding, others do not)."""
    try:
        raw = base64.urlsafe_b64decode(value.rstrip("=") + "=" * (-len(value.rstrip("=")) % 4))
    except (ValueError, TypeError):
        return None
    return raw.hex().upper() if raw else None


def self_signed_certificate(
    key: rsa.RSAPrivateKey, subject: str, not_before: dt.datetime, not_after: dt.datetime
) -> x509.Certificate:
    """A certificate for `key`, issued by itself to `CN=<subject>`, signed with SHA-256."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .sign(key, hashes.SHA256())
    )


def create_self_signed(
    folder: Path, name: str, subject: str, lifetime_days: int = 365, not_before: dt.datetime | None = None
) -> tuple[x509.Certificate, CertificateFiles]:
    """Generate an RSA-2048 key and a self-signed certificate; write PEM, PFX and CER into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    start = not_before or (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5))
    cert = self_signed_certificate(key, subject, start, start + dt.timedelta(days=lifetime_days))
    password = secrets.token_urlsafe(16)
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    files = CertificateFiles(
        pem_path=folder / f"{name}.pem",
        pfx_path=folder / f"{name}.pfx",
        pfx_password=password,
        cer_path=folder / f"{name}.cer",
    )
    files.pem_path.write_bytes(key_pem + cert_pem)
    files.pfx_path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            name.encode(), key, cert, None, serialization.BestAvailableEncryption(password.encode())
        )
    )
    files.cer_path.write_bytes(cert_pem)
    for path in (files.pem_path, files.pfx_path):
        path.chmod(0o600)
    return cert, files
