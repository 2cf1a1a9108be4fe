"""OpenID Connect discovery and the JWKS, compared field by field with what Entra publishes."""

from __future__ import annotations

import base64
import hashlib

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from openai_support import TENANT, http

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID


def test_cloud_instance_name_is_microsoftonline_com(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        v2 = client.get(f"/{TENANT}/v2.0/.well-known/openid-configuration").json()
        v1 = client.get(f"/{TENANT}/.well-known/openid-configuration").json()
    assert v2["cloud_instance_name"] == v1["cloud_instance_name"] == "microsoftonline.com"


def test_the_v1_document_advertises_v1_endpoints(emulator: EmulatorServer) -> None:
    base = emulator.urls.authority_host
    with http(emulator) as client:
        v1 = client.get(f"/{TENANT}/.well-known/openid-configuration").json()
        v2 = client.get(f"/{TENANT}/v2.0/.well-known/openid-configuration").json()
    assert v1["issuer"] == f"https://sts.windows.net/{TENANT}/"
    assert v1["token_endpoint"] == f"{base}/{TENANT}/oauth2/token"
    assert "authorization_endpoint" not in v1  # the lab has no v1 sign-in page (see entra/discovery.py)
    assert v1["jwks_uri"] == f"{base}/{TENANT}/discovery/keys"
    assert "/v2.0/" not in "".join(str(v) for k, v in v1.items() if k.endswith("_endpoint"))
    assert v2["token_endpoint"] == f"{base}/{TENANT}/oauth2/v2.0/token"


def test_the_v1_token_endpoint_takes_a_resource(emulator: EmulatorServer) -> None:
    app = emulator.state.directory.application(BATCH_APP_CLIENT_ID)
    assert app is not None
    with http(emulator) as client:
        answer = client.post(
            f"/{TENANT}/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": app.client_id,
                "client_secret": app.secrets[0].value,
                "resource": "https://cognitiveservices.azure.com",
            },
        )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["resource"] == "https://cognitiveservices.azure.com" and body["token_type"] == "Bearer"
    assert isinstance(body["expires_in"], str) and isinstance(body["expires_on"], str)  # v1 sends strings
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == "https://cognitiveservices.azure.com" and claims["appid"] == app.client_id


def test_jwks_keys_carry_a_certificate_for_the_signing_key(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        keys = client.get(f"/{TENANT}/discovery/v2.0/keys").json()["keys"]
    assert keys
    for jwk in keys:
        (encoded,) = jwk["x5c"]
        der = base64.b64decode(encoded)
        certificate = x509.load_der_x509_certificate(der)
        public = jwt.PyJWK({k: jwk[k] for k in ("kty", "n", "e")}).key
        spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        assert certificate.public_key().public_bytes(*spki) == public.public_bytes(*spki)
        x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
        assert jwk["x5t"] == jwk["kid"] == x5t  # Entra's kid is the certificate's thumbprint


def test_a_token_verifies_with_the_certificate_from_x5c(emulator: EmulatorServer) -> None:
    identity = emulator.state.directory.attached_identity()
    assert identity is not None
    token = emulator.state.issuer.managed_identity_token(identity, "https://cognitiveservices.azure.com", 600).token
    with http(emulator) as client:
        keys = client.get(f"/{TENANT}/discovery/keys").json()["keys"]
    jwk = next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"])
    certificate = x509.load_der_x509_certificate(base64.b64decode(jwk["x5c"][0]))
    assert jwt.decode(
        token, certificate.public_key(), algorithms=["RS256"], audience="https://cognitiveservices.azure.com"
    )


@pytest.mark.parametrize(
    "path",
    [
        "/{tenant}/v2.0/.well-known/openid-configuration",
        "/{tenant}/.well-known/openid-configuration",
        "/{tenant}/discovery/v2.0/keys",
        "/{tenant}/discovery/keys",
    ],
    ids=["v2-document", "v1-document", "v2-keys", "v1-keys"],
)
def test_an_unknown_tenant_is_aadsts90002_on_every_discovery_path(emulator: EmulatorServer, path: str) -> None:
    with http(emulator) as client:
        response = client.get(path.format(tenant="no-such-tenant.example"))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_tenant"
    assert response.json()["error_codes"] == [90002]
    assert response.json()["error_description"].startswith("AADSTS90002: Tenant 'no-such-tenant.example' not found.")


@pytest.mark.parametrize("alias", ["Common", "ORGANIZATIONS"])
def test_the_multi_tenant_aliases_are_read_in_any_case_as_the_token_endpoint_reads_them(
    emulator: EmulatorServer, alias: str
) -> None:
    with http(emulator) as client:
        response = client.get(f"/{alias}/v2.0/.well-known/openid-configuration")
    assert response.status_code == 200
    assert response.json()["issuer"].endswith("/{tenantid}/v2.0")
