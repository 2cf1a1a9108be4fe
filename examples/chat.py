"""The classic blog script, unchanged except for its two constants, which now come from the
environment so that the same file runs against `keyless-lab serve` (load lab.env first) and on an
Azure VM with a system-assigned managed identity (export the two variables there).

    keyless-lab serve --env-file lab.env        # in one shell
    set -a; . ./lab.env; set +a; python examples/chat.py   # in another
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
    azure_ad_token=token.token,  # <-- token-based, not key-based
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
