"""Validation of Azure OpenAI request bodies, with the OpenAI-shaped 400 errors Azure passes through.

Only what the emulator uses is checked strictly (messages, streaming, token limits, embeddings
input, dimensions); other parameters (`temperature`'s range aside) are accepted and ignored,
as a deterministic emulator has nothing to do with them. Every malformed body ends in a 400,
never in an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from starlette.responses import Response

from .. import errors
from ..jsonio import loads

ROLES = ("system", "assistant", "user", "function", "tool", "developer")
ENCODINGS = ("float", "base64")
MAX_EMBEDDING_INPUTS = 2048


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a decimal"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _invalid_type(param: str, expected: str, value: object) -> Response:
    return errors.invalid_request(
        f"Invalid type for '{param}': expected {expected}, but got {_type_name(value)} instead.",
        param=param,
        code="invalid_type",
    )


def _missing(param: str) -> Response:
    return errors.invalid_request(
        f"Missing required parameter: '{param}'.", param=param, code="missing_required_parameter"
    )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _positive_int(body: dict[str, Any], param: str, maximum: int | None = None) -> int | Response | None:
    value = body.get(param)
    if value is None:
        return None
    if not _is_int(value):
        return _invalid_type(param, "an integer", value)
    if value < 1:
        return errors.invalid_request(
            f"Invalid '{param}': integer below minimum value. Expected a value >= 1, but got {value} instead.",
            param=param,
            code="integer_below_min_value",
        )
    if maximum is not None and value > maximum:
        return errors.invalid_request(
            f"Invalid '{param}': integer above maximum value. Expected a value <= {maximum}, but got {value} instead.",
            param=param,
            code="integer_above_max_value",
        )
    return value


def parse_json_object(raw: bytes) -> dict[str, Any] | Response:
    """The body as a JSON object, or the 400 Azure answers for anything else."""
    try:
        body = loads(raw)
    except (ValueError, RecursionError):
        return errors.invalid_request("We could not parse the JSON body of your request.")
    if not isinstance(body, dict):
        return errors.invalid_request(
            f"Invalid type for body: expected an object, but got {_type_name(body)} instead.", code="invalid_type"
        )
    return body


def model_name(body: dict[str, Any]) -> str | Response:
    """The v1 surface names the deployment in the body's `model`."""
    model = body.get("model")
    if model is None:
        return _missing("model")
    if not isinstance(model, str):
        return _invalid_type("model", "a string", model)
    return model


@dataclass(frozen=True)
class ChatRequest:
    messages: list[dict[str, Any]]
    stream: bool
    include_usage: bool
    max_tokens: int | None
    n: int


def chat_request(body: dict[str, Any]) -> ChatRequest | Response:
    messages = body.get("messages")
    if messages is None:
        return _missing("messages")
    if not isinstance(messages, list):
        return _invalid_type("messages", "an array", messages)
    if not messages:
        return errors.invalid_request(
            "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
            param="messages",
            code="empty_array",
        )
    for index, message in enumerate(messages):
        problem = _message_problem(index, message)
        if problem is not None:
            return problem

    stream = body.get("stream")
    if stream is not None and not isinstance(stream, bool):
        return _invalid_type("stream", "a boolean", stream)
    options = body.get("stream_options")
    include_usage = False
    if options is not None:
        if not isinstance(options, dict):
            return _invalid_type("stream_options", "an object", options)
        if not stream:
            return errors.invalid_request(
                "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
                param="stream_options",
                code="invalid_value",
            )
        usage = options.get("include_usage")
        if usage is not None and not isinstance(usage, bool):
            return _invalid_type("stream_options.include_usage", "a boolean", usage)
        include_usage = bool(usage)

    temperature = body.get("temperature")
    if temperature is not None:
        if isinstance(temperature, bool) or not isinstance(temperature, int | float):
            return _invalid_type("temperature", "a decimal", temperature)
        if not 0 <= temperature <= 2:
            return errors.invalid_request(
                f"Invalid 'temperature': decimal out of range. Expected a value between 0 and 2, but got "
                f"{temperature} instead.",
                param="temperature",
                code="invalid_value",
            )

    limits = []
    for param in ("max_tokens", "max_completion_tokens"):
        value = _positive_int(body, param)
        if isinstance(value, Response):
            return value
        limits.append(value)
    n = _positive_int(body, "n", maximum=128)
    if isinstance(n, Response):
        return n
    max_tokens = min((v for v in limits if v is not None), default=None)
    return ChatRequest(messages, bool(stream), include_usage, max_tokens, n or 1)


def _message_problem(index: int, message: object) -> Response | None:
    where = f"messages[{index}]"
    if not isinstance(message, dict):
        return _invalid_type(where, "an object", message)
    role = message.get("role")
    if role is None:
        return _missing(f"{where}.role")
    if not isinstance(role, str):
        return _invalid_type(f"{where}.role", "a string", role)
    if role not in ROLES:
        supported = ", ".join(f"'{r}'" for r in ROLES[:-1]) + f", and '{ROLES[-1]}'"
        return errors.invalid_request(
            f"Invalid value: '{role}'. Supported values are: {supported}.", param=f"{where}.role", code="invalid_value"
        )
    content = message.get("content")
    if content is None:
        if role in ("system", "user", "developer", "tool") or "content" not in message:
            if role == "assistant" and ("tool_calls" in message or "function_call" in message):
                return None
            return _missing(f"{where}.content")
        return None
    if isinstance(content, list):
        for part_index, part in enumerate(content):
            if not isinstance(part, dict):
                return _invalid_type(f"{where}.content[{part_index}]", "an object", part)
            text = part.get("text")
            if part.get("type") == "text" and not isinstance(text, str):
                return _invalid_type(f"{where}.content[{part_index}].text", "a string", text)
        return None
    if not isinstance(content, str):
        return _invalid_type(f"{where}.content", "a string or an array", content)
    return None


@dataclass(frozen=True)
class EmbeddingsRequest:
    inputs: list[str | list[int]]
    encoding_format: str
    dimensions: int | None


def _input_is_invalid() -> Response:
    return errors.invalid_request(
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        param=None,
    )


def embeddings_request(body: dict[str, Any]) -> EmbeddingsRequest | Response:
    raw = body.get("input")
    if raw is None:
        return _missing("input")
    if isinstance(raw, str):
        inputs: list[str | list[int]] = [raw]
    elif isinstance(raw, list) and raw and all(_is_int(t) for t in raw):
        inputs = [list(raw)]
    elif isinstance(raw, list):
        inputs = list(raw)
    else:
        return _input_is_invalid()
    if not inputs:
        return _input_is_invalid()
    if len(inputs) > MAX_EMBEDDING_INPUTS:
        return errors.invalid_request(
            f"Too many inputs. The max number of inputs is {MAX_EMBEDDING_INPUTS}. We hope to increase the number "
            "of inputs per request soon. Please contact us through an Azure support request at: "
            "https://go.microsoft.com/fwlink/?linkid=2213926 for further questions.",
            param=None,
        )
    for item in inputs:
        if isinstance(item, str):
            if not item:
                return _input_is_invalid()
        elif isinstance(item, list):
            if not item or not all(_is_int(t) and t >= 0 for t in item):
                return _input_is_invalid()
        else:
            return _input_is_invalid()

    encoding = body.get("encoding_format")
    if encoding is None:
        encoding = "float"
    if not isinstance(encoding, str):
        return _invalid_type("encoding_format", "a string", encoding)
    if encoding not in ENCODINGS:
        return errors.invalid_request(
            f"Invalid value: '{encoding}'. Supported values are: 'float' and 'base64'.",
            param="encoding_format",
            code="invalid_value",
        )
    dimensions = _positive_int(body, "dimensions")
    if isinstance(dimensions, Response):
        return dimensions
    return EmbeddingsRequest(inputs, encoding, dimensions)


# The same 400s for other request shapes (the Responses API's `responses.py`).
invalid_type = _invalid_type
missing_parameter = _missing
positive_int = _positive_int
