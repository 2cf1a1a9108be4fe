"""Minting and validating access tokens the way Microsoft Entra ID and Azure OpenAI do.

Tokens for a v1 resource such as Azure OpenAI (`https://cognitiveservices.azure.com`) carry
`iss = https://sts.windows.net/{tenant}/` and `ver = 1.0`, whichever endpoint issued them.
Validation checks the RS256 signature by `kid`, the audience, the issuer, `nbf`/`exp`, and
reports the tenant so the caller can compare it with the resource's. Verified signatures are
cached by token (time claims are still checked on every call), which keeps bearer
authentication close to the cost of an api-key lookup.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from ..clock import Clock, TokenPolicy
from ..directory import Principal, User
from .keys import KeySet

COGNITIVE_SERVICES = "https://cognitiveservices.azure.com"
# Audiences Azure OpenAI accepts: the Cognitive Services resource URI (with or without the
# trailing slash), its application id, and the Azure AI resource URI.
OPENAI_AUDIENCES = (
    COGNITIVE_SERVICES,
    COGNITIVE_SERVICES + "/",
    "7d312290-28c8-473c-a0ed-8e53749b6d6d",
    "https://ai.azure.com",
)
# Resources a token can be requested for in the lab (others do not exist in the tenant).
KNOWN_RESOURCES = (*OPENAI_AUDIENCES, "https://management.azure.com", "https://management.azure.com/")


def v1_issuer(tenant_id: str) -> str:
    return f"https://sts.windows.net/{tenant_id}/"


def v2_issuer(tenant_id: str) -> str:
    return f"https://login.microsoftonline.com/{tenant_id}/v2.0"


def mirid(resource_id: str) -> str:
    """The `xms_mirid` claim: the identity's ARM id as real tokens spell it, with the
    `resourcegroups` segment in lower case (ARM itself writes `resourceGroups`)."""
    head, sep, tail = resource_id.partition("/resourceGroups/")
    return f"{head}/resourcegroups/{tail}" if sep else resource_id


def _opaque(*parts: str) -> str:
    """A stable, opaque value derived from its inputs (for claims such as `uti` and `aio`)."""
    return base64.urlsafe_b64encode(hashlib.sha256("|".join(parts).encode()).digest()[:16]).rstrip(b"=").decode()


@dataclass(frozen=True)
class IssuedToken:
    token: str
    issued_at: int
    expires_at: int
    resource: str

    @property
    def expires_in(self) -> int:
        return self.expires_at - self.issued_at


class TokenIssuer:
    """Signs access tokens with the emulator's current key."""

    def __init__(self, keys: KeySet, clock: Clock) -> None:
        self.keys = keys
        self.clock = clock

    def managed_identity_token(self, principal: Principal, resource: str, lifetime: int) -> IssuedToken:
        """A v1 app-only token for a managed identity, as IMDS and App Service return it."""
        claims = self._app_claims(principal, resource, lifetime)
        claims.update(appidacr="2", xms_mirid=mirid(principal.resource_id))
        return self._sign(claims, resource)

    def application_token(self, principal: Principal, resource: str, lifetime: int, client_auth: str) -> IssuedToken:
        """A v1 app-only token for a service principal; `appidacr` says how the client authenticated:
        "1" for a client secret, "2" for a certificate or a federated assertion."""
        claims = self._app_claims(principal, resource, lifetime)
        claims["appidacr"] = client_auth
        return self._sign(claims, resource)

    def user_token(
        self, user: User, client_id: str, resource: str, lifetime: int, amr: tuple[str, ...] = ("pwd",)
    ) -> IssuedToken:
        """A v1 delegated token: a public client (`appid`) acting for a signed-in user (`scp`)."""
        now = int(self.clock.now())
        issuer = v1_issuer(user.tenant)
        jti = str(uuid.uuid4())
        claims: dict[str, Any] = {
            "aud": resource,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "acr": "1",
            "aio": _opaque("aio", user.object_id, jti),
            "amr": list(amr),
            "appid": client_id,
            "appidacr": "0",  # a public client: no client authentication
            "family_name": user.surname,
            "given_name": user.given_name,
            "idtyp": "user",
            "ipaddr": "127.0.0.1",
            "name": user.display_name,
            "oid": user.object_id,
            "rh": _opaque("rh", jti),
            "scp": "user_impersonation",
            "sub": _opaque("sub", user.object_id, client_id),  # pairwise: per user and app
            "tid": user.tenant,
            "unique_name": user.upn,
            "upn": user.upn,
            "uti": _opaque("uti", jti),
            "ver": "1.0",
        }
        return self._sign(claims, resource)

    def id_token(self, user: User, client_id: str, issuer: str, nonce: str | None, lifetime: int = 3600) -> str:
        """A v2 OpenID Connect ID token for the client: who signed in (`aud` = the client id)."""
        now = int(self.clock.now())
        claims: dict[str, Any] = {
            "aud": client_id,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "name": user.display_name,
            "oid": user.object_id,
            "preferred_username": user.upn,
            "rh": _opaque("rh", user.object_id, str(now)),
            "sub": _opaque("sub", user.object_id, client_id),
            "tid": user.tenant,
            "uti": _opaque("uti", str(uuid.uuid4())),
            "ver": "2.0",
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return self._sign(claims, client_id).token

    def _app_claims(self, principal: Principal, resource: str, lifetime: int) -> dict[str, Any]:
        now = int(self.clock.now())
        issuer = v1_issuer(principal.tenant)
        jti = str(uuid.uuid4())
        return {
            "aud": resource,
            "iss": issuer,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "aio": _opaque("aio", principal.object_id, jti),
            "appid": principal.client_id,
            "idp": issuer,
            "idtyp": "app",
            "oid": principal.object_id,
            "rh": _opaque("rh", jti),
            "sub": principal.object_id,
            "tid": principal.tenant,
            "uti": _opaque("uti", jti),
            "ver": "1.0",
        }

    def _sign(self, claims: dict[str, Any], resource: str) -> IssuedToken:
        key = self.keys.current
        token = jwt.encode(
            claims, key.private_key, algorithm="RS256", headers={"kid": key.kid, "x5t": key.kid, "typ": "JWT"}
        )
        return IssuedToken(token=token, issued_at=claims["iat"], expires_at=claims["exp"], resource=resource)


class TokenRejected(Exception):
    """The token is missing, malformed, badly signed, for another audience, or outside its lifetime."""


class TokenValidator:
    """Validates bearer tokens for one resource audience set; caches verified signatures."""

    MAX_CACHED = 10_000

    def __init__(self, keys: KeySet, clock: Clock, policy: TokenPolicy, audiences: tuple[str, ...]) -> None:
        self.keys = keys
        self.clock = clock
        self.policy = policy
        self.audiences = audiences
        self._verified: dict[str, dict[str, Any]] = {}
        self._generation = keys.generation
        self._lock = threading.Lock()

    def validate(self, token: str) -> dict[str, Any]:
        if self._generation != self.keys.generation:  # a key was withdrawn: re-verify everything
            self.forget()
        claims = self._verified.get(token)
        if claims is None:
            claims = self._verify_signature_audience_issuer(token)
            with self._lock:
                if len(self._verified) >= self.MAX_CACHED:
                    self._verified.clear()
                self._verified[token] = claims
        self._check_lifetime(claims)
        return claims

    def forget(self) -> None:
        """Drop cached verifications (done by itself when a signing key is withdrawn)."""
        with self._lock:
            self._generation = self.keys.generation
            self._verified.clear()

    def _verify_signature_audience_issuer(self, token: str) -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRejected(f"malformed token: {exc}") from None
        if header.get("alg") != "RS256":
            raise TokenRejected(f"unsupported algorithm {header.get('alg')!r}")
        public_key = self.keys.public_key(str(header.get("kid", "")))
        if public_key is None:
            raise TokenRejected("signing key not found")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                public_key,
                algorithms=["RS256"],
                audience=list(self.audiences),
                options={
                    "require": ["aud", "iss", "exp", "tid"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise TokenRejected(str(exc)) from None
        tid = str(claims["tid"])
        if claims["iss"] not in (v1_issuer(tid), v2_issuer(tid)):
            raise TokenRejected(f"issuer {claims['iss']!r} is not a Microsoft Entra issuer for tenant {tid}")
        return claims

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        now, leeway = self.clock.now(), self.policy.leeway
        try:
            exp, nbf = float(claims["exp"]), float(claims.get("nbf", 0))
        except (TypeError, ValueError):
            raise TokenRejected("non-numeric exp or nbf") from None
        if now > exp + leeway:
            raise TokenRejected("token has expired")
        if now + leeway < nbf:
            raise TokenRejected("token is not yet valid")
