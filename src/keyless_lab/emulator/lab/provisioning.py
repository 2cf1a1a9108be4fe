"""Emulator-only admin API for provisioning: what `infra/provision.sh` asks Azure for, mapped onto the lab.

The `az` stand-in turns `az cognitiveservices account …`, `az identity create/show/delete`,
`az ad app create/show/delete`, `az ad sp …`, `az ad signed-in-user show` and
`az role assignment list` into calls to these routes, so the same script runs against Azure and
against the lab. Same authentication as lab_admin.py (the instance's admin secret in a header).

Mapping, said plainly: the lab has one Azure OpenAI resource and one resource group. Creating an
account of any name answers with that resource (its endpoint is the emulator's); deleting it is
refused unless it is the lab's, and even then only its *changes* are undone (keys re-enabled).
Identities and app registrations the script creates are real directory entries (an identity is not
attached to the lab's VM, as a new one on Azure is attached to nothing).
"""

from __future__ import annotations

import uuid
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..directory import Application, Principal
from ..state import EmulatorState
from .admin import assignment_json, read_admin_request, validity_days
from .request_error import LabRequestError

BASE = "/_lab/admin/provision"


def resource_json(state: EmulatorState) -> dict[str, Any]:
    """The account as `az cognitiveservices account show` prints it (the fields the script reads)."""
    resource = state.directory.openai
    return {
        "id": resource.resource_id,
        "name": resource.name,
        "kind": "OpenAI",
        "location": "swedencentral",
        "resourceGroup": state.directory.resource_group,
        "sku": {"name": "S0"},
        "properties": {
            "endpoint": state.urls.openai_endpoint,
            "disableLocalAuth": resource.disable_local_auth,
            "customSubDomainName": resource.name if resource.custom_subdomain else None,
            "provisioningState": "Succeeded",
        },
    }


def deployment_json(state: EmulatorState, name: str) -> dict[str, Any] | None:
    deployment = state.directory.openai.deployments.get(name)
    if deployment is None:
        return None
    return {
        "id": f"{state.directory.openai.resource_id}/deployments/{name}",
        "name": name,
        "properties": {
            "model": {"format": "OpenAI", "name": deployment.model, "version": deployment.model_version},
            "provisioningState": "Succeeded",
        },
        "sku": {"name": "GlobalStandard", "capacity": 10},
    }


def principal_by_name(state: EmulatorState, name: str, kind: str) -> Principal | None:
    key = name.lower()
    return next(
        (p for p in state.directory.principals.values() if p.kind == kind and key in (p.name.lower(), p.client_id)),
        None,
    )


def identity_json(state: EmulatorState, p: Principal) -> dict[str, Any]:
    return {
        "id": p.resource_id,
        "name": p.name,
        "clientId": p.client_id,
        "principalId": p.object_id,
        "tenantId": p.tenant,
        "resourceGroup": state.directory.resource_group,
        "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
    }


def application_json(app: Application) -> dict[str, Any]:
    # `id` is the application object's id on Entra; the lab keeps one id per app, the service principal's.
    return {"appId": app.client_id, "displayName": app.name, "id": app.object_id, "servicePrincipalId": app.object_id}


def create_identity(state: EmulatorState, name: str) -> Principal:
    directory = state.directory
    resource_id = f"{directory.resource_group_id}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}"
    principal = Principal(
        name=name,
        object_id=str(uuid.uuid4()),
        client_id=str(uuid.uuid4()),
        tenant=directory.primary_tenant.id,
        kind="user-assigned",
        resource_id=resource_id,
    )
    with directory._lock:
        directory.principals[principal.object_id] = principal
    return principal


def create_application(state: EmulatorState, name: str, tenant: str = "") -> Application:
    """A new app registration, in the lab's tenant or (by id or domain) another seeded one."""
    directory = state.directory
    home = directory.tenant(tenant) if tenant else directory.primary_tenant
    if home is None:
        raise KeyError(f"tenant {tenant!r} not found")
    app = Application(name=name, client_id=str(uuid.uuid4()), object_id=str(uuid.uuid4()),
                      tenant=home.id)  # fmt: skip
    with directory._lock:
        directory.applications[app.client_id] = app
        directory.principals[app.object_id] = Principal(
            name=name, object_id=app.object_id, client_id=app.client_id, tenant=app.tenant, kind="application"
        )
    return app


def delete_principal(state: EmulatorState, p: Principal) -> None:
    directory = state.directory
    with directory._lock:
        directory.principals.pop(p.object_id, None)
        directory.applications.pop(p.client_id, None)
        directory.federated_credentials.pop(p.client_id, None)
        directory.role_assignments = [ra for ra in directory.role_assignments if ra.principal_id != p.object_id]


def routes(state: EmulatorState) -> list[Route]:
    async def authorised(request: Request) -> dict[str, Any]:
        return await read_admin_request(request, state)

    async def account(request: Request) -> Response:
        body = await authorised(request)
        if request.method == "POST" and "disable_local_auth" in body:
            state.directory.set_local_auth(not bool(body["disable_local_auth"]))
        if request.method == "POST" and "custom_subdomain" in body:  # false: a keys-only resource (for doctor)
            state.directory.set_custom_subdomain(bool(body["custom_subdomain"]))
        elif request.method == "DELETE":
            state.directory.set_local_auth(True)  # the lab's resource stays; its provisioned changes are undone
            state.directory.set_custom_subdomain(True)
        return JSONResponse(resource_json(state))

    async def deployment(request: Request) -> Response:
        body = await authorised(request)
        name = request.path_params["name"]
        if request.method == "PUT":
            try:
                state.directory.add_deployment(name, str(body.get("model") or "") or None,
                                               str(body.get("model_version") or "") or None)  # fmt: skip
            except (ValueError, KeyError) as exc:
                raise LabRequestError(str(exc.args[0]) if exc.args else "invalid deployment") from None
        elif request.method == "DELETE":
            state.directory.remove_deployment(name)
            return JSONResponse({"deleted": name})
        found = deployment_json(state, name)
        if not found:
            raise LabRequestError(f"deployment {name!r} not found", 404)
        return JSONResponse(found)

    async def identity(request: Request) -> Response:
        await authorised(request)  # the admin key, and a JSON object body (as every admin route)
        name = request.path_params["name"]
        found = principal_by_name(state, name, "user-assigned")
        if request.method == "PUT" and found is None:
            found = create_identity(state, name)
        if found is None:
            raise LabRequestError(f"identity {name!r} not found", 404)
        if request.method == "DELETE":
            delete_principal(state, found)
            return JSONResponse({"deleted": name})
        return JSONResponse(identity_json(state, found))

    async def application(request: Request) -> Response:
        body = await authorised(request)
        key = request.path_params["name"]
        principal = principal_by_name(state, key, "application")
        if request.method == "PUT" and principal is None:
            try:
                create_application(state, key, str(body.get("tenant") or ""))
            except KeyError as exc:
                raise LabRequestError(str(exc.args[0]), 404) from None
            principal = principal_by_name(state, key, "application")
        if principal is None:
            raise LabRequestError(f"application {key!r} not found", 404)
        if request.method == "DELETE":
            delete_principal(state, principal)
            return JSONResponse({"deleted": key})
        return JSONResponse(application_json(state.directory.applications[principal.client_id]))

    async def certificate(request: Request) -> Response:
        body = await authorised(request)
        days = validity_days(body.get("years"))  # as the credential reset checks it: a 400 saying what is wrong
        try:
            registered = state.directory.add_certificate(
                request.path_params["name"], str(body.get("display_name") or "provisioned"), days
            )
        except (KeyError, ValueError) as exc:
            raise LabRequestError(str(exc.args[0]) if exc.args else "bad request", 404) from None
        files = registered.files
        return JSONResponse({
            "appId": request.path_params["name"],
            "fileWithCertAndPrivateKey": str(files.pem_path) if files else None,
            "thumbprint": registered.thumbprint,
        })  # fmt: skip

    async def federated(request: Request) -> Response:
        body = await authorised(request)
        owner = request.path_params["name"]
        try:
            client_id = state.directory._federation_owner(owner)
        except (KeyError, ValueError) as exc:
            raise LabRequestError(str(exc.args[0]), 404) from None
        if request.method == "DELETE":
            removed = state.directory.remove_federated_credential(owner, str(body.get("name", "")))
            return JSONResponse({"removed": removed})
        return JSONResponse([
            {"name": f.name, "issuer": f.issuer, "subject": f.subject, "audiences": list(f.audiences)}
            for f in state.directory.federated_credentials_of(client_id)
        ])  # fmt: skip

    async def user(request: Request) -> Response:
        await authorised(request)  # the admin key, and a JSON object body (as every admin route)
        found = state.directory.user(request.path_params["upn"])
        if found is None:
            raise LabRequestError("user not found", 404)
        return JSONResponse({"id": found.object_id, "userPrincipalName": found.upn, "displayName": found.display_name})

    async def role_assignments(request: Request) -> Response:
        body = await authorised(request)
        directory = state.directory
        assignee, role, scope = (str(body.get(k, "")) for k in ("assignee", "role", "scope"))
        rows = []
        for ra in directory.role_assignments:
            principal = directory.principal(ra.principal_id)
            ids = {ra.principal_id, principal.client_id, principal.name.lower()} if principal else {ra.principal_id}
            if assignee and assignee.lower() not in ids:
                continue
            if role and role.lower() not in (ra.role.name.lower(), ra.role.id):
                continue
            if scope and directory._scope(scope).lower() != ra.scope.lower():
                continue
            rows.append(assignment_json(state, ra))
        return JSONResponse(rows)

    return [
        Route(f"{BASE}/account", account, methods=["GET", "POST", "DELETE"]),
        Route(f"{BASE}/deployments/{{name}}", deployment, methods=["GET", "PUT", "DELETE"]),
        Route(f"{BASE}/identities/{{name}}", identity, methods=["GET", "PUT", "DELETE"]),
        Route(f"{BASE}/applications/{{name}}", application, methods=["GET", "PUT", "DELETE"]),
        Route(f"{BASE}/applications/{{name}}/certificates", certificate, methods=["POST"]),
        Route(f"{BASE}/applications/{{name}}/federated-credentials", federated, methods=["GET", "DELETE"]),
        Route(f"{BASE}/users/{{upn}}", user, methods=["GET"]),
        Route(f"{BASE}/role-assignments", role_assignments, methods=["POST"]),
    ]
