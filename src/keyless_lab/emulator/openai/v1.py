"""The Azure OpenAI v1 surface: chat completions, embeddings, models and responses under `/openai/v1/`.

No `api-version`; the deployment is named by `model` in the body, so the plain `OpenAI` client
works unchanged with `base_url=f"{endpoint}openai/v1/"`. That client sends its `api_key` as
`Authorization: Bearer <value>`: a token provider's JWT, or the resource's key, both accepted.
"""

from __future__ import annotations

from starlette.routing import Route

from ..state import EmulatorState
from . import operations
from .access import V1_CHAT_COMPLETIONS, V1_EMBEDDINGS, V1_MODELS_LIST, V1_RESPONSES_CREATE, V1_RESPONSES_GET, DataPlane
from .endpoints import ModelInBodyEndpoint, ModelsEndpoint, StoredResponseEndpoint


def routes(state: EmulatorState, plane: DataPlane | None = None) -> list[Route]:
    plane = plane or DataPlane(state)
    return [
        Route(
            "/openai/v1/chat/completions",
            ModelInBodyEndpoint(plane, V1_CHAT_COMPLETIONS, operations.chat_completions),
            methods=["POST"],
        ),
        Route(
            "/openai/v1/embeddings",
            ModelInBodyEndpoint(plane, V1_EMBEDDINGS, operations.embeddings),
            methods=["POST"],
        ),
        Route("/openai/v1/models", ModelsEndpoint(plane, V1_MODELS_LIST, v1=True), methods=["GET"]),
        Route(
            "/openai/v1/responses",
            ModelInBodyEndpoint(plane, V1_RESPONSES_CREATE, operations.responses_create),
            methods=["POST"],
        ),
        Route("/openai/v1/responses/{response_id}", StoredResponseEndpoint(plane, V1_RESPONSES_GET), methods=["GET"]),
    ]
