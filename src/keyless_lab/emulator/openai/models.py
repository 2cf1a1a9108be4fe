"""The models the emulated Azure OpenAI resource can deploy, and what each one can do.

A deployment names a model; the model decides which operations work (chat completions or
embeddings) and, for embeddings, the vector size. Azure answers `OperationNotSupported` when an
operation is called on a deployment whose model cannot do it.
"""

from __future__ import annotations

from dataclasses import dataclass

CHAT = "chat"
EMBEDDINGS = "embeddings"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    version: str
    kind: str  # CHAT or EMBEDDINGS
    dimensions: int = 0  # embeddings only: the full vector size
    flexible_dimensions: bool = False  # embeddings only: honours the `dimensions` parameter
    created_at: int = 0  # when the model version was published (epoch seconds), for /models

    @property
    def reported_name(self) -> str:
        """The `model` field Azure returns: dated chat versions carry the date, embeddings do not."""
        return f"{self.name}-{self.version}" if self.kind == CHAT else self.name


CATALOGUE: dict[str, ModelInfo] = {
    m.name: m
    for m in (
        ModelInfo("gpt-4o-mini", "2024-07-18", CHAT, created_at=1721260800),
        ModelInfo("gpt-4o", "2024-11-20", CHAT, created_at=1732060800),
        ModelInfo("gpt-4.1-mini", "2025-04-14", CHAT, created_at=1744588800),
        ModelInfo("gpt-4.1", "2025-04-14", CHAT, created_at=1744588800),
        ModelInfo("text-embedding-3-small", "1", EMBEDDINGS, 1536, True, created_at=1706140800),
        ModelInfo("text-embedding-3-large", "1", EMBEDDINGS, 3072, True, created_at=1706140800),
        ModelInfo("text-embedding-ada-002", "2", EMBEDDINGS, 1536, False, created_at=1671062400),
    )
}
DEFAULT_CHAT_MODEL = "gpt-4o-mini"


def model_info(name: str, version: str = "") -> ModelInfo:
    """What the lab knows about a model; an unknown name is treated as a chat model."""
    known = CATALOGUE.get(name)
    if known is None:
        is_embedding = name.startswith("text-embedding")
        return ModelInfo(name, version or "1", EMBEDDINGS if is_embedding else CHAT, 1536 if is_embedding else 0)
    if version and version != known.version:
        return ModelInfo(known.name, version, known.kind, known.dimensions, known.flexible_dimensions, known.created_at)
    return known
