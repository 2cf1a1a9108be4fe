"""A web browser for BROWSER that signs a chosen lab user in, without a person.

`webbrowser.open(url)` runs `$BROWSER url` and waits for it to exit, and InteractiveBrowserCredential
serves its redirect listener only after that, so this command returns at once and does the work
in a detached child process: it loads the sign-in page, submits the account picker for the chosen
user (`--user UPN`, else the account the app hinted with `login_hint`, else KEYLESS_LAB_SIGNIN_USER),
accepts the consent page (or declines it when KEYLESS_LAB_SIGNIN_CONSENT=deny), and follows the final
auto-submitting form or redirect to the app's `http://localhost:PORT` listener — the same HTML forms
a person clicks in a real browser. Problems are written to stderr and to KEYLESS_LAB_BROWSER_LOG when set.

With KEYLESS_LAB_SIGN_IN=yourself a person signs in instead: the command appends the link to the
file named by KEYLESS_LAB_SIGNIN_LINKS (the notebook shows it) and opens the person's own browser
(KEYLESS_LAB_PERSON_BROWSER, the BROWSER the lab replaced) when there is one. The variables are read
at launch, so they work although `webbrowser` caches BROWSER once per process.
`device_sign_in()` walks the device code verification page the same way, for the lab's scripted person.
"""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

from . import _lab

SIGN_IN_VAR = "KEYLESS_LAB_SIGN_IN"  # "yourself": a person signs in; anything else: scripted
LINKS_VAR = "KEYLESS_LAB_SIGNIN_LINKS"
PERSON_BROWSER_VAR = "KEYLESS_LAB_PERSON_BROWSER"


class Form:
    def __init__(self, action: str, method: str) -> None:
        self.action, self.method = action, method
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []


class FormParser(HTMLParser):
    """Collects the forms of a page: hidden/text inputs and named submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        elif self.forms and tag == "input" and a.get("name"):
            self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif self.forms and tag == "button" and a.get("name"):
            self.forms[-1].buttons.append((a["name"], a.get("value", "")))


def log(message: str) -> None:
    print(f"keyless-lab browser: {message}", file=sys.stderr, flush=True)
    path = os.environ.get("KEYLESS_LAB_BROWSER_LOG")
    if path:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(message + "\n")


def fetch(opener: urllib.request.OpenerDirector, url: str, form: dict[str, str] | None = None) -> tuple[str, str]:
    """GET or POST; returns (final URL, body). Redirects are followed, as a browser does."""
    data = urlencode(form).encode() if form is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=30) as resp:
            return resp.geturl(), resp.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.geturl(), exc.read().decode(errors="replace")


def choose(forms: list[Form], user: str, consent: str) -> tuple[Form, dict[str, str]] | None:
    """The form a person would submit on this page and what they would send, or None."""
    for form in forms:  # the consent page
        if any(name == "consent" for name, _ in form.buttons):
            return form, {**form.fields, "consent": consent}
    for form in forms:  # the account picker: one form per account
        if form.fields.get("username", "").lower() == user.lower():
            return form, {**form.fields, **dict(form.buttons[:1])}
    return None


def sign_in(url: str, user: str, consent: str = "accept") -> bool:
    opener = _lab._opener()
    origin = urlparse(url).netloc
    current, body = fetch(opener, url)
    for _ in range(8):
        if urlparse(current).netloc != origin:
            return True  # redirected to the app's listener (response_mode=query): done
        parser = FormParser()
        parser.feed(body)
        choice = choose(parser.forms, user, consent)
        if choice is None:
            final = [f for f in parser.forms if urlparse(urljoin(current, f.action)).netloc != origin]
            if len(final) == 1 and final[0].method == "post":  # the auto-submitting form_post to the app
                fetch(opener, urljoin(current, final[0].action), final[0].fields)
                return True
            log(f"no way forward on {current}: {body[:400]}")
            return False
        form, submission = choice
        current, body = fetch(opener, urljoin(current, form.action), submission)
    log("too many pages")
    return False


def login_hint(url: str) -> str:
    """The account the app suggested (`login_hint`), which a person would pick on the page."""
    return parse_qs(urlparse(url).query).get("login_hint", [""])[0]


def device_sign_in(verification_uri: str, user_code: str, user: str, consent: str = "accept") -> str:
    """Enter `user_code` on the verification page, pick `user`, answer the consent page.

    Returns the text of the last page (what a person reads there), e.g. "You have signed in …"
    or "That code didn't work. …". Only loopback pages: the lab's person never visits Microsoft.
    """
    if (urlparse(verification_uri).hostname or "") not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"the lab's scripted person only signs in on this machine, not at {verification_uri}")
    opener = _lab._opener()
    current, body = fetch(opener, verification_uri, {"otc": user_code})
    for _ in range(3):
        parser = FormParser()
        parser.feed(body)
        choice = choose(parser.forms, user, consent)
        if choice is None:
            break
        form, submission = choice
        current, body = fetch(opener, urljoin(current, form.action), submission)
    return page_text(body)


def page_text(body: str) -> str:
    """The visible sentences of a lab page: its paragraphs, without the emulator banner."""
    texts: list[str] = []

    class Paragraphs(HTMLParser):
        inside = False

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.inside = tag == "p" and ("class", "small") not in attrs
            if self.inside:
                texts.append("")

        def handle_endtag(self, tag: str) -> None:
            self.inside = self.inside and tag != "p"

        def handle_data(self, data: str) -> None:
            if self.inside:
                texts[-1] += data

    Paragraphs().feed(body)
    return " ".join(t.strip() for t in texts if t.strip())


def show_to_person(url: str) -> int:
    """`yourself` mode: record the link for the notebook to show, and open the person's browser."""
    links = os.environ.get(LINKS_VAR, "")
    if links:
        with open(links, "a", encoding="utf-8") as fh:
            fh.write(url + "\n")
    own = os.environ.get(PERSON_BROWSER_VAR, "")
    has_display = bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform in (
        "darwin",
        "win32",
    )
    if own or has_display:  # never fall back to a text browser: it would wait for a keyboard
        env = {k: v for k, v in os.environ.items() if k not in ("BROWSER", SIGN_IN_VAR)}
        if own:
            env["BROWSER"] = own
        subprocess.Popen(
            [sys.executable, "-c", "import sys, webbrowser; webbrowser.open(sys.argv[1])", url],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    return 0 if links or own or has_display else 1


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if os.environ.get(SIGN_IN_VAR) == "yourself" and argv and not argv[0].startswith("-"):
        return show_to_person(argv[0])
    user = os.environ.get(_lab.SIGNIN_USER_VAR, "")
    if argv and login_hint(argv[-1]):
        user = login_hint(argv[-1])
    if "--user" in argv:
        i = argv.index("--user")
        user = argv[i + 1]
        del argv[i : i + 2]
    foreground = "--foreground" in argv
    argv = [a for a in argv if a != "--foreground"]
    if not argv:
        print("usage: keyless-lab-browser [--user UPN] URL", file=sys.stderr)
        return 2
    if not user:
        log(f"no user chosen: pass --user or set {_lab.SIGNIN_USER_VAR}")
        return 1
    if not foreground:
        # Return at once; the child outlives us and talks to the app's listener.
        subprocess.Popen(
            [sys.executable, "-m", "keyless_lab.shims.browser", "--foreground", "--user", user, argv[0]],
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        return 0
    consent = os.environ.get("KEYLESS_LAB_SIGNIN_CONSENT", "accept")
    return 0 if sign_in(argv[0], user, consent) else 1


if __name__ == "__main__":
    sys.exit(main())
