"""The error catalogue: an error's text -> its likely cause and the fix, in one place.

Keyless failures surface far from their cause: a missing role shows up as a 401 from Azure OpenAI,
a wrong tenant as a 400, an unattached identity as "unavailable" deep inside DefaultAzureCredential.
The texts themselves are precise, though, so matching them is the fastest diagnosis. Notebook 13
shows this table, and `keyless-lab doctor` and other notebooks call `diagnose()`, so the mapping
exists once. Entries are tried in order: specific service errors first, so that a
DefaultAzureCredential message that *contains* an AADSTS error is diagnosed by that error, and
the chain-level and generic rows last.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .display import Table, stable_message

ROLE_FIX = (
    "Assign the principal 'Cognitive Services OpenAI User' on the Azure OpenAI resource: az role assignment create "
    "--assignee-object-id <oid> --assignee-principal-type ServicePrincipal --role 'Cognitive Services OpenAI User' "
    "--scope <resource id> (User for a person); allow up to 10 minutes to propagate."
)
SCOPE = "https://cognitiveservices.azure.com/.default"


@dataclass(frozen=True)
class Diagnosis:
    """What an error means and what to do about it."""

    code: str  # the error's name: an AADSTS code, an Azure OpenAI error code, or a short label
    cause: str
    fix: str
    service: str = ""  # who answered: Microsoft Entra ID, Azure OpenAI, IMDS, azure-identity, openai
    status: str = ""  # HTTP status when one is involved
    situation: str = ""  # one line: what the learner was doing

    def __str__(self) -> str:
        return f"{self.code}: {self.cause} Fix: {self.fix}"


@dataclass(frozen=True)
class CatalogueEntry:
    """A Diagnosis and the error texts it explains (case-insensitive regular expressions)."""

    diagnosis: Diagnosis
    patterns: tuple[str, ...]
    example: str  # a real error text of this kind (ids shortened), for the tests and the table

    def matches(self, text: str) -> bool:
        return any(re.search(p, text, re.IGNORECASE | re.DOTALL) for p in self.patterns)


def _entry(
    code: str,
    service: str,
    status: str,
    situation: str,
    patterns: tuple[str, ...],
    cause: str,
    fix: str,
    example: str,
) -> CatalogueEntry:
    return CatalogueEntry(Diagnosis(code, cause, fix, service, status, situation), patterns, example)


def _aadsts(code: int, status: str, situation: str, cause: str, fix: str, example: str) -> CatalogueEntry:
    """An Entra ID row: matched by `AADSTS<code>` as a whole number."""
    return _entry(
        f"AADSTS{code}",
        "Microsoft Entra ID",
        status,
        situation,
        (rf"AADSTS{code}(?!\d)",),
        cause,
        fix,
        f"AADSTS{code}: {example}",
    )


ENTRA = "Microsoft Entra ID"
AOAI = "Azure OpenAI"
IMDS = "Managed identity endpoint"
IDENTITY = "azure-identity"
OPENAI = "openai client"

_ENTRA_ROWS: tuple[CatalogueEntry, ...] = (
    # -- client secrets --------------------------------------------------------------------------
    _aadsts(
        7000215,
        "401",
        "ClientSecretCredential",
        "The client secret is wrong: often the secret's ID was copied instead of its Value, or a rotated secret.",
        "Create a new secret (az ad app credential reset --id <appId> --append) and store its Value; better, "
        "replace the secret with a certificate or a managed/workload identity.",
        "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, "
        "not the client secret ID, for a secret added to app '<appId>'.",
    ),
    _aadsts(
        7000222,
        "401",
        "ClientSecretCredential",
        "The client secret has expired (the portal allows at most 24 months).",
        "Add a new secret and roll it out before removing the old one; set an expiry alert, or move to a "
        "certificate or managed identity.",
        "The provided client secret keys for app '<appId>' are expired.",
    ),
    _aadsts(
        7000218,
        "401",
        "a confidential client",
        "The token request carried neither a client secret nor a client assertion.",
        "Give the credential its secret, certificate or assertion (for EnvironmentCredential: AZURE_CLIENT_SECRET "
        "or AZURE_CLIENT_CERTIFICATE_PATH).",
        "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
    ),
    _aadsts(
        700016,
        "400",
        "any app sign-in",
        "No application with this client id exists in the tenant asked: wrong client id, or wrong tenant id.",
        "Check AZURE_CLIENT_ID / client_id against the app registration's Application (client) ID and "
        "AZURE_TENANT_ID / tenant_id against its Directory (tenant) ID.",
        "Application with identifier '<appId>' was not found in the directory '<tenant>'.",
    ),
    _aadsts(
        90002,
        "400",
        "any sign-in",
        "The tenant in the authority URL does not exist (typo) or belongs to another cloud.",
        "Use the Directory (tenant) ID from the portal, and the authority host of the tenant's cloud.",
        "Tenant '<tenant>' not found. Check to make sure you have the correct tenant ID and are signing into the "
        "correct cloud.",
    ),
    # -- certificates and client assertions ------------------------------------------------------
    _aadsts(
        700027,
        "401",
        "CertificateCredential, or a federated assertion",
        "The assertion is signed with a key Entra ID does not have for this app: the certificate is not uploaded, "
        "was replaced, or has expired (or a federated token's signing key is unknown).",
        "Upload the certificate's public part to the app registration (az ad app credential reset --id <appId> "
        "--cert @cert.pem --append) and compare thumbprints; renew an expired certificate.",
        "Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used "
        "by client: '<thumbprint>']",
    ),
    _aadsts(
        700024,
        "401",
        "CertificateCredential or a federated assertion",
        "The client assertion is outside its validity window: the machine's clock is wrong (clock skew) or a "
        "federated token file is stale.",
        "Synchronise the clock (NTP); for workload identity, make sure the projected token file is refreshed.",
        "Client assertion is not within its valid time range.",
    ),
    _aadsts(
        700023,
        "401",
        "a hand-built client assertion",
        "The assertion's `aud` is not this tenant's token endpoint.",
        "Set aud to https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token (azure-identity does this for you).",
        "Client assertion audience claim does not match Realm issuer.",
    ),
    _aadsts(
        50012,
        "401",
        "a hand-built client assertion",
        "The assertion's `aud` is not this tenant's token endpoint (older wording of AADSTS700023).",
        "Set aud to the tenant's v2.0 token endpoint URL.",
        "Client assertion audience claim does not match Realm issuer.",
    ),
    _aadsts(
        50048,
        "401",
        "a hand-built client assertion",
        "The assertion's `sub` differs from its `iss`; both must be the client id.",
        "Set iss and sub to the application (client) id.",
        "Subject must match the issuer claim in the client assertion.",
    ),
    _aadsts(
        50027,
        "400",
        "a client assertion",
        "The JWT sent as assertion is malformed or lacks a required header (such as the certificate thumbprint).",
        "Let azure-identity build the assertion (CertificateCredential, ClientAssertionCredential), or check the "
        "JWT's header (x5t or x5t#S256) and claims.",
        "JWT token is invalid or malformed.",
    ),
    _aadsts(
        5002730,
        "400",
        "a client assertion",
        "The assertion is signed with an algorithm the key does not support.",
        "Sign with RS256 (or PS256) using the certificate's RSA key.",
        "Invalid JWT token. Unsupported key for the signing algorithm.",
    ),
    _aadsts(
        90011,
        "400",
        "a client assertion",
        "client_assertion_type is not urn:ietf:params:oauth:client-assertion-type:jwt-bearer.",
        "Send the jwt-bearer assertion type (azure-identity does).",
        "Unexpected client assertion type.",
    ),
    # -- workload identity federation -------------------------------------------------------------
    _aadsts(
        70021,
        "400",
        "WorkloadIdentityCredential / ClientAssertionCredential",
        "No federated identity credential on the app matches the external token's issuer, subject and audience.",
        "Compare the token's iss/sub/aud with the federated credential (az ad app federated-credential list): all "
        "three must match exactly, case-sensitively; audience api://AzureADTokenExchange.",
        "No matching federated identity record found for presented assertion. Assertion Issuer: '<iss>'.",
    ),
    _aadsts(
        700211,
        "401",
        "WorkloadIdentityCredential / ClientAssertionCredential",
        "No federated identity credential on the app trusts the external token's issuer.",
        "Add a federated credential with the token's exact `iss` (for AKS: the cluster's OIDC issuer URL exactly as "
        "`az aks show --query oidcIssuerProfile.issuerUrl -o tsv` prints it, trailing slash included).",
        "No matching federated identity record found for presented assertion issuer '<iss>'.",
    ),
    _aadsts(
        700212,
        "401",
        "WorkloadIdentityCredential / ClientAssertionCredential",
        "The external token's audience is not the federated credential's audience.",
        "Request the external token for audience api://AzureADTokenExchange (GitHub: azure/login does; AKS: the "
        "projected service-account token).",
        "No matching federated identity record found for presented assertion audience '<aud>'.",
    ),
    _aadsts(
        700213,
        "401",
        "WorkloadIdentityCredential / ClientAssertionCredential",
        "The external token's subject matches no federated credential: another branch, environment, pull request "
        "or service account, or a GitHub subject in the other form than the credential's (a repository with "
        "immutable subject claims sends ids the credential lacks, or a credential with ids meets a repository "
        "that still sends names).",
        "Add a federated credential for that exact subject (e.g. repo:ORG/REPO:environment:prod, with immutable "
        "subject claims repo:ORG@ORG_ID/REPO@REPO_ID:environment:prod, or system:serviceaccount:NAMESPACE:NAME).",
        "No matching federated identity record found for presented assertion subject '<sub>'.",
    ),
    _aadsts(
        7002138,
        "401",
        "WorkloadIdentityCredential / ClientAssertionCredential",
        "The external token's subject matches a federated credential only when case is ignored: the organisation, "
        "repository, environment, branch or namespace differs in case (Entra ID compares subjects case-sensitively).",
        "Make the credential's subject byte-identical to the token's: copy it from the error message or from "
        "azure/login's 'subject claim' line, or the token's own `sub` claim.",
        "No matching federated identity record found for presented assertion subject '<sub>'. The subject matches "
        "with case-insensitive comparison, but not with case-sensitive comparison.",
    ),
    _aadsts(
        50166,
        "400",
        "WorkloadIdentityCredential / ClientAssertionCredential",
        "Entra ID could not fetch the external issuer's OpenID configuration or signing keys.",
        "Make the issuer's /.well-known/openid-configuration and JWKS publicly reachable (AKS: enable the OIDC "
        "issuer).",
        "Request to External OIDC endpoint failed.",
    ),
    # -- scopes and resources --------------------------------------------------------------------
    _aadsts(
        70011,
        "400",
        "any token request",
        "The scope is not valid: a typo, several resources in one request, or a resource that does not exist.",
        f"Ask for exactly {SCOPE}.",
        "The provided value for the input parameter 'scope' is not valid.",
    ),
    _aadsts(
        1002012,
        "400",
        "an app-only token request",
        "Client credential flows need a scope of the form <resource>/.default.",
        f"Use {SCOPE}, not a bare resource or a permission name.",
        "The provided value for scope <scope> is not valid. Client credential flows must have a scope value with "
        "/.default suffixed to the resource identifier (application ID URI).",
    ),
    _aadsts(
        500011,
        "400",
        "any token request",
        "The resource in the scope does not exist in the tenant: a typo in the scope, or the resource's cloud differs.",
        f"Use {SCOPE} (the same scope for every Azure OpenAI resource in the public cloud).",
        "The resource principal named <resource> was not found in the tenant named <tenant>.",
    ),
    # -- user sign-in: browser, device code, refresh tokens ----------------------------------------
    _aadsts(
        70016,
        "400",
        "DeviceCodeCredential",
        "Not an error: the user has not finished signing in yet (authorization_pending or slow_down).",
        "Nothing: the credential keeps polling until the user signs in or `timeout` passes.",
        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.",
    ),
    _aadsts(
        70020,
        "400",
        "DeviceCodeCredential",
        "The device code expired before the user signed in (15 minutes).",
        "Run again and complete the sign-in at the verification URL in time.",
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
    ),
    _aadsts(
        7000014,
        "400",
        "DeviceCodeCredential",
        "The device code is unknown: mistyped, from another flow, or already cleaned up.",
        "Start a new device code flow.",
        "The provided value for the input parameter 'device_code' is not valid.",
    ),
    _aadsts(
        65004,
        "400",
        "a user sign-in",
        "The user declined consent (or declined the device code sign-in: error authorization_declined).",
        "Sign in again and accept; an administrator can grant tenant-wide consent for the app.",
        "User declined to consent to access the app.",
    ),
    _aadsts(
        54005,
        "400",
        "a user sign-in",
        "The authorization code (or device code) was already redeemed; codes are single-use.",
        "Start a new sign-in; cache and reuse the credential instead of redeeming the code again.",
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing "
        "refresh token.",
    ),
    _aadsts(
        70008,
        "400",
        "a user sign-in",
        "The authorization code or refresh token expired (codes live minutes, refresh tokens expire after inactivity).",
        "Sign in again.",
        "The provided authorization code or refresh token has expired due to inactivity.",
    ),
    _aadsts(
        700082,
        "400",
        "a cached user sign-in",
        "The refresh token expired after 90 days of inactivity.",
        "Sign in again (az login, or the interactive credential).",
        "The refresh token has expired due to inactivity.",
    ),
    _aadsts(
        70000,
        "400",
        "a user sign-in",
        "The code or refresh token was issued to another client, or the redirect URI differs from the sign-in's.",
        "Redeem the code with the same client id and redirect URI that started the sign-in.",
        "The provided value for the 'code' parameter is not valid. The code was issued to a different client.",
    ),
    _aadsts(
        501481,
        "400",
        "InteractiveBrowserCredential",
        "The PKCE code_verifier does not match the code_challenge of the sign-in request.",
        "Redeem the code from the same flow that created it (azure-identity and MSAL handle PKCE).",
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    ),
    _aadsts(
        9002313,
        "400",
        "a token request",
        "The request is malformed: a truncated or garbage code, refresh token or device code.",
        "Start a fresh sign-in; never edit codes or tokens by hand.",
        "Invalid request. Request is malformed or invalid.",
    ),
    _aadsts(
        50011,
        "400",
        "InteractiveBrowserCredential",
        "The redirect URI is not registered on the app (InteractiveBrowserCredential uses http://localhost).",
        "Add http://localhost as a Mobile and desktop redirect URI on the app registration.",
        "The redirect URI '<uri>' specified in the request does not match the redirect URIs configured for the "
        "application '<appId>'.",
    ),
    _aadsts(
        50149,
        "400",
        "a hand-built sign-in",
        "code_challenge_method is neither S256 nor plain.",
        "Use S256 (MSAL does).",
        "Invalid Code_Challenge_method parameter.",
    ),
    _aadsts(
        700054,
        "400",
        "a hand-built sign-in",
        "The sign-in asked for response_type id_token, which the app does not allow.",
        "Use the authorization code flow (response_type=code), as MSAL does.",
        "response_type 'id_token' is not enabled for the application.",
    ),
    _aadsts(
        50058,
        "400",
        "a user sign-in",
        "No signed-in session: the sign-in page's session expired or was already used.",
        "Start the sign-in again from the application.",
        "A silent sign-in request was sent but no user is signed in.",
    ),
    _aadsts(
        50034,
        "400",
        "a user sign-in",
        "The account is not in this tenant.",
        "Sign in with an account of the tenant, or invite it as a guest; check the tenant id.",
        "The user account does not exist in this directory.",
    ),
    # -- protocol errors ---------------------------------------------------------------------------
    _aadsts(
        900144,
        "400",
        "a hand-built token request",
        "A required form field is missing (or the request body is too large).",
        "Send every required parameter; prefer azure-identity over hand-built requests.",
        "The request body must contain the following parameter: 'grant_type'.",
    ),
    _aadsts(
        70003,
        "400",
        "a hand-built token request",
        "The grant_type is not one Entra ID supports.",
        "Use a supported grant (client_credentials, authorization_code, refresh_token, device_code, jwt-bearer).",
        "The app requested an unsupported grant type '<grant>'.",
    ),
)

_SERVICE_ROWS: tuple[CatalogueEntry, ...] = (
    # -- Azure OpenAI data plane -----------------------------------------------------------------
    _entry(
        "PermissionDenied",
        AOAI,
        "401",
        "a chat call with a valid token",
        (
            r"lacks the required data action",
            r"Principal does not have access to API/Operation",
            r"\bPermissionDenied\b",
        ),
        "The token is valid but its principal (the oid in the message) holds no role with the OpenAI data action.",
        ROLE_FIX,
        "The principal `<oid>` lacks the required data action `Microsoft.CognitiveServices/accounts/OpenAI/"
        "deployments/chat/completions/action` to perform `POST /openai/deployments/{deployment-id}/chat/completions`"
        " operation.",
    ),
    _entry(
        "401 invalid token",
        AOAI,
        "401",
        "a chat call with a bearer token",
        (r"Access token is missing, invalid, audience is incorrect",),
        "The bearer token is expired (a fixed azure_ad_token), for another audience (wrong scope), from another "
        "cloud, or not a token at all.",
        f"Pass a token provider: get_bearer_token_provider(credential, '{SCOPE}'), never a fixed token; check the "
        "scope.",
        "Unauthorized. Access token is missing, invalid, audience is incorrect (https://cognitiveservices.azure.com), "
        "or have expired.",
    ),
    _entry(
        "401 invalid key",
        AOAI,
        "401",
        "a call with an api-key header",
        (r"invalid subscription key or wrong API endpoint",),
        "The api-key header is missing, wrong or regenerated, the endpoint is another resource's, or a token was "
        "sent as the key (AzureOpenAI(api_key=<token or provider>)).",
        "For keyless: AzureOpenAI(azure_ad_token_provider=provider) or OpenAI(base_url=<endpoint>/openai/v1/, "
        "api_key=provider). For keys: use a current key of this resource.",
        "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for "
        "an active subscription and use a correct regional API endpoint for your resource.",
    ),
    _entry(
        "AuthenticationTypeDisabled",
        AOAI,
        "403",
        "a call with an api-key header",
        (r"AuthenticationTypeDisabled", r"Key based authentication is disabled"),
        "The resource has disableLocalAuth=true: keys no longer work, by design.",
        "Use Microsoft Entra ID: a credential plus get_bearer_token_provider, and a role assignment.",
        "Key based authentication is disabled for this resource.",
    ),
    _entry(
        "Tenant mismatch",
        AOAI,
        "400",
        "a chat call with a token",
        (r"does not match resource tenant", r"Tenant provided in token does not match resource token"),
        "The token was issued by another tenant than the resource's (a guest account, a multi-tenant app, or "
        "az login into the wrong directory).",
        "Request the token from the resource's tenant: tenant_id=<resource tenant> (and additionally_allowed_tenants "
        "for multi-tenant apps), or az login --tenant <resource tenant>.",
        "Token tenant <tid> does not match resource tenant.",
    ),
    _entry(
        "Custom subdomain required",
        AOAI,
        "400",
        "a call with a token to a keys-only resource",
        (r"custom subdomain for token authentication",),
        "The endpoint is a regional one (https://<region>.api.cognitive.microsoft.com/) of a resource without a "
        "custom subdomain: such a resource accepts API keys only, never Microsoft Entra ID tokens.",
        "Give the resource a custom subdomain (az cognitiveservices account update --custom-domain <name>; it "
        "cannot be undone) and use https://<name>.openai.azure.com/ as the endpoint.",
        "Please provide a custom subdomain for token authentication, otherwise API key is required.",
    ),
    _entry(
        "DeploymentNotFound",
        AOAI,
        "404",
        "a chat call",
        (r"DeploymentNotFound", r"The API deployment for this resource does not exist"),
        "No deployment with that name on this resource: model= must be the deployment name, not the model name "
        "(or the deployment is minutes old).",
        "List deployments (az cognitiveservices account deployment list) and pass the deployment name as model=.",
        "The API deployment for this resource does not exist. If you created the deployment within the last 5 "
        "minutes, please wait a moment and try again.",
    ),
    _entry(
        "404 Resource not found",
        AOAI,
        "404",
        "any Azure OpenAI call",
        (r"Resource not found",),
        "The path does not exist: an unknown or missing api-version, AzureOpenAI given a v1 base_url (it builds "
        "/openai/v1/deployments/...), or a wrong endpoint.",
        "Use a supported api-version with AzureOpenAI(azure_endpoint=...), or OpenAI(base_url=<endpoint>/openai/v1/) "
        "with no api-version.",
        "Resource not found",
    ),
    _entry(
        "429",
        AOAI,
        "429",
        "calls above the deployment's quota",
        (r"exceeded \S+ rate limit", r"Error code: 429", r"\bRateLimitError\b"),
        "The deployment's tokens-per-minute or requests-per-minute quota is exhausted.",
        "Let the client retry (openai retries 429 twice by default, honouring retry-after-ms); raise max_retries, "
        "lower concurrency, or raise the deployment's quota.",
        "Requests to the ChatCompletions Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate "
        "limit of your current OpenAI S0 pricing tier. Please retry after 1 second.",
    ),
    _entry(
        "OperationNotSupported",
        AOAI,
        "400",
        "a call to a deployment",
        (r"OperationNotSupported", r"operation does not work with the specified model"),
        "The deployment's model cannot do this operation (e.g. chat on an embeddings model).",
        "Call a deployment whose model supports the operation.",
        "The chatCompletion operation does not work with the specified model, text-embedding-3-small.",
    ),
    _entry(
        "invalid_request_error",
        AOAI,
        "400",
        "a call with a malformed body",
        (r"invalid_request_error", r"We could not parse the JSON body", r"Error code: 400"),
        "The request body is invalid (a missing or wrong field); authentication worked.",
        "Read the message's param; check the request against the API reference.",
        "Error code: 400 - 'messages' is a required property",
    ),
    # -- managed identity endpoints (IMDS, App Service) --------------------------------------------
    _entry(
        "Identity not found",
        IMDS,
        "400",
        "ManagedIdentityCredential",
        (r"Identity not found", r"No identity has been assigned to this resource", r"requested identity has not been"),
        "The selected managed identity is not attached to this compute (wrong client_id), or the compute has no "
        "system-assigned identity.",
        "Attach the identity (az vm identity assign / Identity blade) or pass the client id of one that is attached; "
        "remove a stray AZURE_CLIENT_ID.",
        "ManagedIdentityCredential authentication unavailable. No identity has been assigned to this resource. "
        "Error: Identity not found",
    ),
    _entry(
        "Unable to load the proper Managed Identity",
        IMDS,
        "400",
        "ManagedIdentityCredential on App Service",
        (r"Unable to load the proper Managed Identity",),
        "App Service has no identity with that client id / object id / resource id.",
        "Add the user-assigned identity under Settings > Identity, or fix the id you pass.",
        "Unable to load the proper Managed Identity.",
    ),
    _entry(
        "IMDS Metadata header",
        IMDS,
        "400",
        "a hand-built IMDS request",
        (r"Required metadata header not specified", r"bad_request_102"),
        "The request lacks the header Metadata: true (IMDS's defence against server-side request forgery).",
        "Send Metadata: true, or let ManagedIdentityCredential do it.",
        "Required metadata header not specified",
    ),
    _entry(
        "IMDS X-Forwarded-For",
        IMDS,
        "400",
        "an IMDS request through a proxy",
        (r"X-Forwarded-For",),
        "IMDS refuses requests carrying X-Forwarded-For: the request went through a proxy.",
        "Call IMDS directly (exclude 169.254.169.254 from HTTP(S)_PROXY via NO_PROXY).",
        "Requests containing an X-Forwarded-For header are not accepted.",
    ),
    _entry(
        "IMDS bad request",
        IMDS,
        "400",
        "a hand-built managed identity request",
        (
            r"Required query variable '[\w-]+' is missing",
            r"api-version is invalid or was not specified",
            r"Unsupported api-version",
        ),
        "A required query parameter (api-version, resource) is missing or unsupported.",
        "Let ManagedIdentityCredential build the request; by hand: api-version=2018-02-01 and resource=<resource>.",
        "Required query variable 'api-version' is missing",
    ),
    _entry(
        "X-IDENTITY-HEADER",
        IMDS,
        "401",
        "ManagedIdentityCredential on App Service",
        (r"X-IDENTITY-HEADER",),
        "The App Service token request lacks IDENTITY_HEADER's value (only code inside the app has it).",
        "Run inside the app with IDENTITY_ENDPOINT and IDENTITY_HEADER as the platform sets them.",
        "The X-IDENTITY-HEADER header is missing or does not match IDENTITY_HEADER.",
    ),
    _entry(
        "GitHub OIDC request token",
        "GitHub Actions",
        "401",
        "asking the runner for an OIDC token",
        (r"ACTIONS_ID_TOKEN_REQUEST_TOKEN",),
        "The runner rejected the request token: the job lacks `permissions: id-token: write`, or the values are stale.",
        "Add permissions: id-token: write to the workflow or job.",
        "Unauthorized: invalid ACTIONS_ID_TOKEN_REQUEST_TOKEN",
    ),
    _entry(
        "Failed to connect to MSI",
        "Azure CLI",
        "",
        "az login --identity",
        (r"Failed to connect to MSI",),
        "az could not reach the managed identity endpoint: not on Azure compute, or no identity attached.",
        "Run on Azure compute with an identity attached, or sign in another way.",
        "Failed to connect to MSI. Please make sure MSI is configured correctly.",
    ),
)

_CHAIN_ROWS: tuple[CatalogueEntry, ...] = (
    # -- azure-identity chains and unavailable credentials (after the specific service errors) ------
    _entry(
        "DefaultAzureCredential failed",
        IDENTITY,
        "",
        "DefaultAzureCredential / ChainedTokenCredential",
        (r"failed to retrieve a token from the included credentials",),
        "No credential in the chain could run here: no environment variables, no managed identity, no developer "
        "sign-in. The message lists each attempt.",
        "Read the attempts: on Azure attach a managed identity; locally run az login / azd auth login; pin the chain "
        "with AZURE_TOKEN_CREDENTIALS=dev|prod|<CredentialName> so it fails fast and says why.",
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials:\n"
        "\tEnvironmentCredential: EnvironmentCredential authentication unavailable.",
    ),
    _entry(
        "IMDS unreachable",
        IDENTITY,
        "",
        "ManagedIdentityCredential off Azure",
        (r"no response from the IMDS endpoint",),
        "No managed identity endpoint answered: the code is not on Azure compute (a laptop, another cloud, a "
        "container without the host network).",
        "On Azure, attach an identity to the compute; elsewhere use workload identity or a developer credential.",
        "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint.",
    ),
    _entry(
        "EnvironmentCredential unavailable",
        IDENTITY,
        "",
        "EnvironmentCredential",
        (r"Environment variables are not fully configured",),
        "AZURE_TENANT_ID, AZURE_CLIENT_ID and a secret or certificate are not all set.",
        "Set all of them, or rely on another credential in the chain.",
        "EnvironmentCredential authentication unavailable. Environment variables are not fully configured.",
    ),
    _entry(
        "WorkloadIdentityCredential unavailable",
        IDENTITY,
        "",
        "WorkloadIdentityCredential",
        (r"workload options are not fully configured",),
        "AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID or AZURE_TENANT_ID is missing (the pod is not labelled "
        "azure.workload.identity/use: 'true', or its service account has no client-id annotation).",
        "Label the pod and annotate the service account, or pass the values to the credential.",
        "WorkloadIdentityCredential authentication unavailable. The workload options are not fully configured.",
    ),
    _entry(
        "az login",
        IDENTITY,
        "",
        "AzureCliCredential",
        (r"Please run 'az login'",),
        "The Azure CLI is installed but not signed in (or its sign-in expired).",
        "Run az login (--tenant <tenant> if the resource is in another tenant).",
        "Please run 'az login' to set up an account",
    ),
    _entry(
        "Azure CLI not found",
        IDENTITY,
        "",
        "AzureCliCredential",
        (r"Azure CLI not found on path",),
        "`az` is not on PATH (typical in containers).",
        "Install the Azure CLI, or use a credential meant for that environment (managed or workload identity).",
        "Azure CLI not found on path",
    ),
    _entry(
        "azd auth login",
        IDENTITY,
        "",
        "AzureDeveloperCliCredential",
        (r"Please run 'azd auth login'", r"Azure Developer CLI could not be found"),
        "The Azure Developer CLI is missing or not signed in.",
        "Install azd and run azd auth login.",
        "Please run 'azd auth login' from a command prompt to authenticate before using this credential.",
    ),
    _entry(
        "Device code timeout",
        IDENTITY,
        "",
        "DeviceCodeCredential",
        (r"Timed out waiting for user to authenticate",),
        "Nobody completed the device code sign-in within the credential's timeout.",
        "Complete the sign-in at the verification URL sooner, or raise timeout=.",
        "Timed out waiting for user to authenticate",
    ),
    _entry(
        "authorization_declined",
        ENTRA,
        "400",
        "DeviceCodeCredential",
        (r"authorization_declined",),
        "The user declined the device code sign-in.",
        "Run again and approve the sign-in.",
        "authorization_declined",
    ),
    _entry(
        "https authority",
        IDENTITY,
        "",
        "any Entra ID credential",
        (r"must be a TLS protected \(https\) URL",),
        "AZURE_AUTHORITY_HOST (or authority=) is an http:// URL.",
        "Use the https authority host of your cloud, e.g. https://login.microsoftonline.com.",
        "The value must be a TLS protected (https) URL",
    ),
    _entry(
        "AZURE_TOKEN_CREDENTIALS",
        IDENTITY,
        "",
        "DefaultAzureCredential",
        (r"AZURE_TOKEN_CREDENTIALS",),
        "AZURE_TOKEN_CREDENTIALS holds a value that is not dev, prod or a credential's class name.",
        "Set it to dev, prod or one credential's name (e.g. ManagedIdentityCredential), or unset it.",
        "Invalid value for AZURE_TOKEN_CREDENTIALS: devs. Valid values are: dev, prod, ...",
    ),
    _entry(
        "additionally_allowed_tenants",
        IDENTITY,
        "",
        "get_token(..., tenant_id=<another tenant>)",
        (r"not configured to acquire tokens for tenant",),
        "The code asked for a token from a tenant other than the credential's, which azure-identity refuses by "
        "default.",
        "List the tenant in additionally_allowed_tenants=[...] when creating the credential (or '*' for any), and "
        "make sure the app exists in that tenant.",
        "The current credential is not configured to acquire tokens for tenant <tenant>.",
    ),
    _entry(
        "Invalid tenant ID",
        IDENTITY,
        "",
        "constructing a credential",
        (r"Invalid tenant ID provided",),
        "tenant_id (or AZURE_TENANT_ID) holds characters a tenant id cannot have: often a URL or quotes.",
        "Pass the Directory (tenant) ID, a GUID, or the tenant's domain name.",
        "Invalid tenant ID provided. You can locate your tenant ID by following the instructions here: ...",
    ),
    _entry(
        "Invalid scope",
        IDENTITY,
        "",
        "get_token / get_bearer_token_provider",
        (r"An invalid scope was provided",),
        "The scope string contains characters a scope cannot have (spaces, quotes).",
        f"Pass exactly {SCOPE}.",
        "An invalid scope was provided. Only alphanumeric characters, '.', '-', '_', ':', and '/' are allowed.",
    ),
    # -- the openai client itself ----------------------------------------------------------------
    _entry(
        "Missing credentials",
        OPENAI,
        "",
        "constructing AzureOpenAI",
        (r"Missing credentials\. Please pass one of",),
        "AzureOpenAI got neither an api_key nor an azure_ad_token(_provider), and no environment fallback.",
        "Pass azure_ad_token_provider=get_bearer_token_provider(credential, scope).",
        "Missing credentials. Please pass one of `api_key`, `azure_ad_token`, `azure_ad_token_provider`, or the "
        "`AZURE_OPENAI_API_KEY` or `AZURE_OPENAI_AD_TOKEN` environment variables.",
    ),
    _entry(
        "Certificate verify failed",
        "TLS",
        "",
        "any HTTPS call",
        (r"CERTIFICATE_VERIFY_FAILED",),
        "The server's certificate is not trusted here: a TLS-inspecting proxy, or a container without CA certificates.",
        "Install the CA bundle (ca-certificates) or point REQUESTS_CA_BUNDLE and SSL_CERT_FILE at the proxy's CA.",
        "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate",
    ),
    _entry(
        "Connection error",
        OPENAI,
        "",
        "any Azure OpenAI call",
        (r"^APIConnectionError", r"APITimeoutError", r"Connection error\."),
        "No HTTP answer: DNS, a firewall, a private endpoint the caller's network cannot resolve, or a timeout.",
        "Check the endpoint name resolves to the private IP inside the VNet (nslookup), and the resource's network "
        "rules allow the caller.",
        "APIConnectionError: Connection error.",
    ),
    _entry(
        "AADSTS (other)",
        ENTRA,
        "",
        "any Entra ID request",
        (r"AADSTS\d+",),
        "An Entra ID error this catalogue does not list.",
        "Look the code up at https://login.microsoftonline.com/error?code=<number> .",
        "AADSTS123456: An unlisted error.",
    ),
)

CATALOGUE: tuple[CatalogueEntry, ...] = _ENTRA_ROWS + _SERVICE_ROWS + _CHAIN_ROWS


def error_text(error: BaseException | str) -> str:
    """Everything an error says: type, message, response body and the chain of causes."""
    if isinstance(error, str):
        return error
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append(f"{type(current).__name__}: {current}")
        body = getattr(current, "body", None)
        if body is not None:
            parts.append(body if isinstance(body, str) else json.dumps(body, default=str))
        current = current.__cause__ or current.__context__
    return "\n".join(parts)


def diagnose(error: BaseException | str) -> Diagnosis | None:
    """The catalogue's first entry whose pattern matches the error's text, or None."""
    text = error_text(error)
    for entry in CATALOGUE:
        if entry.matches(text):
            return entry.diagnosis
    return None


def catalogue_table(codes: tuple[str, ...] | None = None) -> Table:
    """The catalogue (or the rows named by `codes`) as one table: error, where, status, cause, fix."""
    rows = [e.diagnosis for e in CATALOGUE if codes is None or e.diagnosis.code in codes]
    return Table(
        ("error", "from", "status", "cause", "fix"), [(d.code, d.service, d.status, d.cause, d.fix) for d in rows]
    )


def diagnosis_table(errors: dict[str, BaseException | str]) -> Table:
    """One row per observed error: what was tried, the error's first words, and the catalogue's diagnosis."""
    rows = []
    for attempt, error in errors.items():
        found = diagnose(error)
        message = stable_message(error if isinstance(error, str) else f"{type(error).__name__}: {error}", limit=90)
        rows.append((attempt, message, found.code if found else "(not in the catalogue)", found.fix if found else ""))
    return Table(("attempt", "error", "diagnosis", "fix"), rows)
