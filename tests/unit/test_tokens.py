from __future__ import annotations

import time

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from keyless_lab.tokens import claims_table, decode_claims, redact, relative_time

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def make_token(**claims: object) -> str:
    return jwt.encode(claims, KEY, algorithm="RS256")


def test_decode_reads_claims_without_a_key() -> None:
    token = make_token(aud="https://cognitiveservices.azure.com", oid="abc")
    assert decode_claims(token) == {"aud": "https://cognitiveservices.azure.com", "oid": "abc"}


def test_redact_never_returns_a_usable_token() -> None:
    token = make_token(aud="x", exp=int(time.time()) + 60)
    shown = redact(token)
    assert token not in shown and "." not in shown.split("…")[0]
    assert shown.startswith(token[:10]) and "redacted" in shown


def test_relative_time_is_coarse_and_stable() -> None:
    now = 1_000_000.0
    assert relative_time(now + 86_399, now) == "in 24 h"
    assert relative_time(now + 3_599, now) == "in 60 min"
    assert relative_time(now + 1, now) == relative_time(now - 1, now) == "now"  # whole-second claims
    assert relative_time(now + 2, now) == "in 2 s"  # a short lab token does not expire "now"
    assert relative_time(now - 5, now) == "5 s ago"
    assert relative_time(now - 30, now) == "30 s ago"


def test_claims_table_explains_selected_claims_and_hides_raw_times() -> None:
    now = time.time()
    token = make_token(aud="https://cognitiveservices.azure.com", oid="o-1", iat=int(now), exp=int(now) + 86_399)
    table = claims_table(token, now=now)
    rows = {row[0]: row for row in table.rows}
    assert rows["oid"][1] == "o-1" and "RBAC" in rows["oid"][2]
    assert rows["exp"][1] == "in 24 h"
    assert "xms_mirid" not in rows  # absent claims are skipped
    assert str(int(now)) not in repr(table)
