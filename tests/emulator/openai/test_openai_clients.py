"""Every client style the course compares, with the real `openai` and `azure-identity` packages.

Each test sends real HTTPS requests to the emulator and checks what came back: the deterministic
reply names the principal and the credential type, usage adds up, and the audit log recorded
the call with the right method.
"""

from __future__ import annotations

import asyncio
import base64
import math
import struct

import openai
import pytest
from azure.identity import ClientSecretCredential, ManagedIdentityCredential, get_bearer_token_provider
from azure.identity.aio import ManagedIdentityCredential as AsyncManagedIdentityCredential
from azure.identity.aio import get_bearer_token_provider as get_async_bearer_token_provider
from chat_client import chat_reply
from coroutines import run_to_completion
from openai import AsyncAzureOpenAI, AsyncOpenAI, AzureOpenAI, OpenAI
from openai_support import (
    API_VERSION,
    CHAT_DEPLOYMENT,
    EMBEDDINGS_DEPLOYMENT,
    KEY_401,
    MESSAGES,
    RESOURCE_NOT_FOUND,
    SCOPE,
    TENANT,
    VM_OBJECT_ID,
    v1_base_url,
)

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID, OPENAI_IDENTITY_CLIENT_ID
from keyless_lab.emulator.openai.chat import count_tokens


def _assert_token_reply(content: str | None) -> None:
    assert content is not None
    assert content.startswith("Hello, vm-keyless-lab!")
    assert "a Microsoft Entra ID token for a system-assigned managed identity" in content
    assert f"object id {VM_OBJECT_ID}" in content
    assert 'You asked: "Which identity am I?"' in content


def _last_openai_row(server: EmulatorServer) -> dict[str, object]:
    return server.state.audit.rows("Azure OpenAI")[-1]


def test_api_key_client_is_answered_as_an_anonymous_key_holder(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version=API_VERSION,
        api_key=emulator.state.openai_keys.key1,
    )
    reply = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    content = reply.choices[0].message.content or ""
    assert "the resource's API key (key1), which names no one" in content
    assert "Azure RBAC was not consulted" in content
    assert reply.model == "gpt-4o-mini-2024-07-18"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == count_tokens(content)
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens
    row = _last_openai_row(emulator)
    assert (row["auth"], row["credential"], row["deployment"], row["status"]) == (
        "api-key",
        "key1",
        CHAT_DEPLOYMENT,
        200,
    )


def test_static_azure_ad_token_client_names_the_managed_identity(emulator: EmulatorServer) -> None:
    token = ManagedIdentityCredential().get_token(SCOPE).token
    client = AzureOpenAI(azure_endpoint=emulator.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token=token)
    reply = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    _assert_token_reply(reply.choices[0].message.content)
    row = _last_openai_row(emulator)
    assert (row["principal"], row["auth"], row["credential"]) == (
        "vm-keyless-lab",
        "token",
        "system-assigned managed identity",
    )


def test_token_provider_client_is_deterministic(emulator: EmulatorServer) -> None:
    provider = get_bearer_token_provider(ManagedIdentityCredential(), SCOPE)
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token_provider=provider
    )
    first = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    second = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    _assert_token_reply(first.choices[0].message.content)
    assert first.choices[0].message.content == second.choices[0].message.content
    assert first.id == second.id
    assert first.usage == second.usage


def test_user_assigned_identity_is_named_in_the_reply(emulator: EmulatorServer) -> None:
    content = chat_reply(ManagedIdentityCredential(client_id=OPENAI_IDENTITY_CLIENT_ID), emulator)
    assert content.startswith("Hello, id-keyless-openai!")
    assert "a user-assigned managed identity" in content


def test_v1_openai_client_with_a_token_provider(emulator: EmulatorServer) -> None:
    assert emulator.urls.openai_endpoint.endswith("/"), "Azure endpoints end with '/', as the lab's does"
    provider = get_bearer_token_provider(ManagedIdentityCredential(), SCOPE)
    client = OpenAI(base_url=v1_base_url(emulator), api_key=provider)
    reply = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    _assert_token_reply(reply.choices[0].message.content)
    assert _last_openai_row(emulator)["operation"] == "v1 chat gpt-4o-mini"
    model_ids = [model.id for model in client.models.list()]
    assert model_ids == ["gpt-4o-mini-2024-07-18", "text-embedding-3-small"]


def test_v1_openai_client_with_the_key_as_api_key(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=v1_base_url(emulator), api_key=emulator.state.openai_keys.key2)
    reply = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert "the resource's API key (key2)" in (reply.choices[0].message.content or "")


def test_v1_endpoint_joined_with_an_extra_slash_is_not_found(emulator: EmulatorServer) -> None:
    """f"{endpoint}/openai/v1/" with an endpoint ending in '/' gives '//openai/v1/': 404 on Azure too."""
    client = OpenAI(base_url=f"{emulator.urls.openai_endpoint}/openai/v1/", api_key=emulator.state.openai_keys.key1)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.response.json() == RESOURCE_NOT_FOUND


def test_streaming_is_shaped_as_azure_streams_it(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version=API_VERSION,
        azure_ad_token_provider=get_bearer_token_provider(ManagedIdentityCredential(), SCOPE),
    )
    chunks = list(
        client.chat.completions.create(
            model=CHAT_DEPLOYMENT, messages=MESSAGES, stream=True, stream_options={"include_usage": True}
        )
    )
    first, role, *middle, finish, usage = chunks
    assert first.choices == [] and first.prompt_filter_results  # type: ignore[attr-defined]
    assert role.choices[0].delta.role == "assistant"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in middle)
    _assert_token_reply(text)
    assert all(chunk.usage is None for chunk in [role, *middle, finish])
    assert finish.choices[0].finish_reason == "stop"
    assert usage.choices == []
    assert usage.usage is not None
    assert usage.usage.completion_tokens == count_tokens(text)
    whole = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert whole.choices[0].message.content == text
    assert whole.usage == usage.usage


def test_streaming_without_include_usage_has_no_usage_chunk(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version=API_VERSION,
        api_key=emulator.state.openai_keys.key1,
    )
    chunks = list(client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES, stream=True))
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert all(chunk.usage is None for chunk in chunks)


def test_max_tokens_truncates_consistently(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version=API_VERSION,
        api_key=emulator.state.openai_keys.key1,
    )
    reply = client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES, max_tokens=10, n=2)
    assert [c.finish_reason for c in reply.choices] == ["length", "length"]
    content = reply.choices[0].message.content or ""
    assert count_tokens(content) <= 10
    assert reply.usage is not None and reply.usage.completion_tokens == 2 * count_tokens(content)


def _unit(vector: list[float]) -> bool:
    return math.isclose(math.fsum(x * x for x in vector), 1.0, rel_tol=1e-5)


def test_embeddings_float_and_base64_agree(emulator: EmulatorServer) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version=API_VERSION,
        azure_ad_token_provider=get_bearer_token_provider(ManagedIdentityCredential(), SCOPE),
    )
    as_float = client.embeddings.create(
        model=EMBEDDINGS_DEPLOYMENT, input=["keyless auth", "keys"], encoding_format="float"
    )
    assert [len(d.embedding) for d in as_float.data] == [1536, 1536]
    assert all(_unit(d.embedding) for d in as_float.data)
    expected_tokens = count_tokens("keyless auth") + count_tokens("keys")
    assert as_float.usage.prompt_tokens == as_float.usage.total_tokens == expected_tokens
    raw = client.embeddings.with_raw_response.create(
        model=EMBEDDINGS_DEPLOYMENT, input="keyless auth", encoding_format="base64"
    )
    packed = base64.b64decode(raw.http_response.json()["data"][0]["embedding"])
    assert list(struct.unpack(f"<{len(packed) // 4}f", packed)) == as_float.data[0].embedding
    # Without encoding_format the openai client asks for base64 and decodes it itself.
    default = client.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="keyless auth")
    assert default.data[0].embedding == as_float.data[0].embedding
    assert _last_openai_row(emulator)["operation"] == "embeddings text-embedding-3-small"


def test_embeddings_dimensions_on_the_v1_surface(emulator: EmulatorServer) -> None:
    client = OpenAI(base_url=v1_base_url(emulator), api_key=emulator.state.openai_keys.key1)
    full = client.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="hello world").data[0].embedding
    short = client.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="hello world", dimensions=256)
    vector = short.data[0].embedding
    assert len(vector) == 256 and _unit(vector)
    scale = math.sqrt(math.fsum(x * x for x in full[:256]))
    assert all(math.isclose(a, b / scale, rel_tol=1e-4, abs_tol=1e-6) for a, b in zip(vector, full[:256], strict=True))


def test_async_clients_with_async_managed_identity(emulator: EmulatorServer) -> None:
    async def run() -> tuple[str | None, str | None]:
        async with AsyncManagedIdentityCredential() as credential:
            provider = get_async_bearer_token_provider(credential, SCOPE)
            azure_client = AsyncAzureOpenAI(
                azure_endpoint=emulator.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token_provider=provider
            )
            v1_client = AsyncOpenAI(base_url=v1_base_url(emulator), api_key=provider)
            async with azure_client, v1_client:
                first, second = await asyncio.gather(
                    azure_client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES),
                    v1_client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES),
                )
                return first.choices[0].message.content, second.choices[0].message.content

    azure_reply, v1_reply = run_to_completion(run())
    _assert_token_reply(azure_reply)
    assert v1_reply == azure_reply


def test_trap_token_provider_passed_as_api_key_is_sent_as_a_key(emulator: EmulatorServer) -> None:
    provider = get_bearer_token_provider(ManagedIdentityCredential(), SCOPE)
    client = AzureOpenAI(azure_endpoint=emulator.urls.openai_endpoint, api_version=API_VERSION, api_key=provider)
    with pytest.raises(openai.AuthenticationError) as caught:
        client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.status_code == 401
    assert caught.value.response.json() == KEY_401
    row = _last_openai_row(emulator)
    assert (row["principal"], row["auth"], row["status"]) == ("(rejected)", "api-key", 401)


def test_trap_azure_client_with_a_v1_base_url_is_not_found(emulator: EmulatorServer) -> None:
    provider = get_bearer_token_provider(ManagedIdentityCredential(), SCOPE)
    client = AzureOpenAI(base_url=v1_base_url(emulator), api_version=API_VERSION, azure_ad_token_provider=provider)
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.response.request.url.path == f"/openai/v1/deployments/{CHAT_DEPLOYMENT}/chat/completions"
    assert caught.value.response.json() == RESOURCE_NOT_FOUND


def test_client_secret_token_is_described_as_such(emulator: EmulatorServer) -> None:
    app = emulator.state.directory.application(BATCH_APP_CLIENT_ID)
    assert app is not None
    credential = ClientSecretCredential(TENANT, app.client_id, app.secrets[0].value, disable_instance_discovery=True)
    content = chat_reply(credential, emulator)
    assert content.startswith("Hello, app-keyless-batch!")
    assert "a Microsoft Entra ID token from a client secret" in content
    assert _last_openai_row(emulator)["credential"] == "client secret"
