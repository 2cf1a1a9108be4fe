"""Measure what an authentication pattern costs per call: wall time, calls per second, token requests.

Notebook 12 compares a key client, a token-provider client and a naive pattern over the same
number of calls. On a shared machine the background load drifts, so series that are compared
with each other run *interleaved*, call by call in A-B-B-A order: each series sees the same mix
of quiet and busy moments, and the ratio measures the clients rather than the neighbours.
"""

from __future__ import annotations

import gc
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .display import Table

if TYPE_CHECKING:
    from matplotlib.figure import Figure


@dataclass(frozen=True)
class Series:
    """One measured pattern: `calls` calls took `seconds`, and caused `token_requests` (None: unknown)."""

    name: str
    calls: int
    seconds: float
    token_requests: int | None = None
    cpu_seconds: float | None = None  # CPU time of this process (client and in-process emulator) for the calls

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.seconds if self.seconds > 0 else float("inf")

    @property
    def milliseconds_per_call(self) -> float:
        return 1000 * self.seconds / self.calls if self.calls else 0.0

    @property
    def cpu_microseconds_per_call(self) -> float | None:
        return None if self.cpu_seconds is None or not self.calls else 1e6 * self.cpu_seconds / self.calls


@dataclass(frozen=True)
class Timing:
    """Wall-clock seconds and this process's CPU seconds spent in a series of calls.

    Wall time is what a user waits for. CPU time counts only work done in this process (the client
    and, in the lab, the emulator's threads), so it hardly moves when *other* processes load the
    machine: it shows the intrinsic cost when the wall time is noisy.
    """

    wall: float
    cpu: float


def _timed(call: Callable[[], object], count: int) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(count):
        call()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure_interleaved(calls: Mapping[str, Callable[[], object]], total: int, block: int = 1) -> dict[str, Timing]:
    """Run each callable `total` times, interleaved in blocks of `block` calls (A-B, B-A, A-B, ...);
    the time spent in each, by name.

    With the default of one call per block, consecutive calls of the series alternate, so a busy
    moment on the machine is shared between them instead of landing on one. Garbage collection is
    paused while measuring (and run once at the end), so a collection triggered by one series'
    garbage is not charged to another.
    """
    if total < 1 or block < 1:
        raise ValueError("total and block must be at least 1")
    sizes = [min(block, total - start) for start in range(0, total, block)]
    names = list(calls)
    wall, cpu = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for index, size in enumerate(sizes):
            for name in names if index % 2 == 0 else reversed(names):
                spent_wall, spent_cpu = _timed(calls[name], size)
                wall[name] += spent_wall
                cpu[name] += spent_cpu
    finally:
        if was_enabled:
            gc.enable()
        gc.collect()
    return {name: Timing(wall[name], cpu[name]) for name in names}


def measure(call: Callable[[], object], total: int) -> Timing:
    """Wall and CPU time for `total` calls of one callable (garbage collection paused, as above)."""
    return measure_interleaved({"only": call}, total, block=total)["only"]


def ratio(series: Series, baseline: Series) -> float:
    """Wall time per call of `series` relative to `baseline` (1.0 = the same)."""
    return series.milliseconds_per_call / baseline.milliseconds_per_call


def cpu_ratio(series: Series, baseline: Series) -> float | None:
    """CPU time per call of `series` relative to `baseline`, when both were measured."""
    mine, theirs = series.cpu_microseconds_per_call, baseline.cpu_microseconds_per_call
    return None if mine is None or not theirs else mine / theirs


def overhead_table(results: Sequence[Series], baseline: str) -> Table:
    """Calls, wall time, calls per second, time per call, ratio to `baseline`, CPU per call, token requests."""
    base = next(s for s in results if s.name == baseline)
    return Table(
        ("pattern", "calls", "wall time", "calls/s", "ms/call", f"vs {baseline}", "CPU µs/call", "token requests"),
        [
            (
                s.name,
                s.calls,
                f"{s.seconds:.2f} s",
                f"{s.calls_per_second:.0f}",
                f"{s.milliseconds_per_call:.2f}",
                f"{ratio(s, base):.3f}×",
                "" if s.cpu_microseconds_per_call is None else f"{s.cpu_microseconds_per_call:.0f}",
                "(not counted)" if s.token_requests is None else s.token_requests,
            )
            for s in results
        ],
    )


def overhead_chart(results: Sequence[Series], title: str = "") -> Figure:
    """Two bar charts side by side: milliseconds per call, and token requests, per pattern."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(9, 3.2), layout="constrained")
    time_axes, token_axes = figure.subplots(1, 2)
    names = [textwrap.fill(s.name, 16) for s in results]
    colours = ["#7f7f7f", "#1f77b4", "#d62728", "#2ca02c", "#9467bd"][: len(results)]
    bars = time_axes.bar(names, [s.milliseconds_per_call for s in results], color=colours)
    time_axes.bar_label(bars, fmt="%.2f")
    time_axes.set_ylabel("milliseconds per call")
    time_axes.set_title("wall time per chat call")
    counts = [s.token_requests or 0 for s in results]
    bars = token_axes.bar(names, counts, color=colours)
    token_axes.bar_label(bars)
    token_axes.set_ylabel("token requests")
    token_axes.set_title("token requests (audit log)")
    for axes in (time_axes, token_axes):
        axes.tick_params(axis="x", labelsize=8)
    if title:
        figure.suptitle(title)
    return figure


def svg(figure: Figure) -> str:
    """The figure as SVG text, for `IPython.display.SVG` (no pyplot, no global state).

    SVG rather than PNG: committed notebook outputs are scanned for secrets, and long base64 runs
    in a PNG can look like a key; SVG is text with vector paths and no run date in its metadata.
    """
    import io

    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()
