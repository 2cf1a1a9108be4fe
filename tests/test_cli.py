"""`keyless-lab serve` in its own process, and the example script run against it from another."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from dotenv import dotenv_values
from serve_process import serve_subprocess

from keyless_lab import cli
from keyless_lab.emulator import EmulatorServer
from keyless_lab.env_file import HEADER

ROOT = Path(__file__).resolve().parents[1]


OTHER_CREDENTIALS = """
import json, os, subprocess
from azure.identity import AzureCliCredential, ClientSecretCredential
from openai import AzureOpenAI

directory = json.load(open(os.environ["KEYLESS_LAB_DIRECTORY"]))
app = next(a for a in directory["applications"] if a["name"] == "app-keyless-batch")
secret = next(s["value"] for s in app["secrets"] if s["display_name"] == "lab-secret")
subprocess.run(["az", "login", "--username", "ada@contosolab.onmicrosoft.com"], check=True, capture_output=True)
for credential in (
    ClientSecretCredential(app["tenant"], app["client_id"], secret, disable_instance_discovery=True),
    AzureCliCredential(),
):
    token = credential.get_token("https://cognitiveservices.azure.com/.default").token
    client = AzureOpenAI(azure_endpoint=os.environ["AZURE_OPENAI_ENDPOINT"], api_version="2024-10-21",
                         azure_ad_token=token)
    reply = client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    print(reply.choices[0].message.content.split("!")[0].removeprefix("Hello, "))
"""


def test_serve_writes_env_file_and_the_example_script_runs_unchanged(tmp_path: Path) -> None:
    env_file = tmp_path / "lab.env"
    with serve_subprocess(env_file, "--deployment", "gpt-5-chat") as ready:
        assert "gpt-5-chat" in ready
        values = {k: v for k, v in dotenv_values(env_file).items() if v is not None}
        for name in (
            "AZURE_AUTHORITY_HOST",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST",
            "REQUESTS_CA_BUNDLE",
            "SSL_CERT_FILE",
            "AZURE_OPENAI_ENDPOINT",
            "KEYLESS_LAB_DIRECTORY",
        ):
            assert values.get(name), name
        assert values["AZURE_OPENAI_DEPLOYMENT"] == "gpt-5-chat"
        assert Path(values["KEYLESS_LAB_DIRECTORY"]).is_file()
        shims, _, rest = values["PATH"].partition(os.pathsep)
        assert (Path(shims) / "az").is_file() and rest == os.environ["PATH"], "shims first, the shell's PATH kept"

        env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "IDENTITY_", "MSI_"))}
        env.update(values)
        chat = subprocess.run(
            [sys.executable, str(ROOT / "examples" / "chat.py")], env=env, capture_output=True, text=True, timeout=60
        )
        assert chat.returncode == 0, chat.stderr
        assert chat.stdout.startswith("Response: Hello, vm-keyless-lab!")
        assert "'gpt-5-chat'" in chat.stdout

        # The other credential types reach the same server from a separate process: an app secret
        # from the directory file, and the `az` stand-in on PATH signing in a lab user.
        other = subprocess.run(
            [sys.executable, "-c", OTHER_CREDENTIALS], env=env, capture_output=True, text=True, timeout=120
        )
        assert other.returncode == 0, other.stderr
        assert other.stdout.splitlines() == ["app-keyless-batch", "ada@contosolab.onmicrosoft.com"]


# -- `serve` in this process: its files, its failures, a stale env file ----------------------------


class Serving:
    """Runs `keyless-lab serve` in this (main) thread; `during(server)` runs once it is ready."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.servers: list[EmulatorServer] = []
        servers = self.servers

        class Recorded(EmulatorServer):
            def start(self) -> EmulatorServer:
                servers.append(self)
                return super().start()

        monkeypatch.setattr(cli, "EmulatorServer", Recorded)

    def run(self, argv: list[str], env_file: Path, during: Callable[[EmulatorServer], None]) -> int:
        finished = threading.Event()

        def drive() -> None:
            deadline = time.monotonic() + 30
            while not finished.is_set() and time.monotonic() < deadline:
                if self.servers and dotenv_values(env_file).get("KEYLESS_LAB_PID") == str(os.getpid()):
                    during(self.servers[0])
                    break
                time.sleep(0.05)
            # A watchdog: a `serve` that never notices must not hang the test run.
            if not finished.wait(20):
                os.kill(os.getpid(), signal.SIGTERM)

        helper = threading.Thread(target=drive, daemon=True)
        helper.start()
        try:
            return cli.main(argv)
        finally:
            finished.set()
            helper.join()


def stop_politely(server: EmulatorServer) -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_serve_writes_private_files_and_removes_its_env_file_when_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file, state = tmp_path / "lab.env", tmp_path / "state"
    seen: dict[str, int] = {}

    def inspect(server: EmulatorServer) -> None:
        seen.update(env=mode(env_file), state=mode(state), directory=mode(server.directory_file))
        seen["pid"] = int(dotenv_values(env_file)["KEYLESS_LAB_PID"] or 0)
        stop_politely(server)

    argv = ["serve", "--env-file", str(env_file), "--state-dir", str(state)]
    assert Serving(monkeypatch).run(argv, env_file, inspect) == 0
    assert seen == {"env": 0o600, "state": 0o700, "directory": 0o600, "pid": os.getpid()}
    assert not env_file.exists(), "a stopped lab leaves no env file pointing at it"
    assert "keyless-lab emulator stopped" in capsys.readouterr().out


def test_serve_exits_non_zero_with_one_line_when_its_server_thread_dies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def kill_server_thread(server: EmulatorServer) -> None:
        for uvicorn_server in server._servers:
            uvicorn_server.should_exit = True

    env_file = tmp_path / "lab.env"
    assert Serving(monkeypatch).run(["serve", "--env-file", str(env_file)], env_file, kill_server_thread) == 1
    err = capsys.readouterr().err
    assert err.startswith("keyless-lab serve: the emulator stopped unexpectedly"), err
    assert len(err.strip().splitlines()) == 1
    assert not env_file.exists()


def test_a_stale_env_file_is_rewritten(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    env_file = tmp_path / "lab.env"
    env_file.write_text(f'{HEADER}AZURE_AUTHORITY_HOST="https://127.0.0.1:1"\nKEYLESS_LAB_PID="{gone.pid}"\n')
    seen: dict[str, str | None] = {}

    def inspect(server: EmulatorServer) -> None:
        seen.update(dotenv_values(env_file))
        stop_politely(server)

    assert Serving(monkeypatch).run(["serve", "--env-file", str(env_file)], env_file, inspect) == 0
    assert seen["KEYLESS_LAB_PID"] == str(os.getpid())
    assert seen["AZURE_AUTHORITY_HOST"] != "https://127.0.0.1:1"


@pytest.mark.parametrize("content", ["live", "foreign"])
def test_serve_refuses_an_env_file_in_use_or_not_its_own(
    content: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env_file = tmp_path / "lab.env"
    text = f'{HEADER}KEYLESS_LAB_PID="{os.getppid()}"\n' if content == "live" else "MY_SETTING=1\n"
    env_file.write_text(text)
    assert cli.main(["serve", "--env-file", str(env_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("keyless-lab serve: ") and len(err.strip().splitlines()) == 1, err
    assert env_file.read_text() == text, "the file is left as it was"


def test_env_file_in_a_missing_folder_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-folder" / "lab.env"
    assert cli.main(["serve", "--env-file", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"keyless-lab serve: the folder of --env-file {str(missing)!r} does not exist; create it or choose another path"
    )
