"""The data plane's endpoints as plain ASGI callables, one class per URL shape.

Each endpoint reads what the checks need (`asgi.Incoming`), walks the checks in Azure's order
(`openai_access.DataPlaneCall`), hands the request to its operation (`openai_operations`), and
sends the outcome. Plain ASGI rather than Starlette's `Request` keeps per-request work small.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from .. import errors
from ..asgi import (
    BodyTooLarge,
    EncodedJsonReply,
    Incoming,
    JsonReply,
    Outcome,
    Receive,
    Scope,
    Send,
    deliver,
    send_body,
)
from ..directory import Deployment
from ..jsonio import dumps
from . import operations as openai_operations
from .access import DataPlane, DataPlaneCall, Operation
from .api_versions import is_known
from .caller import Caller
from .models import ModelInfo
from .reply_memo import MemoReply, ReplyMemo
from .requests import model_name, parse_json_object
from .responses import response_not_found

Serve = Callable[[DataPlaneCall, Deployment, ModelInfo, dict[str, Any], str], Outcome]
V1_API_VERSION = "v1"  # how 429 messages name the v1 surface's version


async def read_json(call: DataPlaneCall, incoming: Incoming) -> dict[str, Any] | Response:
    try:
        raw = await incoming.body()
    except BodyTooLarge:
        return call.fail(errors.invalid_request("The request body is too large."))
    body = parse_json_object(raw)
    return call.fail(body) if isinstance(body, Response) else body


class DeploymentEndpoint:
    """`POST /openai/deployments/{deployment}/<operation>?api-version=...` (AzureOpenAI clients).

    With a `memo` (chat completions), a request repeated within the same second reuses the encoded
    reply after every check has run; `ReplyMemo` says why that is safe.
    """

    def __init__(self, plane: DataPlane, operation: Operation, serve: Serve, memo: ReplyMemo | None = None) -> None:
        self.plane, self.operation, self.serve, self.memo = plane, operation, serve, memo

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        outcome = await self.handle(Incoming(scope, receive))
        if type(outcome) is EncodedJsonReply:  # the memoised chat reply: sent without `deliver`'s dispatch
            await send_body(send, outcome.body, outcome.headers)
        else:
            await deliver(outcome, scope, receive, send)

    async def handle(self, incoming: Incoming) -> Outcome:
        name = incoming.path_params["deployment"]
        api_version = incoming.query("api-version")
        if not is_known(api_version):
            return errors.resource_not_found()  # Azure answers a missing or unknown api-version with 404
        call = DataPlaneCall(self.plane, self.operation, name)
        caller = call.check_caller(incoming)
        if isinstance(caller, Response):
            return caller
        found = call.check_deployment(name)
        if isinstance(found, Response):
            return found
        denied = call.check_permission()
        if denied is not None:
            return denied
        deployment, model = found
        if self.memo is None:
            body = await read_json(call, incoming)
            if isinstance(body, Response):
                return body
            return self.serve(call, deployment, model, body, api_version)
        return await self.handle_memoised(self.memo, call, caller, deployment, model, incoming, api_version)

    async def handle_memoised(
        self,
        memo: ReplyMemo,
        call: DataPlaneCall,
        caller: Caller,
        deployment: Deployment,
        model: ModelInfo,
        incoming: Incoming,
        api_version: str,
    ) -> Outcome:
        try:
            raw = await incoming.body()
        except BodyTooLarge:
            return call.fail(errors.invalid_request("The request body is too large."))
        second = int(call.state.clock.now())
        known = memo.get(caller, deployment.name, raw, second)
        if known is not None:
            quota = call.check_quota(deployment, known.charged, api_version)
            if isinstance(quota, Response):
                return quota
            return EncodedJsonReply(known.body, call.ok(quota))
        body = parse_json_object(raw)
        if isinstance(body, Response):
            return call.fail(body)
        outcome = self.serve(call, deployment, model, body, api_version)
        if not isinstance(outcome, JsonReply):
            return outcome  # an error, or a stream: not kept
        encoded = dumps(outcome.payload)
        memo.put(caller, deployment.name, raw, second, MemoReply(encoded, outcome.charged))
        return EncodedJsonReply(encoded, outcome.headers)


class ModelInBodyEndpoint:
    """`POST /openai/v1/<operation>` with `{"model": "<deployment>", ...}` (plain OpenAI clients)."""

    def __init__(self, plane: DataPlane, operation: Operation, serve: Serve) -> None:
        self.plane, self.operation, self.serve = plane, operation, serve

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await deliver(await self.handle(Incoming(scope, receive)), scope, receive, send)

    async def handle(self, incoming: Incoming) -> Outcome:
        call = DataPlaneCall(self.plane, self.operation)
        caller = call.check_caller(incoming, key_as_bearer=True)
        if isinstance(caller, Response):
            return caller
        body = await read_json(call, incoming)
        if isinstance(body, Response):
            return body
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
        return self.serve(call, deployment, model, body, V1_API_VERSION)


class ModelsEndpoint:
    """`GET /openai/models?api-version=...`, and with `v1=True` `GET /openai/v1/models`."""

    def __init__(self, plane: DataPlane, operation: Operation, *, v1: bool = False) -> None:
        self.plane, self.operation, self.v1 = plane, operation, v1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await deliver(self.handle(Incoming(scope, receive)), scope, receive, send)

    def handle(self, incoming: Incoming) -> Outcome:
        if not self.v1 and not is_known(incoming.query("api-version")):
            return errors.resource_not_found()
        call = DataPlaneCall(self.plane, self.operation)
        caller = call.check_caller(incoming, key_as_bearer=self.v1)
        if isinstance(caller, Response):
            return caller
        denied = call.check_permission()
        if denied is not None:
            return denied
        return openai_operations.models_list(call, self.plane.state)


class StoredResponseEndpoint:
    """`GET /openai/v1/responses/{response_id}`: a stored Responses API reply, same checks as the rest."""

    def __init__(self, plane: DataPlane, operation: Operation) -> None:
        self.plane, self.operation = plane, operation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await deliver(self.handle(Incoming(scope, receive)), scope, receive, send)

    def handle(self, incoming: Incoming) -> Outcome:
        call = DataPlaneCall(self.plane, self.operation)
        caller = call.check_caller(incoming, key_as_bearer=True)
        if isinstance(caller, Response):
            return caller
        denied = call.check_permission()
        if denied is not None:
            return denied
        response_id = incoming.path_params["response_id"]
        stored = self.plane.responses.get(response_id)
        if stored is None:
            return call.fail(response_not_found(response_id))
        return JsonReply(stored, call.ok())
