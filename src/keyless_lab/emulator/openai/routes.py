"""The Azure OpenAI data plane: chat completions, embeddings and models, on two URL surfaces.

The deployments surface, `/openai/deployments/{deployment}/...?api-version=...`, is what
`AzureOpenAI` calls; the v1 surface (`v1.py`) is what the plain `OpenAI` client calls with
`base_url=f"{endpoint}openai/v1/"`. Both run the same checks (`access.py`), endpoints
(`endpoints.py`) and operations (`operations.py`); replies are deterministic and
say who called and how.
"""

from __future__ import annotations

from starlette.routing import Route

from ..state import EmulatorState
from . import operations, v1
from .access import CHAT_ACTION, CHAT_COMPLETIONS, EMBEDDINGS_CREATE, MODELS_LIST, DataPlane
from .endpoints import DeploymentEndpoint, ModelsEndpoint

# Names other modules and tests use for the chat data action and its operation.
CHAT_DATA_ACTION = CHAT_ACTION
CHAT_OPERATION = CHAT_COMPLETIONS.template


def routes(state: EmulatorState, plane: DataPlane | None = None) -> list[Route]:
    plane = plane or DataPlane(state)
    return [
        Route(
            "/openai/deployments/{deployment}/chat/completions",
            DeploymentEndpoint(plane, CHAT_COMPLETIONS, operations.chat_completions, plane.replies),
            methods=["POST"],
        ),
        Route(
            "/openai/deployments/{deployment}/embeddings",
            DeploymentEndpoint(plane, EMBEDDINGS_CREATE, operations.embeddings),
            methods=["POST"],
        ),
        Route("/openai/models", ModelsEndpoint(plane, MODELS_LIST), methods=["GET"]),
        *v1.routes(state, plane),
    ]
