"""The Azure OpenAI data plane: chat completions on a deployment, with RBAC and an audit trail.

Order of checks, as on Azure: authentication (401), tenant (400), deployment (404), data action
(401 PermissionDenied), then the request body (400). Replies are deterministic and say who
called and how, so a learner can see what the service saw.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import errors
from .caller import Caller, authenticate
from .rbac import OPENAI
from .state import EmulatorState

CHAT_DATA_ACTION = f"{OPENAI}/deployments/chat/completions/action"
CHAT_OPERATION = "POST /openai/deployments/{deployment-id}/chat/completions"
SAFE = {"filtered": False, "severity": "safe"}
CONTENT_FILTER = {"hate": SAFE, "self_harm": SAFE, "sexual": SAFE, "violence": SAFE}


def count_tokens(text: str) -> int:
    """A deterministic stand-in for a tokenizer: about four tokens for every three words."""
    return max(1, (len(text.split()) * 4 + 2) // 3)


def _last_user_message(messages: list[Any]) -> str:
    for message in reversed(messages):
        if isinstance(message, dict) and message.get("role") == "user":
            content = message.get("content", "")
            if isinstance(content, list):
                content = " ".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            return str(content)
    return ""


def compose_reply(caller: Caller, deployment: str, question: str) -> str:
    said = " ".join(question.split())
    if len(said) > 120:
        said = said[:117] + "..."
    return (
        f"Hello, {caller.name}! This is the keyless-lab emulator answering as deployment '{deployment}'. "
        f"You called Azure OpenAI with {caller.how}, object id {caller.object_id}, and Azure RBAC let it "
        f'through. You asked: "{said}"'
    )


def routes(state: EmulatorState) -> list[Route]:
    async def chat_completions(request: Request) -> Response:
        deployment = request.path_params["deployment"]
        if not request.query_params.get("api-version"):
            return errors.resource_not_found()
        caller = authenticate(request, state)
        if isinstance(caller, Response):
            state.audit.record("Azure OpenAI", f"chat {deployment}", "(rejected)", "", "-", caller.status_code)
            return caller

        def audit(status: int) -> None:
            state.audit.record("Azure OpenAI", f"chat {deployment}", caller.name, caller.object_id, caller.auth, status)

        resource = state.directory.openai
        if deployment not in resource.deployments:
            audit(404)
            return errors.deployment_not_found()
        if caller.auth == "token" and not state.directory.permits(
            caller.object_id, CHAT_DATA_ACTION, resource.resource_id
        ):
            audit(401)
            return errors.permission_denied(caller.object_id, CHAT_DATA_ACTION, CHAT_OPERATION)
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError):
            audit(400)
            return errors.bad_request("We could not parse the JSON body of your request.")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            audit(400)
            return errors.bad_request("'messages' is a required property", param="messages")

        model = resource.deployments[deployment]
        question = _last_user_message(body["messages"])
        content = compose_reply(caller, deployment, question)
        prompt_tokens = sum(
            count_tokens(str(m.get("content", ""))) + 4 for m in body["messages"] if isinstance(m, dict)
        )
        completion_tokens = count_tokens(content)
        digest = hashlib.sha256(f"{deployment}|{caller.object_id}|{question}".encode()).hexdigest()
        audit(200)
        return JSONResponse(
            {
                "choices": [
                    {
                        "content_filter_results": CONTENT_FILTER,
                        "finish_reason": "stop",
                        "index": 0,
                        "logprobs": None,
                        "message": {"content": content, "refusal": None, "role": "assistant"},
                    }
                ],
                "created": int(time.time()),
                "id": f"chatcmpl-{digest[:29]}",
                "model": f"{model.model}-{model.model_version}",
                "object": "chat.completion",
                "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": CONTENT_FILTER}],
                "system_fingerprint": "fp_keylesslab",
                "usage": {
                    "completion_tokens": completion_tokens,
                    "prompt_tokens": prompt_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
            headers={"apim-request-id": digest[:36], "x-ms-region": "Lab (emulated)"},
        )

    return [
        Route("/openai/deployments/{deployment}/chat/completions", chat_completions, methods=["POST"]),
    ]
