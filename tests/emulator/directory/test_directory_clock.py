"""Client secret and certificate lifetimes are counted on the emulator's injectable clock, as tokens
are: a lab whose clock is moved sees credentials expire on that clock, not on the wall clock."""

from __future__ import annotations

import pytest

from keyless_lab.emulator.clock import Clock
from keyless_lab.emulator.directory.seed_ids import BATCH_APP_CLIENT_ID
from keyless_lab.emulator.state import EmulatorState, Urls

DAY = 86_400


def lab_a_year_back() -> EmulatorState:
    state = EmulatorState(
        urls=Urls(https="https://127.0.0.1:1", http="http://127.0.0.1:1"), clock=Clock(offset=-365 * DAY)
    )
    assert state.directory.clock is state.clock
    return state


def test_a_new_client_secret_expires_on_the_emulator_clock() -> None:
    state = lab_a_year_back()
    secret = state.directory.add_client_secret(BATCH_APP_CLIENT_ID, expires_in_days=30)
    assert secret.expires_at == pytest.approx(state.clock.now() + 30 * DAY, abs=60)


def test_a_new_certificate_is_valid_from_and_until_the_emulator_clock() -> None:
    state = lab_a_year_back()
    registered = state.directory.add_certificate(BATCH_APP_CLIENT_ID, "clocked", expires_in_days=30)
    # Valid from five minutes before "now", for whole days: the end is within minutes of now + 30 days.
    assert registered.expires_at == pytest.approx(state.clock.now() + 30 * DAY, abs=600)
    assert registered.not_before <= state.clock.now()
