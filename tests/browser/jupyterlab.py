"""A throwaway JupyterLab server on loopback for real-browser checks of the notebooks.

Random port, random token, its own settings and workspaces folders (every notebook opens in a fresh
workspace), and `windowingMode: none` so that every cell is attached and rendered, not only the
ones in view.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class JupyterLab:
    base_url: str
    token: str

    def notebook_url(self, name: str, workspace: str) -> str:
        return f"{self.base_url}/lab/workspaces/{workspace}/tree/{name}?token={self.token}&reset"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(url: str, process: subprocess.Popen[bytes], deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with code {process.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError("JupyterLab did not answer within its start-up deadline")


@contextmanager
def jupyterlab(root: Path, scratch: Path, startup_seconds: float = 60) -> Iterator[JupyterLab]:
    """Serve `root` with JupyterLab until the block ends."""
    settings = scratch / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    # No news/announcement fetches and no extension manager lookups: the network is closed.
    announcements = scratch / "settings" / "@jupyterlab" / "apputils-extension"
    announcements.mkdir(parents=True)
    (announcements / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False})
    )
    port, token = _free_port(), secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", f"--port={port}", "--ip=127.0.0.1",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        f"--LabApp.user_settings_dir={scratch / 'settings'}",
        f"--LabApp.workspaces_dir={scratch / 'workspaces'}",
        "--LabApp.extension_manager=readonly", "--ServerApp.open_browser=False",
        "--ServerApp.log_level=ERROR",
    ]  # fmt: skip
    if os.geteuid() == 0:  # CI machines run as root; JupyterLab refuses that without this flag
        command.append("--allow-root")
    log = (scratch / "jupyterlab.log").open("wb")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{base_url}/api/status?token={token}", process, time.monotonic() + startup_seconds)
        yield JupyterLab(base_url, token)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
