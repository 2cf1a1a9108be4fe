"""Per-deployment rate limits (requests and tokens per minute), enforced when a deployment sets them.

Azure OpenAI gives each deployment a quota in tokens per minute (TPM) and requests per minute
(RPM). It evaluates requests over short windows — about a sixth of the RPM every 10 seconds — and
tokens over the minute, counting a request's prompt plus its `max_tokens` (or the expected reply).
Over the limit it answers 429 with `retry-after-ms` and `retry-after`, which the `openai` client
honours before retrying. The emulator models each limit as a token bucket refilled continuously,
so the wait it advertises is exact: retrying after it succeeds.

Azure sends `x-ratelimit-remaining-requests` and `x-ratelimit-remaining-tokens` on ordinary
responses, not only near the limit (captured responses, 2024), so every response carries them. A
real deployment always has a quota; a lab deployment without one reports a notional quota
(`NOTIONAL_TPM`, with Azure's ratio of 6 RPM per 1,000 TPM) that it counts but never enforces, so
notebooks and benchmarks are not throttled. Unconfirmed: whether Azure's ordinary responses also
carry `x-ratelimit-limit-*` (captures disagree; the lab sends them) and what `x-ratelimit-reset-*`
holds (seen on 429s; the lab sends the wait in whole seconds there only).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

from ..asgi import RawHeaders
from ..clock import Clock
from ..directory import Deployment

REQUEST_WINDOW_SECONDS = 10.0  # Azure enforces RPM over ~10 s windows (RPM / 6 per window)
TOKEN_WINDOW_SECONDS = 60.0
NOTIONAL_TPM = 1_000_000  # reported, not enforced, for a deployment without a configured quota
NOTIONAL_RPM = NOTIONAL_TPM * 6 // 1000  # Azure assigns 6 RPM per 1,000 TPM


@dataclass(slots=True)  # slotted: read and written on every data-plane call
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


@dataclass(slots=True)
class _Limits:
    rpm: int | None  # as configured (None: notional, not enforced)
    tpm: int | None
    requests: _Bucket
    tokens: _Bucket
    limit_requests: tuple[bytes, bytes] = (b"", b"")  # the limits' headers, encoded once
    limit_tokens: tuple[bytes, bytes] = (b"", b"")

    def __post_init__(self) -> None:
        self.limit_requests = (b"x-ratelimit-limit-requests", b"%d" % (self.rpm or NOTIONAL_RPM))
        self.limit_tokens = (b"x-ratelimit-limit-tokens", b"%d" % (self.tpm or NOTIONAL_TPM))

    def raw_headers(self) -> RawHeaders:
        # Bucket levels never go below zero, so %d (which truncates) is their floor.
        return [
            self.limit_requests,
            (b"x-ratelimit-remaining-requests", b"%d" % self.requests.level),
            self.limit_tokens,
            (b"x-ratelimit-remaining-tokens", b"%d" % self.tokens.level),
        ]


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs a microsecond per call here
class Verdict:
    """The limiter's answer for one request: admitted or not, and the headers to send either way
    (encoded, as the response sends them; `headers` reads them as text)."""

    allowed: bool
    raw_headers: RawHeaders = field(default_factory=list)
    retry_after: float = 0.0  # seconds
    exceeded: str = ""  # "call" or "token": which limit, in Azure's wording

    @property
    def headers(self) -> dict[str, str]:
        return {name.decode("latin-1"): value.decode("latin-1") for name, value in self.raw_headers}


class RateLimiter:
    """Token buckets per deployment, created on first use and reset when the limits change."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._limits: dict[str, _Limits] = {}

    def admit(self, deployment: Deployment, tokens: int) -> Verdict:
        """Charge one request and `tokens` tokens, or refuse (only a configured limit refuses)."""
        rpm, tpm = deployment.rpm, deployment.tpm
        with self._lock:
            now = self._clock.now()
            limits = self._limits.get(deployment.name)
            if limits is None or limits.rpm != rpm or limits.tpm != tpm:
                limits = _Limits(
                    rpm,
                    tpm,
                    _Bucket.full(rpm or NOTIONAL_RPM, REQUEST_WINDOW_SECONDS, now),
                    _Bucket.full(tpm or NOTIONAL_TPM, TOKEN_WINDOW_SECONDS, now),
                )
                self._limits[deployment.name] = limits
            requests, budget = limits.requests, limits.tokens
            requests.refill(now)
            budget.refill(now)
            call_wait = requests.wait_for(1) if rpm else 0.0
            token_wait = budget.wait_for(tokens) if tpm else 0.0
            if call_wait <= 0 and token_wait <= 0:
                requests.level = max(0.0, requests.level - 1)
                budget.level = max(0.0, budget.level - tokens)
                return Verdict(True, limits.raw_headers())
            exceeded, retry_after = ("call", call_wait) if call_wait >= token_wait else ("token", token_wait)
            headers = limits.raw_headers()
            seconds = b"%d" % math.ceil(retry_after)
            headers.append((b"retry-after", seconds))
            headers.append((b"retry-after-ms", b"%d" % math.ceil(retry_after * 1000)))
            reset = b"x-ratelimit-reset-requests" if exceeded == "call" else b"x-ratelimit-reset-tokens"
            headers.append((reset, seconds))
            return Verdict(False, headers, retry_after, exceeded)

    def reset(self) -> None:
        """Forget all usage (every deployment starts with full buckets again)."""
        with self._lock:
            self._limits.clear()
