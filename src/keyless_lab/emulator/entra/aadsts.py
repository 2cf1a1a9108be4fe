"""Entra ID's errors in one table: AADSTS code -> OAuth `error`, description template, status, and
where the text comes from; `EntraError` is what an Entra surface raises, rendered in one place
(`render`, registered as the application's handler) in Entra's body shape (`errors.entra_error`).

A grant or endpoint says *which* error happened (`raise EntraError(DEVICE_CODE_EXPIRED)`), the table
says what Entra answers. Every grant, client authentication (secrets, certificate and federated
assertions), discovery and the token and device authorization endpoints raise it where the problem
is found; no Entra function returns an error response instead of its result. The sign-in pages,
which answer a person rather than a client, show the same entries as HTML (`signin_html.error_page`)
or redirect them to the app (`signin.deliver_error`), through `Aadsts.describe`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from .. import errors


@dataclass(frozen=True)
class Aadsts:
    code: int
    error: str  # the OAuth `error` field
    template: str  # the description after `AADSTS<code>: `, with {named} fields
    seen: str  # where the text was seen, or "unconfirmed: ..." (what the lab chose and why)
    status: int = 400

    def describe(self, **fields: Any) -> str:
        """`AADSTS<code>: <text>`: a sign-in page's message and a redirected error's `error_description`."""
        return f"AADSTS{self.code}: {self.template.format(**fields)}"


BODY_TOO_LARGE = Aadsts(
    900144,
    "invalid_request",
    "The request body is too large.",
    "unconfirmed: the lab's text for a form past 64 KiB (Entra's limit and wording are not documented)",
)
MISSING_PARAMETER = Aadsts(
    900144,
    "invalid_request",
    "The request body must contain the following parameter: '{name}'.",
    "Entra ID token endpoint, a request without a required form field",
)
UNSUPPORTED_GRANT_TYPE = Aadsts(
    70003,
    "unsupported_grant_type",
    "The app requested an unsupported grant type '{grant_type}'.",
    "Entra ID token endpoint, an unknown grant_type",
)
MALFORMED_GRANT = Aadsts(
    9002313,
    "invalid_grant",
    "Invalid request. Request is malformed or invalid.",
    "Entra ID token endpoint, a grant redeemed by another client or in another tenant",
)
UNKNOWN_DEVICE_CODE = Aadsts(
    7000014,
    "invalid_grant",
    "The provided value for the input parameter 'device_code' is not valid.",
    "captured Entra responses for an unknown device_code (issue 14 fidelity 3)",
)
CONSENT_DECLINED = Aadsts(
    65004,
    "access_denied",
    "User declined to consent to access the app.",
    "Entra ID /authorize, a person who cancels the consent page (redirected to the app)",
)
DEVICE_CODE_DECLINED = Aadsts(
    65004,
    "authorization_declined",
    CONSENT_DECLINED.template,
    "unconfirmed: `authorization_declined` is Entra's documented error for a declined device flow; "
    "the code is Entra's for a declined consent",
)
DEVICE_CODE_PENDING = Aadsts(
    70016,
    "authorization_pending",
    "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    "Entra ID device code polling before the person signs in",
)
DEVICE_CODE_SLOW_DOWN = Aadsts(
    70016,
    "slow_down",
    "OAuth 2.0 device flow error. Authorization is pending. Continue polling, more slowly.",
    "unconfirmed: the lab's text for polling faster than `interval` (RFC 8628 `slow_down`)",
)
DEVICE_CODE_EXPIRED = Aadsts(
    70020,
    "expired_token",
    "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    "Entra ID device code polling after 15 minutes (the `error` field name is unconfirmed)",
)
CODE_ALREADY_REDEEMED = Aadsts(
    54005,
    "invalid_grant",
    "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing "
    "refresh token.",
    "Entra ID token endpoint, an authorization or device code redeemed twice",
)

CODE_EXPIRED = Aadsts(
    70008,
    "invalid_grant",
    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive "
    "authorization request for this user and resource.",
    "Entra ID token endpoint, an authorization code redeemed after its lifetime",
)
CODE_OTHER_CLIENT = Aadsts(
    70000,
    "invalid_grant",
    "The provided value for the 'code' parameter is not valid. The code was issued to a different client.",
    "Entra ID token endpoint, an authorization code redeemed by another client",
)
CODE_OTHER_REDIRECT_URI = Aadsts(
    70000,
    "invalid_grant",
    "The provided value for the 'redirect_uri' is not valid. The value must exactly match the redirect URI used "
    "to obtain the authorization code.",
    "Entra ID token endpoint, a code redeemed with another redirect_uri",
)
PKCE_MISMATCH = Aadsts(
    501481,
    "invalid_grant",
    "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    "Entra ID token endpoint, a PKCE code_verifier that does not match",
)
REFRESH_TOKEN_EXPIRED = Aadsts(
    700082,
    "invalid_grant",
    "The refresh token has expired due to inactivity. The token was issued on {issued} and was inactive for "
    "90.00:00:00.",
    "Entra ID token endpoint, a refresh token unused for 90 days",
)
REFRESH_TOKEN_OTHER_CLIENT = Aadsts(
    70000,
    "invalid_grant",
    "The provided value for the 'refresh_token' is not valid. The token was issued to a different client.",
    "Entra ID token endpoint, a refresh token redeemed by another client",
)

MALFORMED_JWT = Aadsts(
    50027,
    "invalid_request",
    "JWT token is invalid or malformed.",
    "Entra ID token endpoint, a client assertion that does not parse as a JWT",
)
ASSERTION_OUTSIDE_VALIDITY = Aadsts(
    700024,
    "invalid_client",
    "Client assertion is not within its valid time range. Current time: {now}, assertion valid from {valid_from}, "
    "expiry time of assertion {expiry}. Review the documentation at "
    "https://learn.microsoft.com/entra/identity-platform/certificate-credentials .",
    "Entra ID token endpoint, an expired or not yet valid client assertion",
    status=401,
)
INVALID_SCOPE = Aadsts(
    70011,
    "invalid_scope",
    "The provided value for the input parameter 'scope' is not valid. The scope {scope} is not valid.",
    "Entra ID token endpoint and /authorize, a scope naming no known resource",
)
INCOMPATIBLE_SCOPES = Aadsts(
    70011,
    "invalid_scope",
    "The provided value for the input parameter 'scope' is not valid. One or more scopes in '{scope}' are not "
    "compatible with each other.",
    "Entra ID token endpoint, client credentials asking for two resources at once",
)
SCOPE_WITHOUT_DEFAULT = Aadsts(
    1002012,
    "invalid_scope",
    "The provided value for scope {item} is not valid. Client credential flows must have a scope value with "
    "/.default suffixed to the resource identifier (application ID URI).",
    "Entra ID token endpoint, client credentials with a delegated scope",
)
UNKNOWN_RESOURCE = Aadsts(
    500011,
    "invalid_resource",
    "The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the "
    "application has not been installed by the administrator of the tenant or consented to by any user in the "
    "tenant. You might have sent your authentication request to the wrong tenant.",
    "Entra ID token endpoint, a scope for a resource the tenant does not have",
)

UNKNOWN_APPLICATION = Aadsts(
    700016,
    "unauthorized_client",
    "Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can happen if the "
    "application has not been installed by the administrator of the tenant or consented to by any user in the "
    "tenant. You may have sent your authentication request to the wrong tenant.",
    "Entra ID token endpoint, an unknown client_id",
)
NO_CLIENT_CREDENTIAL = Aadsts(
    7000218,
    "invalid_client",
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    "Entra ID token endpoint, a confidential client sending neither secret nor assertion",
    status=401,
)
UNEXPECTED_ASSERTION_TYPE = Aadsts(
    90011,
    "invalid_request",
    "Unexpected client assertion type.",
    "unconfirmed: the lab's text for a client_assertion_type other than jwt-bearer",
)
NO_CERTIFICATE_ON_CLIENT = Aadsts(
    700027,
    "invalid_client",
    "Client assertion contains an invalid signature. [Reason - The key was not found., Please visit the Azure "
    "Portal, Graph Explorer or directly use MS Graph to see configured keys for app Id '{client_id}'.]",
    "Entra ID token endpoint, a certificate assertion for a client with no certificate",
    status=401,
)
INVALID_SECRET = Aadsts(
    7000215,
    "invalid_client",
    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not "
    "the client secret ID, for a secret added to app '{client_id}'.",
    "Entra ID token endpoint, a wrong client secret",
    status=401,
)
EXPIRED_SECRET = Aadsts(
    7000222,
    "invalid_client",
    "The provided client secret keys for app '{client_id}' are expired. Visit the Azure portal to create new keys "
    "for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: "
    "https://aka.ms/certCreds.",
    "Entra ID token endpoint, a client secret past its end date",
    status=401,
)
_NO_FEDERATED_RECORD = (
    "No matching federated identity record found for presented assertion {what} '{value}'. Check your federated "
    "identity credential Subject, Audience and Issuer against the presented assertion. "
    "https://learn.microsoft.com/entra/workload-id/workload-identity-federation"
)
NO_FEDERATED_ISSUER = Aadsts(
    700211,
    "invalid_client",
    _NO_FEDERATED_RECORD,
    "Entra ID token endpoint, a federated assertion whose issuer no credential trusts",
    status=401,
)
NO_FEDERATED_AUDIENCE = Aadsts(
    700212,
    "invalid_client",
    _NO_FEDERATED_RECORD,
    "Entra ID token endpoint, a federated assertion whose audience no credential lists",
    status=401,
)
NO_FEDERATED_SUBJECT = Aadsts(
    700213,
    "invalid_client",
    _NO_FEDERATED_RECORD,
    "Entra ID token endpoint, a federated assertion whose subject no credential names",
    status=401,
)
NO_FEDERATED_SUBJECT_CASE_ONLY = Aadsts(
    7002138,
    "invalid_client",
    "No matching federated identity record found for presented assertion subject '{value}'. The subject matches "
    "with case-insensitive comparison, but not with case-sensitive comparison. Check your federated identity "
    "credential Subject, Audience and Issuer against the presented assertion. See documentation at: "
    "https://learn.microsoft.com/entra/workload-id/workload-identity-federation. See breaking change notification "
    "and remediation at: https://learn.microsoft.com/en-us/entra/identity-platform/reference-breaking-changes"
    "#august-2024.",
    "Entra ID token endpoint since its 2024-25 breaking change (federated credentials match case-sensitively), "
    "a subject that differs from a credential's only in case: the text as azure/login printed it "
    "(Azure/login#497, #515, #573)",
    status=401,
)
EXTERNAL_ISSUER_UNREACHABLE = Aadsts(
    50166,
    "invalid_request",
    "Request to External OIDC endpoint failed.",
    "Entra ID token endpoint, an external issuer whose keys cannot be fetched",
)
EXTERNAL_KEY_NOT_FOUND = Aadsts(
    700027,
    "invalid_client",
    "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by "
    "client: '{kid}']",
    "Entra ID token endpoint, a federated assertion signed with a key its issuer does not publish",
    status=401,
)
EXTERNAL_SIGNATURE_INVALID = Aadsts(
    700027,
    "invalid_client",
    "Client assertion contains an invalid signature. [Reason - Key was found, but use of the key to verify the "
    "signature failed.]",
    "Entra ID token endpoint, a federated assertion whose signature does not verify",
    status=401,
)

UNKNOWN_TENANT = Aadsts(
    90002,
    "invalid_tenant",
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the "
    "correct cloud. Check with your subscription administrator, this may happen if there are no active "
    "subscriptions for the tenant.",
    "Entra ID discovery and token endpoints, a tenant id or domain that does not exist",
)
CERTIFICATE_SIGNATURE_INVALID = Aadsts(
    700027,
    "invalid_client",
    "Client assertion contains an invalid signature. [Reason - {reason}, Thumbprint of key used by client: "
    "'{presented}',{found} Please visit the Azure Portal, Graph Explorer or directly use MS Graph to see configured "
    "keys for app Id '{client_id}'. Review the documentation at https://docs.microsoft.com/en-us/graph/deployments "
    "to determine the corresponding service endpoint and "
    "https://docs.microsoft.com/en-us/graph/api/application-get?view=graph-rest-1.0&tabs=http to build a query "
    "request URL, such as 'https://graph.microsoft.com/beta/applications/{client_id}'].",
    "Entra ID token endpoint, a certificate assertion with an unknown, expired or non-verifying key",
    status=401,
)
UNSUPPORTED_ASSERTION_ALGORITHM = Aadsts(
    5002730,
    "invalid_request",
    "Invalid JWT token. Unsupported key for the signing algorithm.",
    "Entra ID token endpoint, a certificate assertion signed with an algorithm other than RS256/PS256",
)
NO_THUMBPRINT = Aadsts(
    50027,
    "invalid_request",
    "Invalid JWT token. No certificate thumbprint specified in token header.",
    "Entra ID token endpoint, a certificate assertion without x5t or x5t#S256",
)
SUBJECT_NOT_ISSUER = Aadsts(
    50048,
    "invalid_client",
    "Subject must match the issuer claim in the client assertion.",
    "Entra ID token endpoint, a certificate assertion whose sub differs from iss",
    status=401,
)
WRONG_ASSERTION_AUDIENCE = Aadsts(
    700023,
    "invalid_client",
    "Client assertion audience claim does not match Realm issuer. Review the documentation at "
    "https://docs.microsoft.com/azure/active-directory/develop/active-directory-certificate-credentials .",
    "captured Entra responses (2021) for a wrong `aud`; older answers said AADSTS50012",
    status=401,
)


# -- the sign-in pages (/authorize, /login, /devicelogin): shown to the person as HTML, or redirected
# to the app as `error`/`error_description` query or form fields (`signin.py`) -------------------
SIGNIN_UNKNOWN_TENANT = Aadsts(
    90002,
    "invalid_tenant",
    "Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID.",
    "unconfirmed: the lab's shorter page text for AADSTS90002 (the token endpoint answers UNKNOWN_TENANT's)",
)
REDIRECT_URI_MISMATCH = Aadsts(
    50011,
    "invalid_request",
    "The redirect URI '{redirect_uri}' specified in the request does not match the redirect URIs configured for "
    "the application '{client_id}'. Make sure the redirect URI sent in the request matches one added to your "
    "application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how "
    "to fix this.",
    "Entra ID sign-in page, a redirect_uri the application has not registered",
)
RESPONSE_TYPE_NOT_ENABLED = Aadsts(
    700054,
    "unsupported_response_type",
    "response_type 'id_token' is not enabled for the application.",
    "Entra ID /authorize, a response_type other than code (the lab names 'id_token' whatever was asked)",
)
INVALID_CODE_CHALLENGE_METHOD = Aadsts(
    50149,
    "invalid_request",
    "Invalid Code_Challenge_method parameter.",
    "Entra ID /authorize, a PKCE code_challenge_method other than S256 or plain",
)
_SIGNIN_SESSION_GONE = "The sign-in session has expired or was already used. Start again from your application."
SIGNIN_SESSION_EXPIRED = Aadsts(
    50058,
    "interaction_required",
    _SIGNIN_SESSION_GONE,
    "unconfirmed: the lab's page text for a sign-in form posted with an unknown or used session (`ctx`)",
)
SIGNIN_SESSION_MISSING = Aadsts(
    900144,
    "invalid_request",
    _SIGNIN_SESSION_GONE,
    "unconfirmed: the lab's page text for a sign-in form posted without a session (`ctx`)",
)
USER_NOT_IN_DIRECTORY = Aadsts(
    50034,
    "invalid_grant",
    "The user account does not exist in this directory. To sign into this application, the account must be "
    "added to the directory.",
    "Entra ID sign-in page, an account of another tenant (Entra names the account and the directory)",
)
DEVICE_LOGIN_USER_NOT_IN_DIRECTORY = Aadsts(
    50034,
    "invalid_grant",
    "The user account does not exist in this directory.",
    "unconfirmed: the lab's shorter text on the device login page (USER_NOT_IN_DIRECTORY's first sentence)",
)


class EntraError(Exception):
    """Raised where an Entra error happens; rendered by `render` (one handler for every Entra route)."""

    def __init__(self, entry: Aadsts, **fields: Any) -> None:
        super().__init__(f"AADSTS{entry.code}")
        self.entry, self.fields = entry, fields

    def response(self) -> JSONResponse:
        entry = self.entry
        return errors.entra_error(entry.error, entry.code, entry.template.format(**self.fields), entry.status)


async def render(request: Request, exc: Exception) -> JSONResponse:
    """The application's exception handler for `EntraError`."""
    assert isinstance(exc, EntraError)
    return exc.response()
