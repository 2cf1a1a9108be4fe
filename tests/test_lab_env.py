"""`keyless-lab env aks-pod | github-actions | gitlab` against `keyless-lab serve`, each step its own
process: the server, the env command, and a program with the real credential classes that only
sources the written file (as `set -a; . pod.env; set +a; python app.py` would)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values
from serve_process import serve_subprocess

from keyless_lab.emulator.directory.seed_ids import CI_APP_CLIENT_ID, OPENAI_IDENTITY_CLIENT_ID
from keyless_lab.emulator.federation.issuers import github_numeric_id

CLI = [sys.executable, "-m", "keyless_lab.cli"]
CI_APP = CI_APP_CLIENT_ID  # app-keyless-ci
IDENTITY_CLIENT_ID = OPENAI_IDENTITY_CLIENT_ID  # id-keyless-openai

# The programs below are what a learner runs: credential code only, every value from the environment.
POD_PROGRAM = """
from azure.identity import DefaultAzureCredential, WorkloadIdentityCredential
from azure.core.exceptions import ClientAuthenticationError
import jwt
scope = "https://cognitiveservices.azure.com/.default"
try:
    token = WorkloadIdentityCredential().get_token(scope).token
    print("appid", jwt.decode(token, options={"verify_signature": False})["appid"])
    chain = DefaultAzureCredential(exclude_managed_identity_credential=True)
    chain.get_token(scope)
    print("chain", type(chain._successful_credential).__name__)
except ClientAuthenticationError as error:
    print("refused", "AADSTS700213" in str(error))
"""

GITHUB_PROGRAM = """
import json, os, ssl, urllib.request
import jwt
from azure.identity import ClientAssertionCredential
from azure.core.exceptions import ClientAuthenticationError

def github_id_token():  # what azure/login's core.getIDToken() does
    request = urllib.request.Request(
        os.environ["ACTIONS_ID_TOKEN_REQUEST_URL"] + "&audience=api://AzureADTokenExchange",
        headers={"Authorization": "Bearer " + os.environ["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]},
    )
    context = ssl.create_default_context(cafile=os.environ["REQUESTS_CA_BUNDLE"])
    with urllib.request.urlopen(request, context=context) as response:
        return json.load(response)["value"]

print("sub", jwt.decode(github_id_token(), options={"verify_signature": False})["sub"])
tenant, client = os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"]
credential = ClientAssertionCredential(tenant, client, func=github_id_token)
try:
    token = credential.get_token("https://cognitiveservices.azure.com/.default").token
    print("appid", jwt.decode(token, options={"verify_signature": False})["appid"])
except ClientAuthenticationError as error:
    print("refused", "AADSTS700213" in str(error))
"""

GITLAB_PROGRAM = """
import os
import jwt
from azure.identity import ClientAssertionCredential
from azure.core.exceptions import ClientAuthenticationError

credential = ClientAssertionCredential(
    os.environ["AZURE_TENANT_ID"], os.environ["AZURE_CLIENT_ID"], func=lambda: os.environ["AZURE_ID_TOKEN"]
)
try:
    token = credential.get_token("https://cognitiveservices.azure.com/.default").token
    print("appid", jwt.decode(token, options={"verify_signature": False})["appid"])
except ClientAuthenticationError as error:
    print("refused", str(error).split(":")[0].split()[-1] if "AADSTS" in str(error) else str(error))
"""


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """`keyless-lab serve` in its own process; yields its lab.env."""
    env_file = tmp_path_factory.mktemp("serve") / "lab.env"
    with serve_subprocess(env_file):
        yield env_file


def shell_environment(*env_files: Path) -> dict[str, str]:
    """A shell's environment after `set -a; . FILE; set +a` for each file (no Azure variables of its own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_", "ACTIONS_"))}
    for env_file in env_files:
        values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        values.pop("PATH", None)
        env.update(values)
    return env


def keyless_lab_env(lab_env: Path, *args: str, lab_env_in_shell: bool = True) -> subprocess.CompletedProcess[str]:
    env = shell_environment(lab_env) if lab_env_in_shell else shell_environment()
    return subprocess.run([*CLI, "env", *args], env=env, capture_output=True, text=True, timeout=60)


def run_program(program: str, *env_files: Path) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", program], env=shell_environment(*env_files), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def test_aks_pod_environment_works_with_workload_identity_and_the_default_chain(lab_env: Path, tmp_path: Path) -> None:
    pod_env = tmp_path / "pod.env"
    made = keyless_lab_env(
        lab_env, "aks-pod", "--namespace", "keyless", "--service-account", "chat-app", "--env-file", str(pod_env)
    )
    assert made.returncode == 0, made.stdout + made.stderr
    assert "system:serviceaccount:keyless:chat-app" in made.stdout
    values = dotenv_values(pod_env)
    assert set(values) == {"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST"}
    assert values["AZURE_CLIENT_ID"] == IDENTITY_CLIENT_ID
    assert Path(str(values["AZURE_FEDERATED_TOKEN_FILE"])).stat().st_mode & 0o077 == 0
    assert run_program(POD_PROGRAM, lab_env, pod_env) == [
        f"appid {IDENTITY_CLIENT_ID}",
        "chain WorkloadIdentityCredential",
    ]


def test_aks_pod_with_an_untrusted_service_account_gets_a_token_that_entra_refuses(
    lab_env: Path, tmp_path: Path
) -> None:
    pod_env = tmp_path / "other.env"
    made = keyless_lab_env(
        lab_env, "aks-pod", "--namespace", "keyless", "--service-account", "other", "--env-file", str(pod_env)
    )
    assert made.returncode == 0, made.stdout
    assert "no federated credential of it trusts this subject" in made.stdout
    assert Path(str(dotenv_values(pod_env)["AZURE_FEDERATED_TOKEN_FILE"])).read_text().count(".") == 2  # a JWT
    assert run_program(POD_PROGRAM, lab_env, pod_env) == ["refused True"]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        (("--ref", "main"), ["sub repo:contoso/keyless-lab:ref:refs/heads/main", f"appid {CI_APP}"]),
        (("--environment", "prod"), ["sub repo:contoso/keyless-lab:environment:prod", f"appid {CI_APP}"]),
        (("--pull-request", "7"), ["sub repo:contoso/keyless-lab:pull_request", "refused True"]),
        (  # the seeded credentials name the repository without its ids
            ("--environment", "prod", "--immutable-subject"),
            [
                f"sub repo:contoso@{github_numeric_id('contoso')}/keyless-lab@"
                f"{github_numeric_id('contoso/keyless-lab')}:environment:prod",
                "refused True",
            ],
        ),
    ],
    ids=["branch", "environment", "pull-request", "immutable-subject"],
)
def test_github_actions_job_environment(
    lab_env: Path, tmp_path: Path, selector: tuple[str, str], expected: list[str]
) -> None:
    job_env = tmp_path / "job.env"
    made = keyless_lab_env(
        lab_env, "github-actions", "--repo", "contoso/keyless-lab", *selector, "--env-file", str(job_env)
    )
    assert made.returncode == 0, made.stdout + made.stderr
    values = dotenv_values(job_env)
    assert values["GITHUB_REPOSITORY"] == "contoso/keyless-lab" and values["GITHUB_ACTIONS"] == "true"
    assert job_env.stat().st_mode & 0o077 == 0
    assert run_program(GITHUB_PROGRAM, lab_env, job_env) == expected


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--ref", "main"), f"appid {CI_APP}"),
        (("--ref", "dev"), "refused AADSTS700213"),
        (("--ref", "main", "--aud", "https://gitlab.com"), "refused AADSTS700212"),
    ],
    ids=["main", "other-branch", "default-audience"],
)
def test_gitlab_job_environment(lab_env: Path, tmp_path: Path, args: tuple[str, ...], expected: str) -> None:
    job_env = tmp_path / "gitlab.env"
    made = keyless_lab_env(lab_env, "gitlab", "--project", "contoso/keyless-lab", *args, "--env-file", str(job_env))
    assert made.returncode == 0, made.stdout + made.stderr
    assert dotenv_values(job_env)["CI_PROJECT_PATH"] == "contoso/keyless-lab"
    assert run_program(GITLAB_PROGRAM, lab_env, job_env) == [expected]


def test_lab_env_option_reads_the_lab_from_a_file(lab_env: Path, tmp_path: Path) -> None:
    job_env = tmp_path / "job.env"
    made = keyless_lab_env(
        lab_env, "gitlab", "--project", "contoso/keyless-lab", "--ref", "main", "--env-file", str(job_env),
        "--lab-env", str(lab_env), lab_env_in_shell=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stdout
    assert run_program(GITLAB_PROGRAM, lab_env, job_env) == [f"appid {CI_APP}"]


@pytest.mark.parametrize(
    ("args", "in_shell", "message"),
    [
        (("aks-pod", "--namespace", "Keyless_NS", "--service-account", "a"), True, "is not a Kubernetes namespace"),
        (("aks-pod", "--namespace", "keyless", "--service-account", "Chat App"), True, "is not a Kubernetes name"),
        (("github-actions", "--repo", "keyless-lab", "--ref", "main"), True, "is not OWNER/NAME"),
        (("gitlab", "--project", "keyless-lab", "--ref", "main"), True, "is not GROUP/NAME"),
        (("gitlab", "--project", "a/b", "--ref", "main"), False, "no running lab in this environment"),
        (
            ("gitlab", "--project", "a/b", "--ref", "main", "--lab-env", "/nonexistent/lab.env"),
            False,
            "cannot read the lab environment file",
        ),
    ],
    ids=["namespace", "service-account", "repo", "project", "no-lab", "unreadable-lab-env"],
)
def test_bad_input_is_one_line_and_exit_code_2(
    lab_env: Path, tmp_path: Path, args: tuple[str, ...], in_shell: bool, message: str
) -> None:
    result = keyless_lab_env(lab_env, *args, "--env-file", str(tmp_path / "x.env"), lab_env_in_shell=in_shell)
    assert result.returncode == 2
    assert len(result.stdout.splitlines()) == 1 and message in result.stdout, result.stdout
    assert not (tmp_path / "x.env").exists()


def test_unwritable_env_file_and_a_stopped_lab_are_one_line(lab_env: Path, tmp_path: Path) -> None:
    unwritable = keyless_lab_env(
        lab_env, "gitlab", "--project", "a/b", "--ref", "main", "--env-file", "/nonexistent/dir/x.env"
    )
    assert unwritable.returncode == 2 and "cannot write the env file" in unwritable.stdout
    stopped = shell_environment(lab_env)
    stopped["AZURE_AUTHORITY_HOST"] = "https://127.0.0.1:9"  # nothing listens: the lab is not running
    result = subprocess.run(
        [*CLI, "env", "gitlab", "--project", "a/b", "--ref", "main", "--env-file", str(tmp_path / "x.env")],
        env=stopped, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and len(result.stdout.splitlines()) == 1
    assert "keyless-lab serve" in result.stdout
