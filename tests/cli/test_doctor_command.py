"""`keyless-lab doctor` as a learner runs it: its own process, the environment of `keyless-lab serve`'s
env file standing in for a machine on Azure, and each failure class a real keyless call meets."""

from __future__ import annotations

import json
import os
import re
import signal
import ssl
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values

from keyless_lab.troubleshooting import ROLE_FIX

CLI = [sys.executable, "-m", "keyless_lab.cli"]
FABRIKAM = "d1dd60de-2430-45c8-bdeb-d8d02ef27368"  # the other seeded tenant
NOACCESS_CLIENT_ID = "a30af0d7-4bf1-4e4d-874e-f4493a7cc8c2"  # id-keyless-noaccess: attached to the VM, no role
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")


@pytest.fixture(scope="module")
def lab_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`keyless-lab serve` in its own process; yields the values of its env file."""
    env_file = tmp_path_factory.mktemp("serve") / "lab.env"
    server = subprocess.Popen([*CLI, "serve", "--env-file", str(env_file)], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        assert server.stdout.readline().startswith("keyless-lab emulator ready:")
        yield {k: v for k, v in dotenv_values(env_file).items() if v is not None}
    finally:
        server.send_signal(signal.SIGTERM)
        server.communicate(timeout=15)


def doctor(lab: dict[str, str], *args: str, cwd: Path | None = None, **extra: str) -> subprocess.CompletedProcess[str]:
    """Run doctor with the shell's environment minus Azure variables, plus the lab's env file and `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_"))}
    env.update(lab)
    env.update(extra)
    result = subprocess.run([*CLI, "doctor", *args], env=env, capture_output=True, text=True, timeout=120, cwd=cwd)
    assert not JWT.search(result.stdout + result.stderr), "doctor printed a token"
    return result


def admin(lab: dict[str, str], method: str, path: str, body: dict[str, object]) -> dict[str, object]:
    """The emulator-only admin API (what the `az` stand-in calls), with the lab's admin key."""
    request = urllib.request.Request(
        lab["AZURE_OPENAI_ENDPOINT"].rstrip("/") + path,
        method=method,
        data=json.dumps(body).encode(),
        headers={"X-Keyless-Lab-Admin-Key": lab["KEYLESS_LAB_ADMIN_KEY"]},
    )
    context = ssl.create_default_context(cafile=lab["REQUESTS_CA_BUNDLE"])
    with urllib.request.urlopen(request, context=context, timeout=10) as response:
        result: dict[str, object] = json.loads(response.read())
        return result


def failed(result: subprocess.CompletedProcess[str], check: str, code: str, fix: str) -> None:
    """Exit 1; the named check FAILs with the catalogue's code and fix."""
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert re.search(rf"^FAIL {check}\b", out, re.MULTILINE), out
    assert f"catalogue: {code} (" in out, out
    assert fix in " ".join(out.split()), out
    assert out.rstrip().endswith("result: keyless calls do NOT work here (see FAIL above)")


def test_success_names_the_credential_the_claims_and_exits_0(lab_env: dict[str, str]) -> None:
    result = doctor(lab_env)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines[1:-1]] == ["ok"] * 5
    assert "DefaultAzureCredential picked ManagedIdentityCredential (3 of 9)" in lines[1]
    assert "EnvironmentCredential, WorkloadIdentityCredential could not run here" in lines[1]
    assert "aud https://cognitiveservices.azure.com, tid 813b284c-71c7-4e13-b233-b05203e22cc8" in lines[2]
    assert "idtyp app, expires in 24 h" in lines[2] and "JWT redacted" in lines[2]
    assert "deployment gpt-4o-mini answered" in lines[5]
    assert lines[-1] == "result: keyless calls work here"


@pytest.mark.parametrize(
    ("pinned", "code", "fix"),
    [
        ("AzureCliCredential", "az login", "Run az login"),  # a laptop, signed out
        ("EnvironmentCredential", "EnvironmentCredential unavailable", "Set all of them"),
        ("dev", "DefaultAzureCredential failed", "Read the attempts"),  # every developer credential unavailable
    ],
)
def test_no_credential(lab_env: dict[str, str], pinned: str, code: str, fix: str) -> None:
    result = doctor(lab_env, AZURE_TOKEN_CREDENTIALS=pinned)
    failed(result, "credential", code, fix)
    assert "skip token" in result.stdout and "skip call" in result.stdout
    assert "ok   answers" in result.stdout, "the endpoint is still checked"


def test_wrong_tenant(lab_env: dict[str, str]) -> None:
    app = admin(lab_env, "PUT", "/_lab/admin/provision/applications/app-doctor-fabrikam", {"tenant": FABRIKAM})
    secret = admin(lab_env, "POST", f"/_lab/admin/applications/{app['appId']}/credentials/reset", {})
    assert secret["tenant"] == FABRIKAM
    env = {
        "AZURE_TENANT_ID": FABRIKAM,
        "AZURE_CLIENT_ID": str(app["appId"]),
        "AZURE_CLIENT_SECRET": str(secret["password"]),
    }
    result = doctor(lab_env, **env)
    failed(result, "call", "Tenant mismatch", "az login --tenant <resource tenant>")
    assert "picked EnvironmentCredential" in result.stdout and f"tid {FABRIKAM}" in result.stdout
    assert str(secret["password"]) not in result.stdout

    # Asking this app for a token from the resource's tenant fails before any call, and says why.
    asked = doctor(lab_env, "--tenant-id", "813b284c-71c7-4e13-b233-b05203e22cc8", **env)
    failed(asked, "credential", "additionally_allowed_tenants", "additionally_allowed_tenants")


def test_no_role(lab_env: dict[str, str]) -> None:
    result = doctor(lab_env, AZURE_CLIENT_ID=NOACCESS_CLIENT_ID)
    failed(result, "call", "PermissionDenied", ROLE_FIX)
    assert f"with client_id: {NOACCESS_CLIENT_ID}" in result.stdout
    assert "oid 1fe52de6-38e9-41f9-b69d-700f4a06b997" in result.stdout, "the oid the role fix needs"


def test_keys_only_resource(lab_env: dict[str, str]) -> None:
    admin(lab_env, "POST", "/_lab/admin/provision/account", {"custom_subdomain": False})
    try:
        result = doctor(lab_env)
    finally:
        admin(lab_env, "DELETE", "/_lab/admin/provision/account", {})
    failed(result, "call", "Custom subdomain required", "az cognitiveservices account update --custom-domain")
    assert doctor(lab_env).returncode == 0, "tokens are accepted again once the subdomain is back"


def test_unknown_deployment(lab_env: dict[str, str]) -> None:
    result = doctor(lab_env, "--deployment", "gpt-4o")
    failed(result, "call", "DeploymentNotFound", "pass the deployment name as model=")
    assert "deployment gpt-4o (" in result.stdout.splitlines()[0]


def test_endpoint_that_does_not_answer(lab_env: dict[str, str]) -> None:
    result = doctor(lab_env, "--endpoint", "https://127.0.0.1:9/")
    failed(result, "answers", "Connection error", "nslookup")
    assert "skip call" in result.stdout


def test_settings_come_from_an_env_file(lab_env: dict[str, str], tmp_path: Path) -> None:
    dotenv = tmp_path / "doctor.env"
    dotenv.write_text(f"AZURE_OPENAI_ENDPOINT={lab_env['AZURE_OPENAI_ENDPOINT']}\nAZURE_OPENAI_DEPLOYMENT=nope\n")
    lab = {k: v for k, v in lab_env.items() if not k.startswith("AZURE_OPENAI_")}
    result = doctor(lab, "--env-file", str(dotenv))
    failed(result, "call", "DeploymentNotFound", "deployment name")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--env-file", "missing.env"), "no such env file: missing.env"),
        ((), "mode='azure' needs an endpoint"),
        (("--endpoint", "http://127.0.0.1/", "--deployment", "x"), "is not an https URL"),
    ],
)
def test_bad_usage_exits_2_with_one_line(
    lab_env: dict[str, str], tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    lab = {k: v for k, v in lab_env.items() if not k.startswith("AZURE_OPENAI_")}
    result = doctor(lab, *args, cwd=tmp_path)  # no .env in tmp_path
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and message in result.stderr, result.stderr
