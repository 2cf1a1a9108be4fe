"""infra/provision.sh and teardown.sh against the lab's `az` stand-in, then the course in azure mode
with the parameters provision.sh printed: the same script a learner runs on a real subscription."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml

from keyless_lab.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[2]
ROLE = "Cognitive Services OpenAI User"
NB_03 = ROOT / "notebooks" / "03-user-assigned-managed-identity.ipynb"
OPTIONS = ["--account", "oai-keyless-lab", "--deployment", "course-chat", "--identity", "id-keyless-openai",
           "--app", "app-course-ci", "--github-repo", "contoso/keyless-course"]  # fmt: skip


def sh(script: str, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ROOT / "infra" / script), *args], env=env, capture_output=True, text=True,
                          timeout=180)  # fmt: skip


@pytest.fixture
def signed_in(fresh_emulator: EmulatorServer, tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "HOME": str(tmp_path / "home")}
    login = subprocess.run(["az", "login", "--username", "ada@contosolab.onmicrosoft.com"], env=env,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert login.returncode == 0, login.stderr
    return env


def roles_of(server: EmulatorServer, name: str) -> list[str]:
    principal = server.state.directory.by_name(name)
    return [ra.role.name for ra in server.state.directory.assignments_for(principal.object_id)]


def test_provision_dry_run_then_real_then_idempotent_then_azure_mode_then_teardown(
    fresh_emulator: EmulatorServer, signed_in: dict[str, str], tmp_path: Path
) -> None:
    directory = fresh_emulator.state.directory
    directory.remove_role("id-keyless-openai", ROLE)  # provision.sh must give it back
    cert_dir = tmp_path / "certs"
    options = [*OPTIONS, "--cert-dir", str(cert_dir)]

    dry = sh("provision.sh", *options, "--dry-run", env=signed_in)
    assert dry.returncode == 0, dry.stderr
    assert "+ az cognitiveservices account deployment create" in dry.stderr
    assert "+ az resource update --ids" in dry.stderr and "properties.disableLocalAuth=true" in dry.stderr
    assert "course-chat" not in directory.openai.deployments and not directory.openai.disable_local_auth
    assert ROLE not in roles_of(fresh_emulator, "id-keyless-openai"), "a dry run changes nothing"

    first = sh("provision.sh", *options, env=signed_in)
    assert first.returncode == 0, first.stderr
    params = yaml.safe_load(first.stdout)
    assert params["mode"] == "azure" and params["endpoint"] == fresh_emulator.urls.openai_endpoint
    assert params["deployment"] == "course-chat" and "course-chat" in directory.openai.deployments
    assert directory.openai.disable_local_auth is True
    assert params["identity_client_id"] == directory.by_name("id-keyless-openai").client_id
    assert ROLE in roles_of(fresh_emulator, "id-keyless-openai")
    assert ROLE in roles_of(fresh_emulator, "app-course-ci")
    app = directory.by_name("app-course-ci")
    assert params["app_client_id"] == app.client_id
    subjects = sorted(f.subject for f in directory.federated_credentials_of(app.client_id))
    assert subjects == [
        "repo:contoso/keyless-course:environment:prod",
        "repo:contoso/keyless-course:ref:refs/heads/main",
    ]
    certificate = Path(params["certificate_path"])
    assert certificate.is_file() and certificate.stat().st_mode & 0o077 == 0
    assert "PRIVATE KEY" not in first.stdout and "BEGIN" not in first.stdout

    again = sh("provision.sh", *options, env=signed_in)
    assert again.returncode == 0, again.stderr
    assert yaml.safe_load(again.stdout) == params
    changes = [line for line in again.stderr.splitlines() if line.startswith("+ az") and "group create" not in line]
    assert changes == [], "a second run changes nothing"
    assert len(directory.federated_credentials_of(app.client_id)) == 2

    # The course in azure mode with exactly what provision.sh printed (plus notebook 03's exercise ids).
    (tmp_path / "azure.yaml").write_text(first.stdout)
    no_access = directory.by_name("id-keyless-noaccess")
    (tmp_path / "exercise.yaml").write_text(
        yaml.safe_dump({"no_role_client_id": no_access.client_id, "no_role_resource_id": no_access.resource_id})
    )
    run = subprocess.run(
        [sys.executable, "-m", "keyless_lab.cli", "run", "-j", "1", "-f", str(tmp_path / "azure.yaml"),
         "-f", str(tmp_path / "exercise.yaml"), "--output", str(tmp_path / "out"), str(NB_03)],
        env=signed_in, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    executed = nbformat.read(tmp_path / "out" / NB_03.name, as_version=4)
    texts = "".join("".join(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))
    assert "Lab ready (azure mode)" in texts and "'course-chat'" in texts and "Self-check passed." in texts

    down = sh("teardown.sh", *OPTIONS[:2], "--deployment", "course-chat", "--identity", "no-such-identity",
              "--app", "app-course-ci", "--cert-dir", str(cert_dir), env=signed_in)  # fmt: skip
    assert down.returncode == 0, down.stderr
    assert "course-chat" not in directory.openai.deployments and directory.openai.disable_local_auth is False
    assert not any(p.name == "app-course-ci" for p in directory.principals.values())
    assert not certificate.exists()
    twice = sh("teardown.sh", *OPTIONS[:2], "--app", "app-course-ci", "--cert-dir", str(cert_dir), env=signed_in)
    assert twice.returncode == 0 and "= app app-course-ci is gone" in twice.stderr


def test_provision_needs_a_signed_in_az(fresh_emulator: EmulatorServer, tmp_path: Path) -> None:
    env = {**os.environ, "HOME": str(tmp_path)}
    done = sh("provision.sh", "--account", "oai-x", env=env)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1] == "provision.sh: not signed in: run 'az login' first"


def test_provision_refuses_unknown_options(tmp_path: Path) -> None:
    done = sh("provision.sh", "--acount", "x", env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 2 and "unknown option: --acount" in done.stderr
