"""nbval must fail when a committed output no longer matches what the notebook produces."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from keyless_lab import notebooks

SANITIZE = notebooks.NOTEBOOKS_DIR / "sanitize.cfg"
FIRST = notebooks.course_notebooks()[0]


def run_nbval(notebook: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--nbval",
            "--nbval-current-env",
            "--nbval-cell-timeout=120",
            "--nbval-sanitize-with",
            str(SANITIZE),
            "--rootdir",
            str(notebook.parent),
            str(notebook),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=notebook.parent,
    )


@pytest.mark.notebook
def test_nbval_fails_on_a_doctored_output(tmp_path: Path) -> None:
    copy = tmp_path / FIRST.name
    shutil.copy(FIRST, copy)
    nb = json.loads(copy.read_text())
    doctored = False
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("name") == "stdout" and "Self-check passed." in "".join(output["text"]):
                output["text"] = ["Self-check failed.\n"]
                doctored = True
    assert doctored
    copy.write_text(json.dumps(nb))
    result = run_nbval(copy)
    assert result.returncode == 1, result.stdout[-2000:]
    assert "Self-check passed." in result.stdout and "1 failed" in result.stdout
