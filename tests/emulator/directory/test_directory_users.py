"""The seeded users and first-party public client, as the sign-in flows and RBAC see them."""

from __future__ import annotations

from keyless_lab.emulator.directory import Directory
from keyless_lab.emulator.directory.seed_ids import (
    ADA_OBJECT_ID,
    AZURE_CLI_CLIENT_ID,
    BATCH_APP_CLIENT_ID,
    GRACE_OBJECT_ID,
)
from keyless_lab.emulator.openai.routes import CHAT_DATA_ACTION

ADA_OID = ADA_OBJECT_ID
GRACE_OID = GRACE_OBJECT_ID


def test_two_users_one_with_the_openai_user_role() -> None:
    directory = Directory.seeded()
    resource = directory.openai.resource_id
    assert directory.user("ADA@contosolab.onmicrosoft.com").object_id == ADA_OID  # type: ignore[union-attr]
    assert directory.user(GRACE_OID).display_name == "Grace Hopper"  # type: ignore[union-attr]
    assert directory.permits(ADA_OID, CHAT_DATA_ACTION, resource)
    assert not directory.permits(GRACE_OID, CHAT_DATA_ACTION, resource)
    assert directory.principal(GRACE_OID).principal_type == "User"  # type: ignore[union-attr]


def test_roles_can_be_assigned_to_a_user_by_upn() -> None:
    directory = Directory.seeded()
    directory.assign_role("grace@contosolab.onmicrosoft.com", "Cognitive Services OpenAI User")
    assert directory.permits(GRACE_OID, CHAT_DATA_ACTION, directory.openai.resource_id)


def test_the_azure_cli_public_client_and_the_description() -> None:
    directory = Directory.seeded()
    assert directory.public_client("04B07795-8DDB-461A-BBEE-02F9E1BF7B46").name == "Microsoft Azure CLI"  # type: ignore[union-attr]
    described = directory.describe()
    assert [u["upn"] for u in described["users"]] == [
        "ada@contosolab.onmicrosoft.com",
        "grace@contosolab.onmicrosoft.com",
    ]
    assert described["public_clients"][0]["client_id"] == AZURE_CLI_CLIENT_ID


def test_reset_client_secrets_replaces_unless_appending() -> None:
    directory = Directory.seeded()
    app = directory.application(BATCH_APP_CLIENT_ID)
    assert app is not None and len(app.secrets) == 2
    directory.reset_client_secrets(app.client_id, append=True)
    assert len(app.secrets) == 3
    new = directory.reset_client_secrets(app.client_id)
    assert app.secrets == [new]
