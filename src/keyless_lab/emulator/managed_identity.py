"""Managed identity token endpoints: the Azure Instance Metadata Service (IMDS).

On an Azure VM, code asks `http://169.254.169.254/metadata/identity/oauth2/token` for a token;
azure-identity and MSAL honour AZURE_POD_IDENTITY_AUTHORITY_HOST, which the lab points here.
Like IMDS, this endpoint is plain HTTP, insists on the `Metadata: true` header (a defence
against server-side request forgery), and answers 400 for an identity the VM does not carry.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import errors
from .access_tokens import OPENAI_AUDIENCES
from .state import EmulatorState

IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"
# Resources a token can be requested for in the lab (others do not exist in the tenant).
KNOWN_RESOURCES = (*OPENAI_AUDIENCES, "https://management.azure.com", "https://management.azure.com/")


def _resource_from(value: str) -> str:
    """IMDS takes a resource URI; tolerate a scope (`…/.default`) as MSAL may pass either."""
    return value.removesuffix("/.default") if value.endswith("/.default") else value


def routes(state: EmulatorState) -> list[Route]:
    async def imds_token(request: Request) -> Response:
        query = request.query_params
        if request.headers.get("metadata", "").lower() != "true":
            return errors.imds_error("Required metadata header not specified")
        if not query.get("api-version"):
            return errors.imds_error("Required query variable 'api-version' is missing")
        resource = _resource_from(query.get("resource", ""))
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
            return errors.imds_error(
                f"AADSTS500011: The resource principal named {resource} was not found in the tenant named "
                f"{tenant.name if tenant else principal.tenant}. This can happen if the application has not "
                "been installed by the administrator of the tenant or consented to by any user in the tenant. "
                "You might have sent your authentication request to the wrong tenant.",
                error="invalid_resource",
            )
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

    return [Route(IMDS_TOKEN_PATH, imds_token, methods=["GET"])]
