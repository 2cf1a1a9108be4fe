"""`keyless-lab doctor`: why does (or doesn't) keyless access to this Azure OpenAI deployment work here?

A failing keyless call has one of a handful of causes — no identity on this machine, a token from
another tenant, no role on the resource, a resource that takes keys only, a wrong deployment name —
and each surfaces as an error text the catalogue (`troubleshooting.py`) already knows. Doctor walks
the same path the course's code walks (DefaultAzureCredential -> token -> endpoint -> one tiny chat
call), prints one line per step, and on the first failure the catalogue's cause and fix. It never
prints a token: only the claims that explain *who* the token is for (`aud`, `tid`, `oid`, `idtyp`, expiry).
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from .config import SCOPE, LabConfigurationError, Settings, instance_discovery_options, resolve_settings
from .credential_chain import attempts_table, identity_log, names
from .display import stable_message
from .tokens import decode_claims, redact, relative_time
from .troubleshooting import Diagnosis, diagnose

AUDIENCE = "https://cognitiveservices.azure.com"
TIMEOUT = 15.0  # seconds for the endpoint checks and the call: a doctor must not hang


@dataclass(frozen=True)
class Check:
    """One step's outcome: `ok` None means skipped (an earlier step it needs failed)."""

    name: str
    ok: bool | None
    detail: str
    diagnosis: Diagnosis | None = None

    def lines(self) -> list[str]:
        status = {True: "ok", False: "FAIL", None: "skip"}[self.ok]
        out = [f"{status:<5}{self.name:<11}{self.detail}"]
        if self.diagnosis is not None:
            out.append(f"{'':16}catalogue: {self.diagnosis.code} ({self.diagnosis.service or 'error'})")
            out.append(f"{'':16}cause: {self.diagnosis.cause}")
            out.append(f"{'':16}fix:   {self.diagnosis.fix}")
        return out


def _why(chain_names: list[str], answered: str, log_lines: list[str]) -> str:
    """Why this credential: the pin (AZURE_TOKEN_CREDENTIALS), the ones tried before it, its own log line."""
    reasons = []
    pinned = os.environ.get("AZURE_TOKEN_CREDENTIALS", "")
    if pinned:
        reasons.append(f"AZURE_TOKEN_CREDENTIALS={pinned} limits the chain to {', '.join(chain_names)}")
    before = chain_names[: chain_names.index(answered)] if answered in chain_names else []
    if before:
        reasons.append(f"{', '.join(before)} could not run here")
    elif not pinned:
        reasons.append("it is the first in the chain")
    own = [line for line in log_lines if line.startswith(answered) and "acquired" not in line]
    reasons.extend(line.removeprefix(f"{answered} ").rstrip(".") for line in own[:1])
    return "; ".join(reasons)


def check_credential(tenant_id: str = "") -> tuple[Check, str | None]:
    """Which credential DefaultAzureCredential picks here, and why; the token, or the catalogue's diagnosis."""
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import DefaultAzureCredential

    with identity_log() as log:
        try:
            credential = DefaultAzureCredential(**instance_discovery_options())
        except ValueError as error:  # an invalid AZURE_TOKEN_CREDENTIALS
            return Check("credential", False, stable_message(str(error), 160), diagnose(error)), None
        chain_names = names(credential)
        try:
            token = credential.get_token(SCOPE, tenant_id=tenant_id or None).token
        except ClientAuthenticationError as error:
            found = diagnose(error)
            if "Attempted credentials:" in str(error):
                name, said = attempts_table(error, 140).rows[-1]
                detail = f"no token from DefaultAzureCredential ({', '.join(chain_names)}); stopped at {name}: {said}"
                # Where the chain stopped early (an error, not "unavailable"), or a chain of one
                # (AZURE_TOKEN_CREDENTIALS=<name>): that credential's own words are the diagnosis.
                last = str(error).rpartition(f"{name}: ")[2]
                if name != chain_names[-1] or len(chain_names) == 1:
                    found = diagnose(last) or found
            else:
                detail = f"no token: {stable_message(str(error), 160)}"
            return Check("credential", False, detail, found), None
    answered = log.answered or "?"
    position = f"{chain_names.index(answered) + 1} of {len(chain_names)}" if answered in chain_names else "?"
    detail = f"DefaultAzureCredential picked {answered} ({position}): {_why(chain_names, answered, log.lines)}"
    return Check("credential", True, detail), token


def check_token(token: str, tenant_id: str = "") -> Check:
    """The claims that say who the token is for; wrong audience or tenant fails here, before any call."""
    claims = decode_claims(token)
    shown = ", ".join(f"{k} {claims[k]}" for k in ("aud", "tid", "oid", "idtyp") if k in claims)
    expires = relative_time(float(claims["exp"])) if "exp" in claims else "?"
    detail = f"{shown}, expires {expires} ({redact(token)})"
    if str(claims.get("aud", "")).rstrip("/") != AUDIENCE:
        return Check("token", False, detail, diagnose("Access token is missing, invalid, audience is incorrect"))
    if tenant_id and claims.get("tid") != tenant_id:
        text = f"Token tenant {claims.get('tid')} does not match resource tenant."
        return Check("token", False, detail + f"; asked for tenant {tenant_id}", diagnose(text))
    return Check("token", True, detail)


def check_resolves(host: str) -> Check:
    """The endpoint's name resolves (a private endpoint resolves to a private address inside its network)."""
    try:
        addresses = sorted({str(info[4][0]) for info in socket.getaddrinfo(host, 443, type=socket.SOCK_STREAM)})
    except OSError as error:
        return Check("resolves", False, f"{host}: {error}", diagnose("APIConnectionError: Connection error."))
    return Check("resolves", True, f"{host} -> {', '.join(addresses)}")


def check_answers(endpoint: str) -> Check:
    """Something answers HTTPS at the endpoint, with a certificate this machine trusts (any status will do)."""
    import requests

    started = time.perf_counter()
    try:
        response = requests.get(endpoint, timeout=TIMEOUT)  # requests reads REQUESTS_CA_BUNDLE, as azure-core does
    except requests.exceptions.SSLError as error:
        return Check("answers", False, stable_message(str(error), 160), diagnose(str(error)))
    except requests.exceptions.RequestException as error:
        text = f"APIConnectionError: Connection error. {error}"
        return Check("answers", False, stable_message(str(error), 160), diagnose(text))
    elapsed = (time.perf_counter() - started) * 1000
    return Check("answers", True, f"HTTPS {response.status_code} in {elapsed:.0f} ms (any status: the server is there)")


def check_call(settings: Settings, token: str) -> Check:
    """One tiny chat call to the deployment: the real test of role, tenant, resource and deployment name."""
    import openai

    client = openai.AzureOpenAI(
        azure_endpoint=settings.endpoint,
        api_version=settings.api_version,
        azure_ad_token_provider=lambda: token,
        max_retries=0,
        timeout=TIMEOUT,
    )
    try:
        reply = client.chat.completions.create(
            model=settings.deployment, messages=[{"role": "user", "content": "ping"}], max_tokens=1
        )
    except openai.OpenAIError as error:
        status = getattr(error, "status_code", None)
        detail = f"{type(error).__name__}{f' (HTTP {status})' if status else ''}: {stable_message(str(error), 200)}"
        return Check("call", False, detail, diagnose(error))
    return Check("call", True, f"deployment {settings.deployment} answered (model {reply.model}) as this identity")


def run(settings: Settings, tenant_id: str = "") -> list[Check]:
    """Every check, in the order a call needs them; later ones skipped when a prerequisite failed."""
    credential, token = check_credential(tenant_id)
    checks = [credential]
    checks.append(check_token(token, tenant_id) if token else Check("token", None, "no token to read"))
    host = urlparse(settings.endpoint).hostname or ""
    resolves = check_resolves(host)
    checks.append(resolves)
    checks.append(check_answers(settings.endpoint) if resolves.ok else Check("answers", None, "name does not resolve"))
    if token and checks[1].ok and checks[-1].ok:
        checks.append(check_call(settings, token))
    else:
        checks.append(Check("call", None, "needs a token and an endpoint that answers"))
    return checks


def main(args: argparse.Namespace) -> int:
    """Exit 0 when the call works, 1 when it does not, 2 for bad usage (one line on stderr)."""
    if args.env_file and not os.path.isfile(args.env_file):
        print(f"keyless-lab doctor: no such env file: {args.env_file}", file=sys.stderr)
        return 2
    try:
        settings = resolve_settings("azure", args.endpoint or "", args.deployment or "", env_file=args.env_file)
    except LabConfigurationError as error:
        print(f"keyless-lab doctor: {error}", file=sys.stderr)
        return 2
    print(
        f"keyless-lab doctor: {settings.endpoint} deployment {settings.deployment} (api-version {settings.api_version})"
    )
    checks = run(settings, args.tenant_id or "")
    for check in checks:
        print("\n".join(check.lines()))
    works = checks[-1].ok is True
    print("result: keyless calls work here" if works else "result: keyless calls do NOT work here (see FAIL above)")
    return 0 if works else 1


def add_parser(commands: Any) -> None:
    """Register `keyless-lab doctor` (one line in cli.py)."""
    p = commands.add_parser("doctor", help="check keyless access to the Azure OpenAI deployment, with fixes")
    p.add_argument("--endpoint", help="https://<resource>.openai.azure.com/ (default: AZURE_OPENAI_ENDPOINT, .env)")
    p.add_argument("--deployment", help="deployment name (default: AZURE_OPENAI_DEPLOYMENT, .env)")
    p.add_argument("--env-file", help="dotenv file with AZURE_OPENAI_ENDPOINT/AZURE_OPENAI_DEPLOYMENT (default: .env)")
    p.add_argument("--tenant-id", help="the resource's tenant: ask for a token from it and check the token's tid")
    p.set_defaults(func=main)
