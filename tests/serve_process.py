"""`keyless-lab serve` in its own process, as a classroom or a second terminal runs it."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def serve_subprocess(env_file: Path, *options: str) -> Iterator[str]:
    """Run `keyless-lab serve --env-file FILE [options]` until the block ends; yields its ready line.

    The server is stopped with SIGTERM, as Ctrl-C or a service manager stops it; a block that ends
    normally also checks that it stopped cleanly (exit status 0, its "stopped" line).
    """
    server = subprocess.Popen(
        [sys.executable, "-m", "keyless_lab.cli", "serve", "--env-file", str(env_file), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert server.stdout is not None
        ready = server.stdout.readline()
        assert ready.startswith("keyless-lab emulator ready:"), ready
        yield ready
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=15)
    assert server.returncode == 0, output
    assert "keyless-lab emulator stopped" in output, output
