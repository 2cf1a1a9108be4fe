"""What notebook 00 tells a learner when the first call to their resource fails."""

from __future__ import annotations

import httpx
import openai
import pytest
from azure.identity import CredentialUnavailableError

from keyless_lab.reachability import explain_failed_call, what_to_check

ENDPOINT = "https://oai-example.openai.azure.com/"
REQUEST = httpx.Request("POST", f"{ENDPOINT}openai/v1/chat/completions")


def status_error(cls: type[openai.APIStatusError], status: int, error: dict) -> openai.APIStatusError:
    """As openai builds it: the message, and the body's `error` object (which carries `code`)."""
    response = httpx.Response(status, request=REQUEST, json={"error": error})
    return cls(f"Error code: {status} - {error.get('message', '')}", response=response, body=error)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (CredentialUnavailableError("no identity"), "az login"),
        (openai.APIConnectionError(request=REQUEST), "cannot be reached"),
        (
            status_error(
                openai.NotFoundError,
                404,
                {"code": "DeploymentNotFound", "message": "The API deployment for this resource does not exist."},
            ),
            "no deployment named 'gpt-x'",
        ),
        (
            status_error(openai.NotFoundError, 404, {"code": "404", "message": "Resource not found"}),
            "no Azure OpenAI API",
        ),
        (
            status_error(openai.AuthenticationError, 401, {"code": "PermissionDenied"}),
            "Cognitive Services OpenAI User",
        ),
        (status_error(openai.PermissionDeniedError, 403, {"code": "Forbidden"}), "refused this identity"),
        (ValueError("something else"), "see the error above"),
    ],
)
def test_each_failure_names_what_to_check(error: BaseException, expected: str) -> None:
    assert expected in what_to_check(error, ENDPOINT, "gpt-x")


def test_the_explanation_is_one_line_with_the_error_first() -> None:
    line = explain_failed_call(openai.APIConnectionError(request=REQUEST), ENDPOINT, "gpt-x")
    assert line.startswith("APIConnectionError: Connection error.") and "\n" not in line
    assert line.endswith("(private endpoint, firewall, proxy)")
