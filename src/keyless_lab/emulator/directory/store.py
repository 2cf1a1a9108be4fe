"""The emulated directory: tenants, principals, the Azure OpenAI resource and role assignments.

Seeded from a readable YAML file with fixed GUIDs so that notebook outputs are reproducible.
Mutations (assigning a role, removing one) go through methods that mirror what a person does
in Azure, and take a lock because the emulator serves from its own thread.
"""

from __future__ import annotations

import datetime as dt
import string
import tempfile
import threading
import uuid
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from cryptography import x509

from .. import rbac
from ..clock import Clock
from ..crypto.certificates import create_self_signed
from ..openai.models import CATALOGUE, DEFAULT_CHAT_MODEL, model_info
from .app_credentials import DEFAULT_FEDERATION_AUDIENCE, FederatedCredential, RegisteredCertificate
from .entities import (
    Application,
    ClientSecret,
    Compute,
    Deployment,
    OpenAIResource,
    Principal,
    PublicClient,
    RoleAssignment,
    Tenant,
    User,
    new_secret_value,
)

SEED_FILE = "directory.yaml"


class Directory:
    """Tenants, principals, resources and role assignments, with a lock around every change."""

    def __init__(self, data: dict[str, Any], material_dir: Path | None = None, clock: Clock | None = None) -> None:
        self._lock = threading.Lock()
        # Secret and certificate lifetimes are counted on the emulator's clock (EmulatorState binds its
        # own), so moving the clock forward expires them as it expires tokens.
        self.clock = clock or Clock()
        # Where generated lab-only key material (client certificates) goes. Without a folder, a
        # temporary one that is removed with this directory (or at exit): it holds private keys.
        self._material_tmp: tempfile.TemporaryDirectory[str] | None = None
        if material_dir is None:
            self._material_tmp = tempfile.TemporaryDirectory(prefix="keyless-lab-material-")
            material_dir = Path(self._material_tmp.name)
        self.material_dir = Path(material_dir)
        # Federated identity credentials by the client id of their owner (an app or a user-assigned identity).
        self.federated_credentials: dict[str, list[FederatedCredential]] = {}
        # Values for `${NAME}` placeholders in federated credential issuers (e.g. AKS_OIDC_ISSUER).
        self.issuer_placeholders: dict[str, str] = {}
        self.tenants = [Tenant(**t) for t in data["tenants"]]
        sub = data["subscription"]
        self.subscription_id: str = sub["id"]
        self.resource_group: str = sub["resource_group"]
        self.resource_group_id = f"/subscriptions/{self.subscription_id}/resourceGroups/{self.resource_group}"

        oai = data["openai"]
        self.openai = OpenAIResource(
            name=oai["name"],
            tenant=oai["tenant"],
            resource_id=f"{self.resource_group_id}/providers/Microsoft.CognitiveServices/accounts/{oai['name']}",
            deployments={
                d["name"]: Deployment(d["name"], d["model"], str(d["model_version"]), d.get("rpm"), d.get("tpm"))
                for d in oai["deployments"]
            },
            disable_local_auth=bool(oai.get("disable_local_auth", False)),
        )

        vm = data["compute"]
        vm_id = f"{self.resource_group_id}/providers/{vm['kind']}/{vm['name']}"
        self.principals: dict[str, Principal] = {}
        for mi in data["managed_identities"]:
            if mi["type"] == "system-assigned":
                resource_id = vm_id
            else:
                resource_id = (
                    f"{self.resource_group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{mi['name']}"
                )
            self.principals[mi["object_id"]] = Principal(
                name=mi["name"],
                object_id=mi["object_id"],
                client_id=mi["client_id"],
                tenant=mi["tenant"],
                kind=mi["type"],
                resource_id=resource_id,
            )
        self.applications: dict[str, Application] = {}
        for app in data.get("applications", []):
            application = Application(
                name=app["name"], client_id=app["client_id"], object_id=app["object_id"], tenant=app["tenant"]
            )
            for secret in app.get("secrets", []):
                # Seeded secrets get fixed key ids (as the rest of the seed has fixed GUIDs); values stay random.
                key_id = str(
                    uuid.uuid5(uuid.NAMESPACE_URL, f"{application.client_id}/secrets/{secret['display_name']}")
                )
                self._add_secret(application, secret["display_name"], int(secret["expires_in_days"]), key_id)
            for cert in app.get("certificates", []):
                self._add_certificate(application, cert["display_name"], int(cert["expires_in_days"]))
            self.applications[application.client_id] = application
            self.principals[application.object_id] = Principal(
                name=application.name,
                object_id=application.object_id,
                client_id=application.client_id,
                tenant=application.tenant,
                kind="application",
            )

        self.users: dict[str, User] = {}
        for person in data.get("users", []):
            user = User(**person)
            self.users[user.object_id] = user
            self.principals[user.object_id] = Principal(
                name=user.upn, object_id=user.object_id, client_id="", tenant=user.tenant, kind="user"
            )
        self.public_clients: dict[str, PublicClient] = {
            c["client_id"]: PublicClient(name=c["name"], client_id=c["client_id"])
            for c in data.get("public_clients", [])
        }

        self.compute = Compute(
            name=vm["name"],
            resource_id=vm_id,
            system_assigned=self.by_name(vm["system_assigned_identity"]).object_id
            if vm.get("system_assigned_identity")
            else None,
            user_assigned=[self.by_name(n).object_id for n in vm.get("user_assigned_identities", [])],
        )

        self.role_assignments: list[RoleAssignment] = [
            RoleAssignment(
                principal_id=self.by_name(ra["principal"]).object_id,
                role=rbac.role_by_name(ra["role"]),
                scope=self._scope(ra["scope"]),
            )
            for ra in data.get("role_assignments", [])
        ]
        for fic in data.get("federated_identity_credentials", []):
            self._add_federated(
                self._federation_owner(fic["owner"]),
                FederatedCredential(
                    name=fic["name"],
                    issuer=fic["issuer"],
                    subject=fic["subject"],
                    audiences=tuple(fic.get("audiences") or (DEFAULT_FEDERATION_AUDIENCE,)),
                    description=fic.get("description", ""),
                ),
            )

    # -- construction ---------------------------------------------------------------------------
    @classmethod
    def seeded(
        cls, path: Path | None = None, material_dir: Path | None = None, clock: Clock | None = None
    ) -> Directory:
        """Load the packaged seed (or another YAML file of the same shape)."""
        if path is None:
            text = resources.files("keyless_lab.emulator").joinpath("data", SEED_FILE).read_text()
        else:
            text = Path(path).read_text()
        return cls(yaml.safe_load(text), material_dir=material_dir, clock=clock)

    def _scope(self, scope: str) -> str:
        return {
            "openai": self.openai.resource_id,
            "resource-group": self.resource_group_id,
            "subscription": f"/subscriptions/{self.subscription_id}",
        }.get(scope, scope)

    # -- lookups ----------------------------------------------------------------------------------
    @property
    def primary_tenant(self) -> Tenant:
        return next(t for t in self.tenants if t.primary)

    def tenant(self, tenant_id_or_domain: str) -> Tenant | None:
        key = tenant_id_or_domain.lower()
        return next((t for t in self.tenants if key in (t.id, t.domain.lower())), None)

    def by_name(self, name: str) -> Principal:
        for principal in self.principals.values():
            if principal.name == name:
                return principal
        raise KeyError(f"no principal named {name!r} in the lab directory")

    def principal(self, object_id: str) -> Principal | None:
        return self.principals.get(object_id)

    def attached_identity(self, *, client_id: str = "", object_id: str = "", resource_id: str = "") -> Principal | None:
        """The managed identity on the emulated VM that a token request selects, or None.

        No selector means the system-assigned identity, as on Azure.
        """
        attached = [self.principals[oid] for oid in self.compute.user_assigned]
        if client_id:
            return next((p for p in attached if p.client_id == client_id.lower()), None)
        if object_id:
            return next((p for p in attached if p.object_id == object_id.lower()), None)
        if resource_id:
            return next((p for p in attached if p.resource_id.lower() == resource_id.lower()), None)
        return self.principals.get(self.compute.system_assigned or "")

    def user(self, upn_or_object_id: str) -> User | None:
        """A user by UPN (case-insensitive) or object id."""
        key = upn_or_object_id.lower()
        return self.users.get(key) or next((u for u in self.users.values() if u.upn.lower() == key), None)

    def public_client(self, client_id: str) -> PublicClient | None:
        return self.public_clients.get(client_id.lower())

    # -- RBAC ------------------------------------------------------------------------------------
    def assignments_for(self, principal_id: str) -> list[RoleAssignment]:
        return [ra for ra in self.role_assignments if ra.principal_id == principal_id]

    def permits(self, principal_id: str, data_action: str, resource_id: str) -> bool:
        """Whether any role assignment of the principal grants the data action on the resource."""
        return any(
            rbac.scope_covers(ra.scope, resource_id) and rbac.grants(ra.role, data_action)
            for ra in self.role_assignments
            if ra.principal_id == principal_id
        )

    def assign_role(self, principal: str, role: str, scope: str = "openai") -> RoleAssignment:
        """What `az role assignment create --assignee … --role … --scope …` does."""
        target = self._resolve(principal)
        assignment = RoleAssignment(target.object_id, rbac.role_by_name(role), self._scope(scope))
        with self._lock:
            if assignment not in self.role_assignments:
                self.role_assignments = [*self.role_assignments, assignment]
        return assignment

    def remove_role(self, principal: str, role: str, scope: str = "openai") -> int:
        """What `az role assignment delete` does; returns how many assignments were removed."""
        target = self._resolve(principal)
        role_def, full_scope = rbac.role_by_name(role), self._scope(scope)
        with self._lock:
            kept = [
                ra
                for ra in self.role_assignments
                if not (ra.principal_id == target.object_id and ra.role == role_def and ra.scope == full_scope)
            ]
            removed = len(self.role_assignments) - len(kept)
            self.role_assignments = kept
        return removed

    # -- applications ----------------------------------------------------------------------------
    def application(self, client_id: str) -> Application | None:
        return self.applications.get(client_id.lower())

    def _add_secret(
        self, app: Application, display_name: str, expires_in_days: int, key_id: str | None = None
    ) -> ClientSecret:
        secret = ClientSecret(
            key_id=key_id or str(uuid.uuid4()),
            display_name=display_name,
            value=new_secret_value(),
            expires_at=self.clock.now() + expires_in_days * 86_400,
            created_at=self.clock.now(),
        )
        app.secrets.append(secret)
        return secret

    def add_client_secret(
        self, app_name_or_id: str, display_name: str = "lab", expires_in_days: int = 180
    ) -> ClientSecret:
        """What "Certificates & secrets > New client secret" (or `az ad app credential reset --append`) does."""
        app = self._application(app_name_or_id)
        with self._lock:
            return self._add_secret(app, display_name, expires_in_days)

    def reset_client_secrets(
        self, app_name_or_id: str, append: bool = False, display_name: str = "rbac", expires_in_days: int = 365
    ) -> ClientSecret:
        """What `az ad app credential reset --id … [--append]` does: a new secret, replacing the others
        unless `append`."""
        app = self._application(app_name_or_id)
        with self._lock:
            if not append:
                app.secrets.clear()
            return self._add_secret(app, display_name, expires_in_days)

    def remove_client_secret(self, app_name_or_id: str, key_id: str) -> int:
        """What deleting a secret under "Certificates & secrets" (or `az ad app credential delete`) does;
        returns how many were removed. Tokens already issued stay valid until they expire."""
        app = self._application(app_name_or_id)
        with self._lock:
            kept = [s for s in app.secrets if s.key_id.lower() != key_id.lower()]
            removed = len(app.secrets) - len(kept)
            app.secrets = kept
        return removed

    def _application(self, name_or_id: str) -> Application:
        for app in self.applications.values():
            if name_or_id.lower() in (app.client_id, app.object_id, app.name.lower()):
                return app
        raise KeyError(f"no application {name_or_id!r} in the lab directory")

    def _resolve(self, principal: str) -> Principal:
        found = self.principals.get(principal.lower())
        if found:
            return found
        for p in self.principals.values():
            if principal.lower() in (p.client_id, p.name.lower()):
                return p
        raise KeyError(f"no principal {principal!r} in the lab directory")

    # -- the Azure OpenAI resource ----------------------------------------------------------------
    def add_deployment(
        self,
        name: str,
        model: str | None = None,
        model_version: str | None = None,
        *,
        rpm: int | None = None,
        tpm: int | None = None,
        default: bool = False,
    ) -> Deployment:
        """What `az cognitiveservices account deployment create` does (also behind `serve --deployment`).

        Without `model`, a deployment named after a known model deploys that model (the usual
        convention), any other name deploys gpt-4o-mini. `default=True` puts it first, which makes
        it the `AZURE_OPENAI_DEPLOYMENT` the server exports.
        """
        if not name or "/" in name:
            raise ValueError(f"invalid deployment name {name!r}")
        _check_limits(rpm, tpm)
        info = model_info(model or (name if name in CATALOGUE else DEFAULT_CHAT_MODEL), model_version or "")
        deployment = Deployment(name, info.name, info.version, rpm, tpm)
        with self._lock:
            others = {k: v for k, v in self.openai.deployments.items() if k != name}
            self.openai.deployments = {name: deployment, **others} if default else {**others, name: deployment}
        return deployment

    def remove_deployment(self, name: str) -> bool:
        """Delete a deployment; calls to it then get `DeploymentNotFound`."""
        with self._lock:
            if name not in self.openai.deployments:
                return False
            self.openai.deployments = {k: v for k, v in self.openai.deployments.items() if k != name}
        return True

    def set_rate_limits(self, deployment: str, *, rpm: int | None = None, tpm: int | None = None) -> Deployment:
        """Set (or, with None, lift) a deployment's requests- and tokens-per-minute limits."""
        _check_limits(rpm, tpm)
        with self._lock:
            current = self.openai.deployments[deployment]
            updated = Deployment(current.name, current.model, current.model_version, rpm, tpm)
            self.openai.deployments = {**self.openai.deployments, deployment: updated}
        return updated

    def set_local_auth(self, enabled: bool) -> None:
        """Allow or refuse API keys: `disableLocalAuth` is the inverse of `enabled`."""
        self.openai.disable_local_auth = not enabled

    def set_custom_subdomain(self, enabled: bool) -> None:
        """Accept (True) or refuse (False) Entra ID tokens, as a resource with / without a custom subdomain."""
        self.openai.custom_subdomain = enabled

    # -- certificates ----------------------------------------------------------------------------
    def _add_certificate(
        self, app: Application, display_name: str, expires_in_days: int, certificate: x509.Certificate | None = None
    ) -> RegisteredCertificate:
        files = None
        if certificate is None:
            now = dt.datetime.fromtimestamp(self.clock.now(), dt.UTC)
            not_after = now + dt.timedelta(days=expires_in_days)
            not_before = min(now - dt.timedelta(minutes=5), not_after - dt.timedelta(days=30))
            stem = f"{app.name}-{display_name}-{uuid.uuid4().hex[:8]}"
            certificate, files = create_self_signed(
                self.material_dir / "certificates",
                stem,
                subject=f"{app.name} ({display_name}, keyless-lab)",
                lifetime_days=(not_after - not_before).days,
                not_before=not_before,
            )
        registered = RegisteredCertificate(str(uuid.uuid4()), display_name, certificate, files)
        app.certificates.append(registered)
        return registered

    def add_certificate(
        self,
        app_name_or_id: str,
        display_name: str = "lab-cert",
        expires_in_days: int = 365,
        certificate: x509.Certificate | None = None,
    ) -> RegisteredCertificate:
        """What "Certificates & secrets > Upload certificate" (or `az ad app credential reset --cert`) does.

        Without `certificate`, the lab generates a key pair and a self-signed certificate and returns
        the paths of its PEM, PFX (with its password) and CER files in `.files`.
        """
        app = self._application(app_name_or_id)
        with self._lock:
            return self._add_certificate(app, display_name, expires_in_days, certificate)

    def remove_certificate(self, app_name_or_id: str, thumbprint_or_key_id: str) -> int:
        """What deleting a certificate under "Certificates & secrets" does; returns how many were removed."""
        app = self._application(app_name_or_id)
        key = thumbprint_or_key_id.upper()
        with self._lock:
            kept = [c for c in app.certificates if key not in (c.thumbprint, c.key_id.upper())]
            removed = len(app.certificates) - len(kept)
            app.certificates = kept
        return removed

    # -- federated identity credentials ----------------------------------------------------------
    def user_assigned_identity(self, client_id: str) -> Principal | None:
        """A user-assigned managed identity by client id (it can hold federated credentials)."""
        key = client_id.lower()
        return next((p for p in self.principals.values() if p.kind == "user-assigned" and p.client_id == key), None)

    def _federation_owner(self, name_or_id: str) -> str:
        """The client id of an app registration or user-assigned identity (where FICs may live)."""
        key = name_or_id.lower()
        for p in self.principals.values():
            if key in (p.name.lower(), p.client_id, p.object_id):
                if p.kind not in ("application", "user-assigned"):
                    raise ValueError(
                        f"{p.name} is a {p.description}: federated credentials go on an app or a user-assigned identity"
                    )
                return p.client_id
        raise KeyError(f"no application or user-assigned identity {name_or_id!r} in the lab directory")

    def _add_federated(
        self, owner_client_id: str, credential: FederatedCredential, replace: bool = False
    ) -> FederatedCredential:
        resolved = FederatedCredential(
            name=credential.name,
            issuer=string.Template(credential.issuer).safe_substitute(self.issuer_placeholders),
            subject=credential.subject,
            audiences=credential.audiences,
            description=credential.description,
        )
        existing = self.federated_credentials.get(owner_client_id, [])
        if any(f.name == resolved.name for f in existing):
            if not replace:
                raise ValueError(f"a federated credential named {resolved.name!r} already exists")
            existing = [resolved if f.name == resolved.name else f for f in existing]
            self.federated_credentials[owner_client_id] = existing
            return resolved
        self.federated_credentials[owner_client_id] = [*existing, resolved]
        return resolved

    def has_federated_credential(self, owner: str, name: str) -> bool:
        """Whether the owner (app or user-assigned identity) holds a federated credential of this name."""
        client_id = self._federation_owner(owner)
        return any(f.name == name for f in self.federated_credentials.get(client_id, []))

    def add_federated_credential(
        self,
        owner: str,
        issuer: str,
        subject: str,
        audiences: list[str] | tuple[str, ...] | None = None,
        name: str | None = None,
    ) -> FederatedCredential:
        """What `az ad app federated-credential create` / `az identity federated-credential create` does.

        A user-assigned identity's credential is an ARM resource, created or updated by one PUT, so a
        name already taken is replaced; an application's is a Microsoft Graph object created by POST,
        where names are unique per application (unconfirmed: Graph's status and text for a duplicate;
        the lab refuses it with its own message)."""
        credential = FederatedCredential(
            name=name or f"fic-{uuid.uuid4().hex[:8]}",
            issuer=issuer,
            subject=subject,
            audiences=tuple(audiences or (DEFAULT_FEDERATION_AUDIENCE,)),
        )
        client_id = self._federation_owner(owner)
        with self._lock:
            return self._add_federated(
                client_id, credential, replace=self.user_assigned_identity(client_id) is not None
            )

    def remove_federated_credential(self, owner: str, name: str) -> int:
        """What `az ad app federated-credential delete` does; returns how many were removed."""
        client_id = self._federation_owner(owner)
        with self._lock:
            existing = self.federated_credentials.get(client_id, [])
            kept = [f for f in existing if f.name != name]
            self.federated_credentials[client_id] = kept
        return len(existing) - len(kept)

    def federated_credentials_of(self, client_id: str) -> list[FederatedCredential]:
        return list(self.federated_credentials.get(client_id.lower(), []))

    def bind_issuer_placeholders(self, values: dict[str, str]) -> None:
        """Fill `${NAME}` placeholders in seeded issuers (the AKS issuer URL includes the port)."""
        with self._lock:
            self.issuer_placeholders.update(values)
            self.federated_credentials = {
                owner: [
                    FederatedCredential(
                        f.name, string.Template(f.issuer).safe_substitute(values), f.subject, f.audiences, f.description
                    )
                    for f in creds
                ]
                for owner, creds in self.federated_credentials.items()
            }

    # -- description for other processes ---------------------------------------------------------
    def describe(self) -> dict[str, Any]:
        """A JSON-ready description of the directory (ids and names only; no private material)."""
        return {
            "tenants": [asdict(t) for t in self.tenants],
            "subscription_id": self.subscription_id,
            "resource_group": self.resource_group,
            "openai": {
                "name": self.openai.name,
                "resource_id": self.openai.resource_id,
                "tenant": self.openai.tenant,
                "deployments": [asdict(d) for d in self.openai.deployments.values()],
                "disable_local_auth": self.openai.disable_local_auth,
                # Lab-only key values, as the portal's "Keys and Endpoint" page shows them.
                "keys": self.openai.keys.as_dict(),
            },
            "compute": asdict(self.compute),
            "principals": [
                {
                    "name": p.name,
                    "kind": p.kind,
                    "object_id": p.object_id,
                    "client_id": p.client_id,
                    "tenant": p.tenant,
                    "resource_id": p.resource_id,
                }
                for p in self.principals.values()
            ],
            "applications": [
                {
                    "name": app.name,
                    "client_id": app.client_id,
                    "object_id": app.object_id,
                    "tenant": app.tenant,
                    # Lab-only secret values, so another process (a classroom machine) can use them.
                    "secrets": [
                        {
                            "key_id": s.key_id,
                            "display_name": s.display_name,
                            "value": s.value,
                            "expires_at": int(s.expires_at),
                        }
                        for s in app.secrets
                    ],
                    # Lab-only certificate material: paths to the generated files and the PFX password.
                    "certificates": [
                        {
                            "key_id": c.key_id,
                            "display_name": c.display_name,
                            "thumbprint": c.thumbprint,
                            "expires_at": int(c.expires_at),
                            "pem_path": str(c.files.pem_path) if c.files else None,
                            "pfx_path": str(c.files.pfx_path) if c.files else None,
                            "pfx_password": c.files.pfx_password if c.files else None,
                            "cer_path": str(c.files.cer_path) if c.files else None,
                        }
                        for c in app.certificates
                    ],
                }
                for app in self.applications.values()
            ],
            "federated_credentials": [
                {
                    "owner_client_id": owner,
                    "owner": next((p.name for p in self.principals.values() if p.client_id == owner), owner),
                    "name": f.name,
                    "issuer": f.issuer,
                    "subject": f.subject,
                    "audiences": list(f.audiences),
                }
                for owner, creds in self.federated_credentials.items()
                for f in creds
            ],
            "users": [asdict(u) for u in self.users.values()],
            "public_clients": [asdict(c) for c in self.public_clients.values()],
            "role_assignments": [
                {
                    "principal_id": ra.principal_id,
                    "role": ra.role.name,
                    "role_id": ra.role.id,
                    "scope": ra.scope,
                }
                for ra in self.role_assignments
            ],
        }


def _check_limits(rpm: int | None, tpm: int | None) -> None:
    for name, value in (("rpm", rpm), ("tpm", tpm)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            raise ValueError(f"{name} must be a positive integer or None, not {value!r}")
