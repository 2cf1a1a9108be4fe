"""`start_lab()`: the one call at the top of every notebook.

In emulator mode it starts the embedded Entra ID + Azure OpenAI emulator on free loopback ports
and points this process's environment at it (authority host, IMDS redirect, CA bundle), so the
credential and client code that follows is exactly what you would run on Azure. In azure mode
it starts nothing and only checks that the endpoint and deployment are known.
"""

from __future__ import annotations

import atexit
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from .config import (
    SCOPE,
    LabConfigurationError,
    Secret,
    Settings,
    check_required_parameters,
    instance_discovery_options,
    resolve_settings,
)
from .display import Table
from .emulator import EmulatorServer
from .emulator.lab.environment import UNSET_IN_EMULATOR_MODE
from .netguard import is_loopback_host

_current: Lab | None = None

ENVIRONMENT_PURPOSES = {
    "AZURE_AUTHORITY_HOST": "Entra ID sign-ins go to the emulator instead of login.microsoftonline.com",
    "AZURE_POD_IDENTITY_AUTHORITY_HOST": "managed identity asks the emulator instead of IMDS at 169.254.169.254",
    "REQUESTS_CA_BUNDLE": "azure-identity trusts the lab's local certificate authority",
    "SSL_CERT_FILE": "the openai client trusts the lab's local certificate authority",
    "AZURE_OPENAI_ENDPOINT": "the emulated Azure OpenAI endpoint",
    "AZURE_OPENAI_DEPLOYMENT": "the lab's default model deployment",
    "KEYLESS_LAB_DIRECTORY": "a JSON description of the seeded directory, for other processes",
    "PATH": "the lab's stand-ins for `az` and `azd` come first",
    "AZURE_CONFIG_DIR": "where the `az` stand-in keeps its sign-in state",
    "AZD_CONFIG_DIR": "where the `azd` stand-in keeps its sign-in state",
    "BROWSER": "a scripted browser that signs in a lab user for InteractiveBrowserCredential",
    "KEYLESS_LAB_SIGNIN_USER": "the lab user that scripted sign-ins choose",
    "KEYLESS_LAB_ADMIN_KEY": "authorises the lab's admin API (role assignments via the `az` stand-in)",
    "AZURE_CORE_COLLECT_TELEMETRY": "the `az` stand-in sends no telemetry",
}


def authority_on_this_machine() -> bool:
    """True when Entra ID is served from loopback: the lab's emulator, or one playing Azure in the tests."""
    host = urlparse(os.environ.get("AZURE_AUTHORITY_HOST", "")).hostname
    return bool(host) and is_loopback_host(host)


def _short_scope(scope: str) -> str:
    """`/subscriptions/…/providers/Microsoft.CognitiveServices/accounts/oai-keyless-lab` -> readable."""
    parts = scope.strip("/").split("/")
    return f"{parts[-2]}/{parts[-1]}" if len(parts) > 2 else scope


@dataclass
class Lab:
    """What a notebook needs to know about where it runs."""

    settings: Settings
    server: EmulatorServer | None = None
    uses_dated_api: bool = False  # the notebook passed an api_version (AzureOpenAI); v1 clients need none
    _saved_environment: dict[str, str | None] = field(default_factory=dict, repr=False)

    # -- what the notebook code uses -------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self.settings.mode

    @property
    def is_emulated(self) -> bool:
        return self.server is not None

    @property
    def endpoint(self) -> str:
        return self.server.urls.openai_endpoint if self.server else self.settings.endpoint

    @property
    def deployment(self) -> str:
        return self.settings.deployment

    @property
    def api_version(self) -> str:
        return self.settings.api_version

    @property
    def scope(self) -> str:
        """The scope for Azure OpenAI (Azure AI services), the same in both modes."""
        return SCOPE

    @property
    def credential_options(self) -> dict[str, Any]:
        """Extra keyword arguments for MSAL-based credentials; empty on public Azure and national clouds.

        MSAL validates an authority host it does not know by calling instance discovery on
        login.microsoftonline.com. `disable_instance_discovery=True` (a real option, used for Azure
        Stack and private clouds) skips that call: always in the lab, so nothing leaves this machine,
        and in azure mode only when `AZURE_AUTHORITY_HOST` names a host MSAL does not know.
        """
        return {"disable_instance_discovery": True} if self.is_emulated else instance_discovery_options()

    # -- emulator-only views and controls --------------------------------------------------------
    def _require_emulator(self, what: str) -> EmulatorServer:
        if self.server is None:
            raise LabConfigurationError(f"{what} is emulator-only; in azure mode use the Azure portal or az CLI")
        return self.server

    @property
    def directory(self) -> dict[str, Any]:
        """The seeded directory (ids and names; lab-only secrets stay out of tables)."""
        return self._require_emulator("the lab directory").state.directory.describe()

    def principal(self, name: str) -> dict[str, Any]:
        """One principal of the lab directory by name: ids, kind, resource id."""
        for principal in self.directory["principals"]:
            if principal["name"] == name:
                return dict(principal)
        raise LabConfigurationError(f"no principal named {name!r} in the lab directory")

    def principals_table(self) -> Table:
        directory = self._require_emulator("the lab directory").state.directory
        roles: dict[str, list[str]] = {}
        for ra in directory.role_assignments:
            roles.setdefault(ra.principal_id, []).append(ra.role.name)
        return Table(
            ("principal", "kind", "object id", "client id", "Azure OpenAI roles"),
            [
                (p.name, p.description, p.object_id, p.client_id, ", ".join(roles.get(p.object_id, [])) or "—")
                for p in directory.principals.values()
            ],
        )

    def role_assignments_table(self) -> Table:
        """Azure RBAC role assignments in the lab, as `az role assignment list` would show them."""
        directory = self._require_emulator("the lab directory").state.directory
        names = {p.object_id: p.name for p in directory.principals.values()}
        return Table(
            ("principal", "role", "scope"),
            [
                (names.get(ra.principal_id, ra.principal_id), ra.role.name, _short_scope(ra.scope))
                for ra in directory.role_assignments
            ],
        )

    def resource_table(self) -> Table:
        """The emulated Azure OpenAI resource and its deployments."""
        resource = self._require_emulator("the lab directory").state.directory.openai
        return Table(
            ("resource", "tenant", "deployment", "model"),
            [
                (resource.name, resource.tenant, d.name, f"{d.model} ({d.model_version})")
                for d in resource.deployments.values()
            ],
        )

    def environment_table(self, names: Sequence[str] | None = None) -> Table:
        """The environment variables the lab set for this process, and why (values vary per run).

        `names` keeps only those variables, so that a notebook shows the ones it is about.
        """
        server = self._require_emulator("the lab environment")
        shown = [name for name in server.environment() if names is None or name in names]
        return Table(
            ("variable", "why the lab sets it"), [(name, ENVIRONMENT_PURPOSES.get(name, "")) for name in shown]
        )

    @property
    def console_url(self) -> str:
        """Emulator-only: the live lab console (directory + audit log), to open in a browser.

        The link holds the console's token and a port, so it is not part of the setup line that
        notebooks commit; print it in a scratch cell.
        """
        return self._require_emulator("the lab console").console_url

    def audit_mark(self) -> int:
        return self._require_emulator("the audit log").state.audit.mark()

    def audit_table(self, since: int = 0, service: str | None = None) -> Table:
        """Calls the emulator saw since `since` (from `audit_mark()`), oldest first, without timings."""
        records = self._require_emulator("the audit log").state.audit.since(since, service)
        return Table(
            ("#", "service", "operation", "principal", "auth", "status"),
            [(i, r.service, r.operation, r.principal, r.auth, r.status) for i, r in enumerate(records, 1)],
        )

    # -- keys (the baseline notebook) ------------------------------------------------------------
    def api_key(self, name: str = "key1") -> Secret:
        """Emulator-only: one of the lab resource's two keys, as the portal's Keys and Endpoint blade shows."""
        keys = self._require_emulator("reading the lab's keys").state.openai_keys
        return Secret(keys.as_dict()[name])

    def write_key_env_file(self, folder: Path) -> Path:
        """Emulator-only: a `.env` with the endpoint and key1, as a learner would write it for a real resource."""
        path = Path(folder) / ".env"
        path.write_text(f"AZURE_OPENAI_ENDPOINT={self.endpoint}\nAZURE_OPENAI_API_KEY={self.api_key('key1')}\n")
        path.chmod(0o600)
        return path

    def regenerate_key(self, name: str) -> None:
        """Emulator-only stand-in for `az cognitiveservices account keys regenerate --key-name …`."""
        self._require_emulator("regenerating keys").state.openai_keys.regenerate(name)

    def set_local_auth(self, enabled: bool) -> None:
        """Emulator-only: `disableLocalAuth` on the resource is the inverse of `enabled`."""
        self._require_emulator("changing disableLocalAuth").state.directory.set_local_auth(enabled)

    def set_rate_limits(self, deployment: str, rpm: int | None = None, tpm: int | None = None) -> None:
        """Emulator-only stand-in for a deployment's quota (requests / tokens per minute); None lifts it."""
        self._require_emulator("changing rate limits").state.directory.set_rate_limits(deployment, rpm=rpm, tpm=tpm)

    def run_as_app_service(self) -> None:
        """Emulator-only: set what App Service sets for an app with managed identities.

        `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` make `ManagedIdentityCredential` ask the App Service
        token endpoint instead of IMDS; `close()` restores the environment.
        """
        server = self._require_emulator("running as App Service")
        self._apply_environment(server.app_service_environment(), ())

    def run_as_aks_pod(self, namespace: str, service_account: str, client_id: str) -> dict[str, str]:
        """Emulator-only: what the AKS workload identity webhook injects into a pod whose ServiceAccount is
        annotated with `azure.workload.identity/client-id: <client_id>` (a projected token file from the lab
        cluster's issuer, AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_FEDERATED_TOKEN_FILE, AZURE_AUTHORITY_HOST).
        `close()` restores the environment."""
        server = self._require_emulator("running as an AKS pod")
        values = server.workload_identity_environment(client_id, namespace, service_account)
        self._apply_environment(values, ())
        return values

    def run_as_github_job(
        self,
        repository: str,
        ref: str = "refs/heads/main",
        environment: str = "",
        event_name: str = "push",
        immutable_subject: bool = False,
    ) -> dict[str, str]:
        """Emulator-only: what a GitHub Actions runner sets for a job with `permissions: id-token: write`
        (ACTIONS_ID_TOKEN_REQUEST_URL/_TOKEN, GITHUB_REPOSITORY, ...). `immutable_subject=True`: the
        repository uses GitHub's immutable subject claims (`repo:OWNER@ID/REPO@ID:...`, the default for
        repositories created since 15 July 2026). `close()` restores the environment."""
        server = self._require_emulator("running as a GitHub Actions job")
        values = server.github_actions_environment(repository, ref, environment or None, event_name, immutable_subject)
        self._apply_environment(values, ())
        return values

    def shorten_token_lifetime(self, seconds: int) -> None:
        """Emulator-only: tokens issued from now on live `seconds` (Azure: 24 h for managed identity)."""
        self._require_emulator("changing token lifetimes").state.policy.shorten(seconds)

    def assign_role(self, principal: str, role: str) -> None:
        """Emulator-only stand-in for `az role assignment create` at the Azure OpenAI resource scope."""
        self._require_emulator("assigning roles in the lab").state.directory.assign_role(principal, role)

    def remove_role(self, principal: str, role: str) -> None:
        self._require_emulator("removing roles in the lab").state.directory.remove_role(principal, role)

    # -- lifecycle -------------------------------------------------------------------------------
    def _apply_environment(self, values: dict[str, str], unset: tuple[str, ...]) -> None:
        for name in (*unset, *values):
            self._saved_environment.setdefault(name, os.environ.get(name))
        for name in unset:
            os.environ.pop(name, None)
        os.environ.update(values)

    def close(self, exiting: bool = False) -> None:
        """Stop the emulator and restore the environment variables the lab changed.

        `exiting=True` (the interpreter is shutting down) does not wait for the server thread.
        """
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment.clear()
        if self.server is not None:
            self.server.stop(wait=not exiting)
            self.server = None

    def __enter__(self) -> Lab:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def summary(self) -> str:
        """One stable line. The API version is named only when the notebook uses the dated surface."""
        version = f", API version {self.api_version}" if self.uses_dated_api else ""
        if self.is_emulated:
            return (
                f"Lab ready (emulator mode): Microsoft Entra ID and Azure OpenAI are emulated on this machine; "
                f"deployment '{self.deployment}'{version}."
            )
        return f"Lab ready (azure mode): calling {self.endpoint} with deployment '{self.deployment}'{version}."


def start_lab(
    mode: str = "emulator",
    endpoint: str = "",
    deployment: str = "",
    api_version: str = "",
    env_file: str = "",
    *,
    required: Mapping[str, object] | None = None,
    quiet: bool = False,
) -> Lab:
    """Start (or, in azure mode, just configure) the lab for one notebook. Prints one line.

    In azure mode, blank values come from the environment, then from `env_file` (or the nearest
    `.env` above the working folder). `required` names the notebook's own parameters that azure
    mode cannot do without (name -> value); a blank one stops the setup cell with one line. In
    emulator mode the lab supplies those values, so blanks are fine.
    """
    global _current
    settings = resolve_settings(mode, endpoint, deployment, api_version, env_file or None)
    if not settings.is_emulated:
        check_required_parameters(required or {})
    server = _start_emulator() if settings.is_emulated else None
    if server is not None:
        deployments = server.state.directory.openai.deployments
        chosen = settings.deployment or next(iter(deployments))
        if chosen not in deployments:
            server.stop()
            raise LabConfigurationError(
                f"deployment {chosen!r} does not exist in the lab; the lab has: {', '.join(deployments)}"
            )
    # Re-running the setup cell replaces the previous lab, once the new one is up (a failure above keeps it).
    if _current is not None:
        _current.close()
    if server is not None:
        lab = Lab(
            Settings(settings.mode, server.urls.openai_endpoint, chosen, settings.api_version),
            server,
            uses_dated_api=bool(api_version),
        )
        lab._apply_environment(server.environment(), UNSET_IN_EMULATOR_MODE)
    else:
        lab = Lab(settings, uses_dated_api=bool(api_version))
    _current = lab
    if not quiet:
        print(lab.summary())
    return lab


def _start_emulator() -> EmulatorServer:
    """A started emulator, or one line saying why not; a lab already running is left as it is."""
    try:
        return EmulatorServer().start()
    except (OSError, RuntimeError) as exc:  # TimeoutError is an OSError
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise LabConfigurationError(
            f"the lab emulator could not start ({reason}); the previous lab, if any, is still running"
        ) from None


@atexit.register
def _close_current() -> None:
    if _current is not None:
        _current.close(exiting=True)
