"""Find, execute and normalise the course notebooks (papermill), and describe them (catalog).

Execution always uses the notebooks folder as working directory (as nbval does), the `python3`
kernel and a per-cell timeout, and writes executed copies elsewhere — never over the sources.
"""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import netguard
from .display import Table

if TYPE_CHECKING:
    import nbformat

PROJECT_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = PROJECT_ROOT / "notebooks"
KERNEL = "python3"
CELL_TIMEOUT = 120
NAME = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


def course_notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The course notebooks in reading order (NN-kebab-title.ipynb)."""
    return sorted(p for p in folder.glob("*.ipynb") if NAME.match(p.name))


@dataclass(frozen=True)
class RunResult:
    notebook: Path
    output: Path
    seconds: float
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


def execute(
    notebook: Path,
    output: Path,
    parameters: dict[str, Any] | None = None,
    timeout: int = CELL_TIMEOUT,
    guard_log: Path | None = None,
) -> RunResult:
    """Run one notebook with papermill into `output`; with `guard_log`, under the network guard."""
    import papermill

    output.parent.mkdir(parents=True, exist_ok=True)
    saved = dict(os.environ)
    if guard_log is not None:
        os.environ.update(netguard.child_environment(guard_log))
    started = time.perf_counter()
    try:
        papermill.execute_notebook(
            str(notebook),
            str(output),
            parameters=parameters or {},
            kernel_name=KERNEL,
            cwd=str(notebook.parent),
            execution_timeout=timeout,
            progress_bar=False,
            log_output=False,
            # Save once at the end (and on failure), not after every cell: a mid-run save rewrites
            # the whole notebook, a measurable share of a short notebook's run.
            request_save_on_cell_execute=False,
            # ipykernel warns on stderr about unencrypted TCP even on loopback, and logs an ERROR
            # "KeyboardInterrupt caught in kernel" when jupyter_client's shutdown interrupts an idle
            # kernel (it interrupts before every shutdown); keep run output to results. Cell errors
            # still reach papermill through the execution replies.
            extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
        )
        error = ""
    except Exception as exc:  # papermill raises PapermillExecutionError with the failing cell
        error = failure_line(exc)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return RunResult(notebook, output, time.perf_counter() - started, error)


def merge_streams(outputs: list[Any]) -> list[Any]:
    """Join consecutive stdout (or stderr) pieces into one output.

    How many pieces a cell's prints arrive in depends on timing (a sleep between two prints splits
    them), so without this a re-run on a busier machine changes the committed file, not the output.
    """
    merged: list[Any] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and output.get("output_type") == previous.get("output_type") == "stream"
            and output.get("name") == previous.get("name")
        ):
            previous["text"] = "".join(previous["text"]) + "".join(output["text"])
        else:
            merged.append(output)
    return merged


def failure_line(exc: BaseException) -> str:
    """The failing cell and its error in one line (papermill's message is a whole traceback)."""
    from papermill.exceptions import PapermillExecutionError

    from .display import stable_message

    if isinstance(exc, PapermillExecutionError):
        first = next((line.strip() for line in exc.source.splitlines() if line.strip()), "")
        return stable_message(f"cell In [{exc.exec_count}] `{first[:60]}`: {exc.ename}: {exc.evalue}")
    text = str(exc).strip()
    return stable_message(f"{type(exc).__name__}: {text.splitlines()[-1]}" if text else type(exc).__name__)


def normalise(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop run metadata (papermill timings, injected-parameter cells) but keep outputs and counts."""
    nb.metadata.pop("papermill", None)
    nb.cells = [c for c in nb.cells if "injected-parameters" not in c.metadata.get("tags", [])]
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = merge_streams(cell.outputs)
    return nb


def write_back(executed: Path, source: Path) -> None:
    """Store an executed notebook's outputs in the source notebook, normalised (for maintainers)."""
    import nbformat

    nb = normalise(nbformat.read(executed, as_version=4))
    nbformat.write(nb, source)


# -- catalog ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entry:
    number: str
    title: str
    outcome: str
    filename: str = ""

    @property
    def planned(self) -> bool:
        return not self.filename


# Notebooks the course plans but has not written yet (shown as planned in the README).
PLANNED: tuple[tuple[str, str], ...] = (
    ("01", "The key-based baseline, and what is wrong with it"),
    ("03", "User-assigned managed identity"),
    ("04", "Service principal with a client secret"),
    ("05", "Service principal with a certificate"),
    ("06", "Azure CLI and Azure Developer CLI credentials"),
    ("07", "Interactive browser sign-in"),
    ("08", "Device code sign-in"),
    ("09", "DefaultAzureCredential: the chain, its order, how to pin it"),
    ("10", "Workload identity on AKS"),
    ("11", "Federated credentials for GitHub Actions and GitLab"),
    ("12", "Key versus token, side by side"),
    ("13", "Production patterns and troubleshooting"),
)


def describe(path: Path) -> Entry:
    """Title (the first `# ` heading) and outcome (the paragraph after it) of a notebook."""
    nb = json.loads(path.read_text())
    first = "".join(nb["cells"][0]["source"]).strip().splitlines()
    title = first[0].lstrip("# ").strip()
    outcome = next((line.strip() for line in first[1:] if line.strip()), "")
    return Entry(path.name[:2], title, outcome, path.name)


def catalog(folder: Path = NOTEBOOKS_DIR) -> list[Entry]:
    written = {e.number: e for e in map(describe, course_notebooks(folder))}
    planned = {n: Entry(n, t, "") for n, t in PLANNED if n not in written}
    return [v for _, v in sorted({**planned, **written}.items())]


def course_table(folder: Path = NOTEBOOKS_DIR) -> Table:
    """The course outline, from the notebooks' own titles (planned ones marked)."""
    return Table(
        ("#", "notebook", "status"),
        [(e.number, e.title, "planned" if e.planned else "available") for e in catalog(folder)],
    )


# -- generated navigation and README table ----------------------------------------------------
NAV_TAG = "navigation"
README_START, README_END = "<!-- notebooks:start -->", "<!-- notebooks:end -->"


def _label(entry: Entry) -> str:
    return f"{entry.number} · {entry.title}"


def navigation_markdown(entries: list[Entry], current: str) -> str:
    """Previous/next links for the notebook named `current` (planned neighbours are not links)."""
    index = next(i for i, e in enumerate(entries) if e.filename == current)
    parts = []
    if index > 0:
        prev = entries[index - 1]
        parts.append(
            f"⬅ Previous: [{_label(prev)}]({prev.filename})"
            if not prev.planned
            else f"⬅ Previous: {_label(prev)} (planned)"
        )
    if index + 1 < len(entries):
        nxt = entries[index + 1]
        parts.append(
            f"Next: [{_label(nxt)}]({nxt.filename}) ➡" if not nxt.planned else f"Next: {_label(nxt)} (planned) ➡"
        )
    return "---\n" + " · ".join(parts) + "\n\n_This navigation is generated by `keyless-lab docs`._"


def readme_table(entries: list[Entry]) -> str:
    rows = ["| # | notebook | what you will be able to do |", "|---|---|---|"]
    for e in entries:
        if e.planned:
            rows.append(f"| {e.number} | {e.title} | _planned_ |")
        else:
            outcome = e.outcome.removeprefix("By the end of this notebook you can ")
            rows.append(f"| {e.number} | [{e.title}](notebooks/{e.filename}) | {outcome[:1].upper()}{outcome[1:]} |")
    return "\n".join(rows)


def update_docs(folder: Path = NOTEBOOKS_DIR, readme: Path = PROJECT_ROOT / "README.md") -> list[Path]:
    """Regenerate every notebook's navigation cell and the README table; return the files changed."""
    import nbformat

    entries = catalog(folder)
    changed = []
    for entry in entries:
        if entry.planned:
            continue
        path = folder / entry.filename
        nb = nbformat.read(path, as_version=4)
        text = navigation_markdown(entries, entry.filename)
        navs = [c for c in nb.cells if NAV_TAG in c.metadata.get("tags", [])]
        if navs and navs[0].source == text:
            continue
        if navs:
            navs[0].source = text
        else:
            nb.cells.append(nbformat.v4.new_markdown_cell(text, metadata={"tags": [NAV_TAG]}))
        nbformat.write(nb, path)
        changed.append(path)
    content = readme.read_text()
    start, end = content.index(README_START) + len(README_START), content.index(README_END)
    new = content[:start] + "\n" + readme_table(entries) + "\n" + content[end:]
    if new != content:
        readme.write_text(new)
        changed.append(readme)
    return changed
