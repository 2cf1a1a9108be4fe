"""Who is at the browser when a notebook signs a person in: the lab's scripted person, or you.

Notebooks 07 and 08 teach people-facing sign-in (InteractiveBrowserCredential, DeviceCodeCredential).
Their credential code is production code; what changes is who answers the sign-in pages:

- `scripted` (default, for papermill and CI): the lab's stand-in browser (BROWSER) picks the account,
  and a stand-in person reads the device code your `prompt_callback` prints and enters it on the
  verification page — the same HTML forms a person uses, over HTTPS on loopback.
- `yourself`: the sign-in link is shown in the notebook (and opened in your own browser when this
  machine has one); you pick the account or type the code.

The stand-ins act only on pages served from this machine (the emulator, or an emulator playing
Azure in the test suite); against real Entra ID a real person always signs in. When Entra ID is on
this machine, `~` points at a private folder, so the lab's persistent token caches never mix with
real ones in your `~/.IdentityService`.
"""

from __future__ import annotations

import os
import queue
import re
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import urlparse

from .config import LabConfigurationError
from .display import lab_neutral
from .lab import authority_on_this_machine
from .netguard import is_loopback_host
from .shims import browser

if TYPE_CHECKING:
    from .lab import Lab

SIGN_IN_CHOICES = ("scripted", "yourself")
ACTIONS = ("approve", "decline", "ignore", "walk away")
DEFAULT_USER = "ada@contosolab.onmicrosoft.com"
DEVICE_CODE_LIFETIME = 900  # Entra's device codes live 15 minutes
# What a person looks for in the prompt: a verification page, then a code (Entra's are 9 characters).
PROMPT = re.compile(r"(https://\S+?/devicelogin)\b.*?\b([A-Z0-9]{8,9})\b")


class ScreenReader:
    """A stand-in for `sys.stdout` that hands device code prompts (page + code) to the scripted
    person, as a person reads them off the screen, and passes everything through. A write holding a
    prompt goes through `shown` if given: the person reads the real page, the notebook shows
    `shown(text)`; anything else (`print(lab.console_url)`, say) is shown as it is. `print` writes its
    text in one piece."""

    def __init__(
        self, screen: TextIO, seen: queue.Queue[tuple[str, str]], shown: Callable[[str], str] | None = None
    ) -> None:
        self._screen, self._seen, self._line = screen, seen, ""
        self._shown = shown or (lambda text: text)

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            match = PROMPT.search(line)
            if match:
                self._seen.put((match.group(1), match.group(2)))
        self._screen.write(self._shown(text) if PROMPT.search(text) else text)
        return len(text)

    def __getattr__(self, name: str) -> Any:  # flush, isatty, fileno, encoding… of the real screen
        return getattr(self._screen, name)


class Person:
    """The person signing in during one notebook. Create it with `start_person(lab, sign_in)`."""

    def __init__(self, lab: Lab, sign_in: str, user: str = "") -> None:
        if sign_in not in SIGN_IN_CHOICES:
            raise LabConfigurationError(f"sign_in must be one of {', '.join(SIGN_IN_CHOICES)}; got {sign_in!r}")
        self.lab, self.sign_in = lab, sign_in
        self.user = user or os.environ.get("KEYLESS_LAB_SIGNIN_USER") or DEFAULT_USER
        self.local = authority_on_this_machine()
        self.action, self.action_user = "approve", self.user
        self.used_code: tuple[str, str] | None = None  # (page, code) of the last approved sign-in
        self._home: tempfile.TemporaryDirectory[str] | None = None
        self._prompts: queue.Queue[tuple[str, str]] = queue.Queue()
        self._screen: TextIO | None = None
        self._links: Path | None = None
        self._stop = threading.Event()

    # -- set-up ------------------------------------------------------------------------------------
    def start(self) -> Person:
        global _current
        if _current is not None:  # re-running the setup cell replaces the previous person
            _current.close()
        _current = self
        if not self.local:
            return self  # real Entra ID: a real person signs in, in a real browser
        self._home = tempfile.TemporaryDirectory(prefix="keyless-lab-home-")
        environment = {"HOME": self._home.name}
        if self.sign_in == "yourself":
            self._links = Path(self._home.name) / "sign-in-links.txt"
            self._links.touch()
            original = self.lab._saved_environment.get("BROWSER") or ""
            environment.update(
                {
                    browser.SIGN_IN_VAR: "yourself",
                    browser.LINKS_VAR: str(self._links),
                    browser.PERSON_BROWSER_VAR: original,
                }
            )
            threading.Thread(target=self._show_links, name="keyless-lab-links", daemon=True).start()
        while isinstance(sys.stdout, ScreenReader):  # left by an earlier person in this kernel
            sys.stdout = sys.stdout._screen
        self._screen = sys.stdout
        # Scripted: the stand-in reads the page, so the notebook shows no run-specific port (committed
        # outputs stay the same on every run). Yourself: you need the real address.
        shown = lab_neutral if self.sign_in == "scripted" else None
        sys.stdout = ScreenReader(sys.stdout, self._prompts, shown)  # type: ignore[assignment]
        threading.Thread(target=self._answer_prompts, name="keyless-lab-person", daemon=True).start()
        self.lab._apply_environment(environment, ())
        return self

    def close(self) -> None:
        """Stop the stand-ins and give `sys.stdout` back (the lab restores the environment)."""
        self._stop.set()
        if self._screen is not None and isinstance(sys.stdout, ScreenReader):
            sys.stdout = self._screen
        self._screen = None

    def summary(self) -> str:
        if not self.local:
            return "Sign-in: you, on Microsoft's real sign-in pages (azure mode)."
        if self.sign_in == "yourself":
            return (
                "Sign-in: yourself. When a cell signs in, it shows a sign-in link (or a page and a code): "
                "open it in a browser on this machine, pick an account and accept."
            )
        return (
            f"Sign-in: scripted. The lab's stand-in person signs in as {self.user} "
            "(or the account the app hints), on the same pages you would use."
        )

    # -- what the person does next ------------------------------------------------------------------
    def will(self, action: str, user: str = "") -> None:
        """What the person does with the next device code shown (then back to approving as the
        default user): approve (as `user`), decline (cancel on the consent page), ignore, or walk
        away (emulator-only: the lab's clock jumps past the code's 15 minutes). With `yourself`, or
        on real Azure, it says what to do."""
        if action not in ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACTIONS)}; got {action!r}")
        self.action, self.action_user = action, user or self.user
        if self.sign_in == "yourself" or not self.local:
            advice = {
                "approve": f"enter the next code and sign in as {self.action_user}",
                "decline": "enter the next code, then choose Cancel",
                "ignore": "do not enter the next code: let the app give up",
                "walk away": "do not enter the next code: it expires after 15 minutes",
            }
            print(f"You: {advice[action]}.")

    def enter_used_code_again(self) -> str:
        """Type the last code the person signed in with into the verification page again, as a
        person handed an old code would; returns what the page says."""
        if self.used_code is None:
            return "No code has been used on this machine yet."
        page, code = self.used_code
        return browser.device_sign_in(page, code, self.user)

    # -- threads --------------------------------------------------------------------------------------
    def _answer_prompts(self) -> None:
        while not self._stop.is_set():
            try:
                page, code = self._prompts.get(timeout=0.2)
            except queue.Empty:
                continue
            action, user = self.action, self.action_user
            self.action, self.action_user = "approve", self.user  # one-shot
            if is_loopback_host(urlparse(page).hostname or "localhost.invalid"):
                self._act(page, code, action, user)

    def _act(self, page: str, code: str, action: str, user: str) -> None:
        if action == "walk away" and self.lab.server is not None:
            self.lab.server.state.clock.advance(DEVICE_CODE_LIFETIME + 1)
        elif action == "decline" and self.sign_in == "scripted":
            browser.device_sign_in(page, code, user, consent="deny")
        elif action == "approve":
            if self.sign_in == "scripted":
                browser.device_sign_in(page, code, user)
            self.used_code = (page, code)  # with `yourself`, the code you were asked to enter

    def _show_links(self) -> None:
        assert self._links is not None
        shown = 0
        bundle = os.environ.get("REQUESTS_CA_BUNDLE", "")
        while not self._stop.is_set():
            try:
                links = [line for line in self._links.read_text().splitlines() if line.strip()]
            except OSError:  # the private home is gone: the process is ending
                return
            for link in links[shown:]:
                print(
                    "Open this link in a browser on this machine and pick an account "
                    f"(your browser will not know the lab's certificate authority, {bundle}: "
                    f"accept the warning for 127.0.0.1, or import that file):\n{link}",
                    flush=True,
                )
            shown = len(links)
            time.sleep(0.2)


_current: Person | None = None


def start_person(lab: Lab, sign_in: str, user: str = "") -> Person:
    """Set up who signs in for this notebook (see the module docstring). Prints one line."""
    person = Person(lab, sign_in, user).start()
    print(person.summary())
    return person
