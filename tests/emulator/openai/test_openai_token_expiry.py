"""Why a token provider beats a static token: with 2-second tokens the static one dies, the provider
keeps fetching fresh ones, and the audit log shows what each fresh token cost."""

from __future__ import annotations

import time

import openai
import pytest
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import AzureOpenAI
from openai_support import API_VERSION, CHAT_DEPLOYMENT, MESSAGES, SCOPE, TOKEN_401

from keyless_lab.emulator import EmulatorServer

LIFETIME = 2


def test_static_token_expires_while_the_provider_keeps_working(fresh_emulator: EmulatorServer) -> None:
    state = fresh_emulator.state
    state.policy.shorten(LIFETIME)
    endpoint = fresh_emulator.urls.openai_endpoint
    mark = state.audit.mark()

    static = AzureOpenAI(
        azure_endpoint=endpoint,
        api_version=API_VERSION,
        azure_ad_token=ManagedIdentityCredential().get_token(SCOPE).token,
        max_retries=0,
    )
    provided = AzureOpenAI(
        azure_endpoint=endpoint,
        api_version=API_VERSION,
        azure_ad_token_provider=get_bearer_token_provider(ManagedIdentityCredential(), SCOPE),
        max_retries=0,
    )

    def chat(client: AzureOpenAI) -> str:
        return client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES).choices[0].message.content or ""

    assert chat(static).startswith("Hello, vm-keyless-lab!")
    assert chat(provided).startswith("Hello, vm-keyless-lab!")
    time.sleep(LIFETIME + 1)  # past `exp` of every token issued so far

    with pytest.raises(openai.AuthenticationError) as caught:
        chat(static)
    assert caught.value.response.json() == TOKEN_401
    for _ in range(3):
        assert chat(provided).startswith("Hello, vm-keyless-lab!")

    rows = [(r.service, r.status, r.credential) for r in state.audit.since(mark)]
    token_requests = [row for row in rows if row[0] == "IMDS"]
    # One token for the static client; the provider needs a new one for each of its 4 calls, because
    # azure-identity refreshes any token with less than 5 minutes left and these live 2 seconds.
    assert len(token_requests) == 1 + 4
    openai_rows = [row[1:] for row in rows if row[0] == "Azure OpenAI"]
    assert (
        openai_rows
        == [
            (200, "system-assigned managed identity"),
            (200, "system-assigned managed identity"),
            (401, "token has expired"),
        ]
        + [(200, "system-assigned managed identity")] * 3
    )
