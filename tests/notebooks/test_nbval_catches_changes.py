"""nbval, with the project's sanitize file, must pass a faithful notebook and fail a doctored one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from keyless_lab import notebooks

SANITIZE = notebooks.NOTEBOOKS_DIR / "sanitize.cfg"


def run_nbval(notebook: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-current-env",
            "--nbval-cell-timeout=60", "--nbval-sanitize-with", str(SANITIZE), "--rootdir", str(notebook.parent),
            str(notebook),
        ],
        capture_output=True, text=True, timeout=300, cwd=notebook.parent,
    )  # fmt: skip


@pytest.fixture
def executed_notebook(tmp_path: Path) -> Path:
    """A small notebook executed for real, its outputs committed as the course notebooks' are."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("print('lab endpoint https://127.0.0.1:' + str(40000 + 1234))"),
        nbformat.v4.new_code_cell("print('Self-check passed.')"),
    ]
    NotebookClient(nb, kernel_name="python3", timeout=60).execute()
    path = tmp_path / "faithful.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.notebook
def test_nbval_passes_the_faithful_notebook_and_fails_a_doctored_one(executed_notebook: Path) -> None:
    faithful = run_nbval(executed_notebook)
    assert faithful.returncode == 0, faithful.stdout[-2000:]

    nb = nbformat.read(executed_notebook, as_version=4)
    nb.cells[1].outputs[0]["text"] = "Self-check failed.\n"
    doctored_path = executed_notebook.with_name("doctored.ipynb")
    nbformat.write(nb, doctored_path)
    doctored = run_nbval(doctored_path)
    assert doctored.returncode == 1, doctored.stdout[-2000:]
    assert "1 failed, 1 passed" in doctored.stdout
