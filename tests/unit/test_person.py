"""start_person: who answers the sign-in pages in notebooks 07 and 08, scripted or yourself."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import DeviceCodeCredential

from keyless_lab import Lab, LabConfigurationError, start_lab
from keyless_lab.person import Person, ScreenReader, start_person

SCOPE = "https://cognitiveservices.azure.com/.default"
GRACE = "grace@contosolab.onmicrosoft.com"


@pytest.fixture
def lab(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lab]:
    monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    monkeypatch.delenv("BROWSER", raising=False)  # `yourself` would open this machine's own browser
    with start_lab(quiet=True) as started:
        yield started


def show_code(verification_uri: str, user_code: str, expires_on: dt.datetime) -> None:
    print(f"To sign in, open {verification_uri} and enter the code {user_code}.")


def device_code_credential(lab: Lab, timeout: int = 20) -> DeviceCodeCredential:
    return DeviceCodeCredential(prompt_callback=show_code, timeout=timeout, **lab.credential_options)


def upn(credential: DeviceCodeCredential) -> str:
    return str(jwt.decode(credential.get_token(SCOPE).token, options={"verify_signature": False})["upn"])


def test_an_unknown_choice_stops_with_one_line(lab: Lab) -> None:
    with pytest.raises(LabConfigurationError, match="sign_in must be one of scripted, yourself"):
        start_person(lab, "automatic")


def test_scripted_person_reads_the_printed_code_and_signs_in(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    person = start_person(lab, "scripted")
    try:
        assert capsys.readouterr().out.startswith("Sign-in: scripted.")
        assert upn(device_code_credential(lab)) == "ada@contosolab.onmicrosoft.com"
        shown = capsys.readouterr().out  # the person read the real page; the notebook shows no port
        assert "open https://<lab-endpoint>/devicelogin and enter the code" in shown and "127.0.0.1" not in shown
        print(lab.console_url)  # not a prompt: shown as it is, so the link still opens
        assert capsys.readouterr().out == f"{lab.console_url}\n" and "127.0.0.1:" in lab.console_url
        person.will("approve", user=GRACE)
        assert upn(device_code_credential(lab)) == GRACE
        assert person.enter_used_code_again().startswith("That code didn't work.")
    finally:
        person.close()
    assert not isinstance(sys.stdout, ScreenReader)


def test_ignore_leads_to_the_timeout_and_walking_away_to_an_expired_code(lab: Lab) -> None:
    person = start_person(lab, "scripted")
    try:
        person.will("ignore")
        with pytest.raises(ClientAuthenticationError, match="Timed out waiting for user to authenticate"):
            device_code_credential(lab, timeout=2).get_token(SCOPE)
        person.will("walk away")
        with pytest.raises(ClientAuthenticationError, match="AADSTS70020"):
            device_code_credential(lab).get_token(SCOPE)
        assert upn(device_code_credential(lab)) == "ada@contosolab.onmicrosoft.com", "one-shot: back to approving"
    finally:
        person.close()


def test_decline_cancels_on_the_consent_page(lab: Lab) -> None:
    person = start_person(lab, "scripted")
    try:
        person.will("decline")
        with pytest.raises(ClientAuthenticationError):  # authorization_declined where the emulator records it
            device_code_credential(lab, timeout=2).get_token(SCOPE)
        events = [row[2] for row in lab.audit_table().rows]
        assert "sign-in (device code)" not in events, "a decline signs nobody in"
    finally:
        person.close()


def test_home_is_private_while_entra_is_the_labs_and_restored_after(lab: Lab) -> None:
    home = os.environ.get("HOME")
    person = start_person(lab, "scripted")
    private = os.environ["HOME"]
    assert private != home and Path(private).is_dir()
    assert Path("~").expanduser() == Path(private)
    person.close()
    lab.close()
    assert os.environ.get("HOME") == home


def test_yourself_shows_the_link_the_browser_was_given(lab: Lab, capsys: pytest.CaptureFixture[str]) -> None:
    person = start_person(lab, "yourself")
    try:
        assert "Sign-in: yourself." in capsys.readouterr().out
        url = "https://127.0.0.1:1/tenant/oauth2/v2.0/authorize?client_id=x"
        env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
        launched = subprocess.run([os.environ["BROWSER"], url], env=env, timeout=10)
        assert launched.returncode == 0
        deadline = time.monotonic() + 5
        shown = ""
        while url not in shown and time.monotonic() < deadline:
            time.sleep(0.1)
            shown += capsys.readouterr().out
        assert "Open this link in a browser on this machine" in shown and url in shown
        person.will("ignore")
        assert "You: do not enter the next code" in capsys.readouterr().out
    finally:
        person.close()


def test_against_real_entra_the_person_is_you_and_nothing_changes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AZURE_AUTHORITY_HOST", raising=False)
    home = os.environ.get("HOME")
    lab = start_lab(mode="azure", endpoint="https://res.openai.azure.com", deployment="gpt-4o", quiet=True)
    try:
        person = Person(lab, "scripted").start()
        assert person.summary() == "Sign-in: you, on Microsoft's real sign-in pages (azure mode)."
        assert os.environ.get("HOME") == home and not isinstance(sys.stdout, ScreenReader)
        assert lab.credential_options == {}
    finally:
        lab.close()


def test_azure_mode_against_an_emulator_playing_azure_skips_instance_discovery(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AZURE_AUTHORITY_HOST", "https://127.0.0.1:8443")
    lab = start_lab(mode="azure", endpoint="https://127.0.0.1:8443", deployment="gpt-4o", quiet=True)
    try:
        assert lab.credential_options == {"disable_instance_discovery": True}
    finally:
        lab.close()
