from __future__ import annotations

from pathlib import Path

import pytest

from keyless_lab import runner

NOTEBOOK_02 = Path(__file__).resolve().parents[2] / "notebooks" / "02-system-assigned-managed-identity.ipynb"


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("False", False), ("3", 3), ("0.5", 0.5), ("azure", "azure"), ("", "")]
)
def test_values_are_typed_as_papermill_types_them(text: str, value: object) -> None:
    assert runner.parse_value(text) == value and type(runner.parse_value(text)) is type(value)


def test_files_then_pairs_later_wins(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("mode: azure\nendpoint: https://x.openai.azure.com/\n")
    (tmp_path / "b.yaml").write_text("endpoint: https://y.openai.azure.com/\n")
    merged = runner.load_parameters([str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")], [("mode", "emulator")])
    assert merged == {"mode": "emulator", "endpoint": "https://y.openai.azure.com/"}


def test_a_parameters_file_must_be_a_mapping(tmp_path: Path) -> None:
    (tmp_path / "list.yaml").write_text("- mode\n")
    with pytest.raises(runner.UsageError, match="must be a YAML mapping"):
        runner.load_parameters([str(tmp_path / "list.yaml")], [])


def test_only_declared_parameters_are_passed() -> None:
    chosen = runner.parameters_for(NOTEBOOK_02, {"mode": "azure", "short_token_lifetime": 2, "unknown": 1})
    assert chosen == {"mode": "azure", "short_token_lifetime": 2}


def test_write_back_merges_stream_outputs_split_by_kernel_timing() -> None:
    import nbformat

    from keyless_lab.notebooks import normalise

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1); print(2)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="1\n"),
        nbformat.v4.new_output("stream", name="stdout", text="2\n"),
        nbformat.v4.new_output("stream", name="stderr", text="warn\n"),
        nbformat.v4.new_output("stream", name="stdout", text="3\n"),
    ]
    nb.cells = [cell]
    outputs = normalise(nb).cells[0].outputs
    assert [(o["name"], o["text"]) for o in outputs] == [("stdout", "1\n2\n"), ("stderr", "warn\n"), ("stdout", "3\n")]
