"""What a user sign-in leaves behind: pending authorize requests, codes, device codes, refresh tokens.

Entra ID keeps this server-side state so that an authorization code or a device code can be
redeemed once only, a PKCE verifier can be checked against the challenge sent at /authorize,
and a refresh token can be traded for new tokens until it has been idle too long. All values
handed out are random and opaque; everything lives in memory, under one lock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import string
import threading
from dataclasses import dataclass, field

from ..clock import Clock

AUTHORIZE_REQUEST_LIFETIME = 1800  # how long a sign-in page stays usable
AUTHORIZATION_CODE_LIFETIME = 600  # Entra's authorization codes live about 10 minutes
DEVICE_CODE_LIFETIME = 900  # Entra's device codes live 15 minutes
REFRESH_TOKEN_INACTIVITY = 90 * 86_400  # Entra's refresh tokens expire after 90 days unused
# Entra asks clients to poll every 5 s. The lab answers 1 s (emulator-only), so tests and notebooks
# do not wait 5 s per poll; MSAL sleeps `interval` whole seconds between polls, so 1 is the least.
LAB_DEVICE_POLL_INTERVAL = 1
USER_CODE_ALPHABET = "".join(c for c in string.ascii_uppercase + string.digits if c not in "0O1IL")


def pkce_s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii")).digest()).rstrip(b"=").decode()


@dataclass
class AuthorizeRequest:
    """An /authorize request waiting for a person (or the lab's browser) to pick an account."""

    id: str
    tenant: str  # the path segment: a tenant id, a domain, "organizations" or "common"
    client_id: str
    redirect_uri: str
    scope: str
    state: str | None
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str
    response_mode: str
    login_hint: str | None
    created_at: float


@dataclass
class AuthorizationCode:
    code: str
    request: AuthorizeRequest
    user_id: str
    issued_at: float
    redeemed: bool = False

    def verifier_matches(self, verifier: str | None) -> bool:
        challenge = self.request.code_challenge
        if challenge is None:
            return True
        if not verifier:
            return False
        computed = pkce_s256(verifier) if self.request.code_challenge_method == "S256" else verifier
        return hmac.compare_digest(computed.encode(), challenge.encode())


@dataclass
class DeviceAuthorization:
    device_code: str
    user_code: str
    tenant: str
    client_id: str
    scope: str
    issued_at: float
    expires_at: float
    interval: int
    user_id: str | None = None  # set when someone signs in on the verification page
    declined: bool = False  # the person declined on the verification page: final
    redeemed: bool = False
    last_poll: float = 0.0


@dataclass
class RefreshGrant:
    token: str
    user_id: str
    client_id: str
    issued_at: float
    last_used: float
    family: str = field(default="")  # the sign-in this token descends from (rotation keeps it)


class UserSessions:
    """Server-side state of user sign-ins for one emulator instance."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._requests: dict[str, AuthorizeRequest] = {}
        self._codes: dict[str, AuthorizationCode] = {}
        self._devices: dict[str, DeviceAuthorization] = {}
        self._refresh: dict[str, RefreshGrant] = {}

    # -- authorization code flow ----------------------------------------------------------------
    def begin_authorize(self, **fields: object) -> AuthorizeRequest:
        request = AuthorizeRequest(id=secrets.token_urlsafe(24), created_at=self.clock.now(), **fields)  # type: ignore[arg-type]
        with self._lock:
            self._requests[request.id] = request
        return request

    def authorize_request(self, request_id: str) -> AuthorizeRequest | None:
        with self._lock:
            request = self._requests.get(request_id)
        if request is None or self.clock.now() > request.created_at + AUTHORIZE_REQUEST_LIFETIME:
            return None
        return request

    def issue_code(self, request: AuthorizeRequest, user_id: str) -> str:
        """The user signed in and consented: one single-use code, bound to the request."""
        code = "1.lab." + secrets.token_urlsafe(48)
        with self._lock:
            self._requests.pop(request.id, None)
            self._codes[code] = AuthorizationCode(code, request, user_id, self.clock.now())
        return code

    def redeem_code(self, code: str) -> tuple[AuthorizationCode | None, str]:
        """The code and "" if usable (and now spent), else (code or None, reason)."""
        with self._lock:
            found = self._codes.get(code)
            if found is None:
                return None, "unknown"
            if found.redeemed:
                return found, "redeemed"
            if self.clock.now() > found.issued_at + AUTHORIZATION_CODE_LIFETIME:
                return found, "expired"
            found.redeemed = True
            return found, ""

    # -- device code flow -----------------------------------------------------------------------
    def begin_device(self, tenant: str, client_id: str, scope: str) -> DeviceAuthorization:
        now = self.clock.now()
        user_code = "".join(secrets.choice(USER_CODE_ALPHABET) for _ in range(9))
        device = DeviceAuthorization(
            device_code="DAQ.lab." + secrets.token_urlsafe(48),
            user_code=user_code,
            tenant=tenant,
            client_id=client_id,
            scope=scope,
            issued_at=now,
            expires_at=now + DEVICE_CODE_LIFETIME,
            interval=LAB_DEVICE_POLL_INTERVAL,
        )
        with self._lock:
            self._devices[device.device_code] = device
        return device

    def device_by_user_code(self, user_code: str) -> DeviceAuthorization | None:
        wanted = user_code.strip().upper().replace("-", "")
        with self._lock:
            return next((d for d in self._devices.values() if d.user_code == wanted), None)

    def _answerable(self, user_code: str) -> DeviceAuthorization | None:
        """The code's authorization if nobody has answered it yet and it has not expired (lock held)."""
        wanted = user_code.strip().upper().replace("-", "")
        device = next((d for d in self._devices.values() if d.user_code == wanted), None)
        if device is None or device.redeemed or device.declined or device.user_id is not None:
            return None
        return None if self.clock.now() > device.expires_at else device

    def approve_device(self, user_code: str, user_id: str) -> DeviceAuthorization | None:
        """A user signed in on the verification page with this code (None: unknown, expired, or
        already answered — a code is approved once, by one person)."""
        with self._lock:
            device = self._answerable(user_code)
            if device is not None:
                device.user_id = user_id
        return device

    def decline_device(self, user_code: str) -> DeviceAuthorization | None:
        """The person declined on the verification page: polling now ends with `authorization_declined`."""
        with self._lock:
            device = self._answerable(user_code)
            if device is not None:
                device.declined = True
        return device

    def poll_device(self, device_code: str, client_id: str) -> tuple[DeviceAuthorization | None, str]:
        """("", device) when approved (and now spent); else a reason: unknown, wrong_client (the code
        was issued to another client: nothing about it changes), expired, redeemed, declined,
        slow_down (polled faster than `interval`) or pending."""
        now = self.clock.now()
        with self._lock:
            device = self._devices.get(device_code)
            if device is None:
                return None, "unknown"
            if device.client_id != client_id:
                return device, "wrong_client"
            if device.redeemed:
                return device, "redeemed"
            if now > device.expires_at:
                return device, "expired"
            if device.declined:
                return device, "declined"
            too_soon = device.last_poll and now - device.last_poll < device.interval / 2
            device.last_poll = now
            if device.user_id is None:
                return device, "slow_down" if too_soon else "pending"
            device.redeemed = True
            return device, ""

    # -- refresh tokens -------------------------------------------------------------------------
    def issue_refresh_token(self, user_id: str, client_id: str, family: str = "") -> str:
        token = "1.lab." + secrets.token_urlsafe(64)
        now = self.clock.now()
        with self._lock:
            self._refresh[token] = RefreshGrant(token, user_id, client_id, now, now, family or secrets.token_hex(8))
        return token

    def use_refresh_token(self, token: str) -> tuple[RefreshGrant | None, str]:
        """(grant, "") if usable; else (grant or None, "unknown" | "expired")."""
        now = self.clock.now()
        with self._lock:
            grant = self._refresh.get(token)
            if grant is None:
                return None, "unknown"
            if now > grant.last_used + REFRESH_TOKEN_INACTIVITY:
                return grant, "expired"
            grant.last_used = now
            return grant, ""

    def revoke_user(self, user_id: str) -> int:
        """Invalidate every refresh token of a user (what a sign-out everywhere or password reset does)."""
        with self._lock:
            doomed = [t for t, g in self._refresh.items() if g.user_id == user_id]
            for token in doomed:
                del self._refresh[token]
        return len(doomed)
