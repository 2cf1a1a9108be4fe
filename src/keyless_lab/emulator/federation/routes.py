"""The routes of the emulated external issuers: discovery and JWKS of the AKS cluster issuer, the
JWKS of GitHub Actions and GitLab, and the GitHub Actions runner's ID-token endpoint.

Apart from `issuers.py` (what each issuer is and signs), so that the issuers need not know the
emulator's state, which holds them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..state import EmulatorState, emulator_state
from .issuers import GITHUB_RUNNER_PATH

GITHUB_JWKS_PATH = "/oidc/github-actions/.well-known/jwks"
GITLAB_JWKS_PATH = "/oidc/gitlab/oauth/discovery/keys"


async def aks_discovery(request: Request) -> Response:
    return JSONResponse(emulator_state(request).external_issuers.aks.discovery())


async def aks_jwks(request: Request) -> Response:
    return JSONResponse(emulator_state(request).external_issuers.aks.jwks())


async def github_jwks(request: Request) -> Response:
    return JSONResponse(emulator_state(request).external_issuers.github.jwks())


async def gitlab_jwks(request: Request) -> Response:
    return JSONResponse(emulator_state(request).external_issuers.gitlab.jwks())


async def github_id_token(request: Request) -> Response:
    state = emulator_state(request)
    issuers = state.external_issuers
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    job = issuers.github.job_for(presented.strip()) if scheme.lower() == "bearer" else None
    path = request.path_params
    if job is None or (job.plan_id, job.job_id) != (path["plan"], path["job"]):
        state.audit.record("GitHub Actions", "GET idtoken", "(rejected)", "", "runner token", 401)
        return JSONResponse({"message": "Unauthorized: invalid ACTIONS_ID_TOKEN_REQUEST_TOKEN"}, status_code=401)
    audience = request.query_params.get("audience") or None
    state.audit.record("GitHub Actions", "GET idtoken", job.subject, "", "runner token", 200)
    return JSONResponse({"count": 1, "value": issuers.github.id_token(job, audience)})


def routes(state: EmulatorState) -> list[Route]:
    # The AKS issuer's path is per instance (it carries the emulator's address and a cluster id).
    aks_path = state.external_issuers.aks.issuer.removeprefix(state.urls.https)
    return [
        Route(f"{aks_path}.well-known/openid-configuration", aks_discovery, methods=["GET"]),
        Route(f"{aks_path}openid/v1/jwks", aks_jwks, methods=["GET"]),
        Route(GITHUB_JWKS_PATH, github_jwks, methods=["GET"]),
        Route(GITLAB_JWKS_PATH, gitlab_jwks, methods=["GET"]),
        Route(GITHUB_RUNNER_PATH, github_id_token, methods=["GET"]),  # the runner's ID-token endpoint
    ]
