"""The audit log as a learner reads it: one row per data-plane call, saying who, how, where, and the outcome."""

from __future__ import annotations

import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import AzureOpenAI
from openai_support import API_VERSION, CHAT_DEPLOYMENT, EMBEDDINGS_DEPLOYMENT, MESSAGES, SCOPE, VM_OBJECT_ID

from keyless_lab.emulator import EmulatorServer

FIELDS = [
    "seconds",
    "service",
    "operation",
    "principal",
    "object_id",
    "auth",
    "status",
    "deployment",
    "credential",
]


def test_rows_tell_who_called_what_and_how(fresh_emulator: EmulatorServer) -> None:
    state = fresh_emulator.state
    endpoint = fresh_emulator.urls.openai_endpoint
    provider = get_bearer_token_provider(ManagedIdentityCredential(), SCOPE)
    token_client = AzureOpenAI(azure_endpoint=endpoint, api_version=API_VERSION, azure_ad_token_provider=provider)
    key_client = AzureOpenAI(azure_endpoint=endpoint, api_version=API_VERSION, api_key=state.openai_keys.key2)
    bad_key = AzureOpenAI(azure_endpoint=endpoint, api_version=API_VERSION, api_key="wrong", max_retries=0)

    token_client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    key_client.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="hello")
    with pytest.raises(openai.AuthenticationError):
        bad_key.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)

    rows = state.audit.rows("Azure OpenAI")
    assert all(list(row) == FIELDS for row in rows)
    assert [{k: row[k] for k in FIELDS[1:]} for row in rows] == [
        {
            "service": "Azure OpenAI",
            "operation": "chat gpt-4o-mini",
            "principal": "vm-keyless-lab",
            "object_id": VM_OBJECT_ID,
            "auth": "token",
            "status": 200,
            "deployment": CHAT_DEPLOYMENT,
            "credential": "system-assigned managed identity",
        },
        {
            "service": "Azure OpenAI",
            "operation": "embeddings text-embedding-3-small",
            "principal": "anonymous (api-key)",
            "object_id": "",
            "auth": "api-key",
            "status": 200,
            "deployment": EMBEDDINGS_DEPLOYMENT,
            "credential": "key2",
        },
        {
            "service": "Azure OpenAI",
            "operation": "chat gpt-4o-mini",
            "principal": "(rejected)",
            "object_id": "",
            "auth": "api-key",
            "status": 401,
            "deployment": CHAT_DEPLOYMENT,
            "credential": "not a key of this resource",
        },
    ]
    seconds = [row["seconds"] for row in rows]
    assert seconds == sorted(seconds) and all(isinstance(s, float) for s in seconds)
    imds = state.audit.rows("IMDS")
    assert len(imds) == 1 and imds[0]["principal"] == "vm-keyless-lab"
