"""Emulated external OpenID Connect issuers whose tokens Entra ID accepts through federation.

Workload identity federation trusts a token from another identity provider: an AKS cluster's
service-account issuer, GitHub Actions, GitLab. Entra checks the token's signature against the
issuer's JWKS and matches `iss`/`sub`/`aud` with a federated identity credential. Here each issuer
is a name in tokens plus its own signing keys; Entra (the token endpoint) looks the keys up
in-process, so nothing ever leaves loopback.

- AKS: discovery + JWKS served under this emulator (`AKS_OIDC_ISSUER`), and a helper that writes a
  projected service-account token file, as the workload identity webhook mounts into a pod.
- GitHub Actions: the runner's ID-token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL` + `_TOKEN`).
- GitLab: ID tokens as GitLab puts them into a job's environment (`id_tokens:` in .gitlab-ci.yml).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt

from ..clock import Clock
from ..crypto.keys import KeySet

FEDERATION_AUDIENCE = "api://AzureADTokenExchange"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_ISSUER = "https://gitlab.com"
AKS_CLUSTER_ID = "6f1c2b9e-4d7a-4e35-9a0b-3c8d5e2f1a67"  # fixed, like the GUIDs of the seeded directory
GITHUB_RUNNER_PATH = "/github-actions/_apis/distributedtask/hubs/Actions/plans/{plan}/jobs/{job}/idtoken"


class ExternalIssuer:
    """An issuer string plus its own RS256 key set (generated on first use)."""

    def __init__(self, issuer: str, clock: Clock) -> None:
        self.issuer = issuer
        self.clock = clock
        self._keys: KeySet | None = None
        self._lock = threading.Lock()

    @property
    def keys(self) -> KeySet:
        with self._lock:
            if self._keys is None:
                self._keys = KeySet()
            return self._keys

    def sign(self, claims: dict[str, Any], headers: dict[str, Any] | None = None) -> str:
        key = self.keys.current
        return jwt.encode(
            {"iss": self.issuer, **claims},
            key.private_key,
            algorithm="RS256",
            headers={"kid": key.kid, "typ": "JWT", **(headers or {})},
        )

    def jwks(self) -> dict[str, Any]:
        return self.keys.jwks()

    def _times(self, lifetime: int) -> dict[str, int]:
        now = int(self.clock.now())
        return {"iat": now, "nbf": now, "exp": now + lifetime}


class AksIssuer(ExternalIssuer):
    """An AKS cluster's OIDC issuer (URL ends with '/', as AKS issuer URLs do)."""

    def service_account_token(
        self, namespace: str, service_account: str, audience: str = FEDERATION_AUDIENCE, lifetime: int = 3600
    ) -> str:
        """A projected service-account token like the one kubelet mounts for workload identity."""
        pod = f"{service_account}-{hashlib.sha256(service_account.encode()).hexdigest()[:10]}"
        return self.sign(
            {
                "aud": [audience],
                "sub": f"system:serviceaccount:{namespace}:{service_account}",
                # A unique id per token: Kubernetes adds it since 1.30 (ServiceAccountTokenJTI, on by
                # default; GA in 1.32), so two tokens signed in the same second still differ.
                "jti": str(uuid.uuid4()),
                "kubernetes.io": {
                    "namespace": namespace,
                    "pod": {"name": pod, "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, pod))},
                    "serviceaccount": {
                        "name": service_account,
                        "uid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{namespace}/{service_account}")),
                    },
                },
                **self._times(lifetime),
            }
        )

    def write_token_file(
        self,
        path: Path,
        namespace: str,
        service_account: str,
        audience: str = FEDERATION_AUDIENCE,
        lifetime: int = 3600,
    ) -> Path:
        """Write (or refresh) the token file that AZURE_FEDERATED_TOKEN_FILE names."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.service_account_token(namespace, service_account, audience, lifetime))
        path.chmod(0o600)
        return path

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "jwks_uri": f"{self.issuer}openid/v1/jwks",
            "response_types_supported": ["id_token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }


def github_numeric_id(name: str) -> str:
    """Emulator-only: a stable stand-in for the numeric id GitHub gives an account or repository
    (`gh api repos/OWNER/REPO --jq '{owner: .owner.id, repo: .id}'` shows the real ones)."""
    return str(100_000 + int.from_bytes(hashlib.sha256(name.lower().encode()).digest()[:4], "big") % 900_000_000)


@dataclass(frozen=True)
class GitHubJob:
    """What the runner knows about the job that asks for an ID token.

    `immutable_subject`: GitHub's immutable subject claims, the default for repositories created or
    renamed since 15 July 2026 (and opt-in for older ones): the subject's `repo:` part carries the
    owner's and the repository's numeric ids, `repo:OWNER@OWNER_ID/REPO@REPO_ID:...`, so a recycled
    name cannot inherit a trust relationship."""

    repository: str  # ORG/REPO
    ref: str = "refs/heads/main"
    environment: str | None = None
    event_name: str = "push"
    plan_id: str = ""
    job_id: str = ""
    immutable_subject: bool = False

    @property
    def owner(self) -> str:
        return self.repository.split("/", 1)[0]

    @property
    def owner_id(self) -> str:
        return github_numeric_id(self.owner)

    @property
    def repository_id(self) -> str:
        return github_numeric_id(self.repository)

    @property
    def subject(self) -> str:
        repo = self.repository
        if self.immutable_subject:
            name = repo.split("/", 1)[1]
            repo = f"{self.owner}@{self.owner_id}/{name}@{self.repository_id}"
        if self.environment:
            return f"repo:{repo}:environment:{self.environment}"
        if self.event_name in ("pull_request", "pull_request_target"):
            return f"repo:{repo}:pull_request"
        return f"repo:{repo}:ref:{self.ref}"


class GitHubActionsIssuer(ExternalIssuer):
    """GitHub's OIDC provider and the runner-side token endpoint of emulated jobs."""

    def __init__(self, issuer: str, clock: Clock, runner_base: str) -> None:
        super().__init__(issuer, clock)
        self.runner_base = runner_base
        self._jobs: dict[str, GitHubJob] = {}

    def start_job(
        self,
        repository: str,
        ref: str = "refs/heads/main",
        environment: str | None = None,
        event_name: str = "push",
        immutable_subject: bool = False,
    ) -> dict[str, str]:
        """Start an emulated job (`permissions: id-token: write`); returns the variables the runner sets."""
        job = GitHubJob(
            repository, ref, environment, event_name, str(uuid.uuid4()), str(uuid.uuid4()), immutable_subject
        )
        request_token = secrets.token_urlsafe(32)
        with self._lock:
            self._jobs[request_token] = job
        path = GITHUB_RUNNER_PATH.format(plan=job.plan_id, job=job.job_id)
        return {
            "ACTIONS_ID_TOKEN_REQUEST_URL": f"{self.runner_base}{path}?api-version=2.0",
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": request_token,
            "GITHUB_REPOSITORY": repository,
            "GITHUB_REF": ref,
            "GITHUB_EVENT_NAME": event_name,
        }

    def job_for(self, request_token: str) -> GitHubJob | None:
        with self._lock:
            for known, job in self._jobs.items():
                if hmac.compare_digest(known.encode(), request_token.encode()):
                    return job
        return None

    def id_token(self, job: GitHubJob, audience: str | None = None, lifetime: int = 300) -> str:
        owner = job.owner
        ref_type = "tag" if job.ref.startswith("refs/tags/") else "branch"
        claims: dict[str, Any] = {
            "jti": str(uuid.uuid4()),
            "sub": job.subject,
            "aud": audience or f"https://github.com/{owner}",  # GitHub's default audience
            "ref": job.ref,
            "ref_type": ref_type,
            "repository": job.repository,
            "repository_id": job.repository_id,
            "repository_owner": owner,
            "repository_owner_id": job.owner_id,
            "event_name": job.event_name,
            "job_workflow_ref": f"{job.repository}/.github/workflows/ci.yml@{job.ref}",
            "runner_environment": "github-hosted",
            **self._times(lifetime),
        }
        if job.environment:
            claims["environment"] = job.environment
        key = self.keys.current
        return self.sign(claims, headers={"x5t": key.kid})


class GitLabIssuer(ExternalIssuer):
    """GitLab CI ID tokens (`id_tokens:` with `aud:`), handed to the job as an environment variable."""

    def id_token(
        self,
        project_path: str,
        ref: str = "main",
        ref_type: str = "branch",
        audience: str = FEDERATION_AUDIENCE,
        lifetime: int = 3600,
    ) -> str:
        namespace = project_path.rsplit("/", 1)[0]
        return self.sign(
            {
                "aud": audience,
                "sub": f"project_path:{project_path}:ref_type:{ref_type}:ref:{ref}",
                "jti": str(uuid.uuid4()),
                "namespace_path": namespace,
                "project_path": project_path,
                "ref": ref,
                "ref_type": ref_type,
                "ref_protected": "true",
                "pipeline_source": "push",
                **self._times(lifetime),
            }
        )


class ExternalIssuers:
    """The emulated issuers of one emulator instance, looked up by their `iss` string."""

    def __init__(self, https_base: str, tenant_id: str, clock: Clock) -> None:
        self.aks = AksIssuer(f"{https_base}/oidc/aks/{tenant_id}/{AKS_CLUSTER_ID}/", clock)
        self.github = GitHubActionsIssuer(GITHUB_ISSUER, clock, runner_base=https_base)
        self.gitlab = GitLabIssuer(GITLAB_ISSUER, clock)

    def by_issuer(self, issuer: str) -> ExternalIssuer | None:
        return next((i for i in (self.aks, self.github, self.gitlab) if i.issuer == issuer), None)

    def placeholders(self) -> dict[str, str]:
        """Values for `${NAME}` placeholders in the seeded federated credentials."""
        return {"AKS_OIDC_ISSUER": self.aks.issuer}

    def describe(self) -> dict[str, str]:
        return {"aks_oidc_issuer": self.aks.issuer, "github_actions": self.github.issuer, "gitlab": self.gitlab.issuer}
