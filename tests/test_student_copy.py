"""`keyless-lab student-copy`: solutions and outputs gone, starters and explanations kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

from keyless_lab import notebooks
from keyless_lab.student_copy import strip_solutions

CLI = [sys.executable, "-m", "keyless_lab.cli", "student-copy"]


def test_only_solution_blocks_are_removed() -> None:
    text = (
        "Intro\n\n<details><summary>Solution</summary>\n\n```python\nanswer = 42\n```\n</details>\n\n"
        "## Self-check\n\n<details><summary>What happened</summary>\nkept\n</details>"
    )
    assert (
        strip_solutions(text) == "Intro\n\n## Self-check\n\n<details><summary>What happened</summary>\nkept\n</details>"
    )


def test_student_copies_of_the_course(tmp_path: Path) -> None:
    out = tmp_path / "handout"
    done = subprocess.run([*CLI, "--output", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    sources = notebooks.course_notebooks()
    assert sorted(p.name for p in out.glob("*.ipynb")) == [p.name for p in sources]
    assert (out / "params" / "azure.yaml").is_file()
    solutions_removed = 0
    for source in sources:
        original = nbformat.read(source, as_version=4)
        copy = nbformat.read(out / source.name, as_version=4)
        nbformat.validate(copy)
        text = "\n".join(c.source for c in copy.cells)
        assert "<summary>Solution" not in text, source.name
        assert all(not c.outputs and c.execution_count is None for c in copy.cells if c.cell_type == "code")
        # Every code cell (starters included) is kept, unchanged.
        assert [c.source for c in copy.cells if c.cell_type == "code"] == [
            c.source for c in original.cells if c.cell_type == "code"
        ]
        had_solution = any("<summary>Solution" in c.source for c in original.cells)
        assert had_solution == (len(text) < len("\n".join(c.source for c in original.cells)))
        solutions_removed += had_solution
    assert solutions_removed >= 1, "the course has exercises with hidden solutions"


def test_refuses_to_overwrite_the_sources() -> None:
    done = subprocess.run([*CLI, "--output", str(notebooks.NOTEBOOKS_DIR)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "must not be the notebooks' own folder" in done.stderr
