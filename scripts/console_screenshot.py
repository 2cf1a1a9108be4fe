"""Regenerate docs/images/console.png: the live lab console in headless Chromium, after a few calls
made from another process (managed identity, a user-assigned identity without a role, an api-key).

    .venv/bin/python scripts/console_screenshot.py [output.png]
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from keyless_lab import headless_browser
from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.lab.environment import UNSET_IN_EMULATOR_MODE

ROOT = Path(__file__).resolve().parents[1]

TRAFFIC = """
import json, os
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import APIStatusError, OpenAI

endpoint, deployment = os.environ["AZURE_OPENAI_ENDPOINT"], os.environ["AZURE_OPENAI_DEPLOYMENT"]
directory = json.load(open(os.environ["KEYLESS_LAB_DIRECTORY"]))
no_role = next(p for p in directory["principals"] if p["name"] == "id-keyless-noaccess")
keys = directory["openai"]["keys"]
messages = [{"role": "user", "content": "hello"}]
for credential in (ManagedIdentityCredential(), ManagedIdentityCredential(client_id=no_role["client_id"])):
    client = OpenAI(base_url=f"{endpoint}openai/v1/",
                    api_key=get_bearer_token_provider(credential, "https://cognitiveservices.azure.com/.default"))
    try:
        client.chat.completions.create(model=deployment, messages=messages)
    except APIStatusError as error:
        print(error.status_code)
OpenAI(base_url=f"{endpoint}openai/v1/", api_key=keys["key1"]).chat.completions.create(model=deployment,
                                                                                      messages=messages)
"""


def lab_process_environment(server: EmulatorServer) -> dict[str, str]:
    """This process's environment minus Azure variables, plus the lab's: what `lab.env` gives a shell."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET_IN_EMULATOR_MODE}
    env.update(server.environment())
    return env


def make_traffic(server: EmulatorServer, code: str = TRAFFIC) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=lab_process_environment(server), capture_output=True, text=True, timeout=120
    )


def main() -> int:
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "images" / "console.png"
    with EmulatorServer() as server, headless_browser.chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.console_url)
        traffic = make_traffic(server)
        if traffic.returncode != 0:
            raise SystemExit(f"the traffic script failed: {traffic.stderr.strip().splitlines()[-1]}")
        page.locator("#audit tbody tr").nth(4).wait_for(timeout=20_000)  # the page's CSP forbids eval
        target.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
