"""The error bodies Azure returns, word for word, as Starlette responses.

Keeping them in one module makes them easy to compare with what real Azure answers; every
surface of the emulator answers errors through these functions.
"""

from __future__ import annotations

import datetime as dt
import uuid

from starlette.responses import JSONResponse

TOKEN_401_MESSAGE = (
    "Unauthorized. Access token is missing, invalid, audience is incorrect "
    "(https://cognitiveservices.azure.com), or have expired."
)
KEY_401_MESSAGE = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid "
    "key for an active subscription and use a correct regional API endpoint for your resource."
)
DEPLOYMENT_NOT_FOUND_MESSAGE = (
    "The API deployment for this resource does not exist. If you created the deployment within the "
    "last 5 minutes, please wait a moment and try again."
)


# -- Azure OpenAI data plane ----------------------------------------------------------------------
def invalid_token() -> JSONResponse:
    """Expired token, wrong audience, bad signature: a top-level body with no `error` wrapper."""
    return JSONResponse({"statusCode": 401, "message": TOKEN_401_MESSAGE}, status_code=401)


def invalid_key() -> JSONResponse:
    return JSONResponse({"error": {"code": "401", "message": KEY_401_MESSAGE}}, status_code=401)


def key_auth_disabled() -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "AuthenticationTypeDisabled",
                "message": "Key based authentication is disabled for this resource.",
            }
        },
        status_code=403,
    )


def custom_subdomain_required() -> JSONResponse:
    """A token sent to a resource without a custom subdomain: only keys work there. The text and 400
    are as reported from Azure (regional endpoints); the body's exact shape beyond code/message is
    unconfirmed."""
    return JSONResponse(
        {
            "error": {
                "code": "BadRequest",
                "message": "Please provide a custom subdomain for token authentication, otherwise API key is required.",
            }
        },
        status_code=400,
    )


def tenant_mismatch(token_tenant: str) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "Tenant provided in token does not match resource token",
                "message": f"Token tenant {token_tenant} does not match resource tenant.",
            }
        },
        status_code=400,
    )


def permission_denied(principal_id: str, data_action: str, operation: str) -> JSONResponse:
    return JSONResponse(
        {
            "error": {
                "code": "PermissionDenied",
                "message": (
                    f"The principal `{principal_id}` lacks the required data action `{data_action}` "
                    f"to perform `{operation}` operation."
                ),
            }
        },
        status_code=401,
    )


def deployment_not_found() -> JSONResponse:
    return JSONResponse(
        {"error": {"code": "DeploymentNotFound", "message": DEPLOYMENT_NOT_FOUND_MESSAGE}}, status_code=404
    )


def resource_not_found() -> JSONResponse:
    """What Azure OpenAI answers for an unknown path or a request without `api-version`."""
    return JSONResponse({"error": {"code": "404", "message": "Resource not found"}}, status_code=404)


def invalid_request(message: str, param: str | None = None, code: str | None = None) -> JSONResponse:
    """A request-validation error in the OpenAI shape that Azure OpenAI passes through (400)."""
    return JSONResponse(
        {"error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}},
        status_code=400,
    )


def operation_not_supported(operation: str, model: str) -> JSONResponse:
    """An operation called on a deployment whose model cannot do it (e.g. chat on an embeddings model)."""
    return JSONResponse(
        {
            "error": {
                "code": "OperationNotSupported",
                "message": (
                    f"The {operation} operation does not work with the specified model, {model}. Please choose "
                    "different model and try again. You can learn more about which models can be used with each "
                    "operation here: https://go.microsoft.com/fwlink/?linkid=2197993."
                ),
            }
        },
        status_code=400,
    )


def rate_limited(operation: str, api_version: str, limit: str, seconds: int, headers: dict[str, str]) -> JSONResponse:
    """429 from a deployment's quota; `limit` is "call" or "token" (Azure's two wordings)."""
    return JSONResponse(
        {
            "error": {
                "code": "429",
                "message": (
                    f"Requests to the {operation} Operation under Azure OpenAI API version {api_version} have "
                    f"exceeded {limit} rate limit of your current OpenAI S0 pricing tier. Please retry after "
                    f"{seconds} second{'s' if seconds != 1 else ''}. Please go here: https://aka.ms/oai/quotaincrease "
                    "if you would like to further increase the default rate limit."
                ),
            }
        },
        status_code=429,
        headers=headers,
    )


# -- Microsoft Entra ID (OAuth 2.0) ---------------------------------------------------------------
def entra_error(error: str, code: int, description: str, status: int = 400) -> JSONResponse:
    """An OAuth error in Entra's shape: `AADSTS<code>: <description>` plus trace fields."""
    trace_id, correlation_id = str(uuid.uuid4()), str(uuid.uuid4())
    timestamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    return JSONResponse(
        {
            "error": error,
            "error_description": (
                f"AADSTS{code}: {description} Trace ID: {trace_id} Correlation ID: {correlation_id} "
                f"Timestamp: {timestamp}"
            ),
            "error_codes": [code],
            "timestamp": timestamp,
            "trace_id": trace_id,
            "correlation_id": correlation_id,
            "error_uri": f"https://login.microsoftonline.com/error?code={code}",
        },
        status_code=status,
    )


# -- Instance Metadata Service -------------------------------------------------------------------
def imds_error(description: str, error: str = "invalid_request", status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)
