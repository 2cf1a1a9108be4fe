"""The Responses API on the v1 surface (`POST /openai/v1/responses`, `GET /openai/v1/responses/{id}`),
driven by the real `openai` client's `responses.create` / `responses.retrieve`, streaming included.

It is authenticated, authorised (data actions `.../OpenAI/responses/write` and `/read`), audited
and rate limited exactly as chat completions are.
"""

from __future__ import annotations

import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import OpenAI
from openai_support import (
    CHAT_DEPLOYMENT,
    EMBEDDINGS_DEPLOYMENT,
    NOACCESS_CLIENT_ID,
    NOACCESS_OBJECT_ID,
    SCOPE,
    TOKEN_401,
    http,
    v1_base_url,
)

from keyless_lab.emulator import EmulatorServer

RESPONSES_WRITE = "Microsoft.CognitiveServices/accounts/OpenAI/responses/write"


def token_client(server: EmulatorServer, client_id: str | None = None) -> OpenAI:
    provider = get_bearer_token_provider(ManagedIdentityCredential(client_id=client_id), SCOPE)
    return OpenAI(base_url=v1_base_url(server), api_key=provider, max_retries=0)


def test_responses_create_with_a_token_provider(emulator: EmulatorServer) -> None:
    response = token_client(emulator).responses.create(model=CHAT_DEPLOYMENT, input="Which identity am I?")
    assert response.object == "response" and response.status == "completed"
    assert response.id.startswith("resp_") and response.model.startswith("gpt-4o-mini")
    assert response.output[0].type == "message" and response.output[0].role == "assistant"
    text = response.output_text
    assert "vm-keyless-lab" in text and 'You asked: "Which identity am I?"' in text
    usage = response.usage
    assert usage is not None and usage.total_tokens == usage.input_tokens + usage.output_tokens > 0
    row = emulator.state.audit.rows("Azure OpenAI")[-1]
    assert (row["operation"], row["principal"], row["status"]) == ("v1 responses gpt-4o-mini", "vm-keyless-lab", 200)


def test_responses_create_with_message_items_and_instructions(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=v1_base_url(emulator), api_key=emulator.state.openai_keys.key1)
    response = client.responses.create(
        model=CHAT_DEPLOYMENT,
        instructions="Answer briefly.",
        input=[
            {"role": "user", "content": "first question"},
            {"role": "user", "content": [{"type": "input_text", "text": "second question"}]},
        ],
    )
    assert 'You asked: "second question"' in response.output_text
    assert "Azure RBAC was not consulted" in response.output_text  # a key holder


def test_streaming_responses_emit_the_event_sequence(emulator: EmulatorServer) -> None:
    stream = token_client(emulator).responses.create(model=CHAT_DEPLOYMENT, input="stream it", stream=True)
    events = list(stream)
    types = [e.type for e in events]
    assert types[:4] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
    ]
    assert types[-4:] == [
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    completed = events[-1].response  # type: ignore[union-attr]
    assert deltas == completed.output_text and 'You asked: "stream it"' in deltas
    assert [e.sequence_number for e in events] == list(range(len(events)))


def test_a_stored_response_can_be_retrieved_and_continued(emulator: EmulatorServer) -> None:
    client = token_client(emulator)
    first = client.responses.create(model=CHAT_DEPLOYMENT, input="remember me")
    again = client.responses.retrieve(first.id)
    assert again.id == first.id and again.output_text == first.output_text
    follow_up = client.responses.create(model=CHAT_DEPLOYMENT, input="and now?", previous_response_id=first.id)
    assert follow_up.previous_response_id == first.id
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve("resp_" + "0" * 48)
    not_stored = client.responses.create(model=CHAT_DEPLOYMENT, input="forget me", store=False)
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(not_stored.id)


def test_max_output_tokens_makes_the_response_incomplete(emulator: EmulatorServer) -> None:
    response = token_client(emulator).responses.create(model=CHAT_DEPLOYMENT, input="hi", max_output_tokens=16)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None and response.incomplete_details.reason == "max_output_tokens"
    assert response.usage is not None and response.usage.output_tokens <= 16


def test_a_principal_without_the_data_action_is_denied(fresh_emulator: EmulatorServer) -> None:
    client = token_client(fresh_emulator, NOACCESS_CLIENT_ID)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.responses.create(model=CHAT_DEPLOYMENT, input="let me in")
    assert caught.value.response.json() == {
        "error": {
            "code": "PermissionDenied",
            "message": f"The principal `{NOACCESS_OBJECT_ID}` lacks the required data action `{RESPONSES_WRITE}` to "
            "perform `POST /openai/v1/responses` operation.",
        }
    }
    fresh_emulator.state.directory.assign_role("id-keyless-noaccess", "Cognitive Services OpenAI User")
    assert client.responses.create(model=CHAT_DEPLOYMENT, input="now?").status == "completed"


def test_reader_role_cannot_create_responses(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.directory.assign_role("id-keyless-noaccess", "Reader")
    with pytest.raises(openai.AuthenticationError):
        token_client(fresh_emulator, NOACCESS_CLIENT_ID).responses.create(model=CHAT_DEPLOYMENT, input="x")


def test_no_credential_or_a_bad_token_is_refused(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        anonymous = client.post("/openai/v1/responses", json={"model": CHAT_DEPLOYMENT, "input": "hi"})
        forged = client.post(
            "/openai/v1/responses",
            json={"model": CHAT_DEPLOYMENT, "input": "hi"},
            headers={"Authorization": "Bearer a.b.c"},
        )
        retrieve = client.get("/openai/v1/responses/resp_x", headers={"Authorization": "Bearer a.b.c"})
    assert anonymous.status_code == 401
    assert (forged.status_code, forged.json()) == (401, TOKEN_401)
    assert retrieve.status_code == 401


def test_request_validation_and_model_kind(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=v1_base_url(emulator), api_key=emulator.state.openai_keys.key1, max_retries=0)
    with pytest.raises(openai.BadRequestError) as missing:
        client.responses.create(model=CHAT_DEPLOYMENT)  # type: ignore[call-overload]
    assert missing.value.response.json()["error"]["param"] == "input"
    with pytest.raises(openai.BadRequestError) as wrong_kind:
        client.responses.create(model=EMBEDDINGS_DEPLOYMENT, input="embed me?")
    assert wrong_kind.value.response.json()["error"]["code"] == "OperationNotSupported"
    with pytest.raises(openai.NotFoundError) as unknown:
        client.responses.create(model="no-such-deployment", input="hi")
    assert unknown.value.response.json()["error"]["code"] == "DeploymentNotFound"
    with http(emulator) as raw:
        for body in (
            {"model": CHAT_DEPLOYMENT, "input": 42},
            {"model": CHAT_DEPLOYMENT, "input": "x", "stream": "yes"},
        ):
            answer = raw.post("/openai/v1/responses", json=body, headers={"api-key": emulator.state.openai_keys.key1})
            assert answer.status_code == 400 and answer.json()["error"]["type"] == "invalid_request_error"


def test_responses_share_the_deployment_rate_limit(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.directory.set_rate_limits(CHAT_DEPLOYMENT, rpm=6)  # one request per 10 s window
    client = token_client(fresh_emulator)
    ok = client.responses.with_raw_response.create(model=CHAT_DEPLOYMENT, input="one")
    assert ok.headers["x-ratelimit-remaining-requests"] == "0"
    with pytest.raises(openai.RateLimitError) as caught:
        client.responses.create(model=CHAT_DEPLOYMENT, input="two")
    assert int(caught.value.response.headers["retry-after"]) >= 9
    assert fresh_emulator.state.audit.rows("Azure OpenAI")[-1]["status"] == 429
