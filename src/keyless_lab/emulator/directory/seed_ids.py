"""The fixed ids of the seeded directory (`data/directory.yaml`), by name, for code and tests that
refer to a seeded object: import these rather than retyping a GUID. A test checks each one against
the seed file, so the two cannot drift apart."""

from __future__ import annotations

# Tenants
CONTOSO_TENANT_ID = "813b284c-71c7-4e13-b233-b05203e22cc8"  # the primary tenant (the resource's)
FABRIKAM_TENANT_ID = "d1dd60de-2430-45c8-bdeb-d8d02ef27368"  # another tenant
SUBSCRIPTION_ID = "24996877-8369-403b-87ab-58c91494ea3f"

# Managed identities
VM_OBJECT_ID = "41ca9d75-a957-406b-ad9d-91ecf560bf05"  # vm-keyless-lab, system-assigned
VM_CLIENT_ID = "3b059c59-23e3-49df-9f92-e249d8db8bd4"
OPENAI_IDENTITY_OBJECT_ID = "2bafc011-d9dd-40ca-a5cd-e745af836c0b"  # id-keyless-openai, user-assigned
OPENAI_IDENTITY_CLIENT_ID = "26077e4e-b349-41d0-8d65-6a9ea39c8d7f"
NOACCESS_IDENTITY_OBJECT_ID = "1fe52de6-38e9-41f9-b69d-700f4a06b997"  # id-keyless-noaccess, no role
NOACCESS_IDENTITY_CLIENT_ID = "a30af0d7-4bf1-4e4d-874e-f4493a7cc8c2"

# App registrations (client id = appId; object id = the service principal's)
BATCH_APP_CLIENT_ID = "fbc1a949-a612-4cdb-bbd4-6d785cf74e2e"  # app-keyless-batch
BATCH_APP_OBJECT_ID = "b6a1fc7d-1c0e-4a76-97c0-b848b2ab4a29"
CI_APP_CLIENT_ID = "5c3e8f0b-7a41-4d2e-9b6a-2f1d0c9e7b34"  # app-keyless-ci
CI_APP_OBJECT_ID = "9a7d4c21-3e5f-4b80-8c19-6e2a1f0d5b47"

# Users
ADA_OBJECT_ID = "c950a965-927a-48ab-affe-69ffd0f5e0b0"  # ada@contosolab.onmicrosoft.com
GRACE_OBJECT_ID = "f436906a-973f-4ff3-9a31-46d81f4aef3a"  # grace@contosolab.onmicrosoft.com

# Public clients (first-party ids, the same on real Entra ID)
AZURE_CLI_CLIENT_ID = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
