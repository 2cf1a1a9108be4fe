"""Tiny notebooks for exercising `keyless-lab run` quickly (the course's own take tens of seconds)."""

from __future__ import annotations

from pathlib import Path

import nbformat


def write_notebook(path: Path, title: str, parameters: str, *cells: str) -> Path:
    """A notebook shaped like a course notebook: a title cell, a `parameters` cell, code cells."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}\n\nBy the end of this notebook you can test the runner."),
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        *(nbformat.v4.new_code_cell(c) for c in cells),
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    return path
