"""The lab's own routes (admin API, device-code approval) answer every bad input with a clear 4xx:
deeply nested JSON, wrong types, absurd numbers. Never a 500, never a RecursionError."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai_support import http

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID
from keyless_lab.emulator.lab.admin import (
    ADMIN_HEADER,
    CREDENTIAL_RESET_PATH,
    FEDERATED_CREDENTIALS_PATH,
    ROLE_ASSIGNMENTS_PATH,
)
from keyless_lab.emulator.lab.device_approval import APPROVE_PATH
from keyless_lab.emulator.lab.federation_admin import AKS_TOKEN_PATH, GITHUB_JOB_PATH, GITLAB_TOKEN_PATH
from keyless_lab.emulator.lab.provisioning import BASE as PROVISIONING

BATCH_APP = BATCH_APP_CLIENT_ID
RESET = CREDENTIAL_RESET_PATH.format(app=BATCH_APP)
ROUTES = [ROLE_ASSIGNMENTS_PATH, RESET, FEDERATED_CREDENTIALS_PATH, APPROVE_PATH]
# The lab's other admin routes (provisioning, federation tokens) read bodies the same way.
BODY_ROUTES = [
    *ROUTES,
    AKS_TOKEN_PATH,
    GITHUB_JOB_PATH,
    GITLAB_TOKEN_PATH,
    f"{PROVISIONING}/account",
    f"{PROVISIONING}/role-assignments",
]
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
admin_bodies = st.fixed_dictionaries(
    {},
    optional={
        "assignee": json_values | st.sampled_from(["ada@contosolab.onmicrosoft.com", "vm-keyless-lab"]),
        "role": json_values | st.sampled_from(["Cognitive Services OpenAI User", "Reader"]),
        "scope": json_values | st.just("openai"),
        "years": json_values | st.sampled_from(["inf", "1", 1e308, -1, 0, 0.5, 2]),
        "append": json_values,
        "display_name": json_values,
        "owner": json_values,
        "name": json_values,
        "issuer": json_values,
        "subject": json_values,
        "audiences": json_values,
        "user_code": json_values,
        "user": json_values,
    },
)


def admin_key(emulator: EmulatorServer) -> dict[str, str]:
    return {ADMIN_HEADER: emulator.state.admin_secret}


@pytest.mark.parametrize("path", BODY_ROUTES)
def test_deeply_nested_json_is_a_400_not_a_500(emulator: EmulatorServer, path: str) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    deep_object = b'{"a":' * 50_000 + b"1" + b"}" * 50_000
    with http(emulator) as client:
        for body in (deep, deep_object):
            answer = client.post(
                path, content=body, headers={**admin_key(emulator), "content-type": "application/json"}
            )
            assert answer.status_code == 400, answer.text
            assert "JSON" in answer.json()["error"]


@pytest.mark.parametrize(
    ("years", "says"),
    [
        (None, None),  # absent or null: the default of one year
        ([], "years must be a number, not list"),
        ({}, "years must be a number, not dict"),
        ("inf", "years must be a number, not str"),
        (True, "years must be a number, not bool"),
        (1e308, "years must be more than 0 and at most 100"),
        (-1, "years must be more than 0 and at most 100"),
        (0, "years must be more than 0 and at most 100"),
    ],
)
def test_credential_reset_years_are_checked(fresh_emulator: EmulatorServer, years: object, says: str | None) -> None:
    with http(fresh_emulator) as client:
        answer = client.post(RESET, json={"years": years, "append": True}, headers=admin_key(fresh_emulator))
    if says is None:
        assert answer.status_code == 200 and answer.json()["appId"] == BATCH_APP
    else:
        assert (answer.status_code, answer.json()) == (400, {"error": says})


def test_non_finite_years_in_raw_json_are_refused(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        for raw in (b'{"years": Infinity}', b'{"years": NaN}', b'{"years": 1e999}'):
            answer = client.post(
                RESET, content=raw, headers={**admin_key(emulator), "content-type": "application/json"}
            )
            assert answer.status_code == 400, (raw, answer.text)


def test_a_federated_credential_the_owner_cannot_hold_is_a_400(fresh_emulator: EmulatorServer) -> None:
    credential = {"owner": "app-keyless-batch", "name": "twice", "issuer": "https://issuer.test", "subject": "s"}
    with http(fresh_emulator) as client:
        answers = [
            client.post(FEDERATED_CREDENTIALS_PATH, json=body, headers=admin_key(fresh_emulator))
            for body in ({**credential, "owner": "vm-keyless-lab"}, credential, credential)
        ]
    system_assigned, created, taken = answers
    assert system_assigned.status_code == 400 and "go on an app" in system_assigned.json()["error"]
    assert created.status_code == 201
    assert (taken.status_code, taken.json()) == (400, {"error": "a federated credential named 'twice' already exists"})


@pytest.fixture(scope="module")
def fuzzed_emulator() -> Iterator[EmulatorServer]:
    """A private emulator: fuzzed admin bodies do change the directory (a valid credential reset replaces
    the seeded app's secret), which tests sharing the session's emulator must never see."""
    with EmulatorServer() as server:
        yield server


@FUZZ
@given(path=st.sampled_from(ROUTES), body=admin_bodies | json_values, method=st.sampled_from(["POST", "DELETE"]))
def test_any_admin_body_is_answered_without_a_server_error(
    fuzzed_emulator: EmulatorServer, path: str, body: object, method: str
) -> None:
    raw = json.dumps(body, allow_nan=True).encode()
    with http(fuzzed_emulator) as client:
        answer = client.request(
            method, path, content=raw, headers={**admin_key(fuzzed_emulator), "content-type": "application/json"}
        )
    assert answer.status_code in {200, 201, 400, 401, 404}, (path, body, answer.text)
    assert isinstance(answer.json(), dict)


def test_an_identitys_federated_credential_under_a_taken_name_is_updated_with_200(
    fresh_emulator: EmulatorServer,
) -> None:
    credential = {"owner": "id-keyless-noaccess", "name": "again", "issuer": "https://issuer.test", "subject": "s1"}
    with http(fresh_emulator) as client:
        first, second = (
            client.post(FEDERATED_CREDENTIALS_PATH, json=body, headers=admin_key(fresh_emulator))
            for body in (credential, {**credential, "subject": "s2"})
        )
    assert (first.status_code, second.status_code) == (201, 200)  # ARM's create-or-update PUT
    assert second.json()["subject"] == "s2"
