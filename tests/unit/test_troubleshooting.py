"""The error catalogue: every error the emulator can answer has a row, and matching picks the right one."""

from __future__ import annotations

import ast
import inspect
import json
import re
import types
from pathlib import Path

import httpx2
import openai
import pytest
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import CredentialUnavailableError
from starlette.responses import JSONResponse

from keyless_lab import troubleshooting
from keyless_lab.emulator import errors
from keyless_lab.emulator.entra import aadsts
from keyless_lab.troubleshooting import CATALOGUE, Diagnosis, catalogue_table, diagnose, diagnosis_table

PACKAGE = Path(troubleshooting.__file__).parent
EMULATOR = PACKAGE / "emulator"
# The lab's control plane (emulator/lab/: admin APIs, console, scripted device-code approval) is not
# Azure's: its messages are for the lab's own tools and tests, so they need no catalogue row.
LAB_CONTROL_PLANE = EMULATOR / "lab"
LAB_ONLY_FUNCTIONS: set[tuple[str, str]] = set()
GENERIC = "AADSTS (other)"


# -- scanning the emulator's source ----------------------------------------------------------------
def _modules() -> list[tuple[Path, ast.Module]]:
    paths = sorted(p for p in EMULATOR.rglob("*.py") if LAB_CONTROL_PLANE not in p.parents)
    return [(p, ast.parse(p.read_text())) for p in paths]


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _entra_code_helpers(modules: list[tuple[Path, ast.Module]]) -> dict[str, int]:
    """Functions that put an AADSTS code in an answer -> the position of their code argument.

    Seeded with `entra_error(error, code, ...)`; any function passing one of its own parameters as that
    code is a wrapper, found until nothing new appears, so a new wrapper needs no change here. (The
    grants and sign-in pages take their codes from the AADSTS table, read below.)
    """
    helpers = {"entra_error": 1}
    changed = True
    while changed:
        changed = False
        for _, tree in modules:
            for fn in ast.walk(tree):
                if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or fn.name in helpers:
                    continue
                params = [a.arg for a in fn.args.args]
                for call in ast.walk(fn):
                    if isinstance(call, ast.Call) and _name(call.func) in helpers:
                        index = helpers[_name(call.func)]
                        arg = call.args[index] if len(call.args) > index else None
                        if isinstance(arg, ast.Name) and arg.id in params:
                            helpers[fn.name] = params.index(arg.id)
                            changed = True
                            break
    return helpers


def emulator_aadsts_codes() -> set[int]:
    """Every AADSTS code the emulator's source can answer with: its AADSTS table, plus any code a
    surface still writes at a call site or in a literal."""
    modules = _modules()
    helpers = _entra_code_helpers(modules)
    codes: set[int] = {v.code for v in vars(aadsts).values() if isinstance(v, aadsts.Aadsts)}
    for _, tree in modules:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) in helpers:
                index = helpers[_name(node.func)]
                args = [*node.args, *(k.value for k in node.keywords if k.arg == "code")]
                for arg in args[index : index + 1] if len(node.args) > index else args[len(node.args) :]:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, int):
                        codes.add(arg.value)
                    if isinstance(arg, ast.IfExp):  # `50058 if ... else 900144`
                        codes.update(
                            v.value
                            for v in (arg.body, arg.orelse)
                            if isinstance(v, ast.Constant) and isinstance(v.value, int)
                        )
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                codes.update(int(c) for c in re.findall(r"AADSTS(\d+)", node.value))
    return codes


def _text(node: ast.expr) -> str | None:
    """A string literal, or an f-string with its placeholders written as <x>."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "<x>" for v in node.values)
    return None


def _is_error_response(call: ast.Call) -> bool:
    status = next((k.value for k in call.keywords if k.arg == "status_code"), None)
    return isinstance(status, ast.Constant) and isinstance(status.value, int) and status.value >= 400


class _ErrorTexts(ast.NodeVisitor):
    """Collects literal error messages, remembering the innermost function they are answered from."""

    def __init__(self, module: str) -> None:
        self.module, self.function, self.found = module, "", []  # type: list[tuple[str, str]]

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        outer, self.function = self.function, node.name
        if (self.module, node.name) not in LAB_ONLY_FUNCTIONS:
            self.generic_visit(node)
        self.function = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, call: ast.Call) -> None:
        name = _name(call.func)
        texts: list[str | None] = []
        if name in ("imds_error", "app_service_error"):
            texts = [_text(a) for a in call.args]
        elif name == "JSONResponse" and call.args and _is_error_response(call) and isinstance(call.args[0], ast.Dict):
            body = call.args[0]
            texts = [
                _text(v)
                for k, v in zip(body.keys, body.values, strict=True)
                if isinstance(k, ast.Constant) and k.value in ("error", "message", "error_description")
            ]
        self.found += [(f"{self.module}:{call.lineno}", t) for t in texts if t and not t.isdigit()]
        self.generic_visit(call)


def emulator_literal_error_texts() -> list[tuple[str, str]]:
    """(where, text) for every literal message the emulator answers outside errors.py's functions:
    IMDS and App Service messages, and JSON error bodies built in place."""
    found: list[tuple[str, str]] = []
    for path, tree in _modules():
        if path.name != "errors.py":
            visitor = _ErrorTexts(path.name)
            visitor.visit(tree)
            found += visitor.found
    return found


def _dummy(parameter: inspect.Parameter) -> object:
    annotation = str(parameter.annotation)
    if "dict" in annotation:
        return {}
    if annotation.startswith("int"):
        return 5
    return "x"


def errors_module_bodies() -> list[tuple[str, str]]:
    """The body of every error response errors.py can build (AADSTS ones are covered by code)."""
    bodies = []
    for name, fn in inspect.getmembers(errors, inspect.isfunction):
        if fn.__module__ != errors.__name__ or name in ("entra_error", "imds_error"):
            continue
        args = [_dummy(p) for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
        response = fn(*args)
        assert isinstance(response, JSONResponse) and response.status_code >= 400, name
        bodies.append((name, bytes(response.body).decode()))
    return bodies


# -- coverage: a new emulator error without a catalogue row fails here -------------------------------
def test_the_scan_finds_the_emulators_aadsts_codes() -> None:
    codes = emulator_aadsts_codes()
    # codes of the AADSTS table, which the token endpoint, the grants and the sign-in pages all answer from
    assert {7000215, 54005, 700016, 65004, 50011, 90002} <= codes
    assert len(codes) >= 30


@pytest.mark.parametrize("code", sorted(emulator_aadsts_codes()))
def test_every_aadsts_code_the_emulator_answers_has_its_own_row(code: int) -> None:
    found = diagnose(f"AADSTS{code}: (description)")
    assert found is not None and found.code == f"AADSTS{code}", f"no catalogue row for AADSTS{code}"


@pytest.mark.parametrize(("name", "body"), errors_module_bodies())
def test_every_error_body_in_errors_module_is_diagnosed(name: str, body: str) -> None:
    found = diagnose(body)
    assert found is not None and found.code != GENERIC, f"errors.{name}() answers {body!r}, which has no row"


@pytest.mark.parametrize(("where", "text"), emulator_literal_error_texts())
def test_every_literal_emulator_error_message_is_diagnosed(where: str, text: str) -> None:
    found = diagnose(text)
    assert found is not None, f"{where} answers {text!r}, which has no catalogue row"


def test_the_literal_scan_finds_imds_and_github_messages() -> None:
    texts = " | ".join(text for _, text in emulator_literal_error_texts())
    assert "Identity not found" in texts
    assert "ACTIONS_ID_TOKEN_REQUEST_TOKEN" in texts
    assert "Unable to load the proper Managed Identity" in texts


def test_the_az_stand_ins_not_logged_in_message_is_diagnosed() -> None:
    from keyless_lab.shims import az

    assert diagnose(az.NOT_LOGGED_IN).code == "az login"  # type: ignore[union-attr]


# -- matching ----------------------------------------------------------------------------------------
def test_codes_are_unique() -> None:
    codes = [e.diagnosis.code for e in CATALOGUE]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.diagnosis.code)
def test_each_rows_example_is_diagnosed_as_that_row(entry: troubleshooting.CatalogueEntry) -> None:
    assert diagnose(entry.example) == entry.diagnosis
    assert entry.diagnosis.cause and entry.diagnosis.fix


def test_aadsts_codes_match_whole_numbers_only() -> None:
    assert diagnose("AADSTS700161: something new").code == GENERIC  # type: ignore[union-attr]
    assert diagnose("AADSTS70016: pending").code == "AADSTS70016"  # type: ignore[union-attr]


def test_federation_rows_tell_the_aks_slash_and_the_github_id_form() -> None:
    issuer = diagnose("AADSTS700211: No matching federated identity record found for presented assertion issuer 'x'.")
    assert "trailing slash included" in issuer.fix and "with or without" not in issuer.fix  # type: ignore[union-attr]
    subject = diagnose("AADSTS700213: No matching federated identity record found for presented assertion subject 'x'.")
    assert "repo:ORG@ORG_ID/REPO@REPO_ID" in subject.fix  # type: ignore[union-attr]


def test_unrelated_text_is_not_diagnosed() -> None:
    assert diagnose("KeyError: 'choices'") is None


def _openai_error(cls: type[openai.APIStatusError], status: int, message: str, body: object) -> openai.APIStatusError:
    response = httpx2.Response(
        status, request=httpx2.Request("POST", "https://example.invalid/openai/v1/chat/completions")
    )
    return cls(message, response=response, body=body)


def test_an_openai_exception_is_matched_by_its_body_when_the_message_says_little() -> None:
    error = _openai_error(openai.PermissionDeniedError, 403, "Error code: 403", {"code": "AuthenticationTypeDisabled"})
    assert diagnose(error).code == "AuthenticationTypeDisabled"  # type: ignore[union-attr]


def test_the_token_401_is_matched_from_an_openai_exception() -> None:
    body = {"statusCode": 401, "message": errors.TOKEN_401_MESSAGE}
    error = _openai_error(openai.AuthenticationError, 401, f"Error code: 401 - {body}", body)
    assert diagnose(error).code == "401 invalid token"  # type: ignore[union-attr]


def test_a_chain_failure_caused_by_an_entra_error_is_diagnosed_by_that_error() -> None:
    message = (
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials:\n"
        "\tEnvironmentCredential: Authentication failed: AADSTS7000215: Invalid client secret provided."
    )
    assert diagnose(ClientAuthenticationError(message=message)).code == "AADSTS7000215"  # type: ignore[union-attr]


def test_a_chain_where_nothing_was_available_is_diagnosed_as_the_chain() -> None:
    message = (
        "DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials:\n"
        "\tEnvironmentCredential: EnvironmentCredential authentication unavailable. Environment variables are not "
        "fully configured.\n\tManagedIdentityCredential: ManagedIdentityCredential authentication unavailable, no "
        "response from the IMDS endpoint.\n\tAzureCliCredential: Please run 'az login' to set up an account"
    )
    assert diagnose(ClientAuthenticationError(message=message)).code == "DefaultAzureCredential failed"  # type: ignore[union-attr]


def test_the_cause_chain_is_read() -> None:
    try:
        try:
            raise ValueError("Identity not found")
        except ValueError as inner:
            raise CredentialUnavailableError(message="ManagedIdentityCredential authentication unavailable.") from inner
    except CredentialUnavailableError as outer:
        assert diagnose(outer).code == "Identity not found"  # type: ignore[union-attr]


def test_diagnosis_reads_as_one_line() -> None:
    found = diagnose("AADSTS7000222: The provided client secret keys for app 'x' are expired.")
    assert isinstance(found, Diagnosis)
    assert str(found).startswith("AADSTS7000222: ") and "Fix: " in str(found) and "\n" not in str(found)


# -- tables ------------------------------------------------------------------------------------------
def test_catalogue_table_has_one_row_per_entry_and_can_be_narrowed() -> None:
    assert len(catalogue_table()) == len(CATALOGUE)
    narrowed = catalogue_table(("PermissionDenied", "AADSTS7000215"))
    assert [row[0] for row in narrowed.rows] == ["AADSTS7000215", "PermissionDenied"]  # catalogue order


def test_diagnosis_table_names_unmatched_errors() -> None:
    table = diagnosis_table({"ok": "AADSTS700016: Application not found", "odd": RuntimeError("boom")})
    assert table.rows[0][2] == "AADSTS700016"
    assert table.rows[1][1] == "RuntimeError: boom" and table.rows[1][2] == "(not in the catalogue)"


def test_the_module_exposes_its_interface() -> None:
    assert isinstance(troubleshooting.CATALOGUE, tuple)
    assert isinstance(diagnose, types.FunctionType) and json.dumps(catalogue_table().columns)
