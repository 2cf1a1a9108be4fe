"""Every course notebook, opened in JupyterLab in a real browser, renders: each Mermaid diagram
becomes an SVG image (JupyterLab 4 shows an `<img>` of SVG data; a parse error shows as
`jp-mod-warning` with the error text), and no output is a traceback. Prose and diagrams are
product too; only a browser proves they render."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from keyless_lab import notebooks

from .jupyterlab import JupyterLab, jupyterlab

if TYPE_CHECKING:
    from playwright.sync_api import Browser

NOTEBOOKS = notebooks.course_notebooks()
RENDER_TIMEOUT_MS = 60_000


def mermaid_blocks(path: Path) -> int:
    nb = json.loads(path.read_text())
    return sum("".join(c["source"]).count("```mermaid") for c in nb["cells"] if c["cell_type"] == "markdown")


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[JupyterLab]:
    with jupyterlab(notebooks.NOTEBOOKS_DIR, tmp_path_factory.mktemp("jupyterlab")) as server:
        yield server


@pytest.mark.browser
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_renders_every_diagram_and_no_traceback(
    path: Path, lab_server: JupyterLab, chromium_browser: Browser
) -> None:
    expected = mermaid_blocks(path)
    assert expected >= 1, "every notebook has at least one diagram"
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        page.goto(lab_server.notebook_url(path.name, f"render-{uuid.uuid4().hex[:8]}"))
        page.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=RENDER_TIMEOUT_MS)
        # Each diagram either becomes an SVG or is marked as a warning; wait until all have settled.
        page.wait_for_function(
            """(n) => {
                const done = [...document.querySelectorAll('.jp-RenderedMermaid')]
                    .filter(el => el.classList.contains('jp-mod-warning')
                        || el.querySelector('svg, img[src^="data:image/svg+xml"]'));
                return done.length >= n;
            }""",
            arg=expected,
            timeout=RENDER_TIMEOUT_MS,
        )
        failures = page.eval_on_selector_all(
            ".jp-RenderedMermaid.jp-mod-warning", "els => els.map(el => el.innerText.slice(0, 300))"
        )
        rendered = page.eval_on_selector_all(
            ".jp-RenderedMermaid:not(.jp-mod-warning)",
            "els => els.filter(el => el.querySelector('svg, img[src^=\"data:image/svg+xml\"]')).length",
        )
        tracebacks = page.eval_on_selector_all(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], .jp-RenderedText .ansi-red-fg",
            "els => els.map(el => el.innerText.slice(0, 200))",
        )
    finally:
        page.close()
    assert not failures, f"{path.name}: diagram(s) failed to render: {failures}"
    assert rendered >= expected, f"{path.name}: {rendered} of {expected} diagrams rendered as SVG"
    assert not tracebacks, f"{path.name}: outputs show errors: {tracebacks}"
