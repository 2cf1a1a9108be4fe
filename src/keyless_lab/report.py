"""What a course run leaves behind: a summary table for the terminal and an HTML report.

The HTML report is one page per executed notebook (nbconvert's JupyterLab template, outputs as
the learner sees them) plus an `index.html` with the course table — each notebook's status and
time — that an instructor can open locally or publish as static files.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from . import notebooks
from .display import Table
from .notebooks import RunResult


def summary_table(results: Sequence[RunResult]) -> Table:
    return Table(
        ("notebook", "status", "seconds", "error"),
        [(r.notebook.name, "passed" if r.ok else "FAILED", f"{r.seconds:.1f}", r.error) for r in results],
    )


def summary_line(results: Sequence[RunResult], wall_seconds: float, out_dir: Path) -> str:
    passed = sum(r.ok for r in results)
    total = sum(r.seconds for r in results)
    return (
        f"{passed}/{len(results)} notebooks passed in {wall_seconds:.1f} s wall "
        f"({total:.1f} s of notebook time; executed copies in {out_dir}/)"
    )


def notebook_html(executed: Path, target: Path) -> Path:
    """One executed notebook as a standalone HTML page (nbconvert, lab template)."""
    import nbformat
    from nbconvert import HTMLExporter

    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nbformat.read(executed, as_version=4))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(body, encoding="utf-8")
    return target


INDEX_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #1b1b1b; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.passed { color: #0a7d28; } .failed { color: #b00020; font-weight: bold; } .muted { color: #777; }
"""


def _describe(path: Path) -> notebooks.Entry:
    try:
        return notebooks.describe(path)
    except (OSError, ValueError, KeyError, IndexError):
        return notebooks.Entry("", path.stem, "", path.name)


def index_html(results: Sequence[RunResult], pages: dict[str, str], wall_seconds: float) -> str:
    """The course table: every catalogued notebook, with this run's status, time and page link."""
    by_name = {r.notebook.name: r for r in results}
    entries = notebooks.catalog()
    catalogued = {e.filename for e in entries}
    # Notebooks run from elsewhere (a student copy, a test) still get a row.
    entries += [_describe(r.notebook) for r in results if r.notebook.name not in catalogued]
    rows = []
    for entry in entries:
        result = by_name.get(entry.filename) if entry.filename else None
        title = html.escape(entry.title)
        if result is not None and entry.filename in pages:
            title = f'<a href="{html.escape(pages[entry.filename], quote=True)}">{title}</a>'
        if result is None:
            status = '<span class="muted">planned</span>' if entry.planned else '<span class="muted">not run</span>'
            seconds = ""
        else:
            status = (
                '<span class="passed">passed</span>'
                if result.ok
                else f'<span class="failed">failed</span><br><small>{html.escape(result.error)}</small>'
            )
            seconds = f"{result.seconds:.1f} s"
        rows.append(
            f"<tr><td>{html.escape(entry.number)}</td><td>{title}</td><td>{status}</td>"
            f'<td class="num">{seconds}</td></tr>'
        )
    passed = sum(r.ok for r in results)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>keyless-lab run report</title><style>{INDEX_STYLE}</style></head><body>"
        "<h1>keyless-lab: course run report</h1>"
        f"<p>{passed} of {len(results)} notebooks passed; wall time {wall_seconds:.1f} s.</p>"
        "<table><thead><tr><th>#</th><th>notebook</th><th>status</th><th>time</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table></body></html>\n"
    )


def write_html(results: Sequence[RunResult], out_dir: Path, wall_seconds: float) -> Path:
    """Write `out_dir/html/NN-name.html` for each executed notebook and `out_dir/html/index.html`."""
    html_dir = out_dir / "html"
    pages = {}
    for result in results:
        if result.output.is_file():
            page = notebook_html(result.output, html_dir / result.notebook.with_suffix(".html").name)
            pages[result.notebook.name] = page.name
    index = html_dir / "index.html"
    index.parent.mkdir(parents=True, exist_ok=True)
    index.write_text(index_html(results, pages, wall_seconds), encoding="utf-8")
    return index
