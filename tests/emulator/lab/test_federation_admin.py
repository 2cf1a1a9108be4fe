"""The emulator-only admin API behind `keyless-lab env`: admin key required; tokens are issued for any
subject (Entra ID, not the issuer, decides trust), and the answer says which identity trusts it."""

from __future__ import annotations

import ssl

import httpx
import jwt

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.directory.seed_ids import CI_APP_CLIENT_ID as CI_APP
from keyless_lab.emulator.directory.seed_ids import OPENAI_IDENTITY_CLIENT_ID as IDENTITY_CLIENT_ID
from keyless_lab.emulator.lab.admin import ADMIN_HEADER
from keyless_lab.emulator.lab.federation_admin import AKS_TOKEN_PATH, GITHUB_JOB_PATH, GITLAB_TOKEN_PATH


def post(emulator: EmulatorServer, path: str, body: dict, key: str | None = None) -> httpx.Response:
    verify = ssl.create_default_context(cafile=str(emulator.tls.bundle))
    headers = {ADMIN_HEADER: emulator.state.admin_secret if key is None else key}
    return httpx.post(f"{emulator.urls.https}{path}", json=body, headers=headers, verify=verify)


def test_every_route_needs_the_admin_key(emulator: EmulatorServer) -> None:
    for path in (AKS_TOKEN_PATH, GITHUB_JOB_PATH, GITLAB_TOKEN_PATH):
        assert post(emulator, path, {}, key="wrong").status_code == 401


def test_service_account_token_names_the_trusting_identity(emulator: EmulatorServer) -> None:
    answer = post(emulator, AKS_TOKEN_PATH, {"namespace": "keyless", "service_account": "chat-app"}).json()
    claims = jwt.decode(answer["token"], options={"verify_signature": False})
    assert claims["sub"] == "system:serviceaccount:keyless:chat-app" and claims["iss"] == answer["issuer"]
    assert answer["trusted_by"] == IDENTITY_CLIENT_ID


def test_untrusted_service_account_still_gets_a_token(emulator: EmulatorServer) -> None:
    answer = post(emulator, AKS_TOKEN_PATH, {"namespace": "keyless", "service_account": "other"}).json()
    assert answer["token"] and answer["trusted_by"] is None
    assert answer["issuer_trusted_by"] == IDENTITY_CLIENT_ID


def test_github_job_and_gitlab_token(emulator: EmulatorServer) -> None:
    job = post(emulator, GITHUB_JOB_PATH, {"repository": "contoso/keyless-lab", "environment": "prod"})
    assert job.status_code == 201 and job.json()["variables"]["ACTIONS_ID_TOKEN_REQUEST_URL"].startswith("https://")
    gitlab = post(emulator, GITLAB_TOKEN_PATH, {"project_path": "contoso/keyless-lab", "ref": "main"}).json()
    assert gitlab["trusted_by"] == CI_APP
    assert post(emulator, GITLAB_TOKEN_PATH, {"project_path": "contoso/keyless-lab"}).status_code == 400


def test_a_github_job_takes_immutable_subject_as_true_or_false_only(emulator: EmulatorServer) -> None:
    job = {"repository": "contoso/keyless-lab", "immutable_subject": True}
    assert post(emulator, GITHUB_JOB_PATH, job).status_code == 201
    refused = post(emulator, GITHUB_JOB_PATH, job | {"immutable_subject": "yes"})
    assert refused.status_code == 400
    assert refused.json() == {"error": "immutable_subject must be true or false"}
    assert post(emulator, GITHUB_JOB_PATH, job | {"ref": True}).status_code == 400  # only the flag may be a bool
