from __future__ import annotations

from keyless_lab.display import Table, describe_error, hide_lab_endpoint, stable_message


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


def test_hide_lab_endpoint_replaces_only_the_run_specific_address() -> None:
    text = "open https://127.0.0.1:43557/devicelogin, not https://microsoft.com/devicelogin"
    assert hide_lab_endpoint(text) == "open https://<lab-endpoint>/devicelogin, not https://microsoft.com/devicelogin"
