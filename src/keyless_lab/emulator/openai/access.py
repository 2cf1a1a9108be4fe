"""The checks every Azure OpenAI data-plane call passes, in Azure's order, each one audited.

authentication (401 / 403 key auth disabled) -> token tenant (400) -> deployment (404, or 400
OperationNotSupported) -> RBAC data action (401 PermissionDenied; keys bypass RBAC) -> body
(400) -> quota (429). `DataPlaneCall` carries one request through them and writes exactly one
audit row with the final status, so the log reads as "who called what, how, and what happened".
"""

from __future__ import annotations

import itertools
import math
import secrets
from dataclasses import dataclass

from starlette.responses import Response

from .. import errors
from ..asgi import Incoming, RawHeaders
from ..directory import Deployment, Directory
from ..rbac import OPENAI
from ..state import EmulatorState
from .caller import Caller, CallerCache, Rejected, authenticate
from .models import CHAT, EMBEDDINGS, ModelInfo, model_info
from .reply_memo import ReplyMemo
from .responses import ResponseStore

SERVICE = "Azure OpenAI"
REGION = "Lab (emulated)"
REGION_HEADER = (b"x-ms-region", REGION.encode())


@dataclass(frozen=True)
class Operation:
    label: str  # for the audit log, followed by the deployment: "chat gpt-4o-mini"
    data_action: str  # what RBAC checks
    template: str  # the operation as PermissionDenied names it
    azure_name: str = ""  # as 429 messages name it
    model_kind: str = ""  # the model kind the operation needs (CHAT / EMBEDDINGS), if any
    verb: str = ""  # as OperationNotSupported names it


CHAT_ACTION = f"{OPENAI}/deployments/chat/completions/action"
EMBEDDINGS_ACTION = f"{OPENAI}/deployments/embeddings/action"
MODELS_ACTION = f"{OPENAI}/models/read"
# The Responses API's data actions, as Azure's PermissionDenied answers name them for
# `POST /openai/v1/responses`; the OpenAI User role grants them through `OpenAI/responses/*`.
RESPONSES_WRITE_ACTION = f"{OPENAI}/responses/write"
RESPONSES_READ_ACTION = f"{OPENAI}/responses/read"

CHAT_COMPLETIONS = Operation(
    "chat",
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
# Unconfirmed: how Azure's PermissionDenied names an operation on the v1 surface. Captured answers
# quote only the deployments surface ("... to perform POST /openai/deployments/{deployment-id}/chat/
# completions operation"); the lab names the v1 route the same way, with its own path.
V1_CHAT_COMPLETIONS = Operation(
    "v1 chat",
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
V1_RESPONSES_CREATE = Operation(
    "v1 responses", RESPONSES_WRITE_ACTION, "POST /openai/v1/responses", "Responses_Create", CHAT, "responses"
)
V1_RESPONSES_GET = Operation("v1 get response", RESPONSES_READ_ACTION, "GET /openai/v1/responses/{response_id}")


class PermissionCache:
    """Azure RBAC decisions by (principal, data action, resource), recomputed whenever the role
    assignments change (the directory replaces its list on every change), so RBAC costs a
    dictionary lookup per call rather than a scan of assignments and wildcard patterns."""

    def __init__(self, directory: Directory) -> None:
        self._directory = directory
        self._seen: object = None
        self._size = -1
        self._decisions: dict[tuple[str, str, str], bool] = {}

    def permits(self, principal_id: str, data_action: str, resource_id: str) -> bool:
        assignments = self._directory.role_assignments
        if assignments is not self._seen or len(assignments) != self._size:
            self._decisions = {}
            self._seen, self._size = assignments, len(assignments)
        key = (principal_id, data_action, resource_id)
        decision = self._decisions.get(key)
        if decision is None:
            decision = self._directory.permits(principal_id, data_action, resource_id)
            self._decisions[key] = decision
        return decision


class DataPlane:
    """Per-instance state of the data plane's hot path: the emulator state plus its caches."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.callers = CallerCache()
        self.permissions = PermissionCache(state.directory)
        self.responses = ResponseStore()  # stored Responses API replies, for GET and previous_response_id
        self.replies = ReplyMemo()  # encoded chat replies, reused within their second
        p = secrets.token_hex(12)
        self._request_id_format = f"{p[:8]}-{p[8:12]}-{p[12:16]}-{p[16:20]}-%012x".encode()
        self._request_counter = itertools.count(1)

    def request_id(self) -> bytes:
        """A unique `apim-request-id` in GUID shape, encoded, without a uuid4 per call."""
        return self._request_id_format % next(self._request_counter)


class DataPlaneCall:
    """One request through the checks. Each `check_*` returns an error response (already audited)
    or the value the next step needs; `ok()` audits success and returns the response headers."""

    __slots__ = ("caller", "deployment_name", "operation", "plane", "state")

    def __init__(self, plane: DataPlane, operation: Operation, deployment: str = "") -> None:
        self.plane = plane
        self.state = plane.state
        self.operation = operation
        self.deployment_name = deployment
        self.caller: Caller | None = None

    @property
    def operation_label(self) -> str:
        """What the audit log's operation column says, e.g. "chat gpt-4o-mini" or "list models"."""
        name = self.deployment_name
        return f"{self.operation.label} {name}" if name else self.operation.label

    def audit(self, status: int) -> None:
        caller = self.caller
        if caller is None:
            return
        self.state.audit.record(
            SERVICE,
            self.operation_label,
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

    def check_caller(self, incoming: Incoming, *, key_as_bearer: bool = False) -> Caller | Response:
        result = authenticate(
            self.state,
            incoming.authorization,
            incoming.api_key,
            key_as_bearer=key_as_bearer,
            cache=self.plane.callers,
        )
        if isinstance(result, Rejected):
            self.state.audit.record(
                SERVICE,
                self.operation_label,
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
        if self.plane.permissions.permits(caller.object_id, self.operation.data_action, resource.resource_id):
            return None
        return self.fail(
            errors.permission_denied(caller.object_id, self.operation.data_action, self.operation.template)
        )

    def check_quota(self, deployment: Deployment, tokens: int, api_version: str) -> RawHeaders | Response:
        verdict = self.state.rate_limits.admit(deployment, tokens)
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
        return verdict.raw_headers

    def ok(self, extra_headers: RawHeaders | None = None) -> RawHeaders:
        """Audit success; the response headers, encoded: request id, region, then `extra_headers`."""
        self.audit(200)
        headers = [(b"apim-request-id", self.plane.request_id()), REGION_HEADER]
        if extra_headers:
            headers += extra_headers
        return headers
