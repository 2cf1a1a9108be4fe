"""The dated surface refuses an api-version Azure does not know, with Azure's 404, before anything else."""

from __future__ import annotations

import openai
import pytest
from openai import AzureOpenAI
from openai_support import API_VERSION, CHAT_DEPLOYMENT, EMBEDDINGS_DEPLOYMENT, MESSAGES, RESOURCE_NOT_FOUND, http

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.openai.api_versions import GA_API_VERSIONS, PREVIEW_API_VERSIONS, is_known


@pytest.mark.parametrize("version", ["2024-10-12", "2024-10-21-preview", "2025-13-01-preview", "v1", "latest"])
def test_an_unknown_api_version_is_resource_not_found(emulator: EmulatorServer, version: str) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint,
        api_version=version,
        api_key=emulator.state.openai_keys.key1,
        max_retries=0,
    )
    with pytest.raises(openai.NotFoundError) as caught:
        client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.response.json() == RESOURCE_NOT_FOUND
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="typo")


def test_an_unknown_api_version_is_refused_before_authentication(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        models = client.get("/openai/models", params={"api-version": "2024-13-01"})
        chat = client.post(
            f"/openai/deployments/{CHAT_DEPLOYMENT}/chat/completions",
            params={"api-version": "2024-13-01"},
            json={"messages": MESSAGES},
        )
    assert (models.status_code, models.json()) == (404, RESOURCE_NOT_FOUND)
    assert (chat.status_code, chat.json()) == (404, RESOURCE_NOT_FOUND)


@pytest.mark.parametrize("version", ["2024-02-01", "2024-06-01", API_VERSION, "2025-04-01-preview"])
def test_real_ga_and_preview_versions_are_served(emulator: EmulatorServer, version: str) -> None:
    client = AzureOpenAI(
        azure_endpoint=emulator.urls.openai_endpoint, api_version=version, api_key=emulator.state.openai_keys.key1
    )
    assert client.chat.completions.create(model=CHAT_DEPLOYMENT, messages=MESSAGES).choices


def test_the_allow_list_is_well_formed() -> None:
    assert API_VERSION in GA_API_VERSIONS
    assert all(v.endswith("-preview") for v in PREVIEW_API_VERSIONS)
    assert not any(v.endswith("-preview") for v in GA_API_VERSIONS)
    assert is_known("2024-10-21") and not is_known("2024-10-21 ") and not is_known("")
