"""The emulated directory: tenants, principals, the Azure OpenAI resource and role assignments.

`store` holds the `Directory` (seeded from `data/directory.yaml`, queried and changed by the other
surfaces); this package's names are what the rest of the emulator imports.
"""

from ..app_credentials import DEFAULT_FEDERATION_AUDIENCE, FederatedCredential, RegisteredCertificate
from .store import (
    SEED_FILE,
    Application,
    ClientSecret,
    Compute,
    Deployment,
    Directory,
    OpenAIResource,
    Principal,
    PublicClient,
    RoleAssignment,
    Tenant,
    User,
    new_secret_value,
)

__all__ = [
    "DEFAULT_FEDERATION_AUDIENCE",
    "SEED_FILE",
    "Application",
    "ClientSecret",
    "Compute",
    "Deployment",
    "Directory",
    "FederatedCredential",
    "OpenAIResource",
    "Principal",
    "PublicClient",
    "RegisteredCertificate",
    "RoleAssignment",
    "Tenant",
    "User",
    "new_secret_value",
]
