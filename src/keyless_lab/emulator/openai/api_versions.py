"""The `api-version` values Azure OpenAI's dated surface answers; any other is a 404, as on Azure.

Azure answers an unknown `api-version` (a typo such as `2024-10-12`) with
`404 {"error":{"code":"404","message":"Resource not found"}}`, the same body as a missing one, so
the lab must not accept whatever it is sent: a typo has to fail offline as it fails on Azure.

Source: the data-plane inference specifications Microsoft publishes, one folder per version, in
Azure/azure-rest-api-specs `specification/cognitiveservices/data-plane/AzureOpenAI/inference/`
(`stable/` and `preview/`), cross-checked with Microsoft Learn's "Azure OpenAI API version
lifecycle" page. Unconfirmed: whether Azure still serves every retired preview listed here (the
lifecycle page says previews older than the latest three are retired "unless support is
explicitly indicated"; keeping them accepted errs on the side of not failing real code). Versions
released after the lab was written are missing until added here; the v1 surface
(`/openai/v1/...`) takes no api-version at all.
"""

from __future__ import annotations

from typing import TypeGuard

GA_API_VERSIONS: frozenset[str] = frozenset({"2022-12-01", "2023-05-15", "2024-02-01", "2024-06-01", "2024-10-21"})

PREVIEW_API_VERSIONS: frozenset[str] = frozenset(
    {
        "2022-03-01-preview",
        "2022-06-01-preview",
        "2023-03-15-preview",
        "2023-06-01-preview",
        "2023-07-01-preview",
        "2023-08-01-preview",
        "2023-09-01-preview",
        "2023-10-01-preview",
        "2023-12-01-preview",
        "2024-02-15-preview",
        "2024-03-01-preview",
        "2024-04-01-preview",
        "2024-05-01-preview",
        "2024-07-01-preview",
        "2024-08-01-preview",
        "2024-09-01-preview",
        "2024-10-01-preview",
        "2024-12-01-preview",
        "2025-01-01-preview",
        "2025-02-01-preview",
        "2025-03-01-preview",
        "2025-04-01-preview",
    }
)

KNOWN_API_VERSIONS: frozenset[str] = GA_API_VERSIONS | PREVIEW_API_VERSIONS


def is_known(api_version: str | None) -> TypeGuard[str]:
    """Whether Azure OpenAI's dated surface serves this `api-version` (exact, case-sensitive)."""
    return api_version in KNOWN_API_VERSIONS
