"""The emulator's state folder: private to its owner, marked as the lab's, and cleaned after a crash.

The folder holds every secret of a lab (client secrets, certificate keys, the admin key in
`directory.json`), so it is created 0700 and its files 0600. A temporary folder is removed when
the emulator stops; after a kill -9 it is not, so each new emulator removes the folders that an
owner marker names as the lab's and whose process is gone — and no other folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Only state folders carry this prefix, so the stale-folder scan reads no other lab folder in /tmp.
TEMP_PREFIX = "keyless-lab-state-"
OWNER_MARKER = ".keyless-lab-owner"  # holds the pid of the process that created the folder


def private_dir(path: Path) -> Path:
    """`path` as a folder only its owner can enter (created if missing, tightened if it exists)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, text: str) -> Path:
    """Write `text` to `path` readable by its owner only, from the first byte (no 0644 window)."""
    staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(staging, 0o600)  # in case the file existed with wider permissions
    os.replace(staging, path)
    return path


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts: it is not ours to judge)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_temporary() -> Path:
    """A new private temporary state folder, marked as this process's."""
    path = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))  # mkdtemp creates it 0700
    write_private(path / OWNER_MARKER, f"{os.getpid()}\n")
    return path


def owner_pid(folder: Path) -> int | None:
    """The pid in the folder's owner marker; None when the folder carries no (readable) marker."""
    try:
        return int((folder / OWNER_MARKER).read_text().strip())
    except (OSError, ValueError):
        return None


def remove_stale(root: Path | None = None) -> list[Path]:
    """Remove lab state folders in `root` (the temporary folder) left by processes that are gone.

    Only folders named like the lab's, owned by this user and carrying the owner marker are
    considered; a folder without a marker (someone else's, or one still being created) is kept.
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    try:
        candidates = list(root.glob(f"{TEMP_PREFIX}*"))
    except OSError:
        return removed
    for folder in candidates:
        try:
            if not folder.is_dir() or folder.is_symlink() or folder.stat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        pid = owner_pid(folder)
        if pid is None or process_alive(pid):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed
