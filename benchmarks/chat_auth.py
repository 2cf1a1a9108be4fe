"""What authentication costs on the emulator's chat completions route, measured side by side.

    python benchmarks/chat_auth.py            # wrk if installed, else the asyncio client
    python benchmarks/chat_auth.py --client asyncio --duration 1 --warmup 0.5   # quick look

One server process, one uvicorn worker (uvloop + httptools; `--protocol emulator` adds the emulator's
own request-head limits), plain HTTP on loopback, serving the emulator's real HTTPS application plus two extra
routes. Four cases, driven one after the other with the same load:

  floor    POST /bench/floor: no auth, a minimal JSON reply (the routing + HTTP cost alone)
  replay   POST /bench/replay/deployments/gpt-4o-mini/chat/completions with the bearer request: no
           checks, and the bearer chat reply's exact bytes (status, headers, body), recorded at start.
           What the chat route would cost if its checks and reply were free: its ratio is the ceiling
           any implementation of the route can reach on this machine and set-up.
  api-key  POST /openai/deployments/gpt-4o-mini/chat/completions with `api-key: <key1>`
  bearer   the same route with `Authorization: Bearer <managed identity token>`: full validation
           (signature cached per token, lifetime checked per call), tenant, RBAC, audit log

The floor route is matched first, ahead of the emulator's routes: it is the cheapest route the
server can offer, so the ratios to it are conservative (the chat route pays for route matching).
The replay route is matched after the chat route, so it never makes the chat cases cheaper.
TLS is left out on purpose: it costs every case alike and would hide what authentication costs.
The server accepts every waiting connection at once (`eager_accept_protocol`): uvloop alone accepts
one per event-loop iteration, which made each wrk run's new connections wait up to a second.
Each case gets a warm-up, then its measured time in interleaved rounds (floor, replay, api-key,
bearer, floor, ...), so that load from elsewhere on the machine falls on all four alike; throughput
is pooled over the rounds and p50/p99 come from the pooled latency distribution. Every response
must be a 200 or the run fails.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing as mp
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

LOOPBACK = "127.0.0.1"
CHAT_PATH = "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
FLOOR_PATH = "/bench/floor"
REPLAY_PATH = "/bench/replay/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21"
BODY = json.dumps({"messages": [{"role": "user", "content": "Say hello to the benchmark."}]})
TARGET_THROUGHPUT = 0.8  # bearer req/s at least this fraction of the floor's, same run
TARGET_P99 = 1.5  # bearer p99 at most this multiple of the floor's p99, same run


# -- the application --------------------------------------------------------------------------------
def build_app() -> tuple[Any, str, str]:
    """The emulator's HTTPS application plus the floor and replay routes, a lab key and a managed
    identity token."""
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Match, Route

    from keyless_lab.emulator.app import https_app
    from keyless_lab.emulator.crypto.access_tokens import COGNITIVE_SERVICES
    from keyless_lab.emulator.state import EmulatorState, Urls

    state = EmulatorState(urls=Urls(https=f"http://{LOOPBACK}:1", http=f"http://{LOOPBACK}:1"))

    async def floor(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = https_app(state)
    principal = state.directory.by_name("vm-keyless-lab")
    token = state.issuer.managed_identity_token(principal, COGNITIVE_SERVICES, 24 * 3600).token
    bearer = {"Authorization": f"Bearer {token}"}
    scope = chat_scope(CHAT_PATH, bearer)
    recorded = asyncio.run(_record(app, scope))
    chat_route = next(i for i, route in enumerate(app.router.routes) if route.matches(scope)[0] == Match.FULL)
    app.router.routes.insert(chat_route + 1, Route(REPLAY_PATH.partition("?")[0], Replay(recorded), methods=["POST"]))
    app.router.routes.insert(0, Route(FLOOR_PATH, floor, methods=["POST"]))
    return app, state.openai_keys.key1, token


def chat_scope(path: str, headers: dict[str, str]) -> dict[str, Any]:
    """The ASGI scope of one benchmark POST (with BODY) to `path`, as uvicorn would build it."""
    route, _, query = path.partition("?")
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw += [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(BODY))]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": route,
        "raw_path": route.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": raw,
        "client": (LOOPBACK, 1),
        "server": (LOOPBACK, 2),
    }


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": BODY.encode(), "more_body": False}


async def _record(app: Any, scope: dict[str, Any]) -> list[dict[str, Any]]:
    """The ASGI messages `app` sends for one request: a 200's start and body, or an error."""
    messages: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, _receive, send)
    if messages[0]["status"] != 200:
        raise RuntimeError(f"recording the bearer chat reply failed: {messages}")
    return messages


class Replay:
    """An ASGI endpoint that reads the request body and sends recorded messages, doing nothing else."""

    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        message = await receive()
        while message.get("more_body"):
            message = await receive()
        for recorded in self.messages:
            await send(recorded)


# -- the server (a child process) ----------------------------------------------------------------


def serve(conn: Connection, protocol: str = "uvicorn") -> None:
    """Build the app, report (port, key, token) to the parent, then serve with one uvicorn worker:
    uvicorn's httptools protocol, or (`protocol="emulator"`) the emulator's, with its head limits."""
    import uvicorn
    from eager_accept import eager_accept_protocol  # next to this script
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    from keyless_lab.emulator.http_protocol import LimitedHttpToolsProtocol

    base = LimitedHttpToolsProtocol if protocol == "emulator" else HttpToolsProtocol
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(2048)
    app, key, token = build_app()
    config = uvicorn.Config(
        app,
        loop="uvloop",
        http=eager_accept_protocol(sock, base=base),
        lifespan="off",
        access_log=False,
        log_level="warning",
        workers=1,
    )
    conn.send((sock.getsockname()[1], key, token))
    conn.close()
    uvicorn.Server(config).run(sockets=[sock])


def benchmark_cases(key: str, token: str) -> list[tuple[str, str, dict[str, str]]]:
    """(case, path, headers) of the four cases, in the order they are measured and printed."""
    bearer = {"Authorization": f"Bearer {token}"}
    return [
        ("floor", FLOOR_PATH, {}),
        ("replay", REPLAY_PATH, bearer),
        ("api-key", CHAT_PATH, {"api-key": key}),
        ("bearer", CHAT_PATH, bearer),
    ]


def in_process(calls: int) -> int:
    """CPU time per request inside the application (direct ASGI calls, no network, no HTTP server):
    insensitive to other load on the machine, it isolates what each case's route itself costs."""
    app, key, token = build_app()

    async def run(case_scope: dict[str, Any], n: int) -> float:
        statuses: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses.append(message["status"])

        started = time.process_time()
        for _ in range(n):
            await app(case_scope, _receive, send)
        elapsed = time.process_time() - started
        if set(statuses) != {200}:
            raise RuntimeError(f"non-200 responses: {sorted(set(statuses))}")
        return elapsed / n * 1e6

    cases = {name: chat_scope(path, headers) for name, path, headers in benchmark_cases(key, token)}
    rounds = 10
    print(
        f"keyless-lab chat auth benchmark, in process: CPU time per request, {calls} calls per case in {rounds} "
        "interleaved rounds (median of rounds)"
    )
    samples: dict[str, list[float]] = {name: [] for name in cases}
    with asyncio.Runner() as runner:
        for case_scope in cases.values():
            runner.run(run(case_scope, min(calls, 500)))  # warm-up
        for _ in range(rounds):
            for name, case_scope in cases.items():
                samples[name].append(runner.run(run(case_scope, max(1, calls // rounds))))
    costs = {name: statistics.median(values) for name, values in samples.items()}
    for name, cost in costs.items():
        print(f"{name:<8} {cost:>7.1f} us/request   {costs['floor'] / cost:>5.2f}x floor throughput (CPU bound)")
    return 0


# -- measurements --------------------------------------------------------------------------------
GRID = 1000  # latency quantiles kept per run, at the midpoints of 1000 equal slices


@dataclass
class Run:
    """One measured run of one case: counts plus its latency distribution as GRID quantiles (ms)."""

    requests: int
    seconds: float
    non_200: int
    quantiles_ms: list[float]
    server_cpu_seconds: float = math.nan  # CPU the server process used during the run (Linux)


@dataclass
class Result:
    case: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_200: int
    server_cpu_us: float  # server CPU time per request: steadier than req/s on a busy machine

    @classmethod
    def merge(cls, case: str, runs: list[Run]) -> Result:
        """Pool the runs: throughput over their total time; percentiles of the pooled distribution,
        each run's quantile points weighted by its number of requests."""
        points = sorted((q, run.requests / GRID) for run in runs for q in run.quantiles_ms if run.requests)
        total = sum(weight for _, weight in points)

        def percentile(p: float) -> float:
            target, seen = total * p / 100, 0.0
            for value, weight in points:
                seen += weight
                if seen >= target:
                    return value
            return points[-1][0] if points else math.nan

        requests = sum(r.requests for r in runs)
        return cls(
            case,
            requests / sum(r.seconds for r in runs),
            percentile(50),
            percentile(99),
            requests,
            sum(r.non_200 for r in runs),
            sum(r.server_cpu_seconds for r in runs) / requests * 1e6 if requests else math.nan,
        )


def grid_of(sorted_ms: list[float]) -> list[float]:
    if not sorted_ms:
        return []
    n = len(sorted_ms)
    return [sorted_ms[min(n - 1, int((i + 0.5) * n / GRID))] for i in range(GRID)]


# -- wrk -----------------------------------------------------------------------------------------
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/json"
{headers}

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("KLAB-SUMMARY %d %d %d %d\\n", summary.requests, summary.duration, e.status,
                         e.connect + e.read + e.write + e.timeout))
  for i = 0, {grid} - 1 do
    io.write(string.format("KLAB-Q %d\\n", latency:percentile((i + 0.5) * 100 / {grid})))
  end
end
"""


def run_wrk(url: str, headers: dict[str, str], seconds: float, connections: int, threads: int) -> Run:
    lines = "\n".join(f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items())
    with tempfile.TemporaryDirectory(prefix="keyless-bench-") as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(WRK_SCRIPT.format(body=json.dumps(BODY), headers=lines, grid=GRID))
        script.chmod(0o600)  # it holds a lab-only key or token for the run's duration
        out = subprocess.run(
            [*_wrk_args(threads, connections, seconds), "-s", str(script), url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    summary = re.search(r"^KLAB-SUMMARY (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if summary is None:
        raise RuntimeError(f"wrk printed no summary:\n{out}")
    requests, micros, bad_status, socket_errors = (int(g) for g in summary.groups())
    quantiles = [int(v) / 1000 for v in re.findall(r"^KLAB-Q (\d+)$", out, re.M)]
    return Run(requests, micros / 1e6, bad_status + socket_errors, quantiles)


def _wrk_args(threads: int, connections: int, seconds: float) -> list[str]:
    return ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s"]


# -- asyncio fallback ----------------------------------------------------------------------------
async def _connection(
    port: int, request: bytes, until: float, latencies: list[float], statuses: dict[int, int]
) -> None:
    reader, writer = await asyncio.open_connection(LOOPBACK, port)
    try:
        while True:
            started = time.perf_counter()
            if started >= until:
                return
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))  # type: ignore[union-attr]
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


async def _drive(
    port: int, request: bytes, seconds: float, connections: int
) -> tuple[list[float], dict[int, int], float]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    started = time.perf_counter()
    until = started + seconds
    await asyncio.gather(*(_connection(port, request, until, latencies, statuses) for _ in range(connections)))
    return latencies, statuses, time.perf_counter() - started


def run_asyncio(port: int, path: str, headers: dict[str, str], seconds: float, connections: int) -> Run:
    lines = [f"POST {path} HTTP/1.1", f"Host: {LOOPBACK}:{port}", "Content-Type: application/json"]
    lines += [f"{k}: {v}" for k, v in headers.items()] + [f"Content-Length: {len(BODY)}", "", BODY]
    request = "\r\n".join(lines).encode()
    try:
        import uvloop

        runner = asyncio.Runner(loop_factory=uvloop.new_event_loop)
    except ImportError:  # pragma: no cover
        runner = asyncio.Runner()
    with runner:
        latencies, statuses, elapsed = runner.run(_drive(port, request, seconds, connections))
    latencies.sort()
    bad = sum(n for status, n in statuses.items() if status != 200)
    return Run(len(latencies), elapsed, bad, grid_of(latencies))


# -- the run -------------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", choices=["auto", "wrk", "asyncio"], default="auto")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per case")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up seconds per case")
    parser.add_argument("--rounds", type=int, default=4, help="interleave each case's measured time in N slices")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (the server keeps the other core)")
    parser.add_argument(
        "--protocol",
        choices=["uvicorn", "emulator"],
        default="uvicorn",
        help="the server's HTTP protocol: uvicorn's httptools one (the targets' baseline) or the emulator's, "
        "which adds request-head limits",
    )
    parser.add_argument(
        "--in-process", type=int, metavar="CALLS", default=0, help="measure CPU time per request in-process instead"
    )
    args = parser.parse_args(argv)
    if args.in_process:
        return in_process(args.in_process)

    client = args.client
    if client == "auto":
        client = "wrk" if shutil.which("wrk") else "asyncio"
    if client == "wrk" and not shutil.which("wrk"):
        parser.error("wrk is not installed (apt-get install -y wrk), use --client asyncio")
    rounds = max(1, args.rounds)

    parent, child = mp.get_context("spawn").Pipe()
    server = mp.get_context("spawn").Process(target=serve, args=(child, args.protocol), daemon=True)
    server.start()
    port, key, token = parent.recv()
    _wait_for_port(port)
    cases = benchmark_cases(key, token)
    print(
        f"keyless-lab chat auth benchmark: client={client}"
        + (f" (wrk -t{args.threads})" if client == "wrk" else " (asyncio fallback: wrk not used)")
        + f", {args.connections} connections, {args.duration:g} s per case"
        + (f" in {rounds} interleaved rounds" if rounds > 1 else "")
        + f" after {args.warmup:g} s warm-up, 1 uvicorn worker (uvloop + httptools"
        + (", the emulator's head limits" if args.protocol == "emulator" else "")
        + "),"
        f" plain HTTP on loopback, {os.cpu_count()} CPUs",
        flush=True,
    )

    def measure(path: str, headers: dict[str, str], seconds: float) -> Run:
        before = server_cpu_seconds(server.pid)
        if client == "wrk":
            run = run_wrk(f"http://{LOOPBACK}:{port}{path}", headers, seconds, args.connections, args.threads)
        else:
            run = run_asyncio(port, path, headers, seconds, args.connections)
        run.server_cpu_seconds = server_cpu_seconds(server.pid) - before
        return run

    runs: dict[str, list[Run]] = {case: [] for case, _, _ in cases}
    try:
        if args.warmup > 0:
            for _, path, headers in cases:
                measure(path, headers, args.warmup)
        for _ in range(rounds):
            for case, path, headers in cases:
                runs[case].append(measure(path, headers, args.duration / rounds))
    finally:
        server.terminate()
        server.join(5)
    return report([Result.merge(case, case_runs) for case, case_runs in runs.items()])


def server_cpu_seconds(pid: int | None) -> float:
    """User + system CPU seconds used so far by process `pid` (Linux /proc); NaN elsewhere."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return math.nan


def _wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((LOOPBACK, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def report(results: list[Result]) -> int:
    by_case = {r.case: r for r in results}
    floor = by_case["floor"].requests_per_second
    print(
        f"{'case':<8} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'x floor':>8} {'requests':>9} {'non-200':>8}"
        f" {'cpu us':>7}"
    )
    for r in results:
        print(
            f"{r.case:<8} {r.requests_per_second:>9.0f} {r.p50_ms:>8.2f} {r.p99_ms:>8.2f} "
            f"{r.requests_per_second / floor:>8.2f} {r.requests:>9} {r.non_200:>8} {r.server_cpu_us:>7.1f}"
        )
    bearer, key, replay, floor_p99 = by_case["bearer"], by_case["api-key"], by_case["replay"], by_case["floor"].p99_ms
    gap = abs(bearer.requests_per_second - key.requests_per_second) / max(
        bearer.requests_per_second, key.requests_per_second
    )
    checks = {
        f"bearer >= {TARGET_THROUGHPUT}x floor req/s ({bearer.requests_per_second / floor:.2f}x)": (
            bearer.requests_per_second >= TARGET_THROUGHPUT * floor
        ),
        f"bearer p99 <= {TARGET_P99}x floor p99 ({bearer.p99_ms / floor_p99:.2f}x)": (
            bearer.p99_ms <= TARGET_P99 * floor_p99
        ),
        "every response was a 200": all(r.non_200 == 0 for r in results),
    }
    floor_cpu = by_case["floor"].server_cpu_us
    print(f"api-key vs bearer throughput gap: {gap:.1%}")
    print(
        f"server CPU per request, bearer vs floor: {bearer.server_cpu_us / floor_cpu:.2f}x "
        f"(floor/bearer {floor_cpu / bearer.server_cpu_us:.2f}: the throughput ratio an otherwise idle core would give)"
    )
    print(
        f"replay (the bearer reply's bytes, no checks): {replay.requests_per_second / floor:.2f}x floor req/s, "
        f"the ceiling for any chat route here; the checks and reply cost bearer "
        f"{bearer.server_cpu_us - replay.server_cpu_us:.1f} us of server CPU per request over it"
    )
    for name, passed in checks.items():
        print(f"  [{'ok' if passed else 'MISSED'}] {name}")
    return 0 if checks["every response was a 200"] else 1


if __name__ == "__main__":
    sys.exit(main())
