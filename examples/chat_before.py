"""BEFORE — the classic blog script, kept as it was published, with a defect. Do not copy it.

Source: "Authenticating Azure Foundry OpenAI Using Managed Identity" (Pratap Reddy Pilaka's blog,
April 2026). Only its two constants changed: they come from the environment, so the same file runs
against `keyless-lab serve` and on an Azure VM with a system-assigned managed identity.

What breaks, and when: step 2 hands the client one fixed token (`azure_ad_token=token.token`). The
client never asks for another, so once that token expires — a managed identity token lives about
24 hours, and the platform may hand out a cached one with less left — every call fails with
401 "Access token is missing, invalid, audience is incorrect ... or have expired". A script that
runs for a minute never notices; a web app, worker or notebook kernel that lives for a day does.
It also uses the dated `api-version` surface, which Microsoft no longer recommends for new code.

The corrected script is `chat.py` beside this one (a token provider and the v1 client).

    keyless-lab serve --env-file lab.env                           # in one shell
    set -a; . ./lab.env; set +a; python examples/chat_before.py    # in another
"""

import os

from azure.identity import ManagedIdentityCredential
from openai import AzureOpenAI

# ── Config ──────────────────────────────────────────────
AZURE_OPENAI_ENDPOINT = os.environ["AZURE_OPENAI_ENDPOINT"]
DEPLOYMENT_NAME = os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")
API_VERSION = "2024-02-01"
# ────────────────────────────────────────────────────────

# 1. Obtain a token via Managed Identity (no keys!)
credential = ManagedIdentityCredential()
token = credential.get_token("https://cognitiveservices.azure.com/.default")

# 2. Build AzureOpenAI client using the bearer token
client = AzureOpenAI(
    azure_endpoint=AZURE_OPENAI_ENDPOINT,
    api_version=API_VERSION,
    azure_ad_token=token.token,  # DEFECT: a fixed token; every call fails with 401 once it expires
)

# 3. Call the model
response = client.chat.completions.create(
    model=DEPLOYMENT_NAME,
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello! Tell me about managed identity"},
    ],
)

print("Response:", response.choices[0].message.content)
