"""The `az` stand-in's provisioning commands on their own (provision.sh runs them end to end in tests/infra)."""

from __future__ import annotations

import json

from az_cli import az

from keyless_lab.emulator import EmulatorServer
from keyless_lab.shims.az import select


def test_query_subset() -> None:
    data = [{"id": "a", "p": {"x": 1}}, {"id": "b", "p": {"x": 2}}]
    assert select(data, ["[0]", "id"]) == "a"
    assert select(data, ["[]", "p", "x"]) == [1, 2]
    assert select(data, ["[5]", "id"]) is None


def test_account_maps_onto_the_lab_resource_and_says_so(signed_in: EmulatorServer) -> None:
    done = az("cognitiveservices", "account", "create", "--name", "oai-mine", "-g", "rg", "--kind", "OpenAI",
              "--sku", "S0", "--location", "swedencentral", "--yes")  # fmt: skip
    assert done.returncode == 0, done.stderr
    account = json.loads(done.stdout)
    assert account["properties"]["endpoint"] == signed_in.urls.openai_endpoint
    assert "'oai-mine' maps onto it" in done.stderr


def test_missing_things_answer_not_found(signed_in: EmulatorServer) -> None:
    done = az("cognitiveservices", "account", "deployment", "show", "--name", "x", "-g", "rg",
              "--deployment-name", "nope")  # fmt: skip
    assert done.returncode == 3 and "(ResourceNotFound) The deployment 'nope' could not be found." in done.stderr
    done = az("identity", "show", "--name", "nope", "-g", "rg")
    assert done.returncode == 3 and "(ResourceNotFound) The identity 'nope' could not be found." in done.stderr
    assert az("ad", "app", "list", "--display-name", "nope", "--query", "[0].appId", "-o", "tsv").stdout == ""


def test_disable_local_auth_through_resource_update(signed_in: EmulatorServer) -> None:
    resource_id = signed_in.state.directory.openai.resource_id
    done = az("resource", "update", "--ids", resource_id, "--set", "properties.disableLocalAuth=true")
    assert done.returncode == 0, done.stderr
    assert signed_in.state.directory.openai.disable_local_auth is True
    refused = az("resource", "update", "--ids", resource_id, "--set", "properties.publicNetworkAccess=Disabled")
    assert refused.returncode == 2


def test_provisioning_needs_a_sign_in(fresh_emulator: EmulatorServer) -> None:
    done = az("cognitiveservices", "account", "show", "--name", "x", "-g", "rg")
    assert done.returncode == 1 and "Please run 'az login'" in done.stderr
