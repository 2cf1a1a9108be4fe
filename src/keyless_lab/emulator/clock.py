"""The emulator's notion of time and token lifetimes, in one injectable place."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class Clock:
    """Wall-clock time plus an offset that tests may move forward.

    Tokens are minted and validated on this clock. Clients (azure-identity, openai) use the real
    clock, so lessons about expiry use short lifetimes rather than moving this clock.
    """

    offset: float = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


@dataclass
class TokenPolicy:
    """How long issued tokens live, and how much clock skew validators tolerate.

    Managed identity tokens on Azure live 24 hours; tokens from Microsoft Entra's token endpoint
    live 60-90 minutes. The expiry lessons shorten both (emulator-only). Azure tolerates about
    five minutes of clock skew; the emulator tolerates `leeway` seconds (default 0) so that an
    expiry demonstration does not have to wait five minutes.
    """

    managed_identity_lifetime: int = 86_399
    entra_lifetime: int = 4_199
    leeway: int = 0

    def shorten(self, seconds: int) -> None:
        """Make every newly issued token live `seconds` (for the expiry lessons)."""
        self.managed_identity_lifetime = self.entra_lifetime = seconds
