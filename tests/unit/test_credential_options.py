"""`lab.credential_options`: instance discovery is skipped exactly where MSAL could not validate the host."""

from __future__ import annotations

import pytest

from keyless_lab import start_lab


@pytest.mark.parametrize(
    ("authority_host", "expected"),
    [
        (None, {}),
        ("https://login.microsoftonline.com", {}),
        ("https://login.microsoftonline.us/", {}),
        ("https://127.0.0.1:8443", {"disable_instance_discovery": True}),  # the emulator playing Azure
        ("https://adfs.contoso.example", {"disable_instance_discovery": True}),  # a private authority
    ],
)
def test_azure_mode_disables_discovery_only_for_unknown_hosts(
    monkeypatch: pytest.MonkeyPatch, authority_host: str | None, expected: dict
) -> None:
    if authority_host is None:
        monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    else:
        monkeypatch.setenv("AZURE_AUTHORITY_HOST", authority_host)
    lab = start_lab(mode="azure", endpoint="https://res.openai.azure.com", deployment="gpt-4o", quiet=True)
    assert lab.credential_options == expected


def test_emulator_mode_always_disables_discovery() -> None:
    with start_lab(quiet=True) as lab:
        assert lab.credential_options == {"disable_instance_discovery": True}
