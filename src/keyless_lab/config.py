"""Notebook parameters + environment + `.env` -> validated `Settings`, and secret masking.

In emulator mode the lab supplies the endpoint; in azure mode the endpoint and deployment come
from papermill parameters, then the environment, then a `.env` file (python-dotenv), and a
missing value stops the first cell with one actionable line.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values, find_dotenv

MODES = ("emulator", "azure")
DEFAULT_API_VERSION = "2024-10-21"
SCOPE = "https://cognitiveservices.azure.com/.default"


class LabConfigurationError(ValueError):
    """A parameter or environment problem, shown in a notebook as one line instead of a traceback."""

    def _render_traceback_(self) -> list[str]:  # IPython calls this instead of printing a traceback
        return [f"LabConfigurationError: {self}"]


def mask(value: str, keep: int = 3) -> str:
    """Show that a secret is set without showing it: the first characters and the length."""
    if not value:
        return "(not set)"
    if keep <= 0:
        return f"set ({len(value)} characters, masked)"
    return f"{value[:keep]}…({len(value)} characters, masked)"


class Secret(str):
    """A string whose repr never shows its value, for keys and secrets kept in variables."""

    def __repr__(self) -> str:
        return f"Secret({mask(self)!r})"


@dataclass(frozen=True)
class Settings:
    mode: str
    endpoint: str
    deployment: str
    api_version: str

    @property
    def is_emulated(self) -> bool:
        return self.mode == "emulator"


def _dotenv(env_file: str | Path | None) -> dict[str, str]:
    path = str(env_file) if env_file else find_dotenv(usecwd=True)
    if not path or not Path(path).is_file():
        return {}
    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _check_endpoint(endpoint: str) -> str:
    parsed = urlparse(endpoint)
    if parsed.scheme != "https" or not parsed.hostname:
        raise LabConfigurationError(
            f"endpoint {endpoint!r} is not an https URL; use the resource endpoint from the Azure portal, "
            "e.g. https://<resource-name>.openai.azure.com/"
        )
    if parsed.path not in ("", "/"):
        raise LabConfigurationError(
            f"endpoint {endpoint!r} has a path; pass only the resource endpoint "
            "(https://<resource-name>.openai.azure.com/), the client adds /openai/…"
        )
    return endpoint.rstrip("/") + "/"


def resolve_settings(
    mode: str,
    endpoint: str = "",
    deployment: str = "",
    api_version: str = "",
    env_file: str | Path | None = None,
) -> Settings:
    """Validate the notebook parameters; in azure mode fill blanks from the environment and `.env`."""
    if mode not in MODES:
        raise LabConfigurationError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if mode == "emulator":
        return Settings(mode, endpoint="", deployment=deployment, api_version=api_version or DEFAULT_API_VERSION)

    dotenv = _dotenv(env_file)

    def pick(value: str, name: str) -> str:
        return value or os.environ.get(name, "") or dotenv.get(name, "")

    endpoint = pick(endpoint, "AZURE_OPENAI_ENDPOINT")
    if not endpoint:
        raise LabConfigurationError(
            "mode='azure' needs an endpoint: pass `-p endpoint https://<resource>.openai.azure.com/` to "
            "papermill, or set AZURE_OPENAI_ENDPOINT in the environment or a .env file"
        )
    deployment = pick(deployment, "AZURE_OPENAI_DEPLOYMENT")
    if not deployment:
        raise LabConfigurationError(
            "mode='azure' needs a deployment name: pass `-p deployment <name>` to papermill, or set "
            "AZURE_OPENAI_DEPLOYMENT in the environment or a .env file"
        )
    api_version = pick(api_version, "OPENAI_API_VERSION") or DEFAULT_API_VERSION
    return Settings(mode, _check_endpoint(endpoint), deployment, api_version)


def check_required_parameters(required: Mapping[str, object]) -> None:
    """Azure mode: stop at once when a notebook parameter it needs is blank.

    A blank identity id is not harmless on Azure: `ManagedIdentityCredential(client_id="")` quietly
    falls back to the system-assigned identity, and the notebook would go on with the wrong one.
    """
    missing = [name for name, value in required.items() if not str(value).strip()]
    if not missing:
        return
    names = " and ".join(missing) if len(missing) < 3 else ", ".join(missing[:-1]) + f" and {missing[-1]}"
    flags = " ".join(f"-p {name} <value>" for name in missing)
    raise LabConfigurationError(
        f"mode='azure' needs {names} (see the comments in the parameters cell): pass `{flags}` to "
        "papermill, or fill them in the parameters cell"
    )


def instance_discovery_options() -> dict[str, bool]:
    """`disable_instance_discovery=True` when AZURE_AUTHORITY_HOST names a host MSAL does not know.

    MSAL validates such a host by calling instance discovery on login.microsoftonline.com; that
    cannot vouch for Azure Stack, a private cloud or the lab's emulator, so skip it there. Empty for
    public Azure and the national clouds (and when no authority host is set).
    """
    from msal.authority import WELL_KNOWN_AUTHORITY_HOSTS

    host = urlparse(os.environ.get("AZURE_AUTHORITY_HOST", "")).hostname
    return {"disable_instance_discovery": True} if host and host not in WELL_KNOWN_AUTHORITY_HOSTS else {}
