"""The emulated Azure OpenAI data plane: the deployments and v1 surfaces (`routes`, `v1`), the checks
every call passes (`access`, `caller`, `rate_limits`), the operations (`chat`, `embeddings`,
`responses`, `streaming`) and what they validate (`requests`, `api_versions`, `models`)."""
