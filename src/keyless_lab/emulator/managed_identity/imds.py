"""Managed identity token endpoints: the Azure Instance Metadata Service (IMDS).

On an Azure VM, code asks `http://169.254.169.254/metadata/identity/oauth2/token` for a token;
azure-identity and MSAL honour AZURE_POD_IDENTITY_AUTHORITY_HOST, which the lab points here.
Like IMDS, this endpoint is plain HTTP and guards against server-side request forgery: a request
must carry `Metadata: true` (exactly, in lower case, as the docs require) and must not carry
`X-Forwarded-For` (what a proxy, or a forged request relayed by a web app, adds). It takes only
the `api-version` values IMDS publishes, and answers 400 for an identity the VM does not carry.

Sources: Microsoft Learn, "Azure Instance Metadata Service" (security: both header rules; the
versioning error body and the supported versions list) and "How to use managed identities on a VM
to acquire an access token" (error table: `bad_request_102`, "Required metadata header not
specified"). Unconfirmed: the body IMDS sends when it rejects `X-Forwarded-For` (the docs say only
that such requests are rejected; the lab answers 400 in the token endpoint's error shape), and
whether the identity endpoint words an unknown api-version as the instance endpoint does (the lab
uses the documented instance-endpoint body).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import errors
from ..crypto.access_tokens import KNOWN_RESOURCES
from ..entra.aadsts import UNKNOWN_RESOURCE  # IMDS relays Entra's answer for a resource it does not know
from ..state import EmulatorState, emulator_state

IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"
# The versions IMDS lists as supported, from 2018-02-01 (when the identity category appeared).
IMDS_API_VERSIONS = (
    "2025-04-07", "2024-07-17", "2024-03-15", "2023-11-15", "2023-07-01", "2021-12-13", "2021-11-15",
    "2021-11-01", "2021-10-01", "2021-08-01", "2021-05-01", "2021-03-01", "2021-02-01", "2021-01-01",
    "2020-12-01", "2020-10-01", "2020-09-01", "2020-07-15", "2020-06-01", "2019-11-01", "2019-08-15",
    "2019-08-01", "2019-06-04", "2019-06-01", "2019-04-30", "2019-03-11", "2019-02-01", "2018-10-01",
    "2018-04-02", "2018-02-01",
)  # fmt: skip


def resource_from(value: str) -> str:
    """IMDS takes a resource URI; tolerate a scope (`…/.default`) as MSAL may pass either."""
    return value.removesuffix("/.default") if value.endswith("/.default") else value


async def imds_token(request: Request) -> Response:
    state = emulator_state(request)
    query = request.query_params
    if request.headers.get("metadata") != "true":
        return errors.imds_error("Required metadata header not specified", error="bad_request_102")
    if "x-forwarded-for" in request.headers:
        return errors.imds_error("Requests containing an X-Forwarded-For header are not accepted.")
    if query.get("api-version") not in IMDS_API_VERSIONS:
        return JSONResponse(
            {
                "error": "Bad request. api-version is invalid or was not specified in the request. For more "
                "information refer to aka.ms/azureimds",
                "newest-versions": list(IMDS_API_VERSIONS[:3]),
            },
            status_code=400,
        )
    resource = resource_from(query.get("resource", ""))
    if not resource:
        return errors.imds_error("Required query variable 'resource' is missing")
    principal = state.directory.attached_identity(
        client_id=query.get("client_id", ""),
        object_id=query.get("object_id", ""),
        resource_id=query.get("msi_res_id", "") or query.get("mi_res_id", ""),
    )
    if principal is None:
        state.audit.record("IMDS", "GET token", "(unknown identity)", "", "managed identity", 400)
        return errors.imds_error("Identity not found")
    if resource not in KNOWN_RESOURCES:
        tenant = state.directory.tenant(principal.tenant)
        where = tenant.name if tenant else principal.tenant
        description = UNKNOWN_RESOURCE.describe(resource=resource, tenant=where)
        return errors.imds_error(description, error=UNKNOWN_RESOURCE.error)
    issued = state.issuer.managed_identity_token(principal, resource, state.policy.managed_identity_lifetime)
    state.audit.record("IMDS", "GET token", principal.name, principal.object_id, "managed identity", 200)
    return JSONResponse(
        {
            "access_token": issued.token,
            "client_id": principal.client_id,
            "expires_in": str(issued.expires_in),
            "expires_on": str(issued.expires_at),
            "ext_expires_in": str(issued.expires_in),
            "not_before": str(issued.issued_at),
            "resource": resource,
            "token_type": "Bearer",
        }
    )


def routes(state: EmulatorState) -> list[Route]:
    return [Route(IMDS_TOKEN_PATH, imds_token, methods=["GET"])]
