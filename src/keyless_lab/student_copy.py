"""`keyless-lab student-copy`: the notebooks as handed out in a workshop.

A student copy keeps everything a learner works with — prose, diagrams, starter code of the
exercises, the self-check — and removes what would give the exercise away or distract: the
hidden `<details><summary>Solution</summary>…</details>` blocks and every output (a learner runs
the cells). Other `<details>` blocks (for example "What happened", an explanation after a
prediction) are kept: they explain, they do not solve.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from pathlib import Path

import nbformat

SOLUTION = re.compile(r"<details>\s*<summary>\s*Solution\b.*?</details>\s*", re.DOTALL | re.IGNORECASE)


def strip_solutions(markdown: str) -> str:
    return SOLUTION.sub("", markdown).strip()


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook without solution blocks, outputs, execution counts or run metadata."""
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = strip_solutions(cell.source)
            if not cell.source:
                continue  # the cell held only a solution
        elif cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("papermill", None)
    return nb


def write_student_copies(sources: Iterable[Path], output: Path) -> list[Path]:
    """Write a student copy of each notebook into `output` (plus the sources' `params/` folder)."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sources:
        if (output / source.name).resolve() == source.resolve():
            raise ValueError(f"the output folder must not be the notebooks' own folder ({source.parent})")
        nb = student_notebook(nbformat.read(source, as_version=4))
        nbformat.validate(nb)
        target = output / source.name
        nbformat.write(nb, target)
        written.append(target)
        params = source.parent / "params"
        if params.is_dir() and not (output / "params").exists():
            shutil.copytree(params, output / "params")
    return written
