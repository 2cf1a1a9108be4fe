"""keyless-lab: learn to call Azure OpenAI without access keys, against an embedded emulator or real Azure.

The names below are imported on first use (PEP 562), so that the `az`/`azd`/browser stand-ins, which
live in `keyless_lab.shims` and run as a new process per call, do not import the emulator and its
web stack each time: that made every `az account get-access-token` cost about half a second more.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import LabConfigurationError
    from .display import Table, describe_error
    from .lab import Lab, start_lab
    from .tokens import claims_table, decode_claims, redact

_EXPORTS = {
    "Lab": "lab",
    "LabConfigurationError": "config",
    "Table": "display",
    "claims_table": "tokens",
    "decode_claims": "tokens",
    "describe_error": "display",
    "redact": "tokens",
    "start_lab": "lab",
}

__all__ = [
    "Lab",
    "LabConfigurationError",
    "Table",
    "claims_table",
    "decode_claims",
    "describe_error",
    "redact",
    "start_lab",
]


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    globals()[name] = value
    return value
