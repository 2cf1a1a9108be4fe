"""A smoke run of the collection benchmark on one course notebook (-j 1).

The figures are not asserted (they depend on the machine); the run must execute the floor, the
notebook and the minimal-lab reference, and print each ratio and the per-notebook breakdown.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_benchmark_prints_the_floor_the_ratio_the_minimal_reference_and_the_breakdown(tmp_path: Path) -> None:
    notebook = next((ROOT / "notebooks").glob("00-*.ipynb"))
    command = [sys.executable, str(ROOT / "benchmarks" / "collection_runtime.py"), "-j", "1",
               "--timings", str(tmp_path / "timings.json"), str(notebook)]  # fmt: skip
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    floor = re.search(r"floor:\s+([\d.]+) s .*1 x the median ([\d.]+) s; measured ([\d.]+) s", out)
    assert floor and float(floor.group(1)) == float(floor.group(2)) > 0, out  # one notebook: floor = its median
    assert re.search(r"ratio:\s+[\d.]+ x the floor\s+\[(ok|MISSED)\] goal <= 1.5 x", out), out
    assert re.search(r"minimal:\s+[\d.]+ s  \(1 minimal lab notebooks, -j 1: [\d.]+ x the floor", out), out
    assert re.search(r"stalls: .*: \d+ in the floor, \d+ in the collection", out), out
    assert notebook.name in out and "setup cell" in out  # the breakdown table
    assert "import openai" in out and "emulator start" in out  # the component figures
