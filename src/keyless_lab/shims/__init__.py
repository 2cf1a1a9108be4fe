"""Stand-ins for `az`, `azd` and a web browser, run as real processes against the emulator.

The emulator writes small executables into its state directory (`bin/`), each a two-line
Python script whose shebang is this interpreter; `EmulatorServer.environment()` puts that
directory first on PATH and names the browser in BROWSER. The modules here use only the
standard library and do not import the emulator, so an `az` process starts in a few tens of
milliseconds (AzureCliCredential starts one per token).
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

SHIMS = {"az": "az", "azd": "azd", "keyless-lab-browser": "browser"}


def install(bin_dir: Path) -> dict[str, Path]:
    """Write the executables into `bin_dir`; returns their paths by command name."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for command, module in SHIMS.items():
        path = bin_dir / command
        path.write_text(
            f"#!{sys.executable}\n"
            f'"""keyless-lab emulator stand-in for `{command}` (see keyless_lab/shims/{module}.py)."""\n'
            f"import sys\n\nfrom keyless_lab.shims.{module} import main\n\nsys.exit(main(sys.argv[1:]))\n"
        )
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
        written[command] = path
    return written


def path_with(bin_dir: Path, path: str | None = None) -> str:
    """PATH with the shims first, so they shadow a real `az`/`azd` in emulator mode."""
    rest = [p for p in (os.environ.get("PATH", "") if path is None else path).split(os.pathsep) if p]
    return os.pathsep.join([str(bin_dir), *[p for p in rest if p != str(bin_dir)]])
