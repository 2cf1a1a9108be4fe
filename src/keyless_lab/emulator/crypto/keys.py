"""Token-signing keys and the JWKS document that publishes their public halves.

Entra ID signs tokens with RSA keys identified by `kid` and rotates them; the JWKS at the
tenant's `discovery/keys` endpoint lists the public keys only. As Entra's do, each published key
carries `x5c`, a (self-signed) certificate for the key, and its `kid` and `x5t` are that
certificate's SHA-1 thumbprint, base64url-encoded: libraries that verify with the certificate
rather than `n`/`e` work unchanged.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from .certificates import self_signed_certificate

CERTIFICATE_LIFETIME = dt.timedelta(days=5 * 365)  # Entra's signing certificates are long-lived


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _self_signed(key: rsa.RSAPrivateKey) -> bytes:
    """A DER certificate for the signing key (Entra's subject is `CN=accounts.accesscontrol.windows.net`)."""
    now = dt.datetime.now(dt.UTC)
    certificate = self_signed_certificate(
        key, "accounts.accesscontrol.windows.net", now - dt.timedelta(days=1), now + CERTIFICATE_LIFETIME
    )
    return certificate.public_bytes(serialization.Encoding.DER)


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    certificate_der: bytes = field(repr=False, default=b"")

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = _self_signed(key)
        return cls(kid=b64url(hashlib.sha1(der).digest()), private_key=key, certificate_der=der)

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": jwk["n"],
            "e": jwk["e"],
            "x5c": [base64.b64encode(self.certificate_der).decode()],
        }


class KeySet:
    """The current signing key plus the previous ones, which still verify until dropped.

    `generation` changes whenever a key is withdrawn, so caches of verified tokens can tell at
    once that their verifications may no longer hold.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = [SigningKey.generate()]
        self.generation = 0

    @property
    def current(self) -> SigningKey:
        return self._keys[0]

    def public_key(self, kid: str) -> rsa.RSAPublicKey | None:
        for key in self._keys:
            if key.kid == kid:
                return key.private_key.public_key()
        return None

    def rotate(self, keep_previous: bool = True) -> SigningKey:
        """Sign new tokens with a fresh key; old tokens keep verifying unless `keep_previous` is False."""
        new = SigningKey.generate()
        with self._lock:
            self._keys = [new, *self._keys] if keep_previous else [new]
            if not keep_previous:
                self.generation += 1
        return new

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self._keys]}
