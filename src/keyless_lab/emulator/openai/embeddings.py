"""Deterministic embeddings: unit vectors seeded by the words of the input.

Each word gets a fixed pseudo-random direction (seeded by the model and the word); a text's vector
is the normalised sum of its words' directions. The same text always gives the same vector, and
texts sharing words are closer (higher cosine similarity) than unrelated ones, which is enough for
a retrieval demonstration. `dimensions` truncates and renormalises the full vector, as the
text-embedding-3 models do.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import sys
import time
from array import array
from functools import lru_cache
from typing import Any

from ..jsonio import dumps
from .chat import count_tokens
from .models import ModelInfo

WORD = re.compile(r"\w+")


OFFSET = 32768  # a 16-bit field value v stands for the component v - OFFSET
FIELD = 8  # bytes per component in the packed sum: room for 2**47 words
PIECE_BYTES = 1024 * 1024  # how `embeddings_json` cuts a large reply for sending


CACHED_WORD_CHARS = 64  # longer words are not cached: the key would keep a copy of each one alive


def _direction(model: str, word: str, size: int) -> int:
    """A fixed pseudo-random direction for one word (see `_pack`), cached for ordinary words."""
    if len(word) > CACHED_WORD_CHARS:
        return _pack(model, word, size)
    return _cached_direction(model, word, size)


def _pack(model: str, word: str, size: int) -> int:
    """A fixed pseudo-random direction for one word, packed into one integer.

    Its components are 16-bit values from SHAKE-256 (read as `value - OFFSET`), each laid out in a
    64-bit little-endian field, so adding the integers of many words adds their vectors component
    by component at C speed.
    """
    digest = hashlib.shake_256(f"{model}\x00{word}".encode()).digest(size * 2)
    fields = bytearray(size * FIELD)
    fields[0::FIELD] = digest[0::2]
    fields[1::FIELD] = digest[1::2]
    return int.from_bytes(fields, "little")


# Each entry is one packed vector (8 bytes per dimension: 24 KiB for a 3,072-dimension model), so
# 1,024 entries bound the cache at 24 MiB whatever the requests; a lab vocabulary fits easily.
_cached_direction = lru_cache(maxsize=1024)(_pack)


def _words(item: str | list[int]) -> list[str]:
    if isinstance(item, list):
        return [f"#{token}" for token in item]
    return WORD.findall(item.lower()) or [item]


def embed(item: str | list[int], model: ModelInfo, dimensions: int) -> array[float]:
    """The unit vector (float32) for one input."""
    size = model.dimensions
    words = _words(item)
    packed = sum(_direction(model.name, word, size) for word in words)
    fields = array("Q")
    fields.frombytes(packed.to_bytes(size * FIELD, "little"))
    if sys.byteorder == "big":
        fields.byteswap()
    shift = OFFSET * len(words)
    head = [value - shift for value in fields[:dimensions]]
    norm = math.sqrt(sum(x * x for x in head))
    if norm == 0:  # vanishingly unlikely; keep the vector well defined
        head, norm = [1] + [0] * (dimensions - 1), 1.0
    return array("f", (x / norm for x in head))


def encode(vector: array[float], encoding_format: str) -> list[float] | str:
    if encoding_format == "base64":
        little = array("f", vector)
        if sys.byteorder == "big":
            little.byteswap()
        return base64.b64encode(little.tobytes()).decode()
    return vector.tolist()


def input_tokens(item: str | list[int]) -> int:
    return len(item) if isinstance(item, list) else count_tokens(item)


def _item(item: str | list[int], index: int, model: ModelInfo, dimensions: int, encoding_format: str) -> dict[str, Any]:
    return {"embedding": encode(embed(item, model, dimensions), encoding_format), "index": index, "object": "embedding"}


def _summary(inputs: list[str | list[int]], model: ModelInfo) -> dict[str, Any]:
    tokens = sum(input_tokens(item) for item in inputs)
    return {"model": model.reported_name, "object": "list", "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


def embeddings_body(
    inputs: list[str | list[int]], model: ModelInfo, dimensions: int, encoding_format: str
) -> dict[str, Any]:
    data = [_item(item, index, model, dimensions, encoding_format) for index, item in enumerate(inputs)]
    return {"data": data, **_summary(inputs, model)}


def embeddings_json(
    inputs: list[str | list[int]], model: ModelInfo, dimensions: int, encoding_format: str
) -> list[bytes]:
    """`embeddings_body` serialised, in pieces of about `PIECE_BYTES`, for a worker thread.

    A 2,048-input request takes seconds of CPU and its float reply is about 67 MB. Run on the event
    loop, it stalled every other surface for 7-9 s; here it is built input by input, each input
    serialised on its own (no single long serialisation holds the GIL), handing the GIL back to the
    event loop's thread between inputs, and sent in pieces without joining them.
    """
    pieces: list[bytes] = []
    current = bytearray(b'{"data":[')
    for index, item in enumerate(inputs):
        if index:
            current += b","
        current += dumps(_item(item, index, model, dimensions, encoding_format))
        if len(current) >= PIECE_BYTES:
            pieces.append(bytes(current))
            current = bytearray()
        time.sleep(0)  # releases the GIL: a waiting event loop runs now rather than at the next switch interval
    current += b"]," + dumps(_summary(inputs, model))[1:]
    pieces.append(bytes(current))
    return pieces
