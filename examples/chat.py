"""Call Azure OpenAI with a managed identity, in a way that keeps working after the token expires.

The corrected version of `chat_before.py` (the classic blog script): one credential for the
process, a token provider instead of a fixed token, and the v1 API (the plain `OpenAI` client, no
`api_version`), which Microsoft recommends since August 2025. Runs unchanged against
`keyless-lab serve` and on an Azure VM whose system-assigned identity holds the
"Cognitive Services OpenAI User" role on the resource.

    keyless-lab serve --env-file lab.env                    # in one shell
    set -a; . ./lab.env; set +a; python examples/chat.py    # in another
"""

import os

from azure.identity import ManagedIdentityCredential, get_bearer_token_provider
from openai import OpenAI

# ── Config ──────────────────────────────────────────────
AZURE_OPENAI_ENDPOINT = os.environ["AZURE_OPENAI_ENDPOINT"]  # https://<resource>.openai.azure.com/
DEPLOYMENT_NAME = os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini")
# ────────────────────────────────────────────────────────

# 1. One credential for the whole process: it caches its token, so build it once and reuse it.
#    (A user-assigned identity: ManagedIdentityCredential(client_id="<its client id>").)
credential = ManagedIdentityCredential()

# 2. A token provider, not a token: the client calls it before every request; it returns the
#    cached token while it is fresh and gets a new one before it expires.
token_provider = get_bearer_token_provider(credential, "https://cognitiveservices.azure.com/.default")

# 3. The v1 API: the plain OpenAI client, the provider as api_key, the deployment name as model.
client = OpenAI(base_url=f"{AZURE_OPENAI_ENDPOINT.rstrip('/')}/openai/v1/", api_key=token_provider)

response = client.chat.completions.create(
    model=DEPLOYMENT_NAME,
    messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "Hello! Tell me about managed identity"},
    ],
)

print("Response:", response.choices[0].message.content)
