"""The pages a person sees when signing in: /authorize (account picker, consent) and device login.

`GET /{tenant}/oauth2/v2.0/authorize` validates the client and redirect URI (errors shown on the
page, as Entra does), remembers the request (PKCE challenge, nonce, state) and shows an account
picker of the tenant's users; picking one shows a consent page; accepting issues a single-use
authorization code, delivered as Entra does: an auto-submitting form (`response_mode=form_post`)
or a redirect with `?code=&state=` (query). In the lab, picking the account *is* the sign-in
(seeded users have no passwords). `/devicelogin` is the device code verification page. Every
page is plain HTML forms, so a real browser, a person, and the lab's scripted browser all work.
"""

from __future__ import annotations

import html
import secrets
from urllib.parse import urlencode, urlparse

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from ..crypto.access_tokens import KNOWN_RESOURCES
from ..directory import Tenant, User
from ..state import EmulatorState, emulator_state
from .aadsts import (
    CONSENT_DECLINED,
    DEVICE_LOGIN_USER_NOT_IN_DIRECTORY,
    INVALID_CODE_CHALLENGE_METHOD,
    INVALID_SCOPE,
    MISSING_PARAMETER,
    REDIRECT_URI_MISMATCH,
    RESPONSE_TYPE_NOT_ENABLED,
    SIGNIN_SESSION_EXPIRED,
    SIGNIN_SESSION_MISSING,
    SIGNIN_UNKNOWN_TENANT,
    UNKNOWN_APPLICATION,
    USER_NOT_IN_DIRECTORY,
    Aadsts,
)
from .grants.base import OIDC_SCOPES, resource_of_default_scope
from .request_helpers import read_form, resolve_tenant
from .signin_html import account_picker, consent_form, error_page, form_post, page
from .user_sessions import AuthorizeRequest

AUTHORIZE_PATH = "/{tenant}/oauth2/v2.0/authorize"
LOGIN_PATH = "/{tenant}/login"
DEVICE_LOGIN_PATH = "/devicelogin"
LOOPBACK_REDIRECT_HOSTS = ("localhost", "127.0.0.1", "[::1]", "::1")


def users_for(state: EmulatorState, segment: str) -> list[User]:
    tenant = resolve_tenant(state, segment)
    users = list(state.directory.users.values())
    if isinstance(tenant, Tenant):
        users = [u for u in users if u.tenant == tenant.id]
    return users


def redirect_uri_allowed(uri: str) -> bool:
    """The Azure CLI's registration: `http://localhost` with any port (loopback redirect rule)."""
    parsed = urlparse(uri)
    return parsed.scheme == "http" and (parsed.hostname or "") in LOOPBACK_REDIRECT_HOSTS


def deliver(request: AuthorizeRequest, params: dict[str, str]) -> Response:
    """Send the authorization response to the client's redirect URI, as `response_mode` asks."""
    if request.state is not None:
        params["state"] = request.state
    if request.response_mode == "form_post":
        return form_post(request.redirect_uri, params)
    separator = "#" if request.response_mode == "fragment" else ("&" if "?" in request.redirect_uri else "?")
    return RedirectResponse(request.redirect_uri + separator + urlencode(params), status_code=302)


def deliver_error(request: AuthorizeRequest, entry: Aadsts, **fields: str) -> Response:
    """An error Entra redirects to the app rather than showing (`error`, `error_description`)."""
    return deliver(request, {"error": entry.error, "error_description": entry.describe(**fields)})


def client_name(state: EmulatorState, client_id: str) -> str | None:
    client = state.directory.public_client(client_id)
    return client.name if client else None


async def authorize(request: Request) -> Response:
    state = emulator_state(request)
    sessions = state.user_sessions
    segment = request.path_params["tenant"]
    query = request.query_params
    tenant = resolve_tenant(state, segment)
    if tenant is None:
        return error_page(SIGNIN_UNKNOWN_TENANT, tenant=segment)
    client_id = query.get("client_id", "").lower()
    if not client_id:
        return error_page(MISSING_PARAMETER, name="client_id")
    if client_name(state, client_id) is None:
        where = tenant.name if isinstance(tenant, Tenant) else segment
        return error_page(UNKNOWN_APPLICATION, client_id=client_id, tenant=where)
    redirect_uri = query.get("redirect_uri", "")
    if not redirect_uri_allowed(redirect_uri):
        return error_page(REDIRECT_URI_MISMATCH, redirect_uri=redirect_uri, client_id=client_id)
    response_mode = query.get("response_mode", "query")
    pending = AuthorizeRequest(
        id="",
        tenant=segment,
        client_id=client_id,
        redirect_uri=redirect_uri,
        scope=query.get("scope", ""),
        state=query.get("state"),
        nonce=query.get("nonce"),
        code_challenge=query.get("code_challenge"),
        code_challenge_method=query.get("code_challenge_method", "plain"),
        response_mode=response_mode if response_mode in ("query", "form_post", "fragment") else "query",
        login_hint=query.get("login_hint"),
        created_at=0.0,
    )
    if query.get("response_type") != "code":
        return deliver_error(pending, RESPONSE_TYPE_NOT_ENABLED)
    if pending.code_challenge is not None and pending.code_challenge_method not in ("S256", "plain"):
        return deliver_error(pending, INVALID_CODE_CHALLENGE_METHOD)
    scope = pending.scope
    extra = [s for s in scope.split() if s not in OIDC_SCOPES]
    resource = resource_of_default_scope(scope)
    if extra and (resource is None or resource not in KNOWN_RESOURCES):
        return deliver_error(pending, INVALID_SCOPE, scope=scope)
    stored = sessions.begin_authorize(**{k: v for k, v in vars(pending).items() if k not in ("id", "created_at")})
    action = LOGIN_PATH.format(tenant=segment)
    return page(
        "Sign in to your account",
        account_picker(users_for(state, segment), action, {"ctx": stored.id}, stored.login_hint),
    )


async def login(request: Request) -> Response:
    """The account picker and consent forms post here (Entra: `/{tenant}/login`)."""
    state = emulator_state(request)
    sessions = state.user_sessions
    form = await read_form(request)
    pending = sessions.authorize_request(str(form.get("ctx", "")))
    if pending is None:
        return error_page(SIGNIN_SESSION_EXPIRED if form.get("ctx") else SIGNIN_SESSION_MISSING)
    user = state.directory.user(str(form.get("username", "")))
    if user is None or user not in users_for(state, pending.tenant):
        return error_page(USER_NOT_IN_DIRECTORY)
    consent = form.get("consent")
    action = LOGIN_PATH.format(tenant=pending.tenant)
    if consent is None:
        name = client_name(state, pending.client_id) or pending.client_id
        return page("Permissions requested", consent_form(action, {"ctx": pending.id}, name, user, pending.scope))
    if consent != "accept":
        state.audit.record("Entra ID", "sign-in declined", user.upn, user.object_id, "user", 400)
        return deliver_error(pending, CONSENT_DECLINED)
    code = sessions.issue_code(pending, user.object_id)
    state.audit.record("Entra ID", "sign-in (authorize)", user.upn, user.object_id, "user", 200)
    return deliver(pending, {"code": code, "session_state": secrets.token_hex(16)})


async def device_login(request: Request) -> Response:
    """Enter the code shown by the device; then pick an account; then confirm."""
    state = emulator_state(request)
    sessions = state.user_sessions
    if request.method == "GET":
        return page(
            "Enter code",
            "<h1>Enter code</h1><p>Enter the code displayed on your app or device.</p>"
            f"<form method='post' action='{DEVICE_LOGIN_PATH}'><input name='otc' autocomplete='off' "
            "placeholder='Code' aria-label='Code'> <button class='primary' type='submit'>Next</button></form>",
        )
    form = await read_form(request)
    user_code = str(form.get("otc", ""))
    device = sessions.device_by_user_code(user_code)
    if (
        device is None
        or device.redeemed
        or device.declined
        or device.user_id is not None
        or state.clock.now() > device.expires_at
    ):
        return page(
            "Enter code",
            "<h1>Enter code</h1><p class='error' id='error'>That code didn't work. Check the code and try "
            f"again.</p><form method='post' action='{DEVICE_LOGIN_PATH}'><input name='otc' aria-label='Code'> "
            "<button class='primary' type='submit'>Next</button></form>",
            status=400,
        )
    username = form.get("username")
    if username is None:
        picker = account_picker(users_for(state, device.tenant), DEVICE_LOGIN_PATH, {"otc": device.user_code}, None)
        name = client_name(state, device.client_id) or device.client_id
        return page("Sign in", f"<p>You're signing in to <b>{html.escape(name)}</b> on another device.</p>{picker}")
    user = state.directory.user(str(username))
    if user is None or user not in users_for(state, device.tenant):
        return error_page(DEVICE_LOGIN_USER_NOT_IN_DIRECTORY)
    if form.get("consent") is None:
        name = client_name(state, device.client_id) or device.client_id
        return page(
            "Permissions requested",
            consent_form(DEVICE_LOGIN_PATH, {"otc": device.user_code}, name, user, device.scope),
        )
    if form.get("consent") != "accept":
        sessions.decline_device(device.user_code)
        state.audit.record("Entra ID", "sign-in declined (device code)", user.upn, user.object_id, "user", 400)
        return page("Sign in", "<h1>Sign-in cancelled</h1><p>You declined. You may now close this window.</p>")
    sessions.approve_device(device.user_code, user.object_id)
    state.audit.record("Entra ID", "sign-in (device code)", user.upn, user.object_id, "user", 200)
    name = client_name(state, device.client_id) or device.client_id
    return page(
        "Signed in",
        f"<h1>{html.escape(name)}</h1><p id='done'>You have signed in to the {html.escape(name)} application on "
        "your device. You may now close this window.</p>",
    )


def routes(state: EmulatorState) -> list[Route]:
    return [
        Route(AUTHORIZE_PATH, authorize, methods=["GET"]),
        Route(LOGIN_PATH, login, methods=["POST"]),
        Route(DEVICE_LOGIN_PATH, device_login, methods=["GET", "POST"]),
    ]
