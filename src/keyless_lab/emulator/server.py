"""Run the emulator: embedded in a background thread (notebooks, tests) or in the foreground.

Both listeners bind free loopback ports (port 0) before anything starts, so the URLs are known
up front, and `start()` waits for both servers with a deadline instead of retrying.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import threading
import time
from pathlib import Path

import uvicorn

from .. import shims
from . import state_dir as state_dir_module
from .app import http_app, https_app
from .crypto.tls import TlsFiles, create_tls_files
from .directory import Directory
from .http_protocol import HttpLimits, limited_protocol
from .lab import console
from .lab import environment as recipes
from .state import EmulatorState, Urls

LOOPBACK = "127.0.0.1"
# Who the scripted browser, `az login` and `azd auth login` sign in unless told otherwise.


def _bind_loopback() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(1024)
    sock.set_inheritable(False)
    return sock


def _event_loop_factory():  # type: ignore[no-untyped-def]
    try:
        import uvloop

        return uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop is pinned, but not on every platform
        return asyncio.new_event_loop


class EmulatorServer:
    """One emulator instance: its state, its TLS files, its two listeners and their thread."""

    def __init__(
        self,
        state_dir: Path | None = None,
        directory: Directory | None = None,
        startup_timeout: float = 15.0,
        http_limits: HttpLimits | None = None,
    ) -> None:
        # A temporary state folder is this process's to remove (also after a crash, see state_dir.py);
        # a folder the user named is kept, but made private: it holds every secret of the lab.
        state_dir_module.remove_stale()
        self._owns_state_dir = state_dir is None
        if state_dir is None:
            self.state_dir = state_dir_module.create_temporary()
        else:
            self.state_dir = state_dir_module.private_dir(Path(state_dir))
        self.startup_timeout = startup_timeout
        self.http_limits = http_limits or HttpLimits()
        try:
            self._https_sock = _bind_loopback()
            self._http_sock = _bind_loopback()
        except OSError:
            self._remove_state_dir()
            raise
        self.urls = Urls(
            https=f"https://{LOOPBACK}:{self._https_sock.getsockname()[1]}",
            http=f"http://{LOOPBACK}:{self._http_sock.getsockname()[1]}",
        )
        self.tls: TlsFiles = create_tls_files(self.state_dir / "tls")
        self.state = EmulatorState(
            urls=self.urls, directory=directory or Directory.seeded(material_dir=self.state_dir / "lab-material")
        )
        self.directory_file = self.state_dir / "directory.json"
        # Stand-ins for az, azd and a browser (keyless_lab.shims), and the tools' config folders.
        self.bin_dir = self.state_dir / "bin"
        self.shims: dict[str, Path] = {}
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> EmulatorServer:
        common = {
            "log_level": "warning",
            "access_log": False,
            "lifespan": "off",
            "http": limited_protocol(self.http_limits),  # httptools with a bounded, timed request head
        }
        self._servers = [
            uvicorn.Server(
                uvicorn.Config(
                    https_app(self.state),
                    ssl_certfile=str(self.tls.server_cert),
                    ssl_keyfile=str(self.tls.server_key),
                    **common,
                )
            ),
            uvicorn.Server(uvicorn.Config(http_app(self.state), **common)),
        ]
        self.write_directory_file()
        self.shims = shims.install(self.bin_dir)
        self._thread = threading.Thread(target=self._run, name="keyless-lab-emulator", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + self.startup_timeout
        while not all(s.started for s in self._servers):
            if self._error is not None or not self._thread.is_alive():
                self.stop()
                raise RuntimeError(f"the keyless-lab emulator failed to start: {self.failure}")
            if time.monotonic() > deadline:
                self.stop()
                raise TimeoutError(f"the keyless-lab emulator did not start within {self.startup_timeout:.0f} s")
            time.sleep(0.01)
        return self

    def _run(self) -> None:
        async def serve_both() -> None:
            await asyncio.gather(
                self._servers[0].serve(sockets=[self._https_sock]),
                self._servers[1].serve(sockets=[self._http_sock]),
            )

        try:
            with asyncio.Runner(loop_factory=_event_loop_factory()) as runner:
                runner.run(serve_both())
        except BaseException as exc:  # surfaced by start() or wait()
            self._error = exc

    def stop(self, wait: bool = True) -> None:
        """Stop serving and delete the state folder (it holds the lab's private keys).

        `wait=False` is for a process that is exiting anyway (a notebook kernel's shutdown): it skips
        waiting for uvicorn's shutdown tick (about 0.2 s, measured), because the daemon thread and
        the sockets end with the process.
        """
        for server in self._servers:
            server.should_exit = True
            server.force_exit = True  # do not wait for idle keep-alive connections
        if self._thread is not None and wait:
            self._thread.join(timeout=10)
            self._thread = None
        if wait:
            for sock in (self._https_sock, self._http_sock):
                sock.close()
        self._remove_state_dir()

    def _remove_state_dir(self) -> None:
        if self._owns_state_dir:
            shutil.rmtree(self.state_dir, ignore_errors=True)
            self._owns_state_dir = False

    @property
    def running(self) -> bool:
        """Whether the server thread is still serving (False once it ended, for whatever reason)."""
        return self._thread is not None and self._thread.is_alive()

    @property
    def failure(self) -> str:
        """Why the server thread ended, in one line."""
        if self._error is None:
            return "its server thread ended"
        return f"{type(self._error).__name__}: {self._error}".splitlines()[0]

    def wait(self) -> None:
        """Block until the servers stop (standalone mode)."""
        while self._thread is not None and self._thread.is_alive():
            self._thread.join(timeout=0.5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def console_url(self) -> str:
        """The live lab console, with its token (emulator/console.py). Varies per run: never commit it."""
        return console.console_url(self.state)

    # -- what other processes need ---------------------------------------------------------------
    def write_directory_file(self) -> Path:
        description = self.state.directory.describe()
        description["endpoints"] = {
            "authority_host": self.urls.authority_host,
            "openai_endpoint": self.urls.openai_endpoint,
            "imds": self.urls.http,
            "app_service_identity_endpoint": f"{self.urls.http}/msi/token",
        }
        # Lab-only: the App Service IDENTITY_HEADER secret, so another process can act "on App Service".
        description["app_service"] = self.app_service_environment()
        description["external_issuers"] = self.state.external_issuers.describe()
        state_dir_module.write_private(self.directory_file, json.dumps(description, indent=2))
        return self.directory_file

    # The recipes themselves live in lab/environment.py (the lab's control plane, not serving).
    def environment(self) -> dict[str, str]:
        """Every variable another process needs to use this emulator with unchanged code."""
        return recipes.emulator_environment(self)

    def tool_environment(self) -> dict[str, str]:
        """The developer tools' side: `az`/`azd` stand-ins, their config folders, the browser."""
        return recipes.tool_environment(self)

    def app_service_environment(self) -> dict[str, str]:
        """What App Service sets for code with a managed identity."""
        return recipes.app_service_environment(self)

    def workload_identity_environment(
        self, client_id: str, namespace: str, service_account: str, token_file: Path | None = None
    ) -> dict[str, str]:
        """What the AKS workload identity webhook injects into a pod."""
        return recipes.workload_identity_environment(self, client_id, namespace, service_account, token_file)

    def github_actions_environment(
        self,
        repository: str,
        ref: str = "refs/heads/main",
        environment: str | None = None,
        event_name: str = "push",
        immutable_subject: bool = False,
    ) -> dict[str, str]:
        """What a GitHub Actions runner sets for a job with `permissions: id-token: write`
        (`immutable_subject`: the job's repository uses GitHub's immutable subject claims)."""
        github = self.state.external_issuers.github  # the runner's variables are the issuer's to make
        return github.start_job(repository, ref, environment, event_name, immutable_subject)
