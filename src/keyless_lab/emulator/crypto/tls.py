"""A lab certificate authority, a loopback server certificate, and the combined trust bundle.

azure-identity refuses a non-https authority, so the emulator serves Entra ID and Azure OpenAI
over TLS with a certificate from a CA made for this lab run. Clients trust it through one bundle
(the CAs the machine already trusts + the lab CA) exported as both REQUESTS_CA_BUNDLE (azure-core)
and SSL_CERT_FILE (openai's HTTP client).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

import certifi
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

LOOPBACK_NAMES = ("localhost",)
LOOPBACK_IPS = ("127.0.0.1", "::1")


@dataclass(frozen=True)
class TlsFiles:
    ca_cert: Path
    server_cert: Path
    server_key: Path
    bundle: Path


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "keyless-lab (local, lab-only)"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def existing_trust() -> str:
    """The CAs this machine already trusts for Python HTTP clients (kept in the combined bundle)."""
    for var in ("REQUESTS_CA_BUNDLE", "SSL_CERT_FILE"):
        path = os.environ.get(var, "")
        if path and Path(path).is_file() and "keyless-lab" not in path:
            return Path(path).read_text()
    return Path(certifi.where()).read_text()


def create_tls_files(folder: Path) -> TlsFiles:
    """Write a fresh CA, a server certificate for loopback, and the combined bundle into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("keyless-lab local CA"))
        .issuer_name(_name("keyless-lab local CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    server_key = ec.generate_private_key(ec.SECP256R1())
    sans = [x509.DNSName(n) for n in LOOPBACK_NAMES] + [x509.IPAddress(ipaddress.ip_address(ip)) for ip in LOOPBACK_IPS]
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca_cert.subject)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    files = TlsFiles(
        ca_cert=folder / "keyless-lab-ca.pem",
        server_cert=folder / "server.pem",
        server_key=folder / "server-key.pem",
        bundle=folder / "keyless-lab-ca-bundle.pem",
    )
    files.ca_cert.write_bytes(_pem(ca_cert))
    files.server_cert.write_bytes(_pem(server_cert))
    files.server_key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    files.server_key.chmod(0o600)
    files.bundle.write_text(existing_trust().rstrip() + "\n\n# keyless-lab local CA\n" + _pem(ca_cert).decode())
    return files
