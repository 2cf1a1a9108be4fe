"""How long the course collection takes to run, against the floor of running empty notebooks.

    .venv/bin/python benchmarks/collection_runtime.py [-j N] [notebooks ...]

In one run on one machine it measures:

1. the floor: as many empty notebooks as the collection has, run one after another through
   papermill in this process (each pays a kernel start and shutdown, nothing else), taken as
   count x the median, so that an ipykernel shutdown stall (3.4 s, in about one run in ten)
   cannot lower the ratios by luck;
2. the collection: the course notebooks run as `keyless-lab run -j N` runs them (default N: cores);
3. a reference: as many *minimal lab notebooks* (start the lab, import azure-identity and openai,
   make one keyless call; no lesson) run the same way — what any notebook of this course costs
   before it teaches anything, so the part of the ratio that content cannot remove;

and prints the ratios (goal: at most 1.5x), then where each notebook's time goes, from papermill's
per-cell timings in the executed notebooks: kernel start and shutdown (the run's time outside the
cells), the setup cell (importing keyless_lab and starting the emulator), the other cells, and the
slowest cell. Component figures (importing keyless_lab in a fresh interpreter, one emulator start
and stop) are measured separately. Generic: it runs whatever notebooks the branch has.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from keyless_lab import notebooks, runner
from keyless_lab.display import Table
from keyless_lab.notebooks import RunResult

GOAL = 1.5


def write_notebook(path: Path, cells: tuple[str, ...]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


MINIMAL_CELLS = (
    "from keyless_lab import start_lab\nlab = start_lab()",
    "from azure.identity import ManagedIdentityCredential, get_bearer_token_provider\nfrom openai import OpenAI",
    "provider = get_bearer_token_provider(ManagedIdentityCredential(), 'https://cognitiveservices.azure.com/.default')\n"
    "client = OpenAI(base_url=f'{lab.endpoint}openai/v1/', api_key=provider)\n"
    "client.chat.completions.create(model=lab.deployment, messages=[{'role': 'user', 'content': 'Hello'}])",
)
# ipykernel 7.4 sometimes hangs at shutdown (py-spy on a hung kernel: the control thread, flushing
# stdout after its shutdown reply, waits on the IOPub thread that the main thread's close() has just
# stopped, while the main thread joins the control thread; cf. posit-dev/positron#7142). jupyter_client
# waits half its 5-s shutdown_wait_time, then sends SIGTERM: about 3.4 s more for that notebook.
STALL_SECONDS = 2.5


def measure_floor(count: int, folder: Path, guard_log: Path) -> tuple[float, list[float]]:
    """`count` empty notebooks through papermill, sequentially, in this process."""
    times = []
    started = time.perf_counter()
    for i in range(count):
        source = write_notebook(folder / f"empty-{i:02d}.ipynb", ("pass",))
        result = notebooks.execute(source, folder / "out" / source.name, guard_log=guard_log)
        if not result.ok:
            raise SystemExit(f"an empty notebook failed: {result.error}")
        times.append(result.seconds)
    return time.perf_counter() - started, times


def measure_collection(
    paths: list[Path], parallel: int, folder: Path, guard_log: Path, timings: Path
) -> tuple[float, list[RunResult]]:
    """As `keyless-lab run` runs them: with the previous run's timings, the slowest start first."""
    jobs = [runner.Job(p.resolve(), folder / p.name, {}, notebooks.CELL_TIMEOUT, guard_log) for p in paths]
    started = time.perf_counter()
    results = runner.run_all(jobs, min(parallel, len(jobs)), lambda *_: None, timings=timings)
    return time.perf_counter() - started, results


def cell_timings(result: RunResult) -> list[tuple[float, str]]:
    """(seconds, source) of each code cell papermill ran, except the parameters it injected."""
    nb = nbformat.read(result.output, as_version=4)
    return [
        (c.metadata.get("papermill", {}).get("duration") or 0.0, c.source)
        for c in nb.cells
        if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])
    ]


def kernel_seconds(result: RunResult) -> float:
    """The run's time outside its cells: kernel start and shutdown."""
    return result.seconds - sum(d for d, _ in cell_timings(result))


def breakdown(result: RunResult) -> tuple[str, ...]:
    """Kernel start/shutdown, setup cell, other cells and the slowest cell of one executed notebook."""
    cells = cell_timings(result)
    in_cells = sum(d for d, _ in cells)
    setup = sum(d for d, s in cells if "start_lab(" in s)
    slowest_seconds, slowest_source = max(cells, key=lambda c: c[0], default=(0.0, ""))
    first_line = next((line for line in slowest_source.splitlines() if line.strip()), "")[:40]
    return (
        result.notebook.name,
        f"{result.seconds:.2f}",
        f"{result.seconds - in_cells:.2f}",
        f"{setup:.2f}",
        f"{in_cells - setup:.2f}",
        f"{slowest_seconds:.2f}  {first_line}",
    )


def import_seconds(code: str, repeats: int = 3) -> float:
    """`code` (an import) in a fresh interpreter, minus the interpreter's own start."""

    def run(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        return time.perf_counter() - started

    bare = statistics.median(run("pass") for _ in range(repeats))
    return statistics.median(run(code) for _ in range(repeats)) - bare


def emulator_seconds(repeats: int = 5) -> tuple[float, float]:
    """Median (start, stop) of one embedded emulator in this process."""
    from keyless_lab.emulator import EmulatorServer

    starts, stops = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        server = EmulatorServer().start()
        t1 = time.perf_counter()
        server.stop()
        starts.append(t1 - t0)
        stops.append(time.perf_counter() - t1)
    return statistics.median(starts), statistics.median(stops)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks (default: the course)")
    parser.add_argument(
        "-j", "--jobs", type=int, default=runner.default_jobs(), help="parallel notebooks (default: cores)"
    )
    parser.add_argument(
        "--timings", default=f"build/{runner.TIMINGS_FILE}", help="previous times, for slowest-first (as `run`)"
    )
    args = parser.parse_args()
    paths = [Path(p) for p in args.notebooks] or notebooks.course_notebooks()
    with tempfile.TemporaryDirectory(prefix="keyless-lab-bench-") as tmp:
        folder = Path(tmp)
        (folder / "floor").mkdir()
        guard_log = folder / "guard.log"
        print(f"{len(paths)} notebooks, -j {args.jobs}, {os.cpu_count()} cores; same machine, same run", flush=True)
        measured_floor, floor_times = measure_floor(len(paths), folder / "floor", guard_log)
        # The floor the ratios use: count x the median empty notebook. A shutdown stall (see STALL_SECONDS)
        # in the floor would otherwise lower every ratio by luck; without stalls the two agree.
        floor = len(paths) * statistics.median(floor_times)
        print(f"floor:      {floor:6.2f} s  ({len(paths)} empty notebooks through papermill, one process: "
              f"{len(paths)} x the median {statistics.median(floor_times):.2f} s; measured {measured_floor:.2f} s)",
              flush=True)  # fmt: skip
        timings = Path(args.timings)
        wall, results = measure_collection(paths, args.jobs, folder / "collection", guard_log, timings)
        runner.save_timings(results, timings)
        print(f"collection: {wall:6.2f} s  (-j {args.jobs}; {sum(r.seconds for r in results):.2f} s of notebook time)")
        ratio = wall / floor
        print(f"ratio:      {ratio:6.2f} x the floor  [{'ok' if ratio <= GOAL else 'MISSED'}] goal <= {GOAL} x")
        minimal_paths = [write_notebook(folder / f"minimal-{i:02d}.ipynb", MINIMAL_CELLS) for i in range(len(paths))]
        minimal_wall, minimal_results = measure_collection(
            minimal_paths, args.jobs, folder / "minimal", guard_log, folder / "minimal-timings.json"
        )
        print(f"minimal:    {minimal_wall:6.2f} s  ({len(paths)} minimal lab notebooks, -j {args.jobs}: "
              f"{minimal_wall / floor:.2f} x the floor before any lesson; median "
              f"{statistics.median(r.seconds for r in minimal_results):.2f} s each)")  # fmt: skip
        stalls = (
            sum(t > STALL_SECONDS for t in floor_times),
            sum(kernel_seconds(r) > STALL_SECONDS for r in results if r.ok),
        )
        print(
            f"stalls:     ipykernel shutdown stalls (~3.4 s each): {stalls[0]} in the floor, "
            f"{stalls[1]} in the collection"
        )
        slowest = max(results, key=lambda r: r.seconds)
        print(f"bound:      {slowest.seconds / floor:6.2f} x the floor is the slowest notebook alone "
              f"({slowest.notebook.name}, {slowest.seconds:.2f} s): no -j can go below it")  # fmt: skip
        failed = [r for r in [*results, *minimal_results] if not r.ok]
        for r in failed:
            print(f"FAILED {r.notebook.name}: {r.error}")
        print()
        print("where each notebook's time goes (seconds; kernel = start + shutdown, outside any cell):")
        print(Table(
            ("notebook", "total", "kernel", "setup cell", "other cells", "slowest cell"),
            [breakdown(r) for r in results if r.ok],
        ))  # fmt: skip
        start, stop = emulator_seconds()
        print()
        print(f"components (fresh interpreter): from keyless_lab import start_lab "
              f"{import_seconds('from keyless_lab import start_lab'):.2f} s, import openai "
              f"{import_seconds('import openai'):.2f} s, "
              f"import azure.identity {import_seconds('import azure.identity'):.2f} s; "
              f"emulator start {start:.3f} s, stop {stop:.3f} s (median of 5, in-process)")  # fmt: skip
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
