"""keyless-lab: learn to call Azure OpenAI without access keys, against an embedded emulator or real Azure."""

from .config import LabConfigurationError
from .display import Table, describe_error
from .lab import Lab, start_lab
from .tokens import claims_table, decode_claims, redact

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
