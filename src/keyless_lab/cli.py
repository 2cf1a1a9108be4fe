"""`keyless-lab`: serve the emulator, run the course, keep generated docs in sync."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from . import doctor, lab_env, netguard, notebooks, progress, report, runner
from .emulator import EmulatorServer
from .env_file import reuse_problem, write_env_file


def serve(args: argparse.Namespace) -> int:
    """Serve until Ctrl-C or SIGTERM (exit 0), or until the server thread dies (exit 1, one line)."""
    env_file = Path(args.env_file)
    problem = reuse_problem(env_file)
    if problem:
        print(f"keyless-lab serve: {problem}", file=sys.stderr)
        return 2
    server = EmulatorServer(state_dir=Path(args.state_dir) if args.state_dir else None)
    for name in args.deployment or []:
        server.state.directory.add_deployment(name)
    server.start()
    server.write_directory_file()
    environment = server.environment()
    if args.deployment:
        environment["AZURE_OPENAI_DEPLOYMENT"] = args.deployment[0]
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        write_env_file(env_file, environment, server.bin_dir)
        deployments = ", ".join(server.state.directory.openai.deployments)
        print(
            f"keyless-lab emulator ready: Entra ID + Azure OpenAI at {server.urls.https}, IMDS at {server.urls.http}, "
            f"deployments: {deployments}; environment in {env_file} (Ctrl-C to stop)",
            flush=True,
        )
        print(f"live lab console: {server.console_url}", flush=True)
        while not stop.wait(0.25):
            if not server.running:
                print(f"keyless-lab serve: the emulator stopped unexpectedly ({server.failure})", file=sys.stderr)
                return 1
    finally:
        env_file.unlink(missing_ok=True)  # it would point at a lab that is gone
        server.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("keyless-lab emulator stopped", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    """Execute notebooks (in parallel) under the network guard; exit 0 all passed, 1 one failed, 2 usage."""
    try:
        chosen = [Path(p) for p in args.notebooks] or notebooks.course_notebooks()
        missing = [str(p) for p in chosen if not p.is_file()]
        if missing:
            raise runner.UsageError(f"no such notebook: {', '.join(missing)}")
        if args.jobs < 1:
            raise runner.UsageError("-j/--jobs must be at least 1")
        run_parameters = runner.load_parameters(args.parameters_file or [], args.parameter or [])
    except runner.UsageError as exc:
        print(f"keyless-lab run: {exc}", file=sys.stderr)
        return 2
    # The guard's log lives as long as the run: a folder per run left behind would pile up in /tmp.
    with tempfile.TemporaryDirectory(prefix="keyless-lab-guard-") as guard_folder:
        return _run_under_guard(args, chosen, run_parameters, Path(guard_folder) / "violations.log")


def _run_under_guard(
    args: argparse.Namespace, chosen: list[Path], run_parameters: dict[str, Any], guard_log: Path
) -> int:
    out_dir = Path(args.output)
    jobs = [
        runner.Job(
            path.resolve(),
            (out_dir / path.name).resolve(),
            runner.parameters_for(path, run_parameters),
            args.timeout,
            guard_log,
        )
        for path in chosen
    ]
    display = progress.Progress(chosen)
    started = time.perf_counter()
    timings = out_dir / runner.TIMINGS_FILE
    results = runner.run_all(jobs, min(args.jobs, len(jobs)), display.update, display.tick, timings)
    runner.save_timings(results, timings)
    wall = time.perf_counter() - started
    display.finish()
    print()
    print(report.summary_table(results))
    print(report.summary_line(results, wall, out_dir))
    if args.html:
        print(f"HTML report: {report.write_html(results, out_dir, wall)}")
    if args.write_back:
        for result in results:
            if result.ok:
                notebooks.write_back(result.output, result.notebook)
    for result in results:
        if not result.ok:
            print(f"FAILED {result.notebook.name}: {result.error}")
    violations = netguard.read_violations(guard_log)
    if violations:
        print("NETWORK GUARD: non-loopback attempts:\n" + violations)
    return 0 if all(r.ok for r in results) and not violations else 1


def student_copy(args: argparse.Namespace) -> int:
    """Notebooks without solutions and outputs, for handing out."""
    from . import student_copy as copies

    sources = [Path(p) for p in args.notebooks] or notebooks.course_notebooks()
    missing = [str(p) for p in sources if not p.is_file()]
    if missing:
        print(f"keyless-lab student-copy: no such notebook: {', '.join(missing)}", file=sys.stderr)
        return 2
    try:
        written = copies.write_student_copies(sources, Path(args.output))
    except ValueError as exc:
        print(f"keyless-lab student-copy: {exc}", file=sys.stderr)
        return 2
    print(f"{len(written)} student notebooks (no solutions, no outputs) in {args.output}/")
    return 0


def docs(args: argparse.Namespace) -> int:
    changed = notebooks.update_docs()
    print("updated: " + ", ".join(str(p) for p in changed) if changed else "navigation and README table are up to date")
    return 0


def screenshots(args: argparse.Namespace) -> int:
    from . import headless_browser, screenshots

    try:
        written = screenshots.capture(Path(args.out))
    except headless_browser.BrowserUnavailable as missing:
        print(f"keyless-lab screenshots: {missing}", file=sys.stderr)
        return 1
    print("wrote: " + ", ".join(str(p) for p in written))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="keyless-lab", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    p = commands.add_parser("serve", help="run the emulator in the foreground for other processes")
    p.add_argument("--env-file", default="lab.env", help="dotenv file to write once ready (default: lab.env)")
    p.add_argument("--deployment", action="append", help="add a model deployment (repeatable)")
    p.add_argument("--state-dir", help="folder for the CA, certificates and directory file (default: temporary)")
    p.set_defaults(func=serve)

    p = commands.add_parser("run", help="execute the notebooks against the embedded emulator")
    p.add_argument("notebooks", nargs="*", help="notebooks to run (default: all, in order)")
    p.add_argument("--output", default="build", help="folder for executed copies (default: build)")
    p.add_argument("--timeout", type=int, default=notebooks.CELL_TIMEOUT, help="per-cell timeout in seconds")
    p.add_argument("--write-back", action="store_true", help="maintainers: store normalised outputs in the sources")
    p.add_argument(
        "-j", "--jobs", type=int, default=runner.default_jobs(), help="notebooks run at once (default: CPU cores)"
    )
    p.add_argument("--html", action="store_true", help="also write OUTPUT/html/: one page per notebook + index.html")
    p.add_argument(
        "-p", "--parameter", nargs=2, action="append", metavar=("NAME", "VALUE"),
        help="a parameter for every notebook that declares it (repeatable)",
    )  # fmt: skip
    p.add_argument(
        "-f", "--parameters-file", action="append", metavar="YAML", help="parameters from a YAML file (repeatable)"
    )
    p.set_defaults(func=run)

    p = commands.add_parser("student-copy", help="write the notebooks without solutions and outputs, to hand out")
    p.add_argument("notebooks", nargs="*", help="notebooks to copy (default: all)")
    p.add_argument("--output", required=True, help="folder for the student copies")
    p.set_defaults(func=student_copy)

    p = commands.add_parser("docs", help="regenerate notebook navigation and the README notebook table")
    p.set_defaults(func=docs)
    lab_env.add_parser(commands)
    doctor.add_parser(commands)

    p = commands.add_parser("screenshots", help="maintainers: re-take the sign-in page pictures in notebooks/images")
    p.add_argument("--out", default=str(Path("notebooks") / "images"), help="folder for the PNG files")
    p.set_defaults(func=screenshots)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
