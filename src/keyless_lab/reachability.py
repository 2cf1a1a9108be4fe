"""What to check when the first call to an Azure OpenAI resource fails, in one line.

Notebook 00 calls the resource once in azure mode, so that a wrong endpoint, deployment, identity or
role shows up there, with the fix, rather than halfway through a later notebook.
"""

from __future__ import annotations

import openai
from azure.core.exceptions import ClientAuthenticationError

from .display import describe_error

ROLE = "Cognitive Services OpenAI User"


def what_to_check(error: BaseException, endpoint: str, deployment: str) -> str:
    """The likeliest cause of `error` from a first chat call, and what to change."""
    if isinstance(error, ClientAuthenticationError):  # includes CredentialUnavailableError
        return (
            "no identity on this machine could get a token: sign in with `az login` on a laptop, "
            "or run on Azure compute whose managed identity is turned on"
        )
    if isinstance(error, openai.APIConnectionError):
        return (
            f"{endpoint} cannot be reached: check the endpoint (https://<resource>.openai.azure.com/) "
            "and the network path (private endpoint, firewall, proxy)"
        )
    if isinstance(error, openai.NotFoundError):
        if error.code == "DeploymentNotFound" or "deployment for this resource does not exist" in error.message:
            return f"the resource has no deployment named {deployment!r}: pass the deployment's name, not the model's"
        return f"{endpoint} has no Azure OpenAI API: pass the resource's Azure OpenAI endpoint from the portal"
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return (
            f"the resource refused this identity: assign it the {ROLE} role on the resource "
            "(allow up to 10 minutes), and check that it signs in to the resource's tenant"
        )
    return "see the error above"


def explain_failed_call(error: BaseException, endpoint: str, deployment: str) -> str:
    """One line: the error, then what to check."""
    return f"{describe_error(error)} -> {what_to_check(error, endpoint, deployment)}"
