"""doctor's offline pieces: the token check, the lab-only credential option, the report lines."""

from __future__ import annotations

import time

import jwt

from keyless_lab import doctor
from keyless_lab.troubleshooting import diagnose

TENANT = "813b284c-71c7-4e13-b233-b05203e22cc8"


def token(**claims: object) -> str:
    base = {"aud": "https://cognitiveservices.azure.com", "tid": TENANT, "oid": "o-1", "idtyp": "app"}
    return jwt.encode({**base, "exp": time.time() + 3600, **claims}, "not-a-real-key-only-for-this-test", "HS256")


def test_a_good_token_shows_its_claims_but_not_itself() -> None:
    raw = token()
    check = doctor.check_token(raw)
    assert check.ok is True
    assert f"tid {TENANT}, oid o-1, idtyp app, expires in 60 min" in check.detail
    assert raw not in check.detail and raw[20:] not in check.detail


def test_a_token_for_another_audience_fails_with_the_catalogue_row() -> None:
    check = doctor.check_token(token(aud="https://management.azure.com"))
    assert check.ok is False and check.diagnosis is not None and check.diagnosis.code == "401 invalid token"


def test_a_token_from_another_tenant_than_asked_fails() -> None:
    check = doctor.check_token(token(tid="d1dd60de-2430-45c8-bdeb-d8d02ef27368"), tenant_id=TENANT)
    assert check.ok is False and check.diagnosis is not None and check.diagnosis.code == "Tenant mismatch"


def test_a_failed_check_prints_the_catalogues_cause_and_fix() -> None:
    diagnosis = diagnose("Token tenant x does not match resource tenant.")
    lines = doctor.Check("call", False, "BadRequestError (HTTP 400)", diagnosis).lines()
    assert lines[0].startswith("FAIL call")
    assert diagnosis is not None
    assert lines[1:] == [
        f"{'':16}catalogue: Tenant mismatch (Azure OpenAI)",
        f"{'':16}cause: {diagnosis.cause}",
        f"{'':16}fix:   {diagnosis.fix}",
    ]
    assert doctor.Check("token", None, "no token to read").lines() == ["skip token      no token to read"]
