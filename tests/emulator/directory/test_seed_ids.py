"""The named seed ids are the seeded directory's: each constant names the object it says it does."""

from __future__ import annotations

from keyless_lab.emulator.directory import Directory
from keyless_lab.emulator.directory import seed_ids as ids


def test_every_named_seed_id_is_the_seeded_directorys() -> None:
    d = Directory.seeded()
    assert d.primary_tenant.id == ids.CONTOSO_TENANT_ID
    assert d.tenant("fabrikamlab.onmicrosoft.com").id == ids.FABRIKAM_TENANT_ID  # type: ignore[union-attr]
    assert ids.SUBSCRIPTION_ID in d.openai.resource_id
    vm, openai_id, noaccess = (
        d.by_name("vm-keyless-lab"),
        d.by_name("id-keyless-openai"),
        d.by_name("id-keyless-noaccess"),
    )
    assert (vm.object_id, vm.client_id) == (ids.VM_OBJECT_ID, ids.VM_CLIENT_ID)
    assert (openai_id.object_id, openai_id.client_id) == (ids.OPENAI_IDENTITY_OBJECT_ID, ids.OPENAI_IDENTITY_CLIENT_ID)
    assert (noaccess.object_id, noaccess.client_id) == (
        ids.NOACCESS_IDENTITY_OBJECT_ID,
        ids.NOACCESS_IDENTITY_CLIENT_ID,
    )
    batch, ci = d.application(ids.BATCH_APP_CLIENT_ID), d.application(ids.CI_APP_CLIENT_ID)
    assert batch is not None and (batch.name, batch.object_id) == ("app-keyless-batch", ids.BATCH_APP_OBJECT_ID)
    assert ci is not None and (ci.name, ci.object_id) == ("app-keyless-ci", ids.CI_APP_OBJECT_ID)
    assert d.user("ada@contosolab.onmicrosoft.com").object_id == ids.ADA_OBJECT_ID  # type: ignore[union-attr]
    assert d.user("grace@contosolab.onmicrosoft.com").object_id == ids.GRACE_OBJECT_ID  # type: ignore[union-attr]
    assert d.public_client(ids.AZURE_CLI_CLIENT_ID) is not None
