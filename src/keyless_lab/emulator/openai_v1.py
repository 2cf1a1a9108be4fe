"""The Azure OpenAI v1 surface: `/openai/v1/chat/completions`, `/openai/v1/embeddings`, `/openai/v1/models`.

No `api-version`; the deployment is named by `model` in the body, so the plain `OpenAI` client
works unchanged with `base_url=f"{endpoint}openai/v1/"`. That client sends its `api_key` as
`Authorization: Bearer <value>`: a token provider's JWT, or the resource's key, both accepted.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import openai_operations
from .openai_access import V1_CHAT_COMPLETIONS, V1_EMBEDDINGS, V1_MODELS_LIST, DataPlaneCall, Operation
from .openai_requests import model_name, parse_json_object
from .state import EmulatorState

API_VERSION = "v1"
Handler = type(openai_operations.chat_completions)


def routes(state: EmulatorState) -> list[Route]:
    def model_route(operation: Operation, serve: Handler):  # type: ignore[no-untyped-def, valid-type]
        async def endpoint(request: Request) -> Response:
            call = DataPlaneCall(state, operation)
            caller = call.check_caller(request, key_as_bearer=True)
            if isinstance(caller, Response):
                return caller
            body = parse_json_object(await request.body())
            if isinstance(body, Response):
                return call.fail(body)
            name = model_name(body)
            if isinstance(name, Response):
                return call.fail(name)
            found = call.check_deployment(name)
            if isinstance(found, Response):
                return found
            denied = call.check_permission()
            if denied is not None:
                return denied
            deployment, model = found
            return serve(call, deployment, model, body, API_VERSION)  # type: ignore[operator]

        return endpoint

    async def list_models(request: Request) -> Response:
        call = DataPlaneCall(state, V1_MODELS_LIST)
        caller = call.check_caller(request, key_as_bearer=True)
        if isinstance(caller, Response):
            return caller
        denied = call.check_permission()
        if denied is not None:
            return denied
        return openai_operations.models_list(call, state)

    return [
        Route(
            "/openai/v1/chat/completions",
            model_route(V1_CHAT_COMPLETIONS, openai_operations.chat_completions),
            methods=["POST"],
        ),
        Route("/openai/v1/embeddings", model_route(V1_EMBEDDINGS, openai_operations.embeddings), methods=["POST"]),
        Route("/openai/v1/models", list_models, methods=["GET"]),
    ]
