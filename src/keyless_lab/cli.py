"""`keyless-lab`: serve the emulator, run the course, keep generated docs in sync."""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path

from . import lab_env, netguard, notebooks
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
    """Execute every notebook against the embedded emulator under the network guard."""
    chosen = [Path(p) for p in args.notebooks] or notebooks.course_notebooks()
    out_dir = Path(args.output)
    guard_log = Path(tempfile.mkdtemp(prefix="keyless-lab-guard-")) / "violations.log"
    started, passed = time.perf_counter(), 0
    for path in chosen:
        result = notebooks.execute(
            path.resolve(), (out_dir / path.name).resolve(), timeout=args.timeout, guard_log=guard_log
        )
        status = "ok  " if result.ok else "FAIL"
        print(f"{status} {path.name:<48} {result.seconds:6.1f} s  {result.error}", flush=True)
        passed += result.ok
        if args.write_back and result.ok:
            notebooks.write_back(result.output, path)
    print(
        f"{passed}/{len(chosen)} notebooks ok in {time.perf_counter() - started:.1f} s (executed copies in {out_dir}/)"
    )
    violations = netguard.read_violations(guard_log)
    if violations:
        print("NETWORK GUARD: non-loopback attempts:\n" + violations)
    return 0 if passed == len(chosen) and not violations else 1


def docs(args: argparse.Namespace) -> int:
    changed = notebooks.update_docs()
    print("updated: " + ", ".join(str(p) for p in changed) if changed else "navigation and README table are up to date")
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
    p.set_defaults(func=run)

    p = commands.add_parser("docs", help="regenerate notebook navigation and the README notebook table")
    p.set_defaults(func=docs)
    lab_env.add_parser(commands)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
