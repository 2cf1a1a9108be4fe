"""Deterministic tables and error summaries for notebook output.

Committed outputs are what nbval compares, so everything here is stable: no ports, no raw
timestamps, no trace ids. Tables render as Markdown in JupyterLab and as aligned text elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# The lab's loopback address and port differ on every run; Azure's hosts never look like this.
_LAB_ENDPOINT = (re.compile(r"https?://127\.0\.0\.1:\d+"), "https://<lab-endpoint>")
# The emulator's temporary state folder (emulator/state_dir.py: mkdtemp with this prefix), wherever the
# platform puts temporary folders.
_STATE_DIR = (re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\\/\s'\"|]+)*?[\\/]keyless-lab-state-\w+"), "<state-dir>")
# Per-request values in error messages that differ on every run.
_VOLATILE = (
    (re.compile(r"\s*Trace ID: [0-9a-f-]+"), " "),
    (re.compile(r"\s*Correlation ID: [0-9a-f-]+"), " "),
    (re.compile(r"\s*Timestamp: \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ"), " "),
    _LAB_ENDPOINT,
)
# azure-core appends the raw response body to ClientAuthenticationError: it repeats the
# error_description and adds a timestamp and trace ids.
_RESPONSE_BODY = re.compile(r"\s*Content: \{.*\Z", re.S)


class Table:
    """A small table that renders as Markdown in notebooks and as aligned text in terminals."""

    def __init__(self, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
        self.columns = tuple(columns)
        self.rows = [tuple("" if v is None else str(v) for v in row) for row in rows]

    def __len__(self) -> int:
        return len(self.rows)

    def _repr_markdown_(self) -> str:
        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(self.columns) + " |", "|" + "---|" * len(self.columns)]
        lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        widths = [
            max(len(c), *(len(r[i]) for r in self.rows)) if self.rows else len(c) for i, c in enumerate(self.columns)
        ]
        lines = ["  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)).rstrip()]
        lines.append("  ".join("-" * w for w in widths))
        lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in self.rows]
        return "\n".join(lines)

    __str__ = __repr__


def stable_message(text: str, limit: int = 400) -> str:
    """An error message without per-request ids, ports or timestamps, trimmed to one line."""
    text = _RESPONSE_BODY.sub("", text)
    for pattern, replacement in _VOLATILE:
        text = pattern.sub(replacement, text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def lab_neutral(value: str) -> str:
    """A value with the lab's run-specific parts named instead of shown (`https://<lab-endpoint>`,
    `<state-dir>`), so outputs stay stable and nobody mistakes them for what Azure sets. Real Azure
    values pass unchanged."""
    for pattern, replacement in (_LAB_ENDPOINT, _STATE_DIR):
        value = pattern.sub(replacement, value)
    return value


def describe_error(exc: BaseException) -> str:
    """`ExceptionType: message` in one stable line, for expected-error cells."""
    return f"{type(exc).__name__}: {stable_message(str(exc))}"
