"""The emulated directory: tenants, principals, the Azure OpenAI resource and role assignments.

`entities` holds what it is made of; `store` the `Directory` itself (seeded from `data/directory.yaml`,
queried and changed by the other surfaces); the package's names are what the emulator imports.
"""

from .app_credentials import DEFAULT_FEDERATION_AUDIENCE, FederatedCredential, RegisteredCertificate
from .entities import (
    Application,
    ClientSecret,
    Compute,
    Deployment,
    OpenAIResource,
    Principal,
    PublicClient,
    RoleAssignment,
    Tenant,
    User,
    new_secret_value,
)
from .store import SEED_FILE, Directory

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
