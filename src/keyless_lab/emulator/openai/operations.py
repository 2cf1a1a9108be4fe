"""What each data-plane operation does once the caller and deployment are known.

Shared by the deployments surface (`/openai/deployments/{name}/...?api-version=`) and the v1
surface (`/openai/v1/...`, deployment named by `model` in the body): they differ only in where
the deployment name comes from, not in what is checked or returned.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import errors
from ..asgi import JsonReply, ThreadedJsonReply
from ..directory import Deployment
from ..state import EmulatorState
from .access import DataPlaneCall
from .chat import build_reply, completion_body, quota_tokens, stream_chunks
from .embeddings import embeddings_json, input_tokens
from .models import CHAT, EMBEDDINGS, ModelInfo, model_info
from .requests import chat_request, embeddings_request
from .responses import build_response, previous_response_not_found, responses_request, stream_events
from .streaming import event_stream, named_event_stream

MAX_INPUT_TOKENS = 8192  # per embeddings input
MAX_REQUEST_TOKENS = 300_000  # per embeddings request


def chat_completions(
    call: DataPlaneCall, deployment: Deployment, model: ModelInfo, body: dict[str, Any], api_version: str
) -> Response | JsonReply:
    request = chat_request(body)
    if isinstance(request, Response):
        return call.fail(request)
    caller = call.caller
    assert caller is not None
    reply = build_reply(caller, deployment.name, model.reported_name, request, call.state.clock.now())
    quota = call.check_quota(deployment, quota_tokens(request, reply), api_version)
    if isinstance(quota, Response):
        return quota
    headers = call.ok(quota)
    if request.stream:
        return event_stream(stream_chunks(reply, request.include_usage), headers)
    return JsonReply(completion_body(reply), headers, charged=quota_tokens(request, reply))


def responses_create(
    call: DataPlaneCall, deployment: Deployment, model: ModelInfo, body: dict[str, Any], api_version: str
) -> Response | JsonReply:
    """`POST /openai/v1/responses`: the chat reply in the Responses shape, stored unless `store` is false."""
    request = responses_request(body)
    if isinstance(request, Response):
        return call.fail(request)
    store = call.plane.responses
    if request.previous_response_id is not None and store.get(request.previous_response_id) is None:
        return call.fail(previous_response_not_found(request.previous_response_id))
    caller = call.caller
    assert caller is not None
    response = build_response(caller, deployment.name, model.reported_name, request, call.state.clock.now())
    usage = response["usage"]
    charged = usage["input_tokens"] + (request.max_output_tokens or usage["output_tokens"])
    quota = call.check_quota(deployment, charged, api_version)
    if isinstance(quota, Response):
        return quota
    if request.store:
        store.put(response)
    headers = call.ok(quota)
    if request.stream:
        return named_event_stream(stream_events(response), headers)
    return JsonReply(response, headers)


def embeddings(
    call: DataPlaneCall, deployment: Deployment, model: ModelInfo, body: dict[str, Any], api_version: str
) -> Response | ThreadedJsonReply:
    request = embeddings_request(body)
    if isinstance(request, Response):
        return call.fail(request)
    dimensions = model.dimensions
    if request.dimensions is not None:
        if not model.flexible_dimensions:
            return call.fail(errors.invalid_request("This model does not support specifying dimensions."))
        if request.dimensions > model.dimensions:
            return call.fail(
                errors.invalid_request(
                    f"Invalid value for 'dimensions' = {request.dimensions}. Must be less than or equal to "
                    f"{model.dimensions}.",
                    param="dimensions",
                    code="invalid_value",
                )
            )
        dimensions = request.dimensions
    counts = [input_tokens(item) for item in request.inputs]
    longest = max(counts)
    if longest > MAX_INPUT_TOKENS:
        return call.fail(
            errors.invalid_request(
                f"This model's maximum context length is {MAX_INPUT_TOKENS} tokens, however you requested {longest} "
                f"tokens ({longest} in your prompt; 0 for the completion). Please reduce your prompt; or completion "
                "length.",
            )
        )
    if sum(counts) > MAX_REQUEST_TOKENS:
        return call.fail(
            errors.invalid_request(
                f"Requested {sum(counts)} tokens, max {MAX_REQUEST_TOKENS} tokens per request",
                code="max_tokens_per_request",
            )
        )
    quota = call.check_quota(deployment, sum(counts), api_version)
    if isinstance(quota, Response):
        return quota
    inputs, encoding = request.inputs, request.encoding_format
    return ThreadedJsonReply(lambda: embeddings_json(inputs, model, dimensions, encoding), call.ok(quota))


def models_list(call: DataPlaneCall, state: EmulatorState) -> JsonReply:
    """The models deployed on the resource, in Azure's model-list shape (the lab lists deployed
    models only; Azure lists every model the resource could deploy)."""
    seen: dict[str, ModelInfo] = {}
    for deployment in state.directory.openai.deployments.values():
        info = model_info(deployment.model, deployment.model_version)
        seen.setdefault(info.reported_name, info)
    data = [
        {
            "capabilities": {
                "chat_completion": info.kind == CHAT,
                "completion": False,
                "embeddings": info.kind == EMBEDDINGS,
                "fine_tune": False,
                "inference": True,
            },
            "created_at": info.created_at,
            "deprecation": {"inference": info.created_at + 2 * 365 * 86_400},
            "id": model_id,
            "lifecycle_status": "generally-available",
            "object": "model",
            "status": "succeeded",
        }
        for model_id, info in seen.items()
    ]
    return JsonReply({"data": data, "object": "list"}, call.ok())
