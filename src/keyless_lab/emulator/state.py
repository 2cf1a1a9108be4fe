"""Everything one emulator instance knows, shared by its protocol surfaces."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from starlette.requests import Request

from .audit import AuditLog
from .clock import Clock, TokenPolicy
from .crypto.access_tokens import OPENAI_AUDIENCES, TokenIssuer, TokenValidator
from .crypto.keys import KeySet
from .directory import Directory
from .entra.user_sessions import UserSessions
from .federation.issuers import ExternalIssuers
from .openai.api_keys import OpenAIKeys
from .openai.rate_limits import RateLimiter


def emulator_state(request: Request) -> EmulatorState:
    """The emulator instance a request reached: route handlers live at module level and find their
    state on the application (`app.state.emulator`, set where the app is built)."""
    state: EmulatorState = request.app.state.emulator
    return state


@dataclass(frozen=True)
class Urls:
    """Where this instance listens (loopback only)."""

    https: str  # Entra ID authority host and Azure OpenAI endpoint, e.g. https://127.0.0.1:PORT
    http: str  # IMDS / App Service managed identity endpoints, e.g. http://127.0.0.1:PORT

    @property
    def authority_host(self) -> str:
        return self.https

    @property
    def openai_endpoint(self) -> str:
        return self.https + "/"


@dataclass
class EmulatorState:
    urls: Urls
    directory: Directory = field(default_factory=Directory.seeded)
    clock: Clock = field(default_factory=Clock)
    policy: TokenPolicy = field(default_factory=TokenPolicy)
    keys: KeySet = field(default_factory=KeySet)
    # Discovery fields of the endpoints the wired surfaces implement, as path templates relative
    # to the authority host, e.g. {"token_endpoint": "/{tenant}/oauth2/v2.0/token"}.
    advertised_endpoints: dict[str, str] = field(default_factory=dict)
    # The per-instance secret App Service puts in IDENTITY_HEADER (defends against SSRF).
    identity_header: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    # The read-only live console's link token (console.py); not the admin API's key.
    console_secret: str = field(default_factory=lambda: secrets.token_urlsafe(24))

    def __post_init__(self) -> None:
        self.directory.clock = self.clock  # secret and certificate expiry on the same clock as tokens
        self.audit = AuditLog(self.clock)
        self.issuer = TokenIssuer(self.keys, self.clock)
        self.openai_tokens = TokenValidator(self.keys, self.clock, self.policy, OPENAI_AUDIENCES)
        # Emulated external OIDC issuers (AKS, GitHub Actions, GitLab) for workload identity federation.
        self.external_issuers = ExternalIssuers(self.urls.https, self.directory.primary_tenant.id, self.clock)
        self.directory.bind_issuer_placeholders(self.external_issuers.placeholders())
        # User sign-ins: pending /authorize requests, codes, device codes, refresh tokens.
        self.user_sessions = UserSessions(self.clock)
        # Authenticates the emulator-only admin API (/_lab/admin/...) used by the az shim.
        self.admin_secret = secrets.token_urlsafe(32)
        self.rate_limits = RateLimiter(self.clock)  # per-deployment rpm/tpm; limits live on each Deployment

    @property
    def openai_keys(self) -> OpenAIKeys:
        """The Azure OpenAI resource's key1/key2 (`state.openai_keys.regenerate("key1")` rotates one)."""
        return self.directory.openai.keys
