"""`keyless-lab run` as a user runs it: a subprocess, its output, its exit code and its files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from course_notebooks import write_notebook

CLI = [sys.executable, "-m", "keyless_lab.cli", "run"]

# Two notebooks that each start their own lab, meet at a rendezvous folder (so both emulators are
# up at the same time), and then: "a" removes the VM identity's role in *its* lab, "b" calls with
# that identity in *its* lab. No cross-talk means b's call succeeds and each audit log holds only
# its own notebook's calls.
CROSS_TALK_CELLS = (
    "from keyless_lab import start_lab\nlab = start_lab()",
    """
import json, pathlib, time
from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import APIStatusError, OpenAI

folder = pathlib.Path(rendezvous)
def meet(step):
    (folder / f"{name}.{step}").write_text(lab.endpoint)
    deadline = time.monotonic() + 90
    while len(list(folder.glob(f"*.{step}"))) < 2:
        assert time.monotonic() < deadline, f"the other notebook never reached {step}"
        time.sleep(0.05)

meet("started")
mark = lab.audit_mark()
if name == "a":
    lab.remove_role("vm-keyless-lab", "Cognitive Services OpenAI User")
meet("changed")
client = OpenAI(base_url=f"{lab.endpoint}openai/v1/",
                api_key=get_bearer_token_provider(ManagedIdentityCredential(), lab.scope))
try:
    client.chat.completions.create(model=lab.deployment, messages=[{"role": "user", "content": "hi"}])
    status = 200
except APIStatusError as error:
    status = error.status_code
audit = [(r.service, r.status) for r in lab._require_emulator("audit").state.audit.since(mark)]
(folder / f"{name}.json").write_text(json.dumps({"endpoint": lab.endpoint, "status": status, "audit": audit}))
""",
)


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def test_parallel_notebooks_each_get_their_own_emulator(tmp_path: Path) -> None:
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    paths = [
        write_notebook(tmp_path / f"{n}.ipynb", f"Notebook {n}", f'name = "{n}"\nrendezvous = ""', *CROSS_TALK_CELLS)
        for n in ("a", "b")
    ]
    done = run("-j", "2", "-p", "rendezvous", str(meeting), "--output", str(tmp_path / "out"), *map(str, paths),
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    a, b = (json.loads((meeting / f"{n}.json").read_text()) for n in ("a", "b"))
    assert a["endpoint"] != b["endpoint"], "each notebook's emulator listens on its own port"
    assert b["status"] == 200, "a's role removal must not reach b's emulator"
    assert a["status"] == 401  # PermissionDenied: the role was removed in a's own lab
    assert ["Azure OpenAI", 200] in b["audit"] and all(s != 401 for _, s in b["audit"])
    assert ["Azure OpenAI", 401] in a["audit"] and all(s != 200 for svc, s in a["audit"] if svc == "Azure OpenAI")
    # Not a terminal: plain lines, one per state change, and a summary table.
    assert "[0/2] start  a.ipynb" in done.stdout or "[0/2] start  b.ipynb" in done.stdout
    assert "2/2 notebooks passed" in done.stdout
    assert "\x1b[" not in done.stdout


def test_a_failing_notebook_exits_1_with_its_cell_and_error_in_one_line(tmp_path: Path) -> None:
    ok = write_notebook(tmp_path / "ok.ipynb", "Fine", "x = 1", "print(x)")
    bad = write_notebook(tmp_path / "bad.ipynb", "Broken", "x = 1", "y = 2", "raise ValueError(f'no good {x}')")
    done = run("-j", "1", "--output", str(tmp_path / "out"), str(ok), str(bad), cwd=tmp_path)
    assert done.returncode == 1, done.stdout
    failed = [line for line in done.stdout.splitlines() if line.startswith("FAILED ")]
    assert failed == ["FAILED bad.ipynb: cell In [3] `raise ValueError(f'no good {x}')`: ValueError: no good 1"]
    assert "1/2 notebooks passed" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-j", "0"], "-j/--jobs must be at least 1"),
        (["missing.ipynb"], "no such notebook: missing.ipynb"),
        (["-f", "nope.yaml"], "cannot read parameters file nope.yaml"),
        (["-p", "only-a-name"], "expected 2 arguments"),
    ],
)
def test_bad_usage_exits_2_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert message in done.stderr.strip().splitlines()[-1]  # one line says what is wrong (after argparse's usage)


def test_parameters_reach_only_notebooks_that_declare_them_and_html_is_written(tmp_path: Path) -> None:
    (tmp_path / "run.yaml").write_text("greeting: from-file\nmode: emulator\n")
    declares = write_notebook(tmp_path / "declares.ipynb", "Declares <b>it</b>", 'greeting = "default"\ncount = 1',
                              "print(greeting, count, type(count).__name__)")  # fmt: skip
    silent = write_notebook(tmp_path / "silent.ipynb", "Does not", "other = 0",
                            "print(sorted(k for k in dir() if k in ('greeting', 'count')))")  # fmt: skip
    out = tmp_path / "out"
    done = run("-j", "2", "-f", "run.yaml", "-p", "count", "3", "--html", "--output", str(out),
               str(declares), str(silent), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    printed = nbformat.read(out / "declares.ipynb", as_version=4).cells[-1].outputs[0]["text"]
    assert printed == "from-file 3 int\n"
    assert nbformat.read(out / "silent.ipynb", as_version=4).cells[-1].outputs[0]["text"] == "[]\n"
    index = (out / "html" / "index.html").read_text()
    assert '<a href="declares.html">Declares &lt;b&gt;it&lt;/b&gt;</a>' in index  # titles are escaped
    assert index.count('class="passed"') == 2
    page = (out / "html" / "declares.html").read_text()
    assert "jp-Notebook" in page and "from-file 3 int" in page  # the lab template, with outputs


def test_write_back_stores_normalised_outputs_in_the_source(tmp_path: Path) -> None:
    source = write_notebook(tmp_path / "wb.ipynb", "Write back", "x = 2", "print('twice', x * 2)")
    done = run("-j", "1", "--write-back", "--output", str(tmp_path / "out"), str(source), cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    nb = nbformat.read(source, as_version=4)
    assert nb.cells[-1].outputs[0]["text"] == "twice 4\n"
    assert "papermill" not in nb.metadata and all("papermill" not in c.metadata for c in nb.cells)


def test_a_run_leaves_no_folder_behind_in_the_temporary_folder(tmp_path: Path) -> None:
    """The guard's log folder lives as long as the run (one per run used to pile up in /tmp)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    notebook = write_notebook(tmp_path / "ok.ipynb", "Fine", "x = 1", "print(x)")
    done = subprocess.run(
        [*CLI, "-j", "1", "--output", str(tmp_path / "out"), str(notebook)],
        capture_output=True, text=True, cwd=tmp_path, timeout=300, env={**os.environ, "TMPDIR": str(scratch)},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert [p.name for p in scratch.iterdir() if p.name.startswith("keyless-lab")] == []
