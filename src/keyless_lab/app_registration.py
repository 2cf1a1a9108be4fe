"""Emulator-only stand-ins for what a learner copies out of the Azure portal for an app registration.

On Azure you create a client secret or upload a certificate under *Certificates & secrets*, then put
the values where your program reads them (a `.env` file outside the repository, Key Vault, a CI
secret store). In the lab, these helpers hand the notebooks the seeded app's material the same way:
as files in a fresh temporary folder, never as printed values.
"""

from __future__ import annotations

from pathlib import Path

from .config import LabConfigurationError, Secret
from .emulator.directory import Application, Directory
from .lab import Lab

SERVICE_PRINCIPAL_VARIABLES = ("AZURE_TENANT_ID", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET")


def _directory(lab: Lab, what: str) -> Directory:
    if lab.server is None:
        raise LabConfigurationError(f"{what} is emulator-only; on Azure use Certificates & secrets in the portal")
    return lab.server.state.directory


def _application(directory: Directory, name: str) -> Application:
    for app in directory.applications.values():
        if app.name == name:
            return app
    raise LabConfigurationError(f"no application named {name!r} in the lab directory")


def lab_secret(lab: Lab, app: str, display_name: str) -> Secret:
    """Emulator-only: the value of a seeded client secret (e.g. the expired one), masked in reprs."""
    application = _application(_directory(lab, "reading a lab secret"), app)
    for secret in application.secrets:
        if secret.display_name == display_name:
            return Secret(secret.value)
    raise LabConfigurationError(f"application {app!r} has no secret named {display_name!r}")


def write_service_principal_env(
    lab: Lab, folder: Path, app: str = "app-keyless-batch", secret: str = "lab-secret"
) -> Path:
    """Emulator-only: a `.env` (mode 600) with the three variables EnvironmentCredential reads,
    as a learner writes it from the portal's Overview and Certificates & secrets pages."""
    application = _application(_directory(lab, "writing a service principal .env"), app)
    values = (application.tenant, application.client_id, lab_secret(lab, app, secret))
    path = Path(folder) / ".env"
    path.write_text(
        "".join(f"{name}={value}\n" for name, value in zip(SERVICE_PRINCIPAL_VARIABLES, values, strict=True))
    )
    path.chmod(0o600)
    return path


def add_expired_certificate(lab: Lab, app: str = "app-keyless-batch") -> Path:
    """Emulator-only: register a certificate that expired yesterday; returns its PEM (key + certificate).

    Entra keeps an expired certificate credential listed until someone deletes it, and refuses
    assertions signed with it; in the lab it stands for a certificate that lapsed after its upload.
    """
    directory = _directory(lab, "an expired certificate")
    registered = directory.add_certificate(_application(directory, app).client_id, "expired", expires_in_days=-1)
    assert registered.files is not None  # the lab generated it
    return registered.files.pem_path
