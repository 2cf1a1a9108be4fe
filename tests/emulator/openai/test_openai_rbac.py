"""Azure RBAC on the data plane: each built-in role against each operation's data action.

The identity `id-keyless-noaccess` starts with no role; each test assigns one role on a private
emulator and calls chat completions, embeddings and the model list with the real clients.
Denials carry Azure's PermissionDenied body naming the data action and the operation.
"""

from __future__ import annotations

import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import AzureOpenAI, OpenAI
from openai_support import (
    API_VERSION,
    CHAT_DEPLOYMENT,
    EMBEDDINGS_DEPLOYMENT,
    MESSAGES,
    NOACCESS_CLIENT_ID,
    NOACCESS_OBJECT_ID,
    SCOPE,
    permission_denied,
    v1_base_url,
)

from keyless_lab.emulator import EmulatorServer

OPENAI = "Microsoft.CognitiveServices/accounts/OpenAI"
CHAT_ACTION = f"{OPENAI}/deployments/chat/completions/action"
EMBEDDINGS_ACTION = f"{OPENAI}/deployments/embeddings/action"
MODELS_ACTION = f"{OPENAI}/models/read"

# role -> (chat, embeddings, list models) allowed?
ROLE_MATRIX = {
    "Cognitive Services OpenAI User": (True, True, True),
    "Cognitive Services OpenAI Contributor": (True, True, True),
    "Cognitive Services User": (True, True, True),
    "Reader": (False, False, False),
}


def _clients(server: EmulatorServer) -> tuple[AzureOpenAI, OpenAI]:
    provider = get_bearer_token_provider(ManagedIdentityCredential(client_id=NOACCESS_CLIENT_ID), SCOPE)
    azure = AzureOpenAI(
        azure_endpoint=server.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token_provider=provider
    )
    return azure, OpenAI(base_url=v1_base_url(server), api_key=provider)


def _outcome(call) -> str:  # type: ignore[no-untyped-def]
    try:
        call()
    except openai.AuthenticationError as exc:
        return f"denied:{exc.response.json()['error']['code']}"
    return "allowed"


@pytest.mark.parametrize("role", list(ROLE_MATRIX))
def test_role_grants_exactly_its_data_actions(role: str, fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.directory.assign_role("id-keyless-noaccess", role)
    azure, v1 = _clients(fresh_emulator)
    outcomes = (
        _outcome(lambda: azure.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)),
        _outcome(lambda: azure.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="x")),
        _outcome(lambda: azure.models.list()),
    )
    expected = tuple("allowed" if ok else "denied:PermissionDenied" for ok in ROLE_MATRIX[role])
    assert outcomes == expected
    v1_chat = _outcome(lambda: v1.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES))
    assert v1_chat == expected[0]


def test_denials_name_the_data_action_and_the_operation(fresh_emulator: EmulatorServer) -> None:
    azure, v1 = _clients(fresh_emulator)
    cases = [
        (
            lambda: azure.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES),
            CHAT_ACTION,
            "POST /openai/deployments/{deployment-id}/chat/completions",
        ),
        (
            lambda: azure.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="x"),
            EMBEDDINGS_ACTION,
            "POST /openai/deployments/{deployment-id}/embeddings",
        ),
        (lambda: azure.models.list(), MODELS_ACTION, "GET /openai/models"),
        (
            lambda: v1.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES),
            CHAT_ACTION,
            "POST /openai/v1/chat/completions",
        ),
        (lambda: v1.models.list(), MODELS_ACTION, "GET /openai/v1/models"),
    ]
    for call, action, operation in cases:
        with pytest.raises(openai.AuthenticationError) as caught:
            call()
        assert caught.value.status_code == 401
        assert caught.value.response.json() == permission_denied(NOACCESS_OBJECT_ID, action, operation)
    rows = fresh_emulator.state.audit.rows("Azure OpenAI")
    assert [(r["principal"], r["status"]) for r in rows] == [("id-keyless-noaccess", 401)] * len(cases)


def test_assigning_and_removing_a_role_takes_effect_on_the_next_call(fresh_emulator: EmulatorServer) -> None:
    """RBAC decisions are cached for speed; a role change must still be seen at once."""
    directory = fresh_emulator.state.directory
    azure, _ = _clients(fresh_emulator)

    def chat() -> str:
        return _outcome(lambda: azure.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES))

    assert chat() == "denied:PermissionDenied"
    directory.assign_role("id-keyless-noaccess", "Cognitive Services OpenAI User")
    assert chat() == "allowed"
    assert directory.remove_role("id-keyless-noaccess", "Cognitive Services OpenAI User") == 1
    assert chat() == "denied:PermissionDenied"


def test_a_role_at_the_resource_group_scope_covers_the_resource(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.directory.assign_role(
        "id-keyless-noaccess", "Cognitive Services OpenAI User", "resource-group"
    )
    azure, _ = _clients(fresh_emulator)
    assert azure.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES).choices


def test_keys_bypass_rbac(fresh_emulator: EmulatorServer) -> None:
    """An api-key names no principal, so Azure RBAC cannot apply to it (the point of going keyless)."""
    client = AzureOpenAI(
        azure_endpoint=fresh_emulator.urls.openai_endpoint,
        api_version=API_VERSION,
        api_key=fresh_emulator.state.openai_keys.key1,
    )
    assert client.models.list().data
