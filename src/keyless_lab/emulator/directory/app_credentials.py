"""Credentials an app registration (or a user-assigned identity) can hold besides client secrets:
certificate credentials and federated identity credentials, as Entra ID models them."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509

from ..crypto.certificates import CertificateFiles, sha256_thumbprint, thumbprint

DEFAULT_FEDERATION_AUDIENCE = "api://AzureADTokenExchange"


@dataclass(frozen=True)
class RegisteredCertificate:
    """A certificate credential on an app: Entra keeps the public certificate, found by thumbprint."""

    key_id: str
    display_name: str
    certificate: x509.Certificate
    files: CertificateFiles | None = None  # lab-only private material, when the lab generated it

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.certificate)

    @property
    def sha256_thumbprint(self) -> str:
        return sha256_thumbprint(self.certificate)

    @property
    def not_before(self) -> float:
        return self.certificate.not_valid_before_utc.timestamp()

    @property
    def expires_at(self) -> float:
        return self.certificate.not_valid_after_utc.timestamp()


@dataclass(frozen=True)
class FederatedCredential:
    """A federated identity credential: trust tokens from `issuer` about `subject` for `audiences`.

    Entra compares all three exactly and case-sensitively with the presented token's claims.
    """

    name: str
    issuer: str
    subject: str
    audiences: tuple[str, ...] = (DEFAULT_FEDERATION_AUDIENCE,)
    description: str = ""
