"""One chat completion through the real AzureOpenAI client, as the conformance tests need it."""

from __future__ import annotations

from typing import Any

from azure.identity import get_bearer_token_provider
from openai import AzureOpenAI

from keyless_lab.emulator import EmulatorServer

SCOPE = "https://cognitiveservices.azure.com/.default"


def chat_reply(credential: Any, server: EmulatorServer, content: str = "hi") -> str:
    """Ask the lab's default deployment with a token provider over `credential`; return the reply text."""
    client = AzureOpenAI(
        azure_endpoint=server.urls.openai_endpoint,
        api_version="2024-10-21",
        azure_ad_token_provider=get_bearer_token_provider(credential, SCOPE),
        max_retries=0,
    )
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": content}])
    return reply.choices[0].message.content or ""
