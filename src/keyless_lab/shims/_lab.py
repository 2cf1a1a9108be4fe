"""What the shims share: talking to the emulator over HTTPS loopback, and their config files."""

from __future__ import annotations

import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # also what azd signs in with
SIGNIN_USER_VAR = "KEYLESS_LAB_SIGNIN_USER"
ADMIN_KEY_VAR = "KEYLESS_LAB_ADMIN_KEY"
ADMIN_HEADER = "X-Keyless-Lab-Admin-Key"


class LabError(Exception):
    """An error to print (already worded as the real tool words it) with an exit code."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def authority() -> str:
    host = os.environ.get("AZURE_AUTHORITY_HOST", "").rstrip("/")
    if not host:
        raise LabError("ERROR: AZURE_AUTHORITY_HOST is not set: this keyless-lab stand-in needs the lab environment.")
    return host


def _opener() -> urllib.request.OpenerDirector:
    cafile = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("SSL_CERT_FILE") or None
    context = ssl.create_default_context(cafile=cafile)
    # No proxies: the emulator is on loopback, and a proxy variable must not send us elsewhere.
    return urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))


def request(
    url: str,
    form: dict[str, str] | None = None,
    body: Any = None,
    method: str | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """One HTTP call; returns (status, parsed JSON or text). Network failures become LabError."""
    data, all_headers = None, dict(headers or {})
    if form is not None:
        data = urlencode(form).encode()
        all_headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif body is not None:
        data = json.dumps(body).encode()
        all_headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=all_headers, method=method)
    try:
        with _opener().open(req, timeout=30) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        raise LabError(f"ERROR: cannot reach the keyless-lab emulator at {url}: {exc}") from None
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def token_request(tenant: str, form: dict[str, str]) -> dict[str, Any]:
    """POST the token endpoint; an Entra error becomes LabError("ERROR: AADSTS…")."""
    status, body = request(f"{authority()}/{tenant}/oauth2/v2.0/token", form=form)
    if status != 200 or not isinstance(body, dict) or "access_token" not in body:
        description = body.get("error_description", body) if isinstance(body, dict) else body
        raise LabError(f"ERROR: {description}")
    return body


def scripted_sign_in(tenant: str, scope: str, user: str) -> dict[str, Any]:
    """Sign `user` in without a person: start a device code flow and approve it through the lab's
    emulator-only endpoint (what a person does on the verification page), then redeem it."""
    status, flow = request(
        f"{authority()}/{tenant}/oauth2/v2.0/devicecode", form={"client_id": AZURE_CLI_CLIENT_ID, "scope": scope}
    )
    if status != 200:
        raise LabError(f"ERROR: {flow.get('error_description', flow) if isinstance(flow, dict) else flow}")
    admin("POST", "/_lab/devicecode/approve", {"user_code": flow["user_code"], "user": user})  # needs the admin key
    return redeem_device_code(tenant, flow["device_code"])


def device_code_sign_in(tenant: str, scope: str) -> dict[str, Any]:
    """Sign in as a person does: print the code and the page, then poll until they are done."""
    import time

    status, flow = request(
        f"{authority()}/{tenant}/oauth2/v2.0/devicecode", form={"client_id": AZURE_CLI_CLIENT_ID, "scope": scope}
    )
    if status != 200:
        raise LabError(f"ERROR: {flow.get('error_description', flow) if isinstance(flow, dict) else flow}")
    print(flow["message"], file=sys.stderr, flush=True)
    deadline = time.monotonic() + int(flow["expires_in"])
    while time.monotonic() < deadline:
        time.sleep(int(flow.get("interval", 5)))
        status, body = request(
            f"{authority()}/{tenant}/oauth2/v2.0/token",
            form={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "client_id": AZURE_CLI_CLIENT_ID,
                "device_code": flow["device_code"],
                "client_info": "1",
            },
        )
        if status == 200:
            return body
        if not isinstance(body, dict) or body.get("error") not in ("authorization_pending", "slow_down"):
            raise LabError(f"ERROR: {body.get('error_description', body) if isinstance(body, dict) else body}")
    raise LabError("ERROR: timed out waiting for the device code sign-in")


def redeem_device_code(tenant: str, device_code: str) -> dict[str, Any]:
    return token_request(
        tenant,
        {
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "client_id": AZURE_CLI_CLIENT_ID,
            "device_code": device_code,
            "client_info": "1",
        },
    )


def refresh(tenant: str, refresh_token: str, scope: str) -> dict[str, Any]:
    return token_request(
        tenant,
        {
            "grant_type": "refresh_token",
            "client_id": AZURE_CLI_CLIENT_ID,
            "refresh_token": refresh_token,
            "scope": f"{scope} offline_access openid profile",
            "client_info": "1",
        },
    )


def client_secret_token(tenant: str, client_id: str, secret: str, scope: str) -> dict[str, Any]:
    return token_request(
        tenant, {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "scope": scope}
    )


def certificate_assertion(pem_path: str, client_id: str, token_url: str) -> str:
    """A client assertion signed with the certificate's key, shaped as MSAL 1.39 builds it:
    header `x5t` = base64url SHA-1 thumbprint *with* padding; `aud` = the token endpoint; `iss` =
    `sub` = the client id; `exp` = `iat` + 600. The PEM file holds the private key and the
    certificate, as `az login --service-principal --certificate` expects."""
    import base64
    import time
    import uuid

    import jwt
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    try:
        data = Path(pem_path).read_bytes()
        key = serialization.load_pem_private_key(data, password=None)
        certificate = x509.load_pem_x509_certificate(data)
    except (OSError, ValueError, TypeError) as exc:
        raise LabError(f"ERROR: cannot read the private key and certificate from '{pem_path}': {exc}") from None
    thumbprint = base64.urlsafe_b64encode(
        certificate.fingerprint(hashes.SHA1())
    ).decode()  # SHA-1: what Entra's x5t names
    now = time.time()
    claims = {
        "aud": token_url,
        "iss": client_id,
        "sub": client_id,
        "jti": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"typ": "JWT", "x5t": thumbprint})  # type: ignore[arg-type]


def client_certificate_token(tenant: str, client_id: str, pem_path: str, scope: str) -> dict[str, Any]:
    assertion = certificate_assertion(pem_path, client_id, f"{authority()}/{tenant}/oauth2/v2.0/token")
    return token_request(
        tenant,
        {
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": assertion,
            "scope": scope,
        },
    )


def managed_identity_token(resource: str, client_id: str = "", object_id: str = "", resource_id: str = "") -> dict:
    """Ask the (emulated) IMDS, as `az login --identity` does on an Azure VM."""
    host = os.environ.get("AZURE_POD_IDENTITY_AUTHORITY_HOST", "").rstrip("/")
    if not host:
        raise LabError("ERROR: Failed to connect to MSI. Please make sure MSI is configured correctly.")
    query = {"api-version": "2018-02-01", "resource": resource}
    for name, value in (("client_id", client_id), ("object_id", object_id), ("msi_res_id", resource_id)):
        if value:
            query[name] = value
    status, body = request(f"{host}/metadata/identity/oauth2/token?{urlencode(query)}", headers={"Metadata": "true"})
    if status != 200 or not isinstance(body, dict):
        detail = body.get("error_description", body) if isinstance(body, dict) else body
        raise LabError(f"ERROR: Failed to connect to MSI. Please make sure MSI is configured correctly.\n{detail}")
    return body


def admin(method: str, path: str, body: dict[str, Any] | None) -> Any:
    key = os.environ.get(ADMIN_KEY_VAR, "")
    status, answer = request(f"{authority()}{path}", body=body, method=method, headers={ADMIN_HEADER: key})
    if status >= 300:
        raise LabError(f"ERROR: {answer.get('error', answer) if isinstance(answer, dict) else answer}")
    return answer


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def write_private_json(path: Path, data: dict[str, Any]) -> None:
    """Write a file only the owner can read (it holds a refresh token or a client secret)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh, indent=2)


def jwt_claims(token: str) -> dict[str, Any]:
    """The (unverified) claims of a JWT: the shims only display what the emulator issued."""
    import base64

    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
