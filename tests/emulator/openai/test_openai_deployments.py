"""Deployments: configurable from Python and the directory file; unknown or mismatched ones fail as on Azure."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest
import yaml
from openai import AzureOpenAI, OpenAI
from openai_support import (
    API_VERSION,
    CHAT_DEPLOYMENT,
    DEPLOYMENT_NOT_FOUND,
    EMBEDDINGS_DEPLOYMENT,
    MESSAGES,
    RESOURCE_NOT_FOUND,
    http,
    v1_base_url,
)

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory import Deployment, Directory

UNSUPPORTED_TAIL = (
    "Please choose different model and try again. You can learn more about which models can be used with each "
    "operation here: https://go.microsoft.com/fwlink/?linkid=2197993."
)


def _client(server: EmulatorServer) -> AzureOpenAI:
    return AzureOpenAI(
        azure_endpoint=server.urls.openai_endpoint,
        api_version=API_VERSION,
        api_key=server.state.openai_keys.key1,
        max_retries=0,
    )


def test_seeded_deployments_and_environment(emulator: EmulatorServer) -> None:
    deployments = emulator.state.directory.openai.deployments
    assert list(deployments) == [CHAT_DEPLOYMENT, EMBEDDINGS_DEPLOYMENT]
    assert deployments[CHAT_DEPLOYMENT] == Deployment("gpt-4o-mini", "gpt-4o-mini", "2024-07-18")
    assert emulator.environment()["AZURE_OPENAI_DEPLOYMENT"] == CHAT_DEPLOYMENT


def test_unknown_deployment_is_deployment_not_found(emulator: EmulatorServer) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        _client(emulator).chat.completions.create(model="gpt-5-nowhere", messages=MESSAGES)
    assert caught.value.response.json() == DEPLOYMENT_NOT_FOUND
    v1 = OpenAI(base_url=v1_base_url(emulator), api_key=emulator.state.openai_keys.key1, max_retries=0)
    with pytest.raises(openai.NotFoundError) as caught:
        v1.chat.completions.create(model="gpt-5-nowhere", messages=MESSAGES)
    assert caught.value.response.json() == DEPLOYMENT_NOT_FOUND
    row = emulator.state.audit.rows("Azure OpenAI")[-1]
    assert (row["deployment"], row["status"]) == ("gpt-5-nowhere", 404)


def test_missing_api_version_is_resource_not_found(emulator: EmulatorServer) -> None:
    with http(emulator) as client:
        response = client.post(
            f"/openai/deployments/{CHAT_DEPLOYMENT}/chat/completions",
            json={"messages": MESSAGES},
            headers={"api-key": emulator.state.openai_keys.key1},
        )
    assert (response.status_code, response.json()) == (404, RESOURCE_NOT_FOUND)


def test_operation_on_the_wrong_kind_of_model(emulator: EmulatorServer) -> None:
    client = _client(emulator)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=EMBEDDINGS_DEPLOYMENT, messages=MESSAGES)
    assert caught.value.response.json() == {
        "error": {
            "code": "OperationNotSupported",
            "message": "The chatCompletion operation does not work with the specified model, "
            f"text-embedding-3-small. {UNSUPPORTED_TAIL}",
        }
    }
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model=CHAT_DEPLOYMENT, input="hello")
    assert caught.value.response.json()["error"]["message"].startswith(
        "The embeddings operation does not work with the specified model, gpt-4o-mini."
    )


def test_add_and_remove_deployments_from_python(fresh_emulator: EmulatorServer) -> None:
    directory = fresh_emulator.state.directory
    client = _client(fresh_emulator)
    assert directory.add_deployment("my-chat") == Deployment("my-chat", "gpt-4o-mini", "2024-07-18")
    assert directory.add_deployment("gpt-4o").model_version == "2024-11-20"
    directory.add_deployment("big-vectors", model="text-embedding-3-large")
    reply = client.chat.completions.create(model="my-chat", messages=MESSAGES)
    assert "deployment 'my-chat'" in (reply.choices[0].message.content or "")
    assert client.chat.completions.create(model="gpt-4o", messages=MESSAGES).model == "gpt-4o-2024-11-20"
    vectors = client.embeddings.create(model="big-vectors", input="hello", encoding_format="float")
    assert len(vectors.data[0].embedding) == 3072 and vectors.model == "text-embedding-3-large"
    assert directory.remove_deployment("my-chat") is True
    assert directory.remove_deployment("my-chat") is False
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="my-chat", messages=MESSAGES)
    assert [d["name"] for d in directory.describe()["openai"]["deployments"]] == [
        CHAT_DEPLOYMENT,
        EMBEDDINGS_DEPLOYMENT,
        "gpt-4o",
        "big-vectors",
    ]


def test_a_default_deployment_is_the_one_exported(fresh_emulator: EmulatorServer) -> None:
    """What `keyless-lab serve --deployment NAME` relies on."""
    fresh_emulator.state.directory.add_deployment("course-chat", default=True)
    assert fresh_emulator.environment()["AZURE_OPENAI_DEPLOYMENT"] == "course-chat"
    assert list(fresh_emulator.state.directory.openai.deployments)[1:] == [CHAT_DEPLOYMENT, EMBEDDINGS_DEPLOYMENT]


@pytest.mark.parametrize("name", ["", "a/b"])
def test_invalid_deployment_names_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match="deployment name"):
        Directory.seeded().add_deployment(name)


@pytest.mark.parametrize("limits", [{"rpm": 0}, {"tpm": -5}, {"rpm": 1.5}])
def test_invalid_rate_limits_are_refused(limits: dict[str, float]) -> None:
    directory = Directory.seeded()
    with pytest.raises(ValueError, match="positive integer"):
        directory.set_rate_limits(CHAT_DEPLOYMENT, **limits)  # type: ignore[arg-type]


def test_deployments_and_limits_from_a_directory_file(tmp_path: Path) -> None:
    from importlib import resources

    seed = yaml.safe_load(resources.files("keyless_lab.emulator").joinpath("data", "directory.yaml").read_text())
    seed["openai"]["deployments"] = [
        {"name": "chat", "model": "gpt-4.1-mini", "model_version": "2025-04-14", "rpm": 60, "tpm": 10000},
        {"name": "vectors", "model": "text-embedding-ada-002", "model_version": 2},
    ]
    path = tmp_path / "directory.yaml"
    path.write_text(yaml.safe_dump(seed))
    deployments = Directory.seeded(path).openai.deployments
    assert deployments["chat"] == Deployment("chat", "gpt-4.1-mini", "2025-04-14", rpm=60, tpm=10000)
    assert deployments["vectors"] == Deployment("vectors", "text-embedding-ada-002", "2")


def test_dimensions_are_refused_where_the_model_has_fixed_vectors(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.directory.add_deployment("ada", model="text-embedding-ada-002")
    client = _client(fresh_emulator)
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model="ada", input="hello", dimensions=256)
    assert caught.value.response.json()["error"]["message"] == "This model does not support specifying dimensions."
    with pytest.raises(openai.BadRequestError) as caught:
        client.embeddings.create(model=EMBEDDINGS_DEPLOYMENT, input="hello", dimensions=4096)
    assert caught.value.response.json()["error"]["param"] == "dimensions"
