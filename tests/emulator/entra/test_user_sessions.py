"""Server-side sign-in state: PKCE (RFC 7636 test vector), single-use codes, device polling, refresh expiry."""

from __future__ import annotations

from keyless_lab.emulator.clock import Clock
from keyless_lab.emulator.directory.seed_ids import ADA_OBJECT_ID, AZURE_CLI_CLIENT_ID
from keyless_lab.emulator.entra.user_sessions import (
    AUTHORIZATION_CODE_LIFETIME,
    REFRESH_TOKEN_INACTIVITY,
    UserSessions,
    pkce_s256,
)

ADA_OID = ADA_OBJECT_ID


def authorize(sessions: UserSessions, challenge: str | None, method: str = "S256"):  # type: ignore[no-untyped-def]
    return sessions.begin_authorize(
        tenant="organizations",
        client_id=AZURE_CLI_CLIENT_ID,
        redirect_uri="http://localhost:8400",
        scope="https://cognitiveservices.azure.com/.default openid",
        state="s",
        nonce="n",
        code_challenge=challenge,
        code_challenge_method=method,
        response_mode="form_post",
        login_hint=None,
    )


def test_pkce_s256_matches_the_rfc_7636_example() -> None:
    assert pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_a_code_checks_its_verifier_and_is_redeemed_once() -> None:
    sessions = UserSessions(Clock())
    code = sessions.issue_code(authorize(sessions, pkce_s256("verifier-" + "x" * 40)), ADA_OID)
    found, problem = sessions.redeem_code(code)
    assert problem == "" and found is not None
    assert found.verifier_matches("verifier-" + "x" * 40)
    assert not found.verifier_matches("another-verifier") and not found.verifier_matches(None)
    assert sessions.redeem_code(code)[1] == "redeemed"
    assert sessions.redeem_code("made-up")[1] == "unknown"


def test_a_code_expires_and_its_authorize_request_is_spent() -> None:
    clock = Clock()
    sessions = UserSessions(clock)
    request = authorize(sessions, None)
    code = sessions.issue_code(request, ADA_OID)
    assert sessions.authorize_request(request.id) is None  # the sign-in page cannot be replayed
    clock.advance(AUTHORIZATION_CODE_LIFETIME + 1)
    assert sessions.redeem_code(code)[1] == "expired"


def test_device_polling_answers_pending_slow_down_then_tokens_once() -> None:
    clock = Clock()
    sessions = UserSessions(clock)
    cli = AZURE_CLI_CLIENT_ID
    device = sessions.begin_device("organizations", cli, "scope")
    assert sessions.poll_device(device.device_code, cli)[1] == "pending"
    assert sessions.poll_device(device.device_code, cli)[1] == "slow_down"
    clock.advance(device.interval)
    assert sessions.poll_device(device.device_code, cli)[1] == "pending"
    assert sessions.approve_device(device.user_code.lower(), ADA_OID) is not None
    assert sessions.approve_device(device.user_code, "someone-else") is None  # approved once
    assert sessions.poll_device(device.device_code, "another-client")[1] == "wrong_client"
    assert sessions.poll_device(device.device_code, cli)[1] == ""  # the stranger's poll burnt nothing
    assert sessions.poll_device(device.device_code, cli)[1] == "redeemed"
    assert sessions.approve_device(device.user_code, ADA_OID) is None


def test_a_declined_device_code_stays_declined() -> None:
    sessions = UserSessions(Clock())
    cli = AZURE_CLI_CLIENT_ID
    device = sessions.begin_device("organizations", cli, "scope")
    assert sessions.decline_device(device.user_code) is not None
    assert sessions.approve_device(device.user_code, ADA_OID) is None
    assert sessions.poll_device(device.device_code, cli)[1] == "declined"


def test_refresh_tokens_expire_after_90_idle_days_and_can_be_revoked() -> None:
    clock = Clock()
    sessions = UserSessions(clock)
    token = sessions.issue_refresh_token(ADA_OID, "client")
    clock.advance(REFRESH_TOKEN_INACTIVITY - 10)
    assert sessions.use_refresh_token(token)[1] == ""  # use resets the idle timer
    clock.advance(REFRESH_TOKEN_INACTIVITY - 10)
    assert sessions.use_refresh_token(token)[1] == ""
    clock.advance(REFRESH_TOKEN_INACTIVITY + 1)
    assert sessions.use_refresh_token(token)[1] == "expired"
    assert sessions.revoke_user(ADA_OID) == 1 and sessions.use_refresh_token(token)[1] == "unknown"
