"""`keyless-lab env aks-pod | github-actions | gitlab`: be a pod or a CI job, from any process.

Each command reads the running lab from the environment that `lab.env` set (`keyless-lab serve`
writes it; `--lab-env FILE` reads it from the file instead), asks the emulator's admin API for what
the platform would hand the workload (a projected service-account token, a runner's ID-token
endpoint, a GitLab ID token) and writes a dotenv file another process sources, so its unchanged
`WorkloadIdentityCredential` / `ClientAssertionCredential` code runs as it would on AKS or in CI.
Bad input prints one line and exits with code 2.
"""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

from dotenv import dotenv_values

from .emulator.lab.federation_admin import AKS_TOKEN_PATH, GITHUB_JOB_PATH, GITLAB_TOKEN_PATH
from .shims import _lab

USAGE_ERROR = 2
# Kubernetes names: a namespace is an RFC 1123 label, a service account an RFC 1123 subdomain.
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
GITLAB_PROJECT = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$")
LAB_VARIABLES = ("AZURE_AUTHORITY_HOST", _lab.ADMIN_KEY_VAR, "KEYLESS_LAB_DIRECTORY")
CI_APP = "app-keyless-ci"  # the lab's app registration that trusts GitHub Actions and GitLab


class UsageError(Exception):
    """One line telling the person what to do (exit code 2)."""


def _load_lab(lab_env: str | None) -> None:
    """Take the lab's variables from `--lab-env FILE` (if given) into this process, then check them."""
    if lab_env:
        path = Path(lab_env)
        if not path.is_file() or not os.access(path, os.R_OK):
            raise UsageError(f"cannot read the lab environment file '{lab_env}': start `keyless-lab serve` first")
        os.environ.update({k: v for k, v in dotenv_values(path).items() if v is not None and k != "PATH"})
    missing = [name for name in LAB_VARIABLES if not os.environ.get(name)]
    if missing:
        raise UsageError(
            f"no running lab in this environment ({', '.join(missing)} unset): start `keyless-lab serve` and "
            "run `set -a; . ./lab.env; set +a`, or pass --lab-env lab.env"
        )


def _admin(path: str, body: dict[str, str]) -> dict:
    try:
        answer = _lab.admin("POST", path, body)
    except _lab.LabError as error:
        raise UsageError(f"{error} (is `keyless-lab serve` still running?)") from None
    return answer if isinstance(answer, dict) else {}


def _write(path: str, header: str, values: dict[str, str]) -> Path:
    """A dotenv file only its owner can read (it holds a token or a token-request secret)."""
    target = Path(path)
    lines = [f"# {line}" for line in header.splitlines()]
    lines += [f'{name}="{value}"' for name, value in values.items()]
    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as env_file:
            env_file.write("\n".join(lines) + "\n")
    except OSError as error:
        raise UsageError(f"cannot write the env file '{path}': {error.strerror}") from None
    return target


def _ci_app_client_id() -> str:
    from .shims._lab import read_json

    directory = read_json(Path(os.environ["KEYLESS_LAB_DIRECTORY"]))
    if directory is None:
        raise UsageError(f"cannot read the lab directory '{os.environ['KEYLESS_LAB_DIRECTORY']}': is the lab running?")
    return next(p["client_id"] for p in directory["principals"] if p["name"] == CI_APP)


# -- the three commands --------------------------------------------------------------------------
def aks_pod(args: argparse.Namespace) -> str:
    if not DNS_LABEL.match(args.namespace):
        raise UsageError(f"--namespace '{args.namespace}' is not a Kubernetes namespace (lower-case RFC 1123 label)")
    if not DNS_SUBDOMAIN.match(args.service_account):
        raise UsageError(f"--service-account '{args.service_account}' is not a Kubernetes name (lower-case RFC 1123)")
    _load_lab(args.lab_env)
    answer = _admin(AKS_TOKEN_PATH, {"namespace": args.namespace, "service_account": args.service_account})
    # The webhook takes the client id from the ServiceAccount's annotation; by default, the identity that
    # trusts this subject, else one that trusts the cluster (Entra ID then refuses the token, as on Azure).
    client_id = args.client_id or answer.get("trusted_by") or answer.get("issuer_trusted_by")
    if not client_id:
        raise UsageError("no identity trusts the lab cluster's issuer: pass --client-id")
    token_file = Path(args.token_file or Path(args.env_file).with_suffix(".token")).resolve()
    try:
        fd = os.open(token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(answer["token"])
    except OSError as error:
        raise UsageError(f"cannot write the token file '{token_file}': {error.strerror}") from None
    _write(
        args.env_file,
        f"What the AKS workload identity webhook injects into a pod of service account {args.service_account}\n"
        f"in namespace {args.namespace} (lab-only; the token expires in 1 hour: run the command again to rotate it).",
        {
            "AZURE_CLIENT_ID": client_id,
            "AZURE_TENANT_ID": answer["tenant_id"],
            "AZURE_FEDERATED_TOKEN_FILE": str(token_file),
            "AZURE_AUTHORITY_HOST": os.environ["AZURE_AUTHORITY_HOST"],
        },
    )
    note = "" if answer.get("trusted_by") == client_id else " (no federated credential of it trusts this subject)"
    return f"pod environment in {args.env_file}: subject {answer['subject']}, client id {client_id}{note}"


def github_actions(args: argparse.Namespace) -> str:
    if not GITHUB_REPOSITORY.match(args.repo):
        raise UsageError(f"--repo '{args.repo}' is not OWNER/NAME")
    _load_lab(args.lab_env)
    body: dict[str, object] = {"repository": args.repo, "immutable_subject": args.immutable_subject}
    if args.environment:
        body["environment"] = args.environment
    elif args.pull_request:
        body.update(event_name="pull_request", ref=f"refs/pull/{args.pull_request}/merge")
    else:
        body["ref"] = args.ref if args.ref.startswith("refs/") else f"refs/heads/{args.ref}"
    answer = _admin(GITHUB_JOB_PATH, body)
    variables = {"GITHUB_ACTIONS": "true", "CI": "true", **answer["variables"]}
    # What the workflow itself puts in `env:` (repository variables), for azure/login or your own step.
    variables |= {"AZURE_CLIENT_ID": _ci_app_client_id(), "AZURE_TENANT_ID": answer["tenant_id"]}
    _write(
        args.env_file,
        f"What a GitHub Actions runner sets for a job of {args.repo} with `permissions: id-token: write`\n"
        "(lab-only). AZURE_CLIENT_ID and AZURE_TENANT_ID are what your workflow's `env:` would add.",
        variables,
    )
    return f"job environment in {args.env_file}: {args.repo}, ask ACTIONS_ID_TOKEN_REQUEST_URL for an ID token"


def gitlab(args: argparse.Namespace) -> str:
    if not GITLAB_PROJECT.match(args.project):
        raise UsageError(f"--project '{args.project}' is not GROUP/NAME")
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", args.variable):
        raise UsageError(f"--variable '{args.variable}' is not an environment variable name")
    _load_lab(args.lab_env)
    ref_type = "tag" if args.tag else "branch"
    answer = _admin(
        GITLAB_TOKEN_PATH, {"project_path": args.project, "ref": args.ref, "ref_type": ref_type, "audience": args.aud}
    )
    _write(
        args.env_file,
        f"What a GitLab job of {args.project} on {ref_type} {args.ref} sees with\n"
        f"`id_tokens: {{{args.variable}: {{aud: {args.aud}}}}}` (lab-only; the token expires in 1 hour).",
        {
            "GITLAB_CI": "true",
            "CI": "true",
            "CI_PROJECT_PATH": args.project,
            "CI_COMMIT_REF_NAME": args.ref,
            args.variable: answer["token"],
            "AZURE_CLIENT_ID": _ci_app_client_id(),
            "AZURE_TENANT_ID": answer["tenant_id"],
        },
    )
    return f"job environment in {args.env_file}: subject {answer['subject']}, ID token in {args.variable}"


def run(args: argparse.Namespace) -> int:
    try:
        print(args.env_command(args))
    except UsageError as error:
        print(f"keyless-lab env: {error}")
        return USAGE_ERROR
    return 0


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Register `keyless-lab env ...` on the main parser (one call from cli.py)."""
    env = commands.add_parser("env", help="write the environment of an AKS pod or a CI job (needs a running lab)")
    kinds = env.add_subparsers(dest="kind", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--env-file", required=True, help="dotenv file to write (then: set -a; . FILE; set +a)")
        p.add_argument("--lab-env", help="read the running lab from this file instead of the environment")
        p.set_defaults(func=run)

    p = kinds.add_parser("aks-pod", help="be a pod with AKS workload identity")
    p.add_argument("--namespace", required=True, help="Kubernetes namespace, e.g. keyless")
    p.add_argument("--service-account", required=True, help="ServiceAccount name, e.g. chat-app")
    p.add_argument(
        "--client-id", help="the ServiceAccount's azure.workload.identity/client-id (default: the trusting identity)"
    )
    p.add_argument("--token-file", help="where to write the projected token (default: the env file with .token)")
    p.set_defaults(env_command=aks_pod)
    common(p)

    p = kinds.add_parser("github-actions", help="be a GitHub Actions job with permissions: id-token: write")
    p.add_argument("--repo", required=True, help="OWNER/NAME, e.g. contoso/keyless-lab")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--ref", help="branch or tag: main, refs/heads/main, refs/tags/v1")
    which.add_argument("--environment", help="a deployment environment, e.g. prod")
    which.add_argument("--pull-request", type=int, metavar="NUMBER", help="a pull_request event for this PR")
    p.add_argument(
        "--immutable-subject",
        action="store_true",
        help="the repository uses GitHub's immutable subject claims, repo:OWNER@ID/REPO@ID:... "
        "(the default for repositories created or renamed since 15 July 2026)",
    )
    p.set_defaults(env_command=github_actions)
    common(p)

    p = kinds.add_parser("gitlab", help="be a GitLab CI job with id_tokens:")
    p.add_argument("--project", required=True, help="GROUP/NAME, e.g. contoso/keyless-lab")
    p.add_argument("--ref", required=True, help="branch (or tag, with --tag) the pipeline runs for")
    p.add_argument("--tag", action="store_true", help="the ref is a tag")
    p.add_argument("--aud", default="api://AzureADTokenExchange", help="the id_tokens aud (default: Entra's)")
    p.add_argument("--variable", default="AZURE_ID_TOKEN", help="the id_tokens variable name (default: AZURE_ID_TOKEN)")
    p.set_defaults(env_command=gitlab)
    common(p)
