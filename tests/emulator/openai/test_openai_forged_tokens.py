"""Forged, damaged and misdirected bearer tokens: each one refused with Azure's status and body.

Every case starts from a genuine managed identity token (its claims, or the emulator's own signing
key) and breaks exactly one thing, so a pass means that one check is enforced. Azure answers
every authentication failure with the same top-level 401 body; a token from another tenant gets
the 400 tenant-mismatch body instead.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import openai
import pytest
from azure.identity import ManagedIdentityCredential
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from openai import AzureOpenAI
from openai_support import (
    API_VERSION,
    CHAT_DEPLOYMENT,
    CHAT_PATH,
    MESSAGES,
    OTHER_TENANT,
    SCOPE,
    TOKEN_401,
    http,
    raw_post,
)

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.crypto.access_tokens import COGNITIVE_SERVICES
from keyless_lab.emulator.directory.seed_ids import OPENAI_IDENTITY_CLIENT_ID
from keyless_lab.emulator.state import EmulatorState, Urls


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(value: dict[str, Any]) -> str:
    return b64(json.dumps(value, separators=(",", ":")).encode())


class Forge:
    """Makes tokens from a genuine one: same claims and headers unless a case changes them."""

    def __init__(self, server: EmulatorServer) -> None:
        self.server = server
        self.genuine = ManagedIdentityCredential().get_token(SCOPE).token
        self.header = jwt.get_unverified_header(self.genuine)
        self.claims = jwt.decode(self.genuine, options={"verify_signature": False})
        self.key = server.state.keys.current

    def signed(self, claims: dict[str, Any] | None = None, **header: Any) -> str:
        """Signed with the emulator's real key: only the changed claims or header are wrong."""
        headers = {"kid": self.key.kid, "x5t": self.key.kid, **header}
        return jwt.encode(claims or self.claims, self.key.private_key, algorithm="RS256", headers=headers)

    def with_claims(self, **changes: Any) -> str:
        claims = {**self.claims, **changes}
        return self.signed({k: v for k, v in claims.items() if v is not None})


def alg_none(f: Forge) -> str:
    return f"{b64json({'alg': 'none', 'typ': 'JWT'})}.{b64json(f.claims)}."


def hs256_with_the_public_key(f: Forge) -> str:
    """The classic key-confusion attack: HMAC keyed with the published RSA public key."""
    public_pem = f.key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{b64json({'alg': 'HS256', 'typ': 'JWT', 'kid': f.key.kid})}.{b64json(f.claims)}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def unknown_kid(f: Forge) -> str:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(f.claims, attacker, algorithm="RS256", headers={"kid": "attacker-key"})


def attacker_key_under_our_kid(f: Forge) -> str:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(f.claims, attacker, algorithm="RS256", headers={"kid": f.key.kid})


def embedded_jwk_header(f: Forge) -> str:
    """A token that carries its own (attacker's) public key in the header: must not be trusted."""
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key()))
    return jwt.encode(f.claims, attacker, algorithm="RS256", headers={"kid": "embedded", "jwk": jwk})


def another_emulator_instance(f: Forge) -> str:
    other = EmulatorState(urls=Urls(https="https://127.0.0.1:1", http="http://127.0.0.1:1"))
    principal = other.directory.by_name("vm-keyless-lab")
    return other.issuer.managed_identity_token(principal, COGNITIVE_SERVICES, 3600).token


def tampered_payload(f: Forge) -> str:
    header, _, signature = f.genuine.split(".")
    claims = {**f.claims, "oid": "00000000-0000-0000-0000-000000000bad"}
    return f"{header}.{b64json(claims)}.{signature}"


def truncated(f: Forge) -> str:
    return f.genuine[: len(f.genuine) - 20]


def signature_stripped(f: Forge) -> str:
    header, payload, _ = f.genuine.split(".")
    return f"{header}.{payload}."


def rs512_with_our_key(f: Forge) -> str:
    return jwt.encode(f.claims, f.key.private_key, algorithm="RS512", headers={"kid": f.key.kid})


def expired(f: Forge) -> str:
    now = int(time.time())
    return f.with_claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600)


def not_yet_valid(f: Forge) -> str:
    now = int(time.time())
    return f.with_claims(iat=now, nbf=now + 3600, exp=now + 7200)


def non_numeric_expiry(f: Forge) -> str:
    return f.with_claims(exp="never")


def wrong_audience(f: Forge) -> str:
    return f.with_claims(aud="https://management.azure.com")


def wrong_issuer(f: Forge) -> str:
    return f.with_claims(iss="https://token.example.com/")


def issuer_of_another_tenant(f: Forge) -> str:
    """A Microsoft issuer, but for a tenant other than the token's `tid`."""
    return f.with_claims(iss=f"https://sts.windows.net/{OTHER_TENANT}/")


def missing_tenant(f: Forge) -> str:
    return f.with_claims(tid=None)


def not_a_jwt(f: Forge) -> str:
    return "this-is-not-a-token"


FORGERIES: dict[str, Callable[[Forge], str]] = {
    "alg none": alg_none,
    "HS256 signed with the public key": hs256_with_the_public_key,
    "unknown kid": unknown_kid,
    "attacker key under our kid": attacker_key_under_our_kid,
    "attacker key embedded as jwk": embedded_jwk_header,
    "signed by another emulator instance": another_emulator_instance,
    "tampered payload": tampered_payload,
    "truncated": truncated,
    "signature stripped": signature_stripped,
    "RS512 instead of RS256": rs512_with_our_key,
    "expired": expired,
    "not yet valid": not_yet_valid,
    "non-numeric exp": non_numeric_expiry,
    "wrong audience": wrong_audience,
    "wrong issuer": wrong_issuer,
    "issuer of another tenant than tid": issuer_of_another_tenant,
    "no tenant claim": missing_tenant,
    "not a JWT": not_a_jwt,
}


@pytest.fixture
def forge(emulator: EmulatorServer) -> Forge:
    return Forge(emulator)


@pytest.mark.parametrize("kind", list(FORGERIES))
def test_forged_token_is_refused_with_azures_401(kind: str, forge: Forge, emulator: EmulatorServer) -> None:
    token = FORGERIES[kind](forge)
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token=token, max_retries=0
    )
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.status_code == 401
    assert caught.value.response.json() == TOKEN_401
    row = emulator.state.audit.rows("Azure OpenAI")[-1]
    assert (row["principal"], row["auth"], row["status"]) == ("(rejected)", "token", 401)


def test_the_genuine_token_passes(forge: Forge, emulator: EmulatorServer) -> None:
    """The control for the matrix: the unmodified token and a re-signed copy are accepted."""
    endpoint = emulator.urls.openai_endpoint
    for token in (forge.genuine, forge.signed()):
        client = AzureOpenAI(azure_endpoint=endpoint, api_version=API_VERSION, azure_ad_token=token)
        assert client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES).choices


def test_token_from_another_tenant_gets_the_tenant_mismatch_400(forge: Forge, emulator: EmulatorServer) -> None:
    token = forge.with_claims(tid=OTHER_TENANT, iss=f"https://sts.windows.net/{OTHER_TENANT}/")
    client = AzureOpenAI(azure_endpoint=emulator.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token=token)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.response.json() == {
        "error": {
            "code": "Tenant provided in token does not match resource token",
            "message": f"Token tenant {OTHER_TENANT} does not match resource tenant.",
        }
    }


@pytest.mark.parametrize(
    "authorization",
    ["Bearer ", "Bearer", "bearer   ", "Basic dXNlcjpwYXNz", "Token abc", ""],
    ids=["empty bearer", "scheme only", "lowercase empty bearer", "basic auth", "other scheme", "empty header"],
)
def test_malformed_authorization_header_is_a_401(authorization: str, emulator: EmulatorServer) -> None:
    body = json.dumps({"messages": MESSAGES}).encode()
    status, payload = raw_post(emulator, CHAT_PATH, [f"Authorization: {authorization}"], body)
    assert status == 401
    assert json.loads(payload) == TOKEN_401


def test_a_valid_token_on_the_api_key_header_is_refused_as_a_key(forge: Forge, emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        response = client.post(CHAT_PATH, json={"messages": MESSAGES}, headers={"api-key": forge.genuine})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "401"


def test_cached_verification_still_checks_expiry(fresh_emulator: EmulatorServer) -> None:
    """Verified signatures are cached per token; moving the clock past `exp` must still reject it."""
    token = ManagedIdentityCredential().get_token(SCOPE).token
    headers = {"Authorization": f"Bearer {token}"}
    with http(fresh_emulator) as client:
        assert client.post(CHAT_PATH, json={"messages": MESSAGES}, headers=headers).status_code == 200
        fresh_emulator.state.clock.advance(2 * 86_400)
        late: httpx.Response = client.post(CHAT_PATH, json={"messages": MESSAGES}, headers=headers)
    assert late.status_code == 401
    assert late.json() == TOKEN_401
    assert fresh_emulator.state.audit.rows("Azure OpenAI")[-1]["credential"] == "token has expired"


def test_rotated_signing_keys_still_verify_until_dropped(fresh_emulator: EmulatorServer) -> None:
    """Entra rolls its signing keys: tokens signed with the previous key verify by `kid` until the key
    is withdrawn from the key set."""
    state = fresh_emulator.state
    old_token = ManagedIdentityCredential().get_token(SCOPE).token
    state.keys.rotate(keep_previous=True)
    new_token = ManagedIdentityCredential(client_id=OPENAI_IDENTITY_CLIENT_ID).get_token(SCOPE).token
    assert jwt.get_unverified_header(old_token)["kid"] != jwt.get_unverified_header(new_token)["kid"]
    body = {"messages": MESSAGES}
    with http(fresh_emulator) as client:
        for token in (old_token, new_token):
            assert client.post(CHAT_PATH, json=body, headers={"Authorization": f"Bearer {token}"}).status_code == 200
        state.keys.rotate(keep_previous=False)  # withdrawn: verifications cached earlier no longer count
        refused = client.post(CHAT_PATH, json=body, headers={"Authorization": f"Bearer {old_token}"})
    assert (refused.status_code, refused.json()) == (401, TOKEN_401)
    assert state.audit.rows("Azure OpenAI")[-1]["credential"] == "signing key not found"
