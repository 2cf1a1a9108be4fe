"""The `az` stand-in serves a cached access token as the real CLI does (MSAL's cache in the profile):
one Entra ID request per (tenant, scope) until five minutes before expiry, a new one after `az login`."""

from __future__ import annotations

import json

from az_cli import az

from keyless_lab.emulator import EmulatorServer

RESOURCE = "https://cognitiveservices.azure.com"


def token_requests(server: EmulatorServer, since: int) -> int:
    return len([r for r in server.state.audit.since(since) if r.service == "Entra ID"])


def get_access_token() -> str:
    result = az("account", "get-access-token", "--resource", RESOURCE, "--output", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["accessToken"]


def test_second_call_is_served_from_the_cache(fresh_emulator: EmulatorServer) -> None:
    assert az("login", "--output", "none").returncode == 0
    mark = fresh_emulator.state.audit.mark()
    first, second = get_access_token(), get_access_token()
    assert first == second and token_requests(fresh_emulator, mark) == 1
    assert az("login", "--username", "grace@contosolab.onmicrosoft.com", "--output", "none").returncode == 0
    assert get_access_token() != first, "a new sign-in starts with an empty cache"


def test_a_token_with_under_five_minutes_left_is_not_served(fresh_emulator: EmulatorServer) -> None:
    assert az("login", "--output", "none").returncode == 0
    fresh_emulator.state.policy.shorten(120)  # every new token lives two minutes
    mark = fresh_emulator.state.audit.mark()
    assert get_access_token() != get_access_token()
    assert token_requests(fresh_emulator, mark) == 2
