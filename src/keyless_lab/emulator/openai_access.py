"""The checks every Azure OpenAI data-plane call passes, in Azure's order, each one audited.

authentication (401 / 403 key auth disabled) -> token tenant (400) -> deployment (404, or 400
OperationNotSupported) -> RBAC data action (401 PermissionDenied; keys bypass RBAC) -> body
(400) -> quota (429). `DataPlaneCall` carries one request through them and writes exactly one
audit row with the final status, so the log reads as "who called what, how, and what happened".
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

from . import errors
from .caller import Caller, Rejected, authenticate
from .directory import Deployment
from .openai_models import CHAT, EMBEDDINGS, ModelInfo, model_info
from .rbac import OPENAI
from .state import EmulatorState

SERVICE = "Azure OpenAI"
REGION = "Lab (emulated)"


@dataclass(frozen=True)
class Operation:
    label: str  # for the audit log
    data_action: str  # what RBAC checks
    template: str  # the operation as PermissionDenied names it
    azure_name: str = ""  # as 429 messages name it
    model_kind: str = ""  # the model kind the operation needs (CHAT / EMBEDDINGS), if any
    verb: str = ""  # as OperationNotSupported names it


CHAT_ACTION = f"{OPENAI}/deployments/chat/completions/action"
EMBEDDINGS_ACTION = f"{OPENAI}/deployments/embeddings/action"
MODELS_ACTION = f"{OPENAI}/models/read"

CHAT_COMPLETIONS = Operation(
    "chat completions",
    CHAT_ACTION,
    "POST /openai/deployments/{deployment-id}/chat/completions",
    "ChatCompletions_Create",
    CHAT,
    "chatCompletion",
)
EMBEDDINGS_CREATE = Operation(
    "embeddings",
    EMBEDDINGS_ACTION,
    "POST /openai/deployments/{deployment-id}/embeddings",
    "Embeddings_Create",
    EMBEDDINGS,
    "embeddings",
)
MODELS_LIST = Operation("list models", MODELS_ACTION, "GET /openai/models")
V1_CHAT_COMPLETIONS = Operation(
    "v1 chat completions",
    CHAT_ACTION,
    "POST /openai/v1/chat/completions",
    "ChatCompletions_Create",
    CHAT,
    "chatCompletion",
)
V1_EMBEDDINGS = Operation(
    "v1 embeddings", EMBEDDINGS_ACTION, "POST /openai/v1/embeddings", "Embeddings_Create", EMBEDDINGS, "embeddings"
)
V1_MODELS_LIST = Operation("v1 list models", MODELS_ACTION, "GET /openai/v1/models")


class DataPlaneCall:
    """One request through the checks. Each `check_*` returns an error response (already audited)
    or the value the next step needs; `ok()` audits success and returns the response headers."""

    def __init__(self, state: EmulatorState, operation: Operation, deployment: str = "") -> None:
        self.state = state
        self.operation = operation
        self.deployment_name = deployment
        self.caller: Caller | None = None

    def audit(self, status: int) -> None:
        caller = self.caller
        if caller is None:
            return
        self.state.audit.record(
            SERVICE,
            self.operation.label,
            caller.name,
            caller.object_id,
            caller.auth,
            status,
            deployment=self.deployment_name,
            credential=caller.credential,
        )

    def fail(self, response: Response) -> Response:
        self.audit(response.status_code)
        return response

    def check_caller(self, request: Request, *, key_as_bearer: bool = False) -> Caller | Response:
        result = authenticate(request, self.state, key_as_bearer=key_as_bearer)
        if isinstance(result, Rejected):
            self.state.audit.record(
                SERVICE,
                self.operation.label,
                "(rejected)",
                "",
                result.auth,
                result.response.status_code,
                deployment=self.deployment_name,
                credential=result.reason,
            )
            return result.response
        self.caller = result
        return result

    def check_deployment(self, name: str) -> tuple[Deployment, ModelInfo] | Response:
        self.deployment_name = name
        deployment = self.state.directory.openai.deployments.get(name)
        if deployment is None:
            return self.fail(errors.deployment_not_found())
        model = model_info(deployment.model, deployment.model_version)
        if self.operation.model_kind and model.kind != self.operation.model_kind:
            return self.fail(errors.operation_not_supported(self.operation.verb, deployment.model))
        return deployment, model

    def check_permission(self) -> Response | None:
        caller = self.caller
        if caller is None or caller.auth != "token":
            return None  # keys are not subject to Azure RBAC
        resource = self.state.directory.openai
        if self.state.directory.permits(caller.object_id, self.operation.data_action, resource.resource_id):
            return None
        return self.fail(
            errors.permission_denied(caller.object_id, self.operation.data_action, self.operation.template)
        )

    def check_quota(self, deployment: Deployment, tokens: int, api_version: str) -> dict[str, str] | Response:
        verdict = self.state.rate_limits.admit(deployment, tokens)
        if verdict is None:
            return {}
        if not verdict.allowed:
            return self.fail(
                errors.rate_limited(
                    self.operation.azure_name,
                    api_version,
                    verdict.exceeded,
                    math.ceil(verdict.retry_after),
                    verdict.headers,
                )
            )
        return verdict.headers

    def ok(self, extra_headers: dict[str, str] | None = None) -> dict[str, str]:
        self.audit(200)
        headers = {"apim-request-id": str(uuid.uuid4()), "x-ms-region": REGION}
        if extra_headers:
            headers.update(extra_headers)
        return headers
