"""Set environment variables for a block of notebook code, then restore them.

In the notebooks this stands in for "your shell, CI system or app settings set these variables":
the credential code stays as it would run, only its environment changes, and nothing leaks into
the next cell.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def environment(**values: str | None) -> Iterator[None]:
    """Set (a string) or unset (None) each variable for the duration, then put back what was there."""
    saved = {name: os.environ.get(name) for name in values}
    for name, value in values.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
