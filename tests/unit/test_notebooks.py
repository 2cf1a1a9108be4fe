"""Normalising executed notebooks for commit: run metadata dropped, stream pieces joined."""

from __future__ import annotations

import nbformat

from keyless_lab.notebooks import normalise


def stream(name: str, text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name=name, text=text)


def test_split_prints_are_committed_as_one_output_per_stream_run() -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1); time.sleep(1); print(2)")
    cell.outputs = [
        stream("stdout", "Call 1: succeeded\n"),
        stream("stdout", "Call 2: succeeded\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "3"}, execution_count=1),
        stream("stdout", "after\n"),
    ]
    cell.metadata["papermill"] = {"duration": 1.0}
    nb.cells = [cell]
    nb.metadata["papermill"] = {}
    out = normalise(nb)
    outputs = out.cells[0].outputs
    assert [o["output_type"] for o in outputs] == ["stream", "execute_result", "stream"]
    assert outputs[0]["text"] == "Call 1: succeeded\nCall 2: succeeded\n"
    assert "papermill" not in out.metadata and "papermill" not in out.cells[0].metadata


def test_stdout_and_stderr_are_not_joined() -> None:
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("")
    cell.outputs = [stream("stdout", "a\n"), stream("stderr", "b\n")]
    nb.cells = [cell]
    assert len(normalise(nb).cells[0].outputs) == 2
