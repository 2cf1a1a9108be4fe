"""Progress of a course run: a live block on a terminal, plain lines elsewhere (CI logs).

On a terminal the block is redrawn in place: one line per notebook with its state and time, and
a bar for the whole run. Anywhere else (a pipe, a CI log) each change is one plain, greppable
line, because cursor movement in a log file is noise.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from .notebooks import RunResult

SYMBOLS = {"queued": "·", "running": "▶", "passed": "✓", "failed": "✗"}
BAR_WIDTH = 30


class Progress:
    def __init__(self, notebooks: list[Path], stream: TextIO = sys.stdout, live: bool | None = None) -> None:
        self.stream = stream
        self.live = stream.isatty() if live is None else live
        self.names = [p.name for p in notebooks]
        self.state = dict.fromkeys(self.names, "queued")
        self.started: dict[str, float] = {}
        self.seconds: dict[str, float] = {}
        self.run_started = time.perf_counter()
        self._drawn = 0
        self._width = max((len(n) for n in self.names), default=10)

    # -- events ------------------------------------------------------------------------------------
    def update(self, notebook: Path, state: str, result: RunResult | None) -> None:
        name = notebook.name
        self.state[name] = state
        if state == "running":
            self.started[name] = time.perf_counter()
        elif result is not None:
            self.seconds[name] = result.seconds
        if self.live:
            self.draw()
        else:
            self._plain(name, state, result)

    def tick(self) -> None:
        if self.live:
            self.draw()

    def finish(self) -> None:
        if self.live:
            self.draw()

    # -- rendering ---------------------------------------------------------------------------------
    def _plain(self, name: str, state: str, result: RunResult | None) -> None:
        done = sum(s in ("passed", "failed") for s in self.state.values())
        if state == "running":
            line = f"[{done}/{len(self.names)}] start  {name}"
        else:
            seconds = result.seconds if result else 0.0
            line = f"[{done}/{len(self.names)}] {state:<6} {name} ({seconds:.1f} s)"
            if result is not None and result.error:
                line += f": {result.error}"
        print(line, file=self.stream, flush=True)

    def lines(self) -> list[str]:
        now = time.perf_counter()
        out = []
        for name in self.names:
            state = self.state[name]
            if state == "running":
                seconds = f"{now - self.started[name]:5.1f} s"
            elif name in self.seconds:
                seconds = f"{self.seconds[name]:5.1f} s"
            else:
                seconds = ""
            out.append(f" {SYMBOLS[state]} {name:<{self._width}}  {state:<7} {seconds}".rstrip())
        done = sum(s in ("passed", "failed") for s in self.state.values())
        filled = round(BAR_WIDTH * done / len(self.names)) if self.names else BAR_WIDTH
        bar = "█" * filled + "░" * (BAR_WIDTH - filled)
        out.append(f" {bar} {done}/{len(self.names)} notebooks  {now - self.run_started:5.1f} s")
        return out

    def draw(self) -> None:
        lines = self.lines()
        if self._drawn:
            self.stream.write(f"\x1b[{self._drawn}F")  # back to the first line of the block
        self.stream.write("".join(f"\x1b[2K{line}\n" for line in lines))
        self.stream.flush()
        self._drawn = len(lines)
