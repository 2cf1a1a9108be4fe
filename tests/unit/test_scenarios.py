"""Emulator-only scenarios: a token from the lab's other tenant, and deployment rate limits."""

from __future__ import annotations

from collections.abc import Iterator

import openai
import pytest
from openai import OpenAI

from keyless_lab import Lab, decode_claims, start_lab
from keyless_lab.scenarios import token_from_another_tenant


@pytest.fixture
def lab() -> Iterator[Lab]:
    with start_lab(quiet=True) as started:
        yield started


def test_a_token_from_the_other_tenant_gets_the_tenant_mismatch_400(lab: Lab) -> None:
    token = token_from_another_tenant(lab)
    claims = decode_claims(token)
    other = lab.directory["tenants"][1]["id"]
    assert claims["tid"] == other and claims["oid"] == lab.principal("vm-keyless-lab")["object_id"]
    client = OpenAI(base_url=f"{lab.endpoint}openai/v1/", api_key=token, max_retries=0)
    with pytest.raises(openai.BadRequestError) as caught:
        client.chat.completions.create(model=lab.deployment, messages=[{"role": "user", "content": "hi"}])
    assert caught.value.message.endswith(f"Token tenant {other} does not match resource tenant.")


def test_rate_limits_are_set_and_lifted(lab: Lab) -> None:
    client = OpenAI(base_url=f"{lab.endpoint}openai/v1/", api_key=str(lab.api_key()), max_retries=0)
    ask = lambda: client.chat.completions.create(model=lab.deployment, messages=[{"role": "user", "content": "hi"}])  # noqa: E731
    lab.set_rate_limits(lab.deployment, rpm=6)  # one request per 10-second window
    ask()
    with pytest.raises(openai.RateLimitError):
        ask()
    lab.set_rate_limits(lab.deployment)
    ask()
