"""The resource's two API keys and `disableLocalAuth`, with the real `openai` clients."""

from __future__ import annotations

import re

import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import AzureOpenAI, OpenAI
from openai_support import API_VERSION, CHAT_DEPLOYMENT, CHAT_PATH, KEY_401, MESSAGES, SCOPE, http, v1_base_url

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.openai.api_keys import OpenAIKeys

KEY_AUTH_DISABLED = {
    "error": {
        "code": "AuthenticationTypeDisabled",
        "message": "Key based authentication is disabled for this resource.",
    }
}


def _key_client(server: EmulatorServer, key: str) -> AzureOpenAI:
    return AzureOpenAI(azure_endpoint=server.urls.openai_endpoint, api_version=API_VERSION, api_key=key, max_retries=0)


def _chat(client: AzureOpenAI | OpenAI) -> str:
    return client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES).choices[0].message.content or ""


def test_two_distinct_lab_keys_per_instance(emulator: EmulatorServer, fresh_emulator: EmulatorServer) -> None:
    ours, theirs = emulator.state.openai_keys, fresh_emulator.state.openai_keys
    assert all(re.fullmatch(r"[0-9a-f]{32}", k) for k in (ours.key1, ours.key2))
    assert ours.key1 != ours.key2
    assert {ours.key1, ours.key2}.isdisjoint({theirs.key1, theirs.key2})
    described = fresh_emulator.state.directory.describe()["openai"]["keys"]
    assert described == {"key1": theirs.key1, "key2": theirs.key2}
    assert theirs.key1 not in repr(theirs) and repr(theirs) == "OpenAIKeys(key1='***', key2='***')"


def test_both_keys_work_and_the_reply_says_which(emulator: EmulatorServer) -> None:
    keys = emulator.state.openai_keys
    assert "(key1)" in _chat(_key_client(emulator, keys.key1))
    assert "(key2)" in _chat(_key_client(emulator, keys.key2))


def test_regenerating_key1_invalidates_only_key1(fresh_emulator: EmulatorServer) -> None:
    keys = fresh_emulator.state.openai_keys
    old_key1, key2 = keys.key1, keys.key2
    new_key1 = keys.regenerate("key1")
    assert new_key1 != old_key1 and keys.key1 == new_key1 and keys.key2 == key2
    with pytest.raises(openai.AuthenticationError) as caught:
        _chat(_key_client(fresh_emulator, old_key1))
    assert caught.value.response.json() == KEY_401
    assert "(key2)" in _chat(_key_client(fresh_emulator, key2))
    assert "(key1)" in _chat(_key_client(fresh_emulator, new_key1))
    assert fresh_emulator.state.audit.rows("Azure OpenAI")[0]["credential"] == "not a key of this resource"


def test_regenerate_accepts_only_key1_or_key2() -> None:
    with pytest.raises(ValueError, match="key1"):
        OpenAIKeys().regenerate("key3")


def test_wrong_key_and_no_credentials_get_the_key_401(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.AuthenticationError) as caught:
        _chat(_key_client(emulator, "0" * 32))
    assert caught.value.response.json() == KEY_401
    with http(emulator) as client:
        anonymous = client.post(CHAT_PATH, json={"messages": MESSAGES})
    assert (anonymous.status_code, anonymous.json()) == (401, KEY_401)


def test_disable_local_auth_refuses_keys_but_not_tokens(fresh_emulator: EmulatorServer) -> None:
    state = fresh_emulator.state
    state.directory.set_local_auth(False)
    assert state.directory.describe()["openai"]["disable_local_auth"] is True
    for client in (
        _key_client(fresh_emulator, state.openai_keys.key1),
        _key_client(fresh_emulator, "not-even-a-key"),
        OpenAI(base_url=v1_base_url(fresh_emulator), api_key=state.openai_keys.key2, max_retries=0),
    ):
        with pytest.raises(openai.PermissionDeniedError) as caught:
            _chat(client)
        assert caught.value.status_code == 403
        assert caught.value.response.json() == KEY_AUTH_DISABLED
    provider = get_bearer_token_provider(ManagedIdentityCredential(), SCOPE)
    token_client = AzureOpenAI(
        azure_endpoint=fresh_emulator.urls.openai_endpoint, api_version=API_VERSION, azure_ad_token_provider=provider
    )
    assert _chat(token_client).startswith("Hello, vm-keyless-lab!")
    state.directory.set_local_auth(True)
    assert "(key1)" in _chat(_key_client(fresh_emulator, state.openai_keys.key1))
