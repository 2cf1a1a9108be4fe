"""External-token tables and Entra refusals, as notebooks 10 and 11 print them."""

from __future__ import annotations

import time

import jwt

from keyless_lab.federation import entra_refusal, external_token_table


def test_external_token_table_shows_the_matching_claims_in_words() -> None:
    token = jwt.encode(
        {"iss": "https://issuer/", "sub": "system:serviceaccount:ns:sa", "aud": ["api://AzureADTokenExchange"],
         "exp": time.time() + 3600},
        "k" * 32, algorithm="HS256",
    )  # fmt: skip
    table = external_token_table(token)
    assert [row[0] for row in table.rows] == ["iss", "sub", "aud", "exp"]
    assert table.rows[2][1] == "api://AzureADTokenExchange" and table.rows[3][1] == "in 60 min"


def test_external_token_table_names_the_lab_issuer_instead_of_its_port() -> None:
    token = jwt.encode(
        {"iss": "https://127.0.0.1:34679/oidc/aks/t/c/", "sub": "system:serviceaccount:ns:sa"}, "k" * 32, "HS256"
    )
    assert external_token_table(token).rows[0][1] == "https://<lab-endpoint>/oidc/aks/t/c/"


def test_entra_refusal_keeps_the_code_and_first_sentence_only() -> None:
    error = Exception(
        "Microsoft Entra ID error '(invalid_client) AADSTS700024: Client assertion is not within its valid time "
        "range. Current time: 2026-12-03T08:16:13.9129120Z, assertion valid from 2026-12-03T08:16:13Z. Trace ID: x'"
    )
    assert entra_refusal(error) == "AADSTS700024: Client assertion is not within its valid time range."
    assert entra_refusal(ValueError("no code here")) == "ValueError: no code here"


def test_entra_refusal_keeps_the_case_only_sentence_of_aadsts7002138() -> None:
    error = Exception(
        "AADSTS7002138: No matching federated identity record found for presented assertion subject "
        "'repo:contoso/keyless-lab:environment:Prod'. The subject matches with case-insensitive comparison, but not "
        "with case-sensitive comparison. Check your federated identity credential Subject, Audience and Issuer. "
        "Trace ID: x"
    )
    assert entra_refusal(error) == (
        "AADSTS7002138: No matching federated identity record found for presented assertion subject "
        "'repo:contoso/keyless-lab:environment:Prod'. The subject matches with case-insensitive comparison, but not "
        "with case-sensitive comparison."
    )
