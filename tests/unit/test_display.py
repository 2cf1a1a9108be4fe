from __future__ import annotations

from keyless_lab.display import Table, describe_error, lab_neutral, stable_message


def test_table_renders_markdown_and_aligned_text() -> None:
    table = Table(("name", "role"), [("vm", "OpenAI User"), ("a|b", None)])
    markdown = table._repr_markdown_()
    assert markdown.splitlines()[0] == "| name | role |"
    assert "a\\|b" in markdown
    text = repr(table).splitlines()
    assert text[0] == "name  role"
    assert text[2] == "vm    OpenAI User"
    assert len(table) == 2


def test_stable_message_drops_per_request_values() -> None:
    raw = (
        "AADSTS7000215: Invalid client secret provided. Trace ID: 0f1e2d3c-aaaa-bbbb-cccc-000000000000 "
        "Correlation ID: 11111111-2222-3333-4444-555555555555 Timestamp: 2026-11-30 02:17:48Z "
        "see https://127.0.0.1:43117/x"
    )
    cleaned = stable_message(raw)
    assert cleaned == "AADSTS7000215: Invalid client secret provided. see https://<lab-endpoint>/x"


def test_describe_error_is_one_line_with_the_type() -> None:
    assert describe_error(ValueError("bad\nthing")) == "ValueError: bad thing"


def test_stable_message_drops_the_response_body_azure_core_appends() -> None:
    raw = (
        "Authentication failed: AADSTS70020: This device code has expired. Trace ID: 0f1e2d3c-aaaa "
        '\nContent: {"error":"expired_token","timestamp":"2026-12-03 08:09:17Z","trace_id":"0f1e2d3c"}'
    )
    assert stable_message(raw) == "Authentication failed: AADSTS70020: This device code has expired."


def test_lab_neutral_replaces_only_the_run_specific_address() -> None:
    text = "open https://127.0.0.1:43557/devicelogin, not https://microsoft.com/devicelogin"
    assert lab_neutral(text) == "open https://<lab-endpoint>/devicelogin, not https://microsoft.com/devicelogin"


def test_lab_neutral_names_the_lab_endpoint_and_state_folder() -> None:
    assert lab_neutral("https://127.0.0.1:34679") == "https://<lab-endpoint>"
    token_file = "/tmp/keyless-lab-state-s65gefv9/workload-identity/keyless/chat-app/azure-identity-token"
    assert lab_neutral(token_file) == "<state-dir>/workload-identity/keyless/chat-app/azure-identity-token"
    mac = "/var/folders/x1/T/keyless-lab-state-abc_12/tls/ca.pem"
    assert lab_neutral(mac) == "<state-dir>/tls/ca.pem"
    assert lab_neutral(r"C:\Users\me\AppData\Local\Temp\keyless-lab-state-q1\azd") == r"<state-dir>\azd"


def test_lab_neutral_leaves_real_azure_values_alone() -> None:
    for value in (
        "/var/run/secrets/azure/tokens/azure-identity-token",
        "https://login.microsoftonline.com/",
        "https://eastus.oic.prod-aks.azure.com/00000000-0000-0000-0000-000000000000/11111111/",
        "/tmp/keyless-lab-ci-abc/chat.yml",
    ):
        assert lab_neutral(value) == value
