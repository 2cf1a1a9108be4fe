"""The guard must really block: in this process and in child processes."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from keyless_lab import netguard


@pytest.fixture
def private_log(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Record this test's deliberate violations apart from the session's log."""
    log = tmp_path / "violations.log"
    monkeypatch.setenv(netguard.LOG_VAR, str(log))
    return log


def test_loopback_hosts_are_recognised() -> None:
    for host in ("127.0.0.1", "127.8.9.10", "::1", "[::1]", "localhost", b"127.0.0.1", ""):
        assert netguard.is_loopback_host(host)
    for host in ("169.254.169.254", "10.0.0.1", "login.microsoftonline.com", "8.8.8.8"):
        assert not netguard.is_loopback_host(host)


def test_connection_to_imds_is_blocked_and_recorded(private_log: Path) -> None:
    with socket.socket() as sock, pytest.raises(netguard.NetworkGuardViolation, match=r"169\.254\.169\.254"):
        sock.connect(("169.254.169.254", 80))
    assert "169.254.169.254" in private_log.read_text()


def test_dns_lookup_of_a_public_name_is_blocked(private_log: Path) -> None:
    with pytest.raises(netguard.NetworkGuardViolation, match=r"login\.microsoftonline\.com"):
        socket.getaddrinfo("login.microsoftonline.com", 443)
    with pytest.raises(OSError):  # urllib-style callers see an ordinary OSError
        socket.create_connection(("management.azure.com", 443), timeout=1)
    assert private_log.read_text().count("name lookup") == 2


def test_loopback_connections_still_work() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass


def test_guard_is_inherited_by_python_subprocesses(tmp_path: Path) -> None:
    log = tmp_path / "child.log"
    env = netguard.child_environment(log)
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('169.254.169.254', 80), timeout=1)\n"
        "except OSError as e:\n"
        "    print(type(e).__name__)"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert result.stdout.strip() == "NetworkGuardViolation"
    assert "169.254.169.254" in log.read_text()


def test_a_session_with_a_swallowed_violation_fails(tmp_path: Path) -> None:
    """Even when the code under test catches the error, the project's conftest fails the run."""
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_leaky.py").write_text(
        "import socket\n\n"
        "def test_leaky():\n"
        "    try:\n"
        "        socket.getaddrinfo('example.com', 443)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("KEYLESS_LAB_NETGUARD")}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(tmp_path)],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout
    assert "1 passed" in result.stdout and "NETWORK GUARD" in result.stdout and "example.com" in result.stdout
