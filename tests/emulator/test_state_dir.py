"""The emulator's state folder holds every lab secret: private modes, and no leftovers after a crash."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.state_dir import OWNER_MARKER, TEMP_PREFIX, remove_stale


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def dead_pid() -> int:
    """The id of a process that has exited."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def lab_folder(root: Path, name: str, pid: int | None) -> Path:
    folder = root / f"{TEMP_PREFIX}{name}"
    (folder / "tls").mkdir(parents=True)
    (folder / "directory.json").write_text("{}")
    if pid is not None:
        (folder / OWNER_MARKER).write_text(f"{pid}\n")
    return folder


def test_only_marked_folders_of_gone_processes_are_removed(tmp_path: Path) -> None:
    crashed = lab_folder(tmp_path, "crashed", dead_pid())
    running = lab_folder(tmp_path, "running", os.getpid())
    unmarked = lab_folder(tmp_path, "unmarked", None)
    other = tmp_path / "not-the-lab"
    other.mkdir()
    (other / OWNER_MARKER).write_text(f"{dead_pid()}\n")

    assert remove_stale(tmp_path) == [crashed]
    assert not crashed.exists()
    assert running.is_dir() and unmarked.is_dir() and other.is_dir()


def test_a_new_emulator_removes_what_a_killed_one_left() -> None:
    stale = lab_folder(Path(tempfile.gettempdir()), f"stale-{os.getpid()}", dead_pid())
    try:
        with EmulatorServer() as server:
            assert not stale.exists(), "the state folder of a process that is gone is cleaned on the next start"
            assert (server.state_dir / OWNER_MARKER).read_text().strip() == str(os.getpid())
    finally:
        if stale.exists():
            for path in sorted(stale.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
            stale.rmdir()


def test_state_folder_and_directory_file_are_private(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o755)
    state.chmod(0o755)
    server = EmulatorServer(state_dir=state)
    try:
        server.write_directory_file()
        assert mode(state) == 0o700, "the folder holds every key and secret of the lab"
        assert mode(server.directory_file) == 0o600
        assert "lab-secret" in server.directory_file.read_text()
    finally:
        server.stop()
    assert state.is_dir(), "a folder the user named is never removed"

    temporary = EmulatorServer()
    try:
        temporary.write_directory_file()
        assert mode(temporary.state_dir) == 0o700 and mode(temporary.directory_file) == 0o600
    finally:
        temporary.stop()


def test_only_state_folders_carry_the_prefix_the_stale_scan_reads() -> None:
    """Guard logs and key material also live in /tmp under keyless-lab-…; the scan must not read them."""
    assert TEMP_PREFIX == "keyless-lab-state-"
    for other in ("keyless-lab-guard-", "keyless-lab-material-", "keyless-lab-home-"):
        assert not other.startswith(TEMP_PREFIX)
