"""Who called what, and how they authenticated: the lab's stand-in for Azure's diagnostic logs."""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import asdict, dataclass

from .clock import Clock


@dataclass(frozen=True)
class AuditRecord:
    seconds: float  # since the emulator started
    service: str  # "Azure OpenAI", "IMDS", "Entra ID", ...
    operation: str
    principal: str  # display name, or "anonymous (api-key)" etc.
    object_id: str
    auth: str  # "token", "api-key", "none", "managed identity", ...
    status: int
    deployment: str = ""  # Azure OpenAI calls: the deployment (or v1 model) named
    credential: str = ""  # which credential: "key1", "system-assigned managed identity", a rejection reason


# One record as stored: a plain tuple of AuditRecord's fields, in order. A tuple of strings and
# numbers is untracked by Python's cycle collector once it survives a collection, so a full log
# (50,000 rows under load) adds nothing to garbage-collection pauses; dataclass instances stay
# tracked, and 50,000 of them added about 9 ms to every full collection on the course machine.
_Row = tuple[float, str, str, str, str, str, int, str, str]


class AuditLog:
    """An append-only, bounded, thread-safe list of calls."""

    def __init__(self, clock: Clock, max_records: int = 50_000) -> None:
        self._clock = clock
        self._start = clock.now()
        self._records: deque[_Row] = deque(maxlen=max_records)
        self._appended = 0  # rows ever recorded: marks count these, so they survive the bound
        self._lock = threading.Lock()

    def record(
        self,
        service: str,
        operation: str,
        principal: str,
        object_id: str,
        auth: str,
        status: int,
        *,
        deployment: str = "",
        credential: str = "",
    ) -> None:
        entry: _Row = (
            self._clock.now() - self._start,  # rounded to milliseconds when read, not on this hot path
            service,
            operation,
            principal,
            object_id,
            auth,
            status,
            deployment,
            credential,
        )
        with self._lock:
            self._records.append(entry)
            self._appended += 1

    def records(self, service: str | None = None) -> list[AuditRecord]:
        with self._lock:
            items = list(self._records)
        return _select(items, service)

    def rows(self, service: str | None = None) -> list[dict[str, object]]:
        """The records as dicts, ready for a table."""
        return [asdict(r) for r in self.records(service)]

    def mark(self) -> int:
        """A position to pass to `since`, for 'what happened in this cell' tables: the number of
        rows ever recorded, so a mark stays meaningful after the oldest rows have been dropped."""
        with self._lock:
            return self._appended

    def since(self, mark: int, service: str | None = None) -> list[AuditRecord]:
        """The rows recorded after `mark` that the log still holds (all of them unless more than
        `max_records` were recorded since)."""
        with self._lock:
            newer = min(max(0, self._appended - mark), len(self._records))
            items = list(self._records)[len(self._records) - newer :] if newer else []
        return _select(items, service)


def _select(items: list[_Row], service: str | None) -> list[AuditRecord]:
    return [AuditRecord(round(row[0], 3), *row[1:]) for row in items if service is None or row[1] == service]
