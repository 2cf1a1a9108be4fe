"""Token-signing keys and the JWKS document that publishes their public halves.

Entra ID signs tokens with RSA keys identified by `kid` and rotates them; the JWKS at the
tenant's `discovery/keys` endpoint lists the public keys only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    @classmethod
    def generate(cls) -> SigningKey:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        return cls(kid=b64url(hashlib.sha1(der).digest()), private_key=key)

    def public_jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        return {"kty": "RSA", "use": "sig", "kid": self.kid, "x5t": self.kid, "n": jwk["n"], "e": jwk["e"]}


class KeySet:
    """The current signing key plus the previous ones, which still verify until dropped."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: list[SigningKey] = [SigningKey.generate()]

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
        return new

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self._keys]}
