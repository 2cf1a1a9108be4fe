"""The client credentials grant: an application signs in as itself.

Client authentication methods: a client secret (`client_secret`); certificates and federated
assertions (`client_assertion`) arrive with the Entra ID emulator issue.
"""

from __future__ import annotations

import hmac

from starlette.responses import Response

from .. import errors
from ..managed_identity import KNOWN_RESOURCES
from ..state import EmulatorState
from .base import TokenRequest, invalid_scope, resource_of_default_scope, token_response


def unknown_application(client_id: str, tenant_name: str) -> Response:
    return errors.entra_error(
        "unauthorized_client",
        700016,
        f"Application with identifier '{client_id}' was not found in the directory '{tenant_name}'. This can "
        "happen if the application has not been installed by the administrator of the tenant or consented to "
        "by any user in the tenant. You may have sent your authentication request to the wrong tenant.",
    )


async def client_credentials(state: EmulatorState, req: TokenRequest) -> Response:
    client_id = req.fields.get("client_id", "").lower()
    if not client_id:
        return errors.entra_error(
            "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'."
        )
    app = state.directory.application(client_id)
    if app is None or app.tenant != req.tenant.id:
        return unknown_application(client_id, req.tenant.name)

    presented = req.fields.get("client_secret")
    if presented is None:
        return errors.entra_error(
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            status=401,
        )
    matching = [s for s in app.secrets if hmac.compare_digest(s.value.encode(), presented.encode())]
    if not matching:
        return errors.entra_error(
            "invalid_client",
            7000215,
            "Invalid client secret provided. Ensure the secret being sent in the request is the client secret "
            f"value, not the client secret ID, for a secret added to app '{app.client_id}'.",
            status=401,
        )
    if all(s.expires_at < state.clock.now() for s in matching):
        return errors.entra_error(
            "invalid_client",
            7000222,
            f"The provided client secret keys for app '{app.client_id}' are expired. Visit the Azure portal to "
            f"create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate "
            f"credentials for added security: https://aka.ms/certCreds.",
            status=401,
        )

    scope = req.fields.get("scope", "")
    resource = resource_of_default_scope(scope)
    if resource is None or resource not in KNOWN_RESOURCES:
        return invalid_scope(scope)
    principal = state.directory.principal(app.object_id)
    assert principal is not None  # every application has its service principal
    issued = state.issuer.application_token(principal, resource, state.policy.entra_lifetime, client_auth="1")
    state.audit.record("Entra ID", "token client_credentials", app.name, app.object_id, "client secret", 200)
    return token_response(issued)
