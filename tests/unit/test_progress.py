from __future__ import annotations

import io
from pathlib import Path

from keyless_lab.notebooks import RunResult
from keyless_lab.progress import Progress

A, B = Path("00-a.ipynb"), Path("01-b.ipynb")


def test_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress([A, B], out)
    progress.update(A, "running", None)
    progress.update(A, "passed", RunResult(A, A, 1.25))
    progress.update(B, "running", None)
    progress.update(B, "failed", RunResult(B, B, 2.0, "cell In [3] `x`: ValueError: no"))
    assert out.getvalue().splitlines() == [
        "[0/2] start  00-a.ipynb",
        "[1/2] passed 00-a.ipynb (1.2 s)",
        "[1/2] start  01-b.ipynb",
        "[2/2] failed 01-b.ipynb (2.0 s): cell In [3] `x`: ValueError: no",
    ]


def test_live_block_redraws_in_place_with_a_bar() -> None:
    out = io.StringIO()
    progress = Progress([A, B], out, live=True)
    progress.update(A, "passed", RunResult(A, A, 1.0))
    first = out.getvalue()
    assert first.count("\n") == 3 and "\x1b[3F" not in first  # two notebooks and the bar
    progress.update(B, "running", None)
    assert "\x1b[3F" in out.getvalue()[len(first) :]  # moved back up to redraw the same block
    lines = progress.lines()
    assert lines[0].startswith(" ✓ 00-a.ipynb") and "passed" in lines[0]
    assert lines[1].startswith(" ▶ 01-b.ipynb") and "running" in lines[1]
    assert "1/2 notebooks" in lines[2] and "█" * 15 + "░" * 15 in lines[2]
