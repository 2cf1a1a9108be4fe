"""Emulator-only admin API for an app registration's credentials: list, delete, upload a certificate.

Backs `az ad app credential list / delete` and `az ad app credential reset --cert` in the lab's `az`
stand-in, so notebooks can teach rotation (add a second credential, switch, delete the first) with the
commands a learner runs on Azure. Shapes follow Microsoft Graph's `passwordCredentials` and
`keyCredentials` as `az` prints them; secret values are never listed (Graph returns only a hint).
Requests carry the instance's admin key, as for the other lab admin endpoints.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from cryptography import x509
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..directory import Application, ClientSecret
from ..directory.app_credentials import RegisteredCertificate
from ..state import EmulatorState
from .admin import read_json_object, require_admin_key
from .request_error import LabRequestError

CREDENTIALS_PATH = "/_lab/admin/applications/{app}/credentials"
CREDENTIAL_PATH = "/_lab/admin/applications/{app}/credentials/{key_id}"
CERTIFICATES_PATH = "/_lab/admin/applications/{app}/certificates"


def _graph_time(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def password_json(secret: ClientSecret) -> dict[str, Any]:
    """One `passwordCredentials` entry: the value is never returned after creation, only a hint."""
    return {
        "customKeyIdentifier": None,
        "displayName": secret.display_name,
        "endDateTime": _graph_time(secret.expires_at),
        "hint": secret.hint,
        "keyId": secret.key_id,
        "secretText": None,
        "startDateTime": _graph_time(secret.created_at or secret.expires_at),
    }


def certificate_json(cert: RegisteredCertificate) -> dict[str, Any]:
    """One `keyCredentials` entry. unconfirmed: whether `az` shows customKeyIdentifier as the hex
    thumbprint (as here) or as Graph's base64 form."""
    return {
        "customKeyIdentifier": cert.thumbprint,
        "displayName": cert.display_name,
        "endDateTime": _graph_time(cert.expires_at),
        "key": None,
        "keyId": cert.key_id,
        "startDateTime": _graph_time(cert.not_before),
        "type": "AsymmetricX509Cert",
        "usage": "Verify",
    }


def load_certificate(text: str) -> x509.Certificate:
    """A public certificate as `az ad app credential reset --cert` accepts it: PEM, or base64 DER."""
    if "-----BEGIN CERTIFICATE-----" in text:
        return x509.load_pem_x509_certificate(text.encode())
    return x509.load_der_x509_certificate(base64.b64decode("".join(text.split())))


def routes(state: EmulatorState) -> list[Route]:
    directory = state.directory

    def application(request: Request) -> Application:
        require_admin_key(request, state)
        try:
            return directory._application(request.path_params["app"])
        except KeyError as exc:
            raise LabRequestError(str(exc.args[0]), 404) from None

    async def list_credentials(request: Request) -> Response:
        app = application(request)
        if request.query_params.get("cert") == "true":
            return JSONResponse([certificate_json(c) for c in app.certificates])
        return JSONResponse([password_json(s) for s in app.secrets])

    async def delete_credential(request: Request) -> Response:
        app = application(request)
        key_id = request.path_params["key_id"]
        if request.query_params.get("cert") == "true":
            removed = directory.remove_certificate(app.client_id, key_id)
        else:
            removed = directory.remove_client_secret(app.client_id, key_id)
        if not removed:
            raise LabRequestError(f"No credential with key id '{key_id}' on application '{app.client_id}'", 404)
        state.audit.record("Entra ID", "delete credential", app.name, app.object_id, "admin", 204)
        return Response(status_code=204)

    async def upload_certificate(request: Request) -> Response:
        app = application(request)
        body = await read_json_object(request)
        try:
            certificate = load_certificate(str(body["certificate"]))
        except (ValueError, KeyError, TypeError):
            raise LabRequestError(
                "--cert must be a PEM or base64 DER public certificate (or @file holding one)"
            ) from None
        if not body.get("append"):
            for existing in list(app.certificates):
                directory.remove_certificate(app.client_id, existing.key_id)
        subject = certificate.subject.rfc4514_string()
        directory.add_certificate(app.client_id, display_name=subject, certificate=certificate)
        state.audit.record("Entra ID", "upload certificate", app.name, app.object_id, "admin", 200)
        return JSONResponse({"appId": app.client_id, "password": None, "tenant": app.tenant})

    return [
        Route(CREDENTIALS_PATH, list_credentials, methods=["GET"]),
        Route(CREDENTIAL_PATH, delete_credential, methods=["DELETE"]),
        Route(CERTIFICATES_PATH, upload_certificate, methods=["POST"]),
    ]
