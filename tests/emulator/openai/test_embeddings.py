"""Deterministic embeddings: stable, unit length, truncatable, and closer for texts that share words."""

from __future__ import annotations

import math

import pytest

from keyless_lab.emulator.jsonio import dumps
from keyless_lab.emulator.openai.chat import count_tokens
from keyless_lab.emulator.openai.embeddings import embed, embeddings_body, embeddings_json
from keyless_lab.emulator.openai.models import model_info

SMALL = model_info("text-embedding-3-small")


def cosine(a: list[float], b: list[float]) -> float:
    return math.fsum(x * y for x, y in zip(a, b, strict=True))


def test_same_text_same_vector_of_unit_length() -> None:
    first, second = (
        embed("Managed identities need no secret", SMALL, 1536),
        embed("Managed identities need no secret", SMALL, 1536),
    )
    assert first == second
    assert len(first) == 1536
    assert math.isclose(cosine(first.tolist(), first.tolist()), 1.0, rel_tol=1e-5)


def test_shared_words_make_texts_closer() -> None:
    query = embed("rotate the api key", SMALL, 1536).tolist()
    related = embed("how to rotate an api key", SMALL, 1536).tolist()
    unrelated = embed("penguins live in antarctica", SMALL, 1536).tolist()
    assert cosine(query, related) > 0.5 > abs(cosine(query, unrelated))


def test_vectors_depend_on_the_model() -> None:
    large = model_info("text-embedding-3-large")
    assert embed("hello", SMALL, 8).tolist() != embed("hello", large, 8).tolist()


@pytest.mark.parametrize("dimensions", [1, 3, 256, 1536])
def test_dimensions_truncate_and_renormalise(dimensions: int) -> None:
    full = embed("keyless authentication with Entra ID", SMALL, 1536).tolist()
    short = embed("keyless authentication with Entra ID", SMALL, dimensions).tolist()
    assert len(short) == dimensions
    assert math.isclose(math.fsum(x * x for x in short), 1.0, rel_tol=1e-5)
    scale = math.sqrt(math.fsum(x * x for x in full[:dimensions]))
    assert all(math.isclose(a, b / scale, rel_tol=1e-5, abs_tol=1e-7) for a, b in zip(short, full, strict=False))


def test_token_arrays_are_embedded_and_counted_per_token() -> None:
    body = embeddings_body([[1, 2, 3], "two words"], SMALL, 4, "float")
    assert [item["index"] for item in body["data"]] == [0, 1]
    tokens = 3 + count_tokens("two words")
    assert body["usage"] == {"prompt_tokens": tokens, "total_tokens": tokens}
    assert body["model"] == "text-embedding-3-small" and body["object"] == "list"


def test_the_threaded_serialisation_is_the_same_json() -> None:
    inputs: list[str | list[int]] = ["rotate the api key", [1, 2, 3], "penguins " * 50]
    for encoding in ("float", "base64"):
        assert b"".join(embeddings_json(inputs, SMALL, 256, encoding)) == dumps(
            embeddings_body(inputs, SMALL, 256, encoding)
        )
