"""Environment recipes: the variables another process (a notebook kernel, an app, `az`, a pod, a CI
job) needs to use a running emulator with its code unchanged, as each Azure host would set them.

The lab's control plane rather than serving: `EmulatorServer`'s methods of the same names call these.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ... import shims

if TYPE_CHECKING:
    from ..server import EmulatorServer

DEFAULT_SIGNIN_USER = "ada@contosolab.onmicrosoft.com"


def emulator_environment(server: EmulatorServer) -> dict[str, str]:
    """Every variable another process needs to use this emulator with unchanged code."""
    first_deployment = next(iter(server.state.directory.openai.deployments))
    return {
        "AZURE_AUTHORITY_HOST": server.urls.authority_host,
        "AZURE_POD_IDENTITY_AUTHORITY_HOST": server.urls.http,
        "REQUESTS_CA_BUNDLE": str(server.tls.bundle),
        "SSL_CERT_FILE": str(server.tls.bundle),
        "AZURE_OPENAI_ENDPOINT": server.urls.openai_endpoint,
        "AZURE_OPENAI_DEPLOYMENT": first_deployment,
        "KEYLESS_LAB_DIRECTORY": str(server.directory_file),
        **tool_environment(server),
    }


def tool_environment(server: EmulatorServer) -> dict[str, str]:
    """The developer tools' side: `az`/`azd` stand-ins first on PATH (shadowing real ones, which
    would call Microsoft's hosts), their config folders, the scripted browser, the user it and
    `az login` sign in by default, and the key of the emulator-only admin API."""
    return {
        "PATH": shims.path_with(server.bin_dir),
        "AZURE_CONFIG_DIR": str(server.state_dir / "azure-cli"),
        "AZD_CONFIG_DIR": str(server.state_dir / "azd"),
        "BROWSER": str(shims.stable_browser()),
        "KEYLESS_LAB_SIGNIN_USER": DEFAULT_SIGNIN_USER,
        "KEYLESS_LAB_ADMIN_KEY": server.state.admin_secret,
        "AZURE_CORE_COLLECT_TELEMETRY": "false",
    }


def app_service_environment(server: EmulatorServer) -> dict[str, str]:
    """What App Service sets for code with a managed identity: apply these (on top of
    `environment()`) and ManagedIdentityCredential talks to the App Service endpoint instead of IMDS."""
    return {
        "IDENTITY_ENDPOINT": f"{server.urls.http}/msi/token",
        "IDENTITY_HEADER": server.state.identity_header,
    }


def workload_identity_environment(
    server: EmulatorServer, client_id: str, namespace: str, service_account: str, token_file: Path | None = None
) -> dict[str, str]:
    """What the AKS workload identity webhook injects into a pod whose service account is annotated
    with `azure.workload.identity/client-id`: a projected token file from the emulated cluster
    issuer plus the four variables WorkloadIdentityCredential reads."""
    path = token_file or server.state_dir / "workload-identity" / namespace / service_account / "azure-identity-token"
    server.state.external_issuers.aks.write_token_file(path, namespace, service_account)
    return {
        "AZURE_CLIENT_ID": client_id,
        "AZURE_TENANT_ID": server.state.directory.primary_tenant.id,
        "AZURE_FEDERATED_TOKEN_FILE": str(path),
        "AZURE_AUTHORITY_HOST": server.urls.authority_host,
    }


# Variables that would send a credential to a real Azure endpoint (or pick a different identity)
# if they leaked into emulator mode from the learner's shell.
UNSET_IN_EMULATOR_MODE = (
    "AZURE_REGIONAL_AUTHORITY_NAME",
    "MSAL_FORCE_REGION",
    "IDENTITY_ENDPOINT",
    "IDENTITY_HEADER",
    "IDENTITY_SERVER_THUMBPRINT",
    "IMDS_ENDPOINT",
    "MSI_ENDPOINT",
    "MSI_SECRET",
    "AZURE_CLIENT_ID",
    "AZURE_CLIENT_SECRET",
    "AZURE_TENANT_ID",
    "AZURE_CLIENT_CERTIFICATE_PATH",
    "AZURE_CLIENT_CERTIFICATE_PASSWORD",
    "AZURE_FEDERATED_TOKEN_FILE",
    "AZURE_USERNAME",
    "AZURE_PASSWORD",
    "AZURE_TOKEN_CREDENTIALS",
    "AZURE_OPENAI_API_KEY",
    "AZURE_OPENAI_AD_TOKEN",
    "ACTIONS_ID_TOKEN_REQUEST_URL",
    "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
)
