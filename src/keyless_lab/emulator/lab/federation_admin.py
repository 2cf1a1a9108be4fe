"""Emulator-only admin API for the external issuers: act as a pod or a CI job from another process.

On Azure, the AKS kubelet signs a pod's service-account token, the GitHub runner hands a job its
ID-token endpoint, GitLab puts an ID token into a job's environment. In the lab those issuers live
inside the emulator, so `keyless-lab env aks-pod | github-actions | gitlab` (another process) asks
for them here, with the instance's admin key (`X-Keyless-Lab-Admin-Key`, as `lab_admin`).
Issuing is never refused for a subject no federated credential trusts: as on Azure, the token is
issued and Entra ID refuses it at the token endpoint.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..federation.issuers import FEDERATION_AUDIENCE
from ..state import EmulatorState
from .admin import read_admin_request
from .request_error import LabRequestError

AKS_TOKEN_PATH = "/_lab/admin/aks/service-account-token"
GITHUB_JOB_PATH = "/_lab/admin/github-actions/jobs"
GITLAB_TOKEN_PATH = "/_lab/admin/gitlab/id-token"


async def _body(request: Request, state: EmulatorState, flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """The request's JSON object: strings, and true/false for the names in `flags`."""
    body = await read_admin_request(request, state)
    for name, value in body.items():
        if name in flags:
            if not isinstance(value, bool):
                raise LabRequestError(f"{name} must be true or false")
        elif not isinstance(value, str):
            raise LabRequestError("the body must be a JSON object of strings")
    return body


def trusting_client_id(state: EmulatorState, issuer: str, subject: str | None = None) -> str | None:
    """The client id of the identity or app whose federated credential trusts (issuer, subject);
    with no subject, the first that trusts the issuer at all."""
    for owner, credentials in state.directory.federated_credentials.items():
        if any(c.issuer == issuer and subject in (None, c.subject) for c in credentials):
            return owner
    return None


def routes(state: EmulatorState) -> list[Route]:
    issuers = state.external_issuers
    tenant_id = state.directory.primary_tenant.id

    async def aks_token(request: Request) -> Response:
        body = await _body(request, state)
        namespace, account = body.get("namespace", ""), body.get("service_account", "")
        if not (namespace and account):
            raise LabRequestError("namespace and service_account are required")
        subject = f"system:serviceaccount:{namespace}:{account}"
        token = issuers.aks.service_account_token(namespace, account, body.get("audience") or FEDERATION_AUDIENCE)
        state.audit.record("AKS", "sign service-account token", subject, "", "admin", 200)
        return JSONResponse(
            {
                "token": token,
                "issuer": issuers.aks.issuer,
                "subject": subject,
                "tenant_id": tenant_id,
                "trusted_by": trusting_client_id(state, issuers.aks.issuer, subject),
                "issuer_trusted_by": trusting_client_id(state, issuers.aks.issuer),
            }
        )

    async def github_job(request: Request) -> Response:
        body = await _body(request, state, flags=("immutable_subject",))
        repository = body.get("repository", "")
        if not repository:
            raise LabRequestError("repository is required")
        variables = issuers.github.start_job(
            repository,
            ref=body.get("ref") or "refs/heads/main",
            environment=body.get("environment") or None,
            event_name=body.get("event_name") or "push",
            immutable_subject=body.get("immutable_subject", False),
        )
        state.audit.record("GitHub Actions", "start job", repository, "", "admin", 201)
        return JSONResponse({"variables": variables, "tenant_id": tenant_id}, status_code=201)

    async def gitlab_token(request: Request) -> Response:
        body = await _body(request, state)
        project, ref = body.get("project_path", ""), body.get("ref", "")
        if not (project and ref):
            raise LabRequestError("project_path and ref are required")
        ref_type = body.get("ref_type") or "branch"
        token = issuers.gitlab.id_token(project, ref, ref_type, body.get("audience") or FEDERATION_AUDIENCE)
        state.audit.record("GitLab", "issue ID token", project, "", "admin", 200)
        subject = f"project_path:{project}:ref_type:{ref_type}:ref:{ref}"
        return JSONResponse(
            {
                "token": token,
                "subject": subject,
                "tenant_id": tenant_id,
                "trusted_by": trusting_client_id(state, issuers.gitlab.issuer, subject),
            }
        )

    return [
        Route(AKS_TOKEN_PATH, aks_token, methods=["POST"]),
        Route(GITHUB_JOB_PATH, github_job, methods=["POST"]),
        Route(GITLAB_TOKEN_PATH, gitlab_token, methods=["POST"]),
    ]
