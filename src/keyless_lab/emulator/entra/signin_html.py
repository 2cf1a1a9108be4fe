"""The HTML of the emulated sign-in pages: plain forms that a person, a real browser and the lab's
scripted browser can all submit (the only script is the auto-submit of `form_post`, with a
`<noscript>` button)."""

from __future__ import annotations

import html

from starlette.responses import HTMLResponse

from ..directory import User
from .aadsts import Aadsts
from .grants.base import resource_of_default_scope

STYLE = """
body{font-family:"Segoe UI",system-ui,sans-serif;background:#f2f2f2;margin:0}
main{max-width:440px;margin:48px auto;background:#fff;padding:44px;box-shadow:0 2px 6px rgba(0,0,0,.2)}
h1{font-size:24px;font-weight:600;margin:0 0 16px}p.small{font-size:13px;color:#555}
button.account{display:block;width:100%;text-align:left;background:none;border:0;border-bottom:1px solid #ddd;
padding:12px 4px;cursor:pointer;font-size:15px}button.account:hover{background:#e6e6e6}
button.primary{background:#0067b8;color:#fff;border:0;padding:8px 28px;font-size:15px;cursor:pointer}
button.secondary{background:#ccc;border:0;padding:8px 28px;font-size:15px;cursor:pointer;margin-right:8px}
.error{color:#a80000}.hint{font-weight:600}
"""


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body><main><p class='small'>Microsoft Entra ID (keyless-lab emulator)"
        f"</p>{body}</main></body></html>",
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def error_page(entry: Aadsts, **fields: str) -> HTMLResponse:
    """The one rendering of an AADSTS error as a page: its code and text from the AADSTS table."""
    return page(
        "Sign in",
        "<h1>Sorry, but we're having trouble signing you in.</h1><p class='error' id='error'>"
        f"{html.escape(entry.describe(**fields))}</p>",
        status=400,
    )


def hidden(**fields: str) -> str:
    return "".join(f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>" for k, v in fields.items())


def account_picker(users: list[User], action: str, fields: dict[str, str], hint: str | None) -> str:
    """One form per account (a person clicks one; the lab's browser submits the chosen one)."""
    if not users:
        return "<h1>Pick an account</h1><p class='error'>This tenant has no user accounts in the lab.</p>"
    buttons = []
    for user in sorted(users, key=lambda u: (u.upn != (hint or "").lower(), u.upn)):
        css = " hint" if hint and user.upn == hint.lower() else ""
        buttons.append(
            f"<form method='post' action='{html.escape(action)}'>{hidden(**fields, username=user.upn)}"
            f"<button class='account{css}' type='submit' name='pick' value='{html.escape(user.upn)}'>"
            f"{html.escape(user.display_name)}<br><span class='small'>{html.escape(user.upn)}</span>"
            "</button></form>"
        )
    return "<h1>Pick an account</h1>" + "".join(buttons)


def consent_form(action: str, fields: dict[str, str], client_name: str, user: User, scope: str) -> str:
    resource = resource_of_default_scope(scope) or "your profile"
    return (
        f"<h1>Permissions requested</h1><p><b>{html.escape(client_name)}</b> would like to, as "
        f"<b>{html.escape(user.upn)}</b>:</p><ul><li>Access {html.escape(resource)} as you "
        "(user_impersonation)</li><li>Maintain access to data you have given it access to (offline_access)</li>"
        "<li>View your basic profile (openid, profile)</li></ul>"
        f"<form method='post' action='{html.escape(action)}'>{hidden(**fields, username=user.upn)}"
        "<button class='secondary' type='submit' name='consent' value='deny'>Cancel</button>"
        "<button class='primary' type='submit' name='consent' value='accept'>Accept</button></form>"
    )


def form_post(redirect_uri: str, params: dict[str, str]) -> HTMLResponse:
    """`response_mode=form_post`: a form that posts the response to the app and submits itself."""
    return page(
        "Working...",
        f"<form method='post' action='{html.escape(redirect_uri)}'>{hidden(**params)}"
        "<noscript><p>Script is disabled. Click Submit to continue.</p><button type='submit'>Submit</button>"
        "</noscript></form><script>document.forms[0].submit()</script>",
    )
