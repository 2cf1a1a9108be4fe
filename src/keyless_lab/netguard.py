"""A network guard: refuse, and record, any connection or name lookup outside loopback.

In emulator mode the course must never reach Azure, IMDS (169.254.169.254) or public DNS. The
test suite installs this guard in its own process, and — through the `sitecustomize` module in
`keyless_lab/_guard_site`, put on PYTHONPATH — in every notebook kernel and subprocess it starts.
A blocked attempt raises `NetworkGuardViolation` (an OSError, so libraries fail as they would
offline) and appends a line to the file named by KEYLESS_LAB_NETGUARD_LOG, which the test
session checks at the end.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import traceback
from pathlib import Path
from typing import Any

ENABLE_VAR = "KEYLESS_LAB_NETGUARD"
LOG_VAR = "KEYLESS_LAB_NETGUARD_LOG"
SITE_DIR = Path(__file__).parent / "_guard_site"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}

_installed = False
_originals: dict[str, Any] = {}


class NetworkGuardViolation(OSError):
    """A connection or lookup left loopback while the keyless-lab network guard was on."""


def is_loopback_host(host: object) -> bool:
    if host is None or host == "":
        return True  # binding or resolving "any" for a local listener
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    text = str(host).strip("[]").split("%")[0].lower()
    if text in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(text).is_loopback
    except ValueError:
        return False


def _violation(what: str, target: object) -> NetworkGuardViolation:
    message = f"keyless-lab network guard blocked {what} to {target!r} (only loopback is allowed)"
    log = os.environ.get(LOG_VAR)
    if log:
        stack = "".join(traceback.format_stack(limit=12)[:-2])
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"[pid {os.getpid()}] {message}\n{stack}\n")
    return NetworkGuardViolation(message)


def _check_address(family: int, address: object, what: str) -> None:
    if family not in (socket.AF_INET, socket.AF_INET6):
        return  # Unix sockets and the like stay on this machine
    host = address[0] if isinstance(address, tuple) else address
    if not is_loopback_host(host):
        raise _violation(what, address)


def install() -> None:
    """Patch socket connect and name resolution in this process (idempotent)."""
    global _installed
    if _installed:
        return
    _originals.update(
        connect=socket.socket.connect,
        connect_ex=socket.socket.connect_ex,
        getaddrinfo=socket.getaddrinfo,
        gethostbyname=socket.gethostbyname,
        gethostbyname_ex=socket.gethostbyname_ex,
    )

    def connect(self: socket.socket, address: Any) -> None:
        _check_address(self.family, address, "a connection")
        return _originals["connect"](self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check_address(self.family, address, "a connection")
        return _originals["connect_ex"](self, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not is_loopback_host(host):
            raise _violation("a name lookup", host)
        return _originals["getaddrinfo"](host, *args, **kwargs)

    def gethostbyname(host: str) -> str:
        if not is_loopback_host(host):
            raise _violation("a name lookup", host)
        return _originals["gethostbyname"](host)

    def gethostbyname_ex(host: str) -> Any:
        if not is_loopback_host(host):
            raise _violation("a name lookup", host)
        return _originals["gethostbyname_ex"](host)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    socket.getaddrinfo = getaddrinfo
    socket.gethostbyname = gethostbyname
    socket.gethostbyname_ex = gethostbyname_ex
    _installed = True


def child_environment(log_file: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment variables that turn the guard on in every Python child process."""
    env = dict(os.environ if base is None else base)
    env[ENABLE_VAR] = "1"
    env[LOG_VAR] = str(log_file)
    paths = [str(SITE_DIR), *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]]
    env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(paths))
    return env


def read_violations(log_file: Path) -> str:
    return log_file.read_text() if log_file.exists() else ""
