"""The infra scripts and helper scripts pass shellcheck (Debian package; `make test` installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = sorted([*ROOT.glob("infra/*.sh"), *ROOT.glob("scripts/*.sh")])


def test_shell_scripts_pass_shellcheck() -> None:
    if shutil.which("shellcheck") is None:
        pytest.fail("shellcheck is not installed: run scripts/ensure-tools.sh (apt-get install shellcheck)",
                    pytrace=False)  # fmt: skip
    assert any(p.parent.name == "infra" for p in SCRIPTS)
    done = subprocess.run(["shellcheck", "--external-sources", *map(str, SCRIPTS)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout
