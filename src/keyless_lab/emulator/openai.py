"""The Azure OpenAI data plane: chat completions, embeddings and models, on two URL surfaces.

The deployments surface, `/openai/deployments/{deployment}/...?api-version=...`, is what
`AzureOpenAI` calls; the v1 surface (`openai_v1.py`) is what the plain `OpenAI` client calls with
`base_url=f"{endpoint}openai/v1/"`. Both run the same checks (`openai_access.py`) and operations
(`openai_operations.py`); replies are deterministic and say who called and how.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import errors, openai_operations, openai_v1
from .openai_access import CHAT_COMPLETIONS, EMBEDDINGS_CREATE, MODELS_LIST, DataPlaneCall, Operation
from .openai_requests import parse_json_object
from .state import EmulatorState

Handler = type(openai_operations.chat_completions)


def routes(state: EmulatorState) -> list[Route]:
    def deployment_route(operation: Operation, serve: Handler):  # type: ignore[no-untyped-def, valid-type]
        async def endpoint(request: Request) -> Response:
            name = request.path_params["deployment"]
            api_version = request.query_params.get("api-version")
            if not api_version:
                return errors.resource_not_found()  # Azure answers a missing api-version with 404
            call = DataPlaneCall(state, operation, name)
            caller = call.check_caller(request)
            if isinstance(caller, Response):
                return caller
            found = call.check_deployment(name)
            if isinstance(found, Response):
                return found
            denied = call.check_permission()
            if denied is not None:
                return denied
            body = parse_json_object(await request.body())
            if isinstance(body, Response):
                return call.fail(body)
            deployment, model = found
            return serve(call, deployment, model, body, api_version)  # type: ignore[operator]

        return endpoint

    async def list_models(request: Request) -> Response:
        if not request.query_params.get("api-version"):
            return errors.resource_not_found()
        call = DataPlaneCall(state, MODELS_LIST)
        caller = call.check_caller(request)
        if isinstance(caller, Response):
            return caller
        denied = call.check_permission()
        if denied is not None:
            return denied
        return openai_operations.models_list(call, state)

    return [
        Route(
            "/openai/deployments/{deployment}/chat/completions",
            deployment_route(CHAT_COMPLETIONS, openai_operations.chat_completions),
            methods=["POST"],
        ),
        Route(
            "/openai/deployments/{deployment}/embeddings",
            deployment_route(EMBEDDINGS_CREATE, openai_operations.embeddings),
            methods=["POST"],
        ),
        Route("/openai/models", list_models, methods=["GET"]),
        *openai_v1.routes(state),
    ]
