"""Malformed token requests get OAuth errors from the token endpoint — never a 500, never a hang.

Hypothesis generates form bodies from the fields the endpoint knows (with plausible, garbage and
hostile values) and raw bytes; every answer must be a well-formed Entra error or a token.
"""

from __future__ import annotations

import base64
import json
import ssl
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    BATCH_APP_CLIENT_ID,
    CI_APP_CLIENT_ID,
    CONTOSO_TENANT_ID,
    OPENAI_IDENTITY_CLIENT_ID,
)

TENANT = CONTOSO_TENANT_ID
FIELDS = [
    "grant_type",
    "client_id",
    "client_secret",
    "scope",
    "client_assertion",
    "client_assertion_type",
    "code",
    "refresh_token",
    "device_code",
    "redirect_uri",
    "code_verifier",
    "assertion",
    "requested_token_use",
]
GRANTS = [
    "client_credentials",
    "authorization_code",
    "refresh_token",
    "password",
    "",
    "urn:ietf:params:oauth:grant-type:device_code",
    "urn:ietf:params:oauth:grant-type:jwt-bearer",
]
CLIENT_IDS = [
    BATCH_APP_CLIENT_ID,
    CI_APP_CLIENT_ID,
    OPENAI_IDENTITY_CLIENT_ID,
    "not-a-guid",
]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=8,
)
# JWT-shaped garbage: arbitrary JSON header/claims (often with real claim names), arbitrary signature.
garbage_jwts = st.builds(
    lambda header, claims, sig: f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}.{_b64(sig)}",
    st.fixed_dictionaries(
        {},
        optional={
            "alg": st.sampled_from(["RS256", "PS256", "none", "HS256"]) | st.text(max_size=5),
            "kid": st.text(max_size=10),
            "x5t": st.text(max_size=30),
            "x5t#S256": st.text(max_size=50),
            "x5c": json_values,
        },
    ),
    st.fixed_dictionaries(
        {},
        optional={
            "iss": st.sampled_from(["https://token.actions.githubusercontent.com", "https://gitlab.com", CLIENT_IDS[0]])
            | st.text(max_size=10),
            "sub": st.text(max_size=20),
            "aud": json_values,
            "exp": json_values,
            "nbf": json_values,
        },
    ),
    st.binary(max_size=64),
)
values = st.text(max_size=40) | st.sampled_from(GRANTS + CLIENT_IDS) | garbage_jwts
forms = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=8)


@pytest.fixture(scope="module")
def http(shared_emulator: EmulatorServer) -> Iterator[httpx.Client]:
    context = ssl.create_default_context(cafile=str(shared_emulator.tls.bundle))
    with httpx.Client(base_url=shared_emulator.urls.authority_host, verify=context, timeout=10) as client:
        yield client


def assert_oauth_answer(response: httpx.Response) -> None:
    assert response.status_code in (200, 400, 401), response.text
    body = response.json()
    if response.status_code == 200:
        assert body["access_token"] and body["token_type"] == "Bearer"
    else:
        assert body["error"] and body["error_description"].startswith("AADSTS"), body
        assert body["error_codes"] and isinstance(body["error_codes"][0], int)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(form=forms, grant=st.sampled_from(GRANTS), client_id=st.sampled_from(CLIENT_IDS))
def test_form_bodies_get_oauth_errors(http: httpx.Client, form: dict, grant: str, client_id: str) -> None:
    body = {"grant_type": grant, "client_id": client_id, **form}
    response = http.post(
        f"/{TENANT}/oauth2/v2.0/token",
        content=urlencode(body),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_oauth_answer(response)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=512))
def test_raw_bodies_get_oauth_errors(http: httpx.Client, raw: bytes) -> None:
    assert_oauth_answer(http.post(f"/{TENANT}/oauth2/v2.0/token", content=raw))


def test_oversized_body_is_refused(http: httpx.Client) -> None:
    response = http.post(f"/{TENANT}/oauth2/v2.0/token", content=b"grant_type=client_credentials&x=" + b"a" * 200_000)
    assert response.status_code == 400
    assert "The request body is too large." in response.json()["error_description"]


def test_oversized_chunked_body_is_refused(http: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:
        yield b"grant_type=client_credentials&x="
        for _ in range(50):
            yield b"a" * 10_000

    response = http.post(f"/{TENANT}/oauth2/v2.0/token", content=chunks())
    assert response.status_code == 400
    assert "The request body is too large." in response.json()["error_description"]


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"grant_type": "client_credentials"},
        {"grant_type": "client_credentials", "client_id": CLIENT_IDS[0]},
        {"grant_type": "client_credentials", "client_id": CLIENT_IDS[0], "client_assertion": "x.y.z"},
        {
            "grant_type": "client_credentials",
            "client_id": CLIENT_IDS[0],
            "client_assertion": "not a jwt",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        },
        {"grant_type": "urn:example:unknown"},
    ],
    ids=["empty", "no-client", "no-credential", "no-assertion-type", "garbage-assertion", "unknown-grant"],
)
def test_specific_malformed_requests(http: httpx.Client, form: dict) -> None:
    response = http.post(f"/{TENANT}/oauth2/v2.0/token", data=form)
    assert_oauth_answer(response)
    assert response.status_code != 200


# Validly signed assertions with arbitrary claims reach the deeper checks (audience, subject, times).
claim_sets = st.fixed_dictionaries(
    {},
    optional={
        "aud": json_values,
        "sub": json_values,
        "exp": json_values,
        "nbf": json_values,
        "jti": json_values,
    },
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(claims=claim_sets, federated=st.booleans())
def test_signed_assertions_with_arbitrary_claims(
    http: httpx.Client, shared_emulator: EmulatorServer, claims: dict, federated: bool
) -> None:
    state = shared_emulator.state
    if federated:
        github = state.external_issuers.github
        assertion = github.sign(claims)  # iss = https://token.actions.githubusercontent.com
        client_id = CLIENT_IDS[1]  # app-keyless-ci trusts GitHub
    else:
        app = state.directory.application(CLIENT_IDS[0])
        assert app is not None and app.certificates[0].files is not None
        cert = app.certificates[0]
        key = serialization.load_pem_private_key(cert.files.pem_path.read_bytes(), None)
        x5t = base64.urlsafe_b64encode(bytes.fromhex(cert.thumbprint)).decode()
        assertion = jwt.encode({**claims, "iss": CLIENT_IDS[0]}, key, algorithm="RS256", headers={"x5t": x5t})  # type: ignore[arg-type]
        client_id = CLIENT_IDS[0]
    response = http.post(
        f"/{TENANT}/oauth2/v2.0/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "scope": "https://cognitiveservices.azure.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
        },
    )
    assert_oauth_answer(response)


@pytest.mark.parametrize("path", ["oauth2/v2.0/token", "oauth2/token", "oauth2/v2.0/devicecode"])
def test_an_unknown_tenant_is_aadsts90002(http: httpx.Client, path: str) -> None:
    response = http.post(f"/no-such-tenant.example/{path}", data={"grant_type": "client_credentials"})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_tenant" and response.json()["error_codes"] == [90002]
    assert "Tenant 'no-such-tenant.example' not found." in response.json()["error_description"]
