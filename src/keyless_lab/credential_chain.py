"""Read DefaultAzureCredential's chain from azure-identity itself, and which credential answered.

A table typed by hand goes stale with the next azure-identity release; this one is built by asking
the installed library: the order (the `credentials` it builds), the `exclude_*` keyword that removes
each one (each keyword its docstring documents, tried in turn), the `AZURE_TOKEN_CREDENTIALS` values
it accepts (from its own error message), the `dev`/`prod` groups (by building them), and each class's
own one-line description. Which credential answered comes from azure-identity's logging, the same
lines you would switch on in production (`logging.getLogger("azure.identity")`).
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .display import Table, stable_message
from .environment import environment

_ANSWERED = re.compile(r"^(\w+) acquired a token from (\w+)$")


def _names(env_value: str | None = None, **kwargs: Any) -> list[str]:
    from azure.identity import DefaultAzureCredential

    with environment(AZURE_TOKEN_CREDENTIALS=env_value):
        return names(DefaultAzureCredential(**kwargs))


def names(chain: Any) -> list[str]:
    """The class names of the credentials in a DefaultAzureCredential or ChainedTokenCredential."""
    return [_name(c) for c in chain.credentials]


def _name(credential: object) -> str:
    """A credential's class name; a credential DefaultAzureCredential could not build (workload identity
    without its environment) stands in as a FailedDACCredential that keeps the name it replaces."""
    return str(getattr(credential, "_credential_name", type(credential).__name__))


def exclude_keywords() -> list[str]:
    """The `exclude_*` keywords DefaultAzureCredential documents, in docstring order."""
    from azure.identity import DefaultAzureCredential

    return re.findall(r":keyword bool (exclude_\w+):", inspect.getdoc(DefaultAzureCredential) or "")


def token_credentials_values() -> list[str]:
    """The values AZURE_TOKEN_CREDENTIALS accepts, from azure-identity's own error message."""
    try:
        _names("not-a-credential")
    except ValueError as error:
        return [v.strip() for v in str(error).split("Valid values are:")[1].rstrip(" .").split(",")]
    raise AssertionError("azure-identity accepted an invalid AZURE_TOKEN_CREDENTIALS value")  # pragma: no cover


def summary(name: str) -> str:
    """The first sentence of a credential class's docstring (BrokerCredential is not exported)."""
    import azure.identity
    from azure.identity._credentials import broker

    cls = getattr(azure.identity, name, None) or getattr(broker, name, None)
    first = " ".join((inspect.getdoc(cls) or "").split("\n\n")[0].split())
    return first.split(". ")[0].rstrip(".") + "."


@dataclass(frozen=True)
class ChainEntry:
    position: int
    name: str
    excluded_by: str
    in_default: bool
    groups: tuple[str, ...]
    by_name: bool
    summary: str


def chain(options: Mapping[str, Any] | None = None) -> list[ChainEntry]:
    """Every credential DefaultAzureCredential can build, in the order it tries them."""
    options = dict(options or {})
    default = _names(None, **options)
    full = _names(None, exclude_interactive_browser_credential=False, **options)
    removed_by: dict[str, str] = {}
    for keyword in exclude_keywords():
        kept = _names(None, **{**options, "exclude_interactive_browser_credential": False, keyword: True})
        for name in set(full) - set(kept):
            removed_by[name] = keyword
    groups = {group: set(_names(group, **options)) for group in ("dev", "prod")}
    selectable = {v for v in token_credentials_values() if v not in groups}
    return [
        ChainEntry(
            position=i,
            name=name,
            excluded_by=removed_by.get(name, ""),
            in_default=name in default,
            groups=tuple(g for g, members in groups.items() if name in members),
            by_name=name.lower() in selectable,
            summary=summary(name),
        )
        for i, name in enumerate(full, 1)
    ]


def chain_table(options: Mapping[str, Any] | None = None) -> Table:
    """The chain as a table: order, default on/off, how to exclude or pin it, what it is."""
    return Table(
        ("#", "credential", "by default", "AZURE_TOKEN_CREDENTIALS", "remove it with", "what it is (docstring)"),
        [
            (
                e.position,
                e.name,
                "yes" if e.in_default else "no",
                ", ".join([*e.groups, *(["its name"] if e.by_name else [])]) or "—",
                (f"{e.excluded_by}=True" if e.in_default else f"(excluded by default: {e.excluded_by}=False adds it)")
                if e.excluded_by
                else "—",
                e.summary,
            )
            for e in chain(options)
        ],
    )


@dataclass
class IdentityLog(logging.Handler):
    """Collects azure-identity's log lines (INFO and above) while active."""

    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, logging.INFO)

    def __hash__(self) -> int:  # logging keeps handlers in sets
        return id(self)

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(stable_message(record.getMessage(), limit=200))

    @property
    def answered(self) -> str | None:
        """The credential that the last chain's log line says acquired the token."""
        for line in reversed(self.lines):
            match = _ANSWERED.match(line)
            if match:
                return match.group(2)
        return None


@contextmanager
def identity_log() -> Iterator[IdentityLog]:
    """Capture `azure.identity` log lines; nothing reaches stderr while active."""
    logger = logging.getLogger("azure.identity")
    handler = IdentityLog()
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def attempts_table(error: BaseException, limit: int = 160) -> Table:
    """The "Attempted credentials" part of a chain's failure message, one row per credential."""
    _, _, attempts = str(error).partition("Attempted credentials:")
    rows = []
    for line in attempts.split("\n\t"):
        line = line.split("\nTo mitigate this issue")[0].strip()
        if line:
            name, _, said = line.partition(": ")
            rows.append((name, stable_message(said, limit)))
    return Table(("credential", "what it reported"), rows)


def principal_label(token: str) -> str:
    """Who a token is for, in words: the user, the managed identity's name, or the app's client id."""
    from .tokens import decode_claims

    claims = decode_claims(token)
    if claims.get("upn"):
        return f"user {claims['upn']}"
    if claims.get("xms_mirid"):
        return f"managed identity {str(claims['xms_mirid']).rsplit('/', 1)[-1]}"
    return f"app {claims.get('appid', claims.get('oid', '?'))}"


@dataclass(frozen=True)
class ChainResult:
    """What one token request through a chain came to: who answered, or where it stopped and why."""

    answered: str | None
    principal: str | None = None
    stopped_at: str | None = None
    reason: str | None = None

    def __str__(self) -> str:
        if self.answered:
            return f"{self.answered} answered: {self.principal}"
        return f"no token, stopped at {self.stopped_at}: {self.reason}"


_AADSTS = re.compile(r"AADSTS\d+")


def who_answers(credential: Any, scope: str = "https://cognitiveservices.azure.com/.default") -> ChainResult:
    """Ask a chain for a token; say which credential answered (from azure-identity's log) or where it stopped."""
    from azure.core.exceptions import ClientAuthenticationError

    with identity_log() as log:
        try:
            token = credential.get_token(scope)
        except ClientAuthenticationError as error:
            last = attempts_table(error).rows[-1] if "Attempted credentials:" in str(error) else ("?", str(error))
            code = _AADSTS.search(last[1])
            return ChainResult(None, stopped_at=last[0], reason=code.group(0) if code else last[1][:90])
    return ChainResult(log.answered or type(credential).__name__, principal_label(token.token))
