"""The JSON description another process reads (KEYLESS_LAB_DIRECTORY): ids, lab-only certificate
paths and password, federated subjects, the App Service header and the external issuers."""

from __future__ import annotations

import json
from pathlib import Path

from keyless_lab.emulator import EmulatorServer


def test_description_file_lists_app_and_workload_material(emulator: EmulatorServer) -> None:
    description = json.loads(Path(emulator.environment()["KEYLESS_LAB_DIRECTORY"]).read_text())
    apps = {a["name"]: a for a in description["applications"]}
    cert = apps["app-keyless-batch"]["certificates"][0]
    assert Path(cert["pem_path"]).is_file() and Path(cert["pfx_path"]).is_file() and Path(cert["cer_path"]).is_file()
    assert cert["pfx_password"] and len(cert["thumbprint"]) == 40
    assert "app-keyless-ci" in apps and apps["app-keyless-ci"]["secrets"] == []

    federated = {(f["owner"], f["subject"]) for f in description["federated_credentials"]}
    assert ("app-keyless-ci", "repo:contoso/keyless-lab:environment:prod") in federated
    assert ("id-keyless-openai", "system:serviceaccount:keyless:chat-app") in federated
    assert description["external_issuers"]["aks_oidc_issuer"] == emulator.state.external_issuers.aks.issuer
    assert description["app_service"] == emulator.app_service_environment()

    text = json.dumps(description)
    assert "PRIVATE KEY" not in text  # paths to key material, never the material itself
