"""Pictures of the emulator's sign-in pages for the notebooks, taken by a real browser.

Notebooks 07 and 08 show the learner what the pages look like. The pictures are not drawn by
hand: `keyless-lab screenshots` starts an emulator, opens each page in headless Chromium exactly
where a credential sends the person (the /authorize URL MSAL builds for InteractiveBrowserCredential,
the device code verification page), and saves the page's content to `notebooks/images/`. Re-run
it whenever the pages change.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from . import headless_browser
from .emulator import EmulatorServer
from .notebooks import NOTEBOOKS_DIR

IMAGES_DIR = NOTEBOOKS_DIR / "images"
DEFAULT_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # what the credentials use without client_id
SCOPE = "https://cognitiveservices.azure.com/.default"
VIEWPORT = {"width": 640, "height": 720}


def authorize_url(server: EmulatorServer) -> str:
    """The /authorize URL InteractiveBrowserCredential opens (built by MSAL, as the credential does)."""
    import msal
    import requests

    session = requests.Session()
    session.trust_env = False  # no proxies, and not the shell's CA bundle: the emulator's
    session.verify = str(server.tls.bundle)
    tenant = server.state.directory.primary_tenant.id
    app = msal.PublicClientApplication(
        DEFAULT_CLIENT_ID,
        authority=f"{server.urls.authority_host}/{tenant}",
        instance_discovery=False,
        http_client=session,  # MSAL fetches the emulator's OpenID configuration
    )
    flow = app.initiate_auth_code_flow(
        [SCOPE], redirect_uri="http://localhost:8400", prompt="select_account", response_mode="form_post"
    )
    return str(flow["auth_uri"])


def device_login_url(server: EmulatorServer) -> str:
    return f"{server.urls.authority_host}/devicelogin"


PAGES: dict[str, Callable[[EmulatorServer], str]] = {
    "signin-pick-an-account.png": authorize_url,
    "devicelogin-enter-code.png": device_login_url,
}


def capture(folder: Path = IMAGES_DIR) -> list[Path]:
    """Save a picture of each page in `folder`; returns the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with EmulatorServer() as server, headless_browser.chromium() as browser:
        # The lab's CA is not in Chromium's trust store; these are loopback pages of this emulator.
        context = browser.new_context(ignore_https_errors=True, viewport=VIEWPORT)  # type: ignore[arg-type]
        page = context.new_page()
        for name, url_of in PAGES.items():
            page.goto(url_of(server))
            page.locator("main").screenshot(path=str(folder / name))
            written.append(folder / name)
        context.close()
    return written
