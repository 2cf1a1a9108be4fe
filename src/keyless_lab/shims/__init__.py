"""Stand-ins for `az`, `azd` and a web browser, run as real processes against the emulator.

The emulator writes small executables into its state directory (`bin/`), each a two-line
Python script whose shebang is this interpreter; `EmulatorServer.environment()` puts that
directory first on PATH and names the browser in BROWSER. The modules here use only the
standard library and do not import the emulator, so an `az` process starts in a few tens of
milliseconds (AzureCliCredential starts one per token).
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import tempfile
from pathlib import Path

SHIMS = {"az": "az", "azd": "azd", "keyless-lab-browser": "browser"}


def _script(command: str, module: str) -> str:
    return (
        f"#!{sys.executable}\n"
        f'"""keyless-lab emulator stand-in for `{command}` (see keyless_lab/shims/{module}.py)."""\n'
        f"import sys\n\nfrom keyless_lab.shims.{module} import main\n\nsys.exit(main(sys.argv[1:]))\n"
    )


def install(bin_dir: Path) -> dict[str, Path]:
    """Write the executables into `bin_dir`; returns their paths by command name."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for command, module in SHIMS.items():
        path = bin_dir / command
        path.write_text(_script(command, module))
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written[command] = path
    return written


def stable_browser() -> Path:
    """The browser launcher at a path that does not change between emulator instances.

    `webbrowser` reads BROWSER once per process and caches it, so a path inside one instance's
    state directory would go stale (and vanish) when a later instance starts in the same process.
    The launcher holds nothing instance-specific: it signs in at whatever URL it is given.
    """
    tag = hashlib.sha256(sys.executable.encode()).hexdigest()[:12]
    folder = Path(tempfile.gettempdir()) / f"keyless-lab-{getattr(os, 'getuid', lambda: 0)()}-{tag}"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / "keyless-lab-browser"
    text = _script("keyless-lab-browser", "browser")
    if not target.exists() or target.read_text() != text:
        staging = folder / f".keyless-lab-browser.{os.getpid()}"
        staging.write_text(text)
        staging.chmod(0o755)
        os.replace(staging, target)  # atomic, so parallel test workers never see half a file
    return target


def path_with(bin_dir: Path, path: str | None = None) -> str:
    """PATH with the shims first, so they shadow a real `az`/`azd` in emulator mode."""
    rest = [p for p in (os.environ.get("PATH", "") if path is None else path).split(os.pathsep) if p]
    return os.pathsep.join([str(bin_dir), *[p for p in rest if p != str(bin_dir)]])
