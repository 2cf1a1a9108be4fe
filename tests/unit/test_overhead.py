"""The overhead measurement helpers: interleaving, arithmetic, table and chart."""

from __future__ import annotations

import gc
import time

import pytest

from keyless_lab.overhead import (
    Series,
    Timing,
    cpu_ratio,
    measure,
    measure_interleaved,
    overhead_chart,
    overhead_table,
    ratio,
    svg,
)


def test_interleaved_runs_every_call_and_alternates_the_order() -> None:
    log: list[str] = []
    seconds = measure_interleaved({"a": lambda: log.append("a"), "b": lambda: log.append("b")}, total=7, block=3)
    assert log.count("a") == 7 and log.count("b") == 7
    # blocks of 3, 3, 1 calls: a-block, b-block; then b, a; then a, b
    assert "".join(log) == "aaabbb" + "bbbaaa" + "ab"
    assert set(seconds) == {"a", "b"}
    assert all(isinstance(t, Timing) and t.wall >= 0 and t.cpu >= 0 for t in seconds.values())


def test_the_default_alternates_call_by_call() -> None:
    log: list[str] = []
    measure_interleaved({"a": lambda: log.append("a"), "b": lambda: log.append("b")}, total=4)
    assert "".join(log) == "abbaabba"


def test_a_block_larger_than_the_total_is_one_block() -> None:
    log: list[int] = []
    measure_interleaved({"x": lambda: log.append(1)}, total=2, block=50)
    assert len(log) == 2


def test_garbage_collection_is_restored() -> None:
    assert gc.isenabled()
    measure(lambda: None, 3)
    assert gc.isenabled()


def test_bad_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        measure_interleaved({"x": lambda: None}, total=0)


def test_series_arithmetic() -> None:
    key, provider = Series("key", 1000, 2.0, 0, cpu_seconds=1.0), Series("provider", 1000, 2.1, 1, cpu_seconds=1.02)
    assert key.calls_per_second == 500 and key.milliseconds_per_call == 2.0
    assert ratio(provider, key) == pytest.approx(1.05)
    assert key.cpu_microseconds_per_call == pytest.approx(1000)
    assert cpu_ratio(provider, key) == pytest.approx(1.02)
    assert cpu_ratio(Series("x", 10, 1.0), key) is None


def test_cpu_time_counts_work_not_waiting() -> None:
    timing = measure(lambda: time.sleep(0.01), 3)
    assert timing.wall >= 0.03 and timing.cpu < timing.wall / 2


def test_table_names_the_baseline_and_unknown_counts() -> None:
    table = overhead_table([Series("key", 10, 1.0, 0, 0.5), Series("naive", 10, 3.0, None)], baseline="key")
    assert table.columns[5] == "vs key"
    assert table.rows[0][6] == "50000" and table.rows[1][6] == ""
    assert table.rows[1][5] == "3.000×" and table.rows[1][7] == "(not counted)"


def test_chart_has_a_time_and_a_token_panel_and_renders_to_svg() -> None:
    figure = overhead_chart([Series("key", 10, 1.0, 0), Series("provider", 10, 1.1, 1)], title="t")
    assert [a.get_title() for a in figure.axes] == ["wall time per chat call", "token requests (audit log)"]
    text = svg(figure)
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "Date" not in text
