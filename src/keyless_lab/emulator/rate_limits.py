"""Per-deployment rate limits (requests and tokens per minute), off unless a deployment sets them.

Azure OpenAI gives each deployment a quota in tokens per minute (TPM) and requests per minute
(RPM). It evaluates requests over short windows — about a sixth of the RPM every 10 seconds — and
tokens over the minute, counting a request's prompt plus its `max_tokens` (or the expected reply).
Over the limit it answers 429 with `retry-after-ms` and `retry-after`, which the `openai` client
honours before retrying. The emulator models each limit as a token bucket refilled continuously,
so the wait it advertises is exact: retrying after it succeeds.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from .clock import Clock
from .directory import Deployment

REQUEST_WINDOW_SECONDS = 10.0  # Azure enforces RPM over ~10 s windows (RPM / 6 per window)
TOKEN_WINDOW_SECONDS = 60.0


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    level: float
    updated: float

    @classmethod
    def full(cls, per_minute: int, window: float, now: float) -> _Bucket:
        capacity = max(1.0, per_minute * window / 60.0)
        return cls(capacity=capacity, per_second=per_minute / 60.0, level=capacity, updated=now)

    def refill(self, now: float) -> None:
        if now > self.updated:
            self.level = min(self.capacity, self.level + (now - self.updated) * self.per_second)
            self.updated = now

    def wait_for(self, cost: float) -> float:
        """Seconds until `cost` is available (a cost above capacity waits for a full bucket)."""
        deficit = min(cost, self.capacity) - self.level
        return deficit / self.per_second if deficit > 0 else 0.0


@dataclass
class _Limits:
    rpm: int | None
    tpm: int | None
    requests: _Bucket | None
    tokens: _Bucket | None


@dataclass(frozen=True)
class Verdict:
    """The limiter's answer for one request: admitted or not, and the headers to send either way."""

    allowed: bool
    headers: dict[str, str] = field(default_factory=dict)
    retry_after: float = 0.0  # seconds
    exceeded: str = ""  # "call" or "token": which limit, in Azure's wording


class RateLimiter:
    """Token buckets per deployment, created on first use and reset when the limits change."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._limits: dict[str, _Limits] = {}

    def admit(self, deployment: Deployment, tokens: int) -> Verdict | None:
        """Charge one request and `tokens` tokens, or refuse; None when the deployment has no limits."""
        rpm, tpm = deployment.rpm, deployment.tpm
        if rpm is None and tpm is None:
            return None
        with self._lock:
            now = self._clock.now()
            limits = self._limits.get(deployment.name)
            if limits is None or (limits.rpm, limits.tpm) != (rpm, tpm):
                limits = _Limits(
                    rpm,
                    tpm,
                    _Bucket.full(rpm, REQUEST_WINDOW_SECONDS, now) if rpm else None,
                    _Bucket.full(tpm, TOKEN_WINDOW_SECONDS, now) if tpm else None,
                )
                self._limits[deployment.name] = limits
            waits = {"call": 0.0, "token": 0.0}
            if limits.requests is not None:
                limits.requests.refill(now)
                waits["call"] = limits.requests.wait_for(1)
            if limits.tokens is not None:
                limits.tokens.refill(now)
                waits["token"] = limits.tokens.wait_for(tokens)
            exceeded = max(waits, key=lambda k: waits[k])
            retry_after = waits[exceeded]
            if retry_after <= 0:
                if limits.requests is not None:
                    limits.requests.level -= 1
                if limits.tokens is not None:
                    limits.tokens.level = max(0.0, limits.tokens.level - tokens)
            headers = _headers(rpm, tpm, limits)
            if retry_after > 0:
                headers["retry-after"] = str(math.ceil(retry_after))
                headers["retry-after-ms"] = str(math.ceil(retry_after * 1000))
                return Verdict(False, headers, retry_after, exceeded)
            return Verdict(True, headers)

    def reset(self) -> None:
        """Forget all usage (every deployment starts with full buckets again)."""
        with self._lock:
            self._limits.clear()


def _headers(rpm: int | None, tpm: int | None, limits: _Limits) -> dict[str, str]:
    headers: dict[str, str] = {}
    if rpm and limits.requests is not None:
        headers["x-ratelimit-limit-requests"] = str(rpm)
        headers["x-ratelimit-remaining-requests"] = str(max(0, math.floor(limits.requests.level)))
    if tpm and limits.tokens is not None:
        headers["x-ratelimit-limit-tokens"] = str(tpm)
        headers["x-ratelimit-remaining-tokens"] = str(max(0, math.floor(limits.tokens.level)))
    return headers
