"""The shared Entra request helpers: tenant resolution by path segment, and the bounded form parser."""

from __future__ import annotations

from keyless_lab.emulator.directory.seed_ids import CONTOSO_TENANT_ID
from keyless_lab.emulator.entra.request_helpers import MultiTenant, parse_form, resolve_tenant
from keyless_lab.emulator.state import EmulatorState, Urls


def state() -> EmulatorState:
    return EmulatorState(urls=Urls(https="https://127.0.0.1:1", http="http://127.0.0.1:1"))


def test_a_segment_resolves_to_a_tenant_to_any_tenant_or_to_nothing() -> None:
    s = state()
    assert resolve_tenant(s, "organizations") == MultiTenant("organizations")
    assert resolve_tenant(s, "Common") == MultiTenant("Common")
    by_id, by_domain = resolve_tenant(s, CONTOSO_TENANT_ID), resolve_tenant(s, "contosolab.onmicrosoft.com")
    assert by_id is not None and by_id == by_domain and not isinstance(by_id, MultiTenant)
    assert by_id.id == CONTOSO_TENANT_ID
    assert resolve_tenant(s, "no-such-tenant.example") is None


def test_a_form_that_does_not_parse_yields_no_fields() -> None:
    assert parse_form(b"grant_type=client_credentials&scope=a%20b") == {
        "grant_type": "client_credentials",
        "scope": "a b",
    }
    assert parse_form(b"\xff\xfe") == {}
