"""`keyless-lab serve` in its own process, and the example script run against it from another."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from dotenv import dotenv_values

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "keyless_lab.cli"]


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
    server = subprocess.Popen(
        [*CLI, "serve", "--env-file", str(env_file), "--deployment", "gpt-5-chat"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        assert ready.startswith("keyless-lab emulator ready:"), ready
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
    finally:
        server.send_signal(signal.SIGTERM)
        out, _ = server.communicate(timeout=15)
    assert server.returncode == 0
    assert "keyless-lab emulator stopped" in out
