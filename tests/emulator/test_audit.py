"""The audit log: bounded, and `mark()`/`since()` keep answering once it is full."""

from __future__ import annotations

from keyless_lab.emulator.audit import AuditLog
from keyless_lab.emulator.clock import Clock


def _write(log: AuditLog, *operations: str) -> None:
    for operation in operations:
        log.record("Azure OpenAI", operation, "ada", "oid", "token", 200)


def test_since_a_mark_returns_what_followed_even_when_the_log_is_full() -> None:
    log = AuditLog(Clock(), max_records=5)
    _write(log, "a", "b", "c", "d", "e")  # full
    mark = log.mark()
    _write(log, "f", "g")
    assert [r.operation for r in log.since(mark)] == ["f", "g"]
    assert [r.operation for r in log.records()] == ["c", "d", "e", "f", "g"]


def test_since_a_mark_older_than_the_log_returns_everything_kept() -> None:
    log = AuditLog(Clock(), max_records=3)
    mark = log.mark()
    _write(log, "a", "b", "c", "d")
    assert [r.operation for r in log.since(mark)] == ["b", "c", "d"]
    assert log.since(log.mark()) == []


def test_the_default_log_keeps_fifty_thousand_rows_and_marks_still_work() -> None:
    log = AuditLog(Clock())
    _write(log, *(["x"] * 50_000))
    mark = log.mark()
    _write(log, "after")
    assert [r.operation for r in log.since(mark, service="Azure OpenAI")] == ["after"]
    assert len(log.records()) == 50_000


def test_seconds_are_read_rounded_to_milliseconds() -> None:
    clock = Clock()
    log = AuditLog(clock)
    clock.advance(1.23456)
    _write(log, "a")
    (record,) = log.records()
    assert 1.234 <= record.seconds <= 1.3 and round(record.seconds, 3) == record.seconds
    assert log.rows()[0]["seconds"] == record.seconds
