"""Shared values and helpers for the Azure OpenAI data-plane tests (not a test module)."""

from __future__ import annotations

import socket
import ssl

import httpx

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import (
    CONTOSO_TENANT_ID,
    FABRIKAM_TENANT_ID,
    NOACCESS_IDENTITY_CLIENT_ID,
    NOACCESS_IDENTITY_OBJECT_ID,
)
from keyless_lab.emulator.directory.seed_ids import (
    VM_OBJECT_ID as SEED_VM_OBJECT_ID,
)
from keyless_lab.emulator.errors import DEPLOYMENT_NOT_FOUND_MESSAGE, KEY_401_MESSAGE, TOKEN_401_MESSAGE

SCOPE = "https://cognitiveservices.azure.com/.default"
API_VERSION = "2024-10-21"
CHAT_DEPLOYMENT = "gpt-4o-mini"
EMBEDDINGS_DEPLOYMENT = "text-embedding-3-small"
TENANT = CONTOSO_TENANT_ID
OTHER_TENANT = FABRIKAM_TENANT_ID
NOACCESS_CLIENT_ID = NOACCESS_IDENTITY_CLIENT_ID
NOACCESS_OBJECT_ID = NOACCESS_IDENTITY_OBJECT_ID
VM_OBJECT_ID = SEED_VM_OBJECT_ID  # re-exported for the data-plane tests
MESSAGES = [{"role": "user", "content": "Which identity am I?"}]
CHAT_PATH = f"/openai/deployments/{CHAT_DEPLOYMENT}/chat/completions?api-version={API_VERSION}"

TOKEN_401 = {"statusCode": 401, "message": TOKEN_401_MESSAGE}
KEY_401 = {"error": {"code": "401", "message": KEY_401_MESSAGE}}
RESOURCE_NOT_FOUND = {"error": {"code": "404", "message": "Resource not found"}}
DEPLOYMENT_NOT_FOUND = {"error": {"code": "DeploymentNotFound", "message": DEPLOYMENT_NOT_FOUND_MESSAGE}}


def v1_base_url(server: EmulatorServer) -> str:
    """The v1 base URL built the robust way: the endpoint ends with '/' (as Azure's does)."""
    endpoint = server.urls.openai_endpoint
    return f"{endpoint.rstrip('/')}/openai/v1/"


def http(server: EmulatorServer) -> httpx.Client:
    """A raw HTTPS client trusting the lab CA, for wire-level checks the SDKs cannot express."""
    return httpx.Client(
        base_url=server.urls.https,
        verify=ssl.create_default_context(cafile=str(server.tls.bundle)),
        timeout=10.0,
    )


def permission_denied(object_id: str, data_action: str, operation: str) -> dict[str, object]:
    return {
        "error": {
            "code": "PermissionDenied",
            "message": (
                f"The principal `{object_id}` lacks the required data action `{data_action}` to perform "
                f"`{operation}` operation."
            ),
        }
    }


def raw_post(server: EmulatorServer, path: str, header_lines: list[str], body: bytes) -> tuple[int, bytes]:
    """POST over a bare TLS socket, for header shapes HTTP clients refuse to send (e.g. 'Bearer ')."""
    host, port = server.urls.https.removeprefix("https://").rsplit(":", 1)
    context = ssl.create_default_context(cafile=str(server.tls.bundle))
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}", "Connection: close", "Content-Type: application/json"]
    lines += [*header_lines, f"Content-Length: {len(body)}", "", ""]
    request = "\r\n".join(lines).encode("latin-1")
    chunks = []
    with (
        socket.create_connection((host, int(port)), timeout=10) as plain,
        context.wrap_socket(plain, server_hostname=host) as tls,
    ):
        tls.sendall(request + body)
        while chunk := tls.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks)
    head, _, payload = response.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), payload
