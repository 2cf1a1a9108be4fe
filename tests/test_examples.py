"""The two example scripts: the blog's "before" and the corrected one.

Both run in their own process against `keyless-lab serve`, reached only through its env file, as on
an Azure VM. Then each script's client is kept alive past a token's expiry (in this process, with
lifetimes shortened) to prove what the "before" script's header says: its fixed token fails with
401 once it expires, while the corrected script's token provider renews it.
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import runpy
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from dotenv import dotenv_values
from openai import AuthenticationError
from serve_process import serve_subprocess

from keyless_lab.emulator import EmulatorServer

ROOT = Path(__file__).resolve().parents[1]
BEFORE = ROOT / "examples" / "chat_before.py"
CORRECTED = ROOT / "examples" / "chat.py"
LIFETIME = 2  # seconds a token lives in the expiry test


@pytest.fixture(scope="module")
def served_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """`keyless-lab serve` in its own process; the environment a script gets from its env file."""
    env_file = tmp_path_factory.mktemp("serve") / "lab.env"
    with serve_subprocess(env_file):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_"))}
        env.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
        yield env


@pytest.mark.parametrize("script", [BEFORE, CORRECTED], ids=["before", "corrected"])
def test_script_runs_in_its_own_process_against_keyless_lab_serve(script: Path, served_env: dict[str, str]) -> None:
    run = subprocess.run([sys.executable, str(script)], env=served_env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Response: Hello, vm-keyless-lab!"), run.stdout
    assert "system-assigned managed identity" in run.stdout


def test_corrected_script_uses_the_v1_client_and_one_credential() -> None:
    tree = ast.parse(CORRECTED.read_text())
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    called = [call.func.id for call in calls]  # type: ignore[attr-defined]
    assert called.count("ManagedIdentityCredential") == 1, "one credential for the process"
    assert "AzureOpenAI" not in called and "OpenAI" in called
    client = next(call for call in calls if call.func.id == "OpenAI")  # type: ignore[attr-defined]
    keywords = {k.arg: k.value for k in client.keywords}
    assert set(keywords) == {"base_url", "api_key"} and ast.unparse(keywords["api_key"]) == "token_provider"
    assert "openai/v1/" in ast.unparse(keywords["base_url"])
    assert BEFORE.read_text().startswith('"""BEFORE'), "the seed script is labelled as the before"


def run_script_in_process(script: Path) -> dict[str, object]:
    with contextlib.redirect_stdout(io.StringIO()):
        return runpy.run_path(str(script))


def test_before_fails_after_its_token_expires_and_corrected_recovers(fresh_emulator: EmulatorServer) -> None:
    fresh_emulator.state.policy.shorten(LIFETIME)
    before = run_script_in_process(BEFORE)
    corrected = run_script_in_process(CORRECTED)
    time.sleep(LIFETIME + 1)  # every token either script received has expired now
    question = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Still there?"}]}
    with pytest.raises(AuthenticationError, match="have expired"):
        before["client"].chat.completions.create(**question)  # type: ignore[attr-defined]
    reply = corrected["client"].chat.completions.create(**question)  # type: ignore[attr-defined]
    assert reply.choices[0].message.content.startswith("Hello, vm-keyless-lab!")
