"""The real InteractiveBrowserCredential (and MSAL's auth code flow) against the emulated sign-in pages.

The browser is the lab's scripted browser (a real subprocess named by BROWSER) that submits the
same HTML forms a person would click. PKCE and single-use codes are checked with MSAL's own
`initiate_auth_code_flow` / `acquire_token_by_auth_code_flow`, the calls the credential makes.
"""

from __future__ import annotations

import ssl
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
import jwt
import msal
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import InteractiveBrowserCredential
from chat_client import chat_reply
from openai import AuthenticationError

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import ADA_OBJECT_ID, AZURE_CLI_CLIENT_ID, CONTOSO_TENANT_ID
from keyless_lab.shims.browser import FormParser, choose

SCOPE = "https://cognitiveservices.azure.com/.default"
TENANT = CONTOSO_TENANT_ID
AZURE_CLI = AZURE_CLI_CLIENT_ID
ADA = "ada@contosolab.onmicrosoft.com"
GRACE = "grace@contosolab.onmicrosoft.com"
ADA_OID = ADA_OBJECT_ID
# Query mode is tested on purpose (the page must support it); MSAL warns that form_post is safer.
pytestmark = pytest.mark.filterwarnings("ignore:response_mode='form_post' is recommended")


def browser_client(emulator: EmulatorServer) -> httpx.Client:
    return httpx.Client(verify=ssl.create_default_context(cafile=str(emulator.tls.bundle)), follow_redirects=False)


def sign_in_through_pages(client: httpx.Client, auth_uri: str, user: str) -> dict[str, str]:
    """Click through the picker and consent pages as a person would; return the redirect's query."""
    response = client.get(auth_uri)
    for _ in range(4):
        if response.status_code == 302:
            return {k: v[0] for k, v in parse_qs(urlparse(response.headers["location"]).query).items()}
        assert response.status_code == 200, response.text
        parser = FormParser()
        parser.feed(response.text)
        choice = choose(parser.forms, user, "accept")
        assert choice is not None, response.text
        form, fields = choice
        response = client.post(urljoin(str(response.url), form.action), data=fields)
    raise AssertionError("the sign-in pages never redirected back to the app")


def test_browser_sign_in_gets_a_user_token_that_calls_chat_completions(emulator: EmulatorServer) -> None:
    credential = InteractiveBrowserCredential(disable_instance_discovery=True, timeout=30)
    token = credential.get_token(SCOPE)
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["iss"] == f"https://sts.windows.net/{TENANT}/"
    assert claims["aud"] == "https://cognitiveservices.azure.com"
    assert claims["idtyp"] == "user"
    assert claims["scp"] == "user_impersonation"
    assert claims["upn"] == ADA and claims["name"] == "Ada Lovelace"
    assert claims["oid"] == ADA_OID and claims["appid"] == AZURE_CLI
    assert claims["amr"] == ["pwd"]
    assert "Hello, ada@contosolab.onmicrosoft.com" in chat_reply(credential, emulator)


def test_the_user_is_chosen_by_environment_and_a_user_without_a_role_is_denied(
    emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEYLESS_LAB_SIGNIN_USER", GRACE)
    credential = InteractiveBrowserCredential(disable_instance_discovery=True, tenant_id=TENANT, timeout=30)
    claims = jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})
    assert claims["upn"] == GRACE
    with pytest.raises(AuthenticationError) as denied:
        chat_reply(credential, emulator)
    assert denied.value.status_code == 401
    assert denied.value.body["code"] == "PermissionDenied"  # type: ignore[index]


def test_declining_consent_raises_aadsts65004(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYLESS_LAB_SIGNIN_CONSENT", "deny")
    credential = InteractiveBrowserCredential(disable_instance_discovery=True, timeout=30)
    with pytest.raises(ClientAuthenticationError, match="AADSTS65004"):
        credential.get_token(SCOPE)


def msal_app(emulator: EmulatorServer) -> msal.PublicClientApplication:
    return msal.PublicClientApplication(
        AZURE_CLI, authority=f"{emulator.urls.authority_host}/{TENANT}", instance_discovery=False
    )


def test_auth_code_flow_returns_the_id_token_refresh_token_and_client_info_msal_needs(
    emulator: EmulatorServer,
) -> None:
    app = msal_app(emulator)
    flow = app.initiate_auth_code_flow([SCOPE], redirect_uri="http://localhost:8765")  # query mode
    assert "code_challenge=" in flow["auth_uri"] and "nonce=" in flow["auth_uri"]
    with browser_client(emulator) as client:
        response = sign_in_through_pages(client, flow["auth_uri"], ADA)
    assert response["state"] == flow["state"]
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert "access_token" in result, result
    assert result["refresh_token"] and result["client_info"]
    id_claims = result["id_token_claims"]
    assert id_claims["aud"] == AZURE_CLI
    assert id_claims["iss"] == f"{emulator.urls.authority_host}/{TENANT}/v2.0"
    assert id_claims["preferred_username"] == ADA
    assert id_claims["nonce"] == msal.oauth2cli.oidc._nonce_hash(flow["nonce"])
    assert app.get_accounts()[0]["home_account_id"] == f"{ADA_OID}.{TENANT}"


def test_a_wrong_pkce_verifier_is_refused_with_aadsts501481(emulator: EmulatorServer) -> None:
    app = msal_app(emulator)
    flow = app.initiate_auth_code_flow([SCOPE], redirect_uri="http://localhost:8765")
    with browser_client(emulator) as client:
        response = sign_in_through_pages(client, flow["auth_uri"], ADA)
    flow["code_verifier"] = "a-verifier-that-does-not-match-the-challenge-sent-to-authorize"
    result = app.acquire_token_by_auth_code_flow(flow, response)
    assert result["error"] == "invalid_grant"
    assert result["error_codes"] == [501481]
    assert result["error_description"].startswith(
        "AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request."
    )


def test_an_authorization_code_is_single_use(emulator: EmulatorServer) -> None:
    app = msal_app(emulator)
    flow = app.initiate_auth_code_flow([SCOPE], redirect_uri="http://localhost:8765")
    with browser_client(emulator) as client:
        response = sign_in_through_pages(client, flow["auth_uri"], ADA)
    assert "access_token" in app.acquire_token_by_auth_code_flow(dict(flow), response)
    again = app.acquire_token_by_auth_code_flow(dict(flow), response)
    assert again["error"] == "invalid_grant" and again["error_codes"] == [54005]
    assert "Authorization code was already redeemed" in again["error_description"]


def test_form_post_mode_answers_with_an_auto_submitting_form_to_the_redirect_uri(emulator: EmulatorServer) -> None:
    app = msal_app(emulator)
    flow = app.initiate_auth_code_flow([SCOPE], redirect_uri="http://localhost:8765", response_mode="form_post")
    with browser_client(emulator) as client:
        page = client.get(flow["auth_uri"])
        for _ in range(2):  # picker, then consent
            parser = FormParser()
            parser.feed(page.text)
            form, fields = choose(parser.forms, ADA, "accept")  # type: ignore[misc]
            page = client.post(urljoin(str(page.url), form.action), data=fields)
    parser = FormParser()
    parser.feed(page.text)
    (final,) = parser.forms
    assert final.action == "http://localhost:8765" and final.method == "post"
    assert final.fields["state"] == flow["state"] and final.fields["code"]
    assert "document.forms[0].submit()" in page.text
    assert "access_token" in app.acquire_token_by_auth_code_flow(flow, final.fields)


def test_the_sign_in_page_lists_the_tenant_users_for_a_person(emulator: EmulatorServer) -> None:
    app = msal_app(emulator)
    flow = app.initiate_auth_code_flow([SCOPE], redirect_uri="http://localhost:8765")
    with browser_client(emulator) as client:
        page = client.get(flow["auth_uri"])
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "Pick an account" in page.text and ADA in page.text and GRACE in page.text


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"client_id": "00000000-0000-0000-0000-000000000000"}, "AADSTS700016"),
        ({"redirect_uri": "https://evil.example/cb"}, "AADSTS50011"),
    ],
)
def test_authorize_errors_are_shown_on_the_page(emulator: EmulatorServer, change: dict[str, str], code: str) -> None:
    params = {
        "client_id": AZURE_CLI,
        "response_type": "code",
        "redirect_uri": "http://localhost:8400",
        "scope": f"{SCOPE} openid",
        **change,
    }
    with browser_client(emulator) as client:
        page = client.get(f"{emulator.urls.authority_host}/{TENANT}/oauth2/v2.0/authorize", params=params)
    assert page.status_code == 400 and code in page.text
