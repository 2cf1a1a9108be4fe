"""Property-based fuzzing of the data plane over real HTTPS: random and malformed bodies, headers,
paths and methods. Whatever arrives, the answer is a well-formed 2xx/4xx within the timeout:
never a 500, never a hang."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openai_support import API_VERSION, CHAT_PATH, http

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.crypto.access_tokens import COGNITIVE_SERVICES

EMBEDDINGS_PATH = f"/openai/deployments/text-embedding-3-small/embeddings?api-version={API_VERSION}"
FIXED_PATHS = [
    CHAT_PATH,
    EMBEDDINGS_PATH,
    "/openai/v1/chat/completions",
    "/openai/v1/embeddings",
    "/openai/v1/models",
    "/openai/v1/responses",
    f"/openai/models?api-version={API_VERSION}",
]
ALLOWED_STATUSES = {200, 400, 401, 403, 404, 429}
FUZZ = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])

printable = st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=60)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=16,
)
messages = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "role": st.sampled_from(["user", "system", "assistant", "tool", "developer", "robot"]) | json_values,
            "content": st.text(max_size=80)
            | json_values
            | st.lists(st.fixed_dictionaries({"type": st.sampled_from(["text", "image_url"]), "text": json_values})),
            "tool_calls": json_values,
        },
    ),
    max_size=4,
)
known_fields = st.fixed_dictionaries(
    {},
    optional={
        "messages": messages | json_values,
        "model": st.sampled_from(["gpt-4o-mini", "text-embedding-3-small", "missing"]) | json_values,
        "stream": st.booleans() | json_values,
        "stream_options": st.fixed_dictionaries({}, optional={"include_usage": st.booleans() | json_values})
        | json_values,
        "max_tokens": st.integers(min_value=-5, max_value=10**20) | json_values,
        "max_completion_tokens": st.integers(min_value=-5, max_value=200) | json_values,
        "n": st.integers(min_value=-2, max_value=200) | json_values,
        "temperature": st.floats(allow_nan=False) | json_values,
        "input": st.text(max_size=200)
        | st.lists(st.text(max_size=40) | st.lists(st.integers(min_value=-3, max_value=10**12), max_size=5), max_size=5)
        | json_values,
        "dimensions": st.integers(min_value=-3, max_value=5000) | json_values,
        "encoding_format": st.sampled_from(["float", "base64", "hex"]) | json_values,
    },
)
bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    known_fields.map(lambda v: json.dumps(v).encode()),
)


Lab = tuple[httpx.Client, dict[str, dict[str, str]]]


@pytest.fixture(scope="module")
def lab(shared_emulator: EmulatorServer) -> Iterator[Lab]:
    state = shared_emulator.state
    token = state.issuer.managed_identity_token(
        state.directory.by_name("vm-keyless-lab"), COGNITIVE_SERVICES, 3600
    ).token
    auth = {
        "api-key": {"api-key": state.openai_keys.key1},
        "bearer token": {"Authorization": f"Bearer {token}"},
        "key as bearer": {"Authorization": f"Bearer {state.openai_keys.key2}"},
        "none": {},
    }
    with http(shared_emulator) as client:
        client.timeout = httpx.Timeout(5.0)
        yield client, auth


def _check(response: httpx.Response) -> None:
    assert response.status_code in ALLOWED_STATUSES, (response.status_code, response.text[:300])
    content_type = response.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        json.loads(response.content)
    else:
        assert response.status_code == 200 and content_type.startswith("text/event-stream"), content_type
        if response.url.path.endswith("/responses"):  # the Responses API: named events, no [DONE]
            last = response.text.rstrip("\n").rsplit("\n\n", 1)[-1]
            assert last.startswith(("event: response.completed\n", "event: response.incomplete\n")), last[:200]
        else:
            assert response.text.endswith("data: [DONE]\n\n")


def test_any_body_gets_a_clean_answer(lab: Lab) -> None:
    client, credentials = lab
    seen: Counter[int] = Counter()

    @FUZZ
    @given(
        path=st.sampled_from(FIXED_PATHS),
        auth=st.sampled_from(["api-key", "bearer token", "key as bearer"]),
        body=bodies,
    )
    def send(path: str, auth: str, body: bytes) -> None:
        method = "GET" if "models" in path else "POST"
        headers = {"content-type": "application/json", **credentials[auth]}
        response = client.request(method, path, content=body, headers=headers)
        _check(response)
        seen[response.status_code] += 1

    send()
    # The fuzzing reached past authentication into validation (400) and the operations (200).
    assert seen[200] > 0 and seen[400] > 0, seen


@FUZZ
@given(
    deployment=st.text(min_size=1, max_size=40),
    api_version=st.none() | printable,
    method=st.sampled_from(["POST", "GET", "PUT", "DELETE", "PATCH"]),
    operation=st.sampled_from(["chat/completions", "embeddings", "completions"]),
    authorization=st.none() | printable | printable.map(lambda v: f"Bearer {v}"),
    api_key=st.none() | printable,
    content_type=st.sampled_from(["application/json", "text/plain", "multipart/form-data", ""]) | printable,
    body=bodies,
)
def test_any_path_method_and_headers_get_a_clean_answer(
    lab: Lab,
    deployment: str,
    api_version: str | None,
    method: str,
    operation: str,
    authorization: str | None,
    api_key: str | None,
    content_type: str,
    body: bytes,
) -> None:
    client, _ = lab
    path = f"/openai/deployments/{quote(deployment, safe='')}/{operation}"
    params = {} if api_version is None else {"api-version": api_version}
    headers = {"content-type": content_type}
    if authorization is not None:
        headers["Authorization"] = authorization.strip()
    if api_key is not None:
        headers["api-key"] = api_key
    _check(client.request(method, path, params=params, content=body, headers=headers))
