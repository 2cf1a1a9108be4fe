"""Run notebook 07 or 08 with sign_in="yourself" in JupyterLab while headless Chromium plays the person.

    .venv/bin/python scripts/try-yourself-mode.py 07-interactive-browser-sign-in.ipynb

What a person does, step by step: open the notebook in JupyterLab, Run > Run All Cells, and whenever
an output shows a sign-in link, open it in a new tab and pick the account (Grace when the link hints
her, else Ada) and accept; whenever an output shows a device code, open the page, type the code, pick
the account and accept — unless the line before it says "You: do not enter the next code". The script
logs what the person sees and prints the outputs as JupyterLab shows them. Everything stays on
loopback (the network guard is on in the kernel). TRY_SECONDS (default 180) bounds the wait; on a
busy machine, if no output ever appears, run it again (Run All can land before the kernel is ready).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from jupyterlab import jupyterlab  # noqa: E402

from keyless_lab import headless_browser, netguard  # noqa: E402

LINK = re.compile(r"(https://127\.0\.0\.1:\d+/\S+/oauth2/v2\.0/authorize\?\S+)")
CODE = re.compile(r"open (https://127\.0\.0\.1:\d+/devicelogin) and enter the code ([A-Z0-9]{9})")
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:6.1f}s] {message}", flush=True)


def yourself_copy(name: str, folder: Path) -> None:
    """The notebook with sign_in="yourself" and no outputs, next to its images."""
    shutil.copytree(ROOT / "notebooks" / "images", folder / "images")
    nb = json.loads((ROOT / "notebooks" / name).read_text())
    for cell in nb["cells"]:
        if "parameters" in cell["metadata"].get("tags", []):
            cell["source"] = [line.replace('"scripted"', '"yourself"', 1) for line in cell["source"]]
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    (folder / name).write_text(json.dumps(nb))


def pick(page, who: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name=who).click()
    page.get_by_role("button", name="Accept").click()


def main(name: str) -> int:
    folder = Path(tempfile.mkdtemp(prefix="keyless-lab-yourself-"))
    yourself_copy(name, folder)
    guard = folder / "guard.log"
    os.environ.update(netguard.child_environment(guard))
    for variable in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):  # no real browser to open: print the link
        os.environ.pop(variable, None)
    handled: set[str] = set()
    with jupyterlab(folder, folder / "scratch") as server, headless_browser.chromium() as browser:
        context = browser.new_context(ignore_https_errors=True, viewport={"width": 1400, "height": 1000})
        lab = context.new_page()
        lab.goto(server.notebook_url(name, "yourself"))
        lab.wait_for_selector(".jp-Notebook .jp-MarkdownCell", timeout=60_000)
        lab.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
        log("notebook open in JupyterLab; Run > Run All Cells")
        lab.get_by_role("menuitem", name="Run", exact=True).click()
        lab.locator("li[data-command='runmenu:run-all']").click()
        deadline = time.monotonic() + float(os.environ.get("TRY_SECONDS", 180))
        while time.monotonic() < deadline:
            lines = "\n".join(lab.locator(".jp-OutputArea-output").all_inner_texts()).splitlines()
            if "Self-check passed." in lines:
                log("JupyterLab shows 'Self-check passed.'")
                break
            for i, line in enumerate(lines):
                for url in LINK.findall(line):
                    if url not in handled:
                        handled.add(url)
                        tab = context.new_page()
                        tab.goto(url)
                        accounts = [a.split("\n")[0] for a in tab.locator("button.account").all_inner_texts()]
                        who = "Grace Hopper" if "login_hint=grace" in url else "Ada Lovelace"
                        log(f"output shows a sign-in link; new tab {tab.title()!r} lists {accounts}; picking {who}")
                        pick(tab, who)
                        tab.wait_for_url("http://localhost:*", timeout=30_000)
                        log(f"tab ends on {tab.url}: {tab.locator('body').inner_text()[:60]!r}")
                for page_url, code in CODE.findall(line):
                    if code in handled:
                        continue
                    handled.add(code)
                    advice = lines[i - 1] if i and lines[i - 1].startswith("You: ") else ""
                    if "do not enter" in advice:
                        log(f"output shows code {code} after {advice!r}: leaving it")
                        continue
                    who = "Grace Hopper" if "grace" in advice else "Ada Lovelace"
                    tab = context.new_page()
                    tab.goto(page_url)
                    tab.get_by_label("Code").fill(code)
                    tab.get_by_role("button", name="Next").click()
                    pick(tab, who)
                    log(f"typed code {code}, picked {who}: {tab.locator('#done').inner_text()!r}")
            time.sleep(0.5)
        else:
            log("gave up waiting for the notebook")
            lab.screenshot(path=str(folder / "gave-up.png"))
        print("---- outputs as JupyterLab shows them ----")
        print("\n".join(lab.locator(".jp-OutputArea-output").all_inner_texts()))
    violations = netguard.read_violations(guard)
    print("network guard:", violations or "no attempts outside loopback")
    return 0 if not violations else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
