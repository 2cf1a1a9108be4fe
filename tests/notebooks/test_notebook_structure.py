"""Every course notebook follows the conventions CI and nbval rely on."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from keyless_lab import notebooks

NOTEBOOKS = notebooks.course_notebooks()
PARAM_TYPES = (str, int, float, bool)


@pytest.fixture(params=NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def nb(request: pytest.FixtureRequest) -> dict:
    return json.loads(Path(request.param).read_text())


def test_there_are_notebooks() -> None:
    assert len(NOTEBOOKS) >= 2


def test_exactly_one_parameters_cell_of_typed_literals_with_help(nb: dict) -> None:
    params = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(params) == 1
    source = "".join(params[0]["source"])
    names = []
    for node in ast.parse(source).body:
        assert isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant), ast.dump(node)
        assert isinstance(node.value.value, PARAM_TYPES)
        names.append(node.targets[0].id)  # type: ignore[attr-defined]
    assert {"mode", "endpoint", "deployment"} <= set(names)
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    # api_version is a parameter exactly where the notebook uses the dated (api-version) surface
    assert ("api_version" in names) == ("AzureOpenAI(" in code), "api_version only with AzureOpenAI"
    assert all("  # " in line for line in source.strip().splitlines()), "every parameter has a # help comment"


def test_every_code_cell_was_executed_and_committed_with_outputs(nb: dict) -> None:
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(c["execution_count"] is not None for c in code if "".join(c["source"]).strip())
    counts = [c["execution_count"] for c in code if c["execution_count"] is not None]
    assert counts == list(range(1, len(counts) + 1)), "executed top to bottom in one run"
    assert sum(bool(c["outputs"]) for c in code) >= len(code) // 2


def test_no_run_metadata_errors_or_bad_kernels(nb: dict) -> None:
    assert "papermill" not in nb["metadata"]
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    for cell in nb["cells"]:
        assert "papermill" not in cell["metadata"]
        assert "raises-exception" not in cell["metadata"].get("tags", [])
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", "committed outputs hold no tracebacks"
            assert output.get("name") != "stderr", "committed outputs hold no stderr"


def test_teaching_conventions(nb: dict) -> None:
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# ") and "By the end of this notebook" in first
    for marker in ("**You will learn**", "**Prerequisites:**", "**Time:**", "## Exercise", "## Self-check", "## Recap"):
        assert marker in text, marker
    assert any("assert " in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert re.search(r"start_lab\(\s*mode=mode", code)


def test_navigation_and_readme_table_are_generated_and_in_sync(tmp_path: Path) -> None:
    entries = notebooks.catalog()
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text())
        navs = [c for c in nb["cells"] if notebooks.NAV_TAG in c["metadata"].get("tags", [])]
        assert len(navs) == 1 and nb["cells"][-1] is navs[0]
        assert "".join(navs[0]["source"]) == notebooks.navigation_markdown(entries, path.name)
    readme = (notebooks.PROJECT_ROOT / "README.md").read_text()
    assert notebooks.readme_table(entries) in readme, "run `keyless-lab docs`"


def test_mermaid_diagram_in_every_notebook(nb: dict) -> None:
    assert any("```mermaid" in "".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
