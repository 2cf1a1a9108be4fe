"""Run the course: many notebooks, in parallel worker processes, with run-wide parameters.

Each notebook runs in its own worker process (its own kernel, its own embedded emulator on its
own free loopback ports), because `notebooks.execute` changes `os.environ` around papermill and
an environment is per process. Run-wide parameters (`-p`, `-f`) reach only the notebooks whose
`parameters` cell declares them, so `-p mode azure` switches the whole course in one command.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import notebooks
from .notebooks import RunResult


class UsageError(Exception):
    """Bad command-line input: the CLI prints it in one line and exits 2."""


def parse_value(text: str) -> Any:
    """A `-p NAME VALUE` value typed as papermill's CLI types it: bool, int, float, else the string."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def load_parameters(files: Sequence[str], pairs: Sequence[Sequence[str]]) -> dict[str, Any]:
    """`-f` files in order, then `-p` pairs (later wins), as papermill merges them."""
    merged: dict[str, Any] = {}
    for name in files:
        try:
            data = yaml.safe_load(Path(name).read_text()) or {}
        except OSError as exc:
            raise UsageError(f"cannot read parameters file {name}: {exc.strerror}") from None
        except yaml.YAMLError as exc:
            raise UsageError(f"parameters file {name} is not valid YAML: {str(exc).splitlines()[0]}") from None
        if not isinstance(data, dict):
            raise UsageError(f"parameters file {name} must be a YAML mapping of name: value")
        merged.update(data)
    for name, value in pairs:
        merged[name] = parse_value(value)
    return merged


def declared_parameters(notebook: Path) -> set[str]:
    """The names a notebook's `parameters` cell declares (papermill reads the cell, runs nothing)."""
    import papermill

    return set(papermill.inspect_notebook(str(notebook)))


def parameters_for(notebook: Path, run_parameters: Mapping[str, Any]) -> dict[str, Any]:
    declared = declared_parameters(notebook) if run_parameters else set()
    return {name: value for name, value in run_parameters.items() if name in declared}


@dataclass(frozen=True)
class Job:
    notebook: Path
    output: Path
    parameters: dict[str, Any]
    timeout: int
    guard_log: Path


def run_job(job: Job) -> RunResult:
    """Worker-process entry point (module level, so a spawned worker can import it)."""
    return notebooks.execute(
        job.notebook, job.output, parameters=job.parameters, timeout=job.timeout, guard_log=job.guard_log
    )


TIMINGS_FILE = ".timings.json"


def longest_first(jobs: Sequence[Job], timings: Path) -> list[Job]:
    """The jobs, slowest first by the previous run's times (unknown ones first, in reading order).

    With N workers, starting the longest notebook last leaves the others idle at the end; starting it
    first lets the short ones fill the gaps (the classic longest-processing-time rule).
    """
    try:
        previous = json.loads(timings.read_text())
    except (OSError, ValueError):
        previous = {}
    return sorted(jobs, key=lambda job: -float(previous.get(job.notebook.name, float("inf"))))


def save_timings(results: Sequence[RunResult], timings: Path) -> None:
    try:
        previous = json.loads(timings.read_text())
    except (OSError, ValueError):
        previous = {}
    previous.update({r.notebook.name: round(r.seconds, 2) for r in results if r.ok})
    timings.parent.mkdir(parents=True, exist_ok=True)
    timings.write_text(json.dumps(previous, indent=1, sort_keys=True))


def default_jobs() -> int:
    return os.cpu_count() or 1


# Called with (notebook, "running" | "passed" | "failed", result or None).
Listener = Callable[[Path, str, RunResult | None], None]


def run_all(
    jobs: Sequence[Job],
    parallel: int,
    listener: Listener,
    tick: Callable[[], None] = lambda: None,
    timings: Path | None = None,
) -> list[RunResult]:
    """Run `jobs` with at most `parallel` at once; results in the jobs' order.

    With `parallel == 1` notebooks run in this process, one after another (no worker start-up).
    Otherwise a pool of forked workers runs them; `tick` is called a few times a second for a live
    display. With `timings` (a file of the previous run's times) the slowest notebooks start first.
    Forked, not spawned: a spawned worker re-imports papermill and Jupyter's client stack
    (measured: 3-4 s per worker on the course machine), a forked one inherits them. Forking is safe
    here: `keyless-lab run` has started no threads, kernels or emulators when the pool starts (the
    pool forks every worker before it starts its own manager thread), and a caller that did run a
    kernel before (the benchmark) is covered by pyzmq, which gives each process its own context.
    """
    results: dict[Path, RunResult] = {}
    if parallel <= 1:
        for job in jobs:
            listener(job.notebook, "running", None)
            result = run_job(job)
            results[job.notebook] = result
            listener(job.notebook, "passed" if result.ok else "failed", result)
        return [results[j.notebook] for j in jobs]
    pending = longest_first(jobs, timings) if timings else list(jobs)
    running: dict[Future[RunResult], Job] = {}
    import papermill  # noqa: F401  (imported once here, inherited by every forked worker)

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")  # Windows: spawn
    with ProcessPoolExecutor(max_workers=min(parallel, len(jobs)), mp_context=context) as pool:
        while pending or running:
            while pending and len(running) < parallel:  # submit only what can start: "running" is true
                job = pending.pop(0)
                running[pool.submit(run_job, job)] = job
                listener(job.notebook, "running", None)
            done, _ = wait(running, timeout=0.25, return_when=FIRST_COMPLETED)
            for future in done:
                job = running.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # a worker died: report it as that notebook's failure
                    result = RunResult(job.notebook, job.output, 0.0, f"worker failed: {type(exc).__name__}: {exc}")
                results[job.notebook] = result
                listener(job.notebook, "passed" if result.ok else "failed", result)
            tick()
    return [results[j.notebook] for j in jobs]


def elapsed_since(started: float) -> float:
    return time.perf_counter() - started
