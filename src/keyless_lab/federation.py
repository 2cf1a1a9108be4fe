"""Show the external tokens of workload identity federation (AKS, GitHub Actions, GitLab) for notebooks.

Entra ID trusts such a token when `iss`, `sub` and `aud` match one federated identity credential on
the app or user-assigned identity exactly (case-sensitive). The table puts those three first and
explains each claim in terms of that match, never showing the token itself. The lab's issuer URLs show
as `https://<lab-endpoint>/...`: the port differs on every run and is no real issuer's.
"""

from __future__ import annotations

import re

from .display import Table, describe_error, lab_neutral, stable_message
from .tokens import decode_claims, relative_time

EXTERNAL_CLAIM_MEANINGS: dict[str, str] = {
    "iss": "issuer: must equal the federated credential's issuer, character for character",
    "sub": "subject: must equal the federated credential's subject (case-sensitive)",
    "aud": "audience: must be one of the federated credential's audiences (api://AzureADTokenExchange)",
    "exp": "expires: Entra ID refuses an expired token (AADSTS700024)",
    "repository": "GitHub: the repository whose workflow asked",
    "repository_owner_id": "GitHub: the owner's numeric id (in the subject with immutable subject claims)",
    "repository_id": "GitHub: the repository's numeric id (in the subject with immutable subject claims)",
    "ref": "the branch or tag the job runs for",
    "environment": "GitHub: the deployment environment of the job",
    "event_name": "GitHub: what triggered the workflow",
    "project_path": "GitLab: the project whose pipeline asked",
    "ref_type": "GitLab: branch or tag",
}
DEFAULT_EXTERNAL_CLAIMS = ("iss", "sub", "aud", "exp")


def external_token_table(token: str, claims: tuple[str, ...] = DEFAULT_EXTERNAL_CLAIMS) -> Table:
    """The claims of an external (federated) token that decide whether Entra ID trusts it."""
    payload = decode_claims(token)
    rows = []
    for name in claims:
        if name in payload:
            value = payload[name]
            if name in ("exp", "iat", "nbf"):
                shown = relative_time(float(value))
            elif isinstance(value, list):
                shown = ", ".join(str(v) for v in value)
            else:
                shown = lab_neutral(str(value))
            rows.append((name, shown, EXTERNAL_CLAIM_MEANINGS.get(name, "")))
    return Table(("claim", "value", "what Entra ID does with it"), rows)


_REFUSAL = re.compile(r"(AADSTS\d+: .*?)(?:\. |\.?$)", re.S)
# AADSTS7002138's second sentence is its diagnosis: without it the text reads like AADSTS700213's.
_CASE_ONLY = "The subject matches with case-insensitive comparison, but not with case-sensitive comparison."


def entra_refusal(error: BaseException) -> str:
    """`AADSTSnnn: first sentence` from a credential's error: stable (no times or ids), and the part to read."""
    text = str(error)
    match = _REFUSAL.search(text)
    if not match:
        return describe_error(error)
    refusal = match.group(1) + "."
    if text[match.end() :].startswith(_CASE_ONLY):
        refusal += " " + _CASE_ONLY
    return stable_message(refusal)
