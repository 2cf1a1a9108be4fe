"""The emulator's error paths, checked on its source: Entra and the lab's control plane raise their
errors where they are found (rendered by one handler each), the lab's handlers build no error
response of their own, and Entra's AADSTS codes and texts live in one table (`entra/aadsts.py`)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from keyless_lab import emulator

EMULATOR = Path(emulator.__file__).parent
RAISING_SURFACES = ("entra", "lab")
AADSTS_TABLE = EMULATOR / "entra" / "aadsts.py"


def _python_files(*surfaces: str) -> list[Path]:
    return sorted(p for surface in surfaces for p in (EMULATOR / surface).rglob("*.py"))


def _names(annotation: ast.expr) -> set[str]:
    return {
        n.id if isinstance(n, ast.Name) else n.attr
        for n in ast.walk(annotation)
        if isinstance(n, ast.Name | ast.Attribute)
    }


def _is_alternative_response(annotation: ast.expr | None) -> bool:
    """`X | Response`, `Response | None`, `Optional[Response]`, `Union[X, JSONResponse]`."""
    if annotation is None:
        return False
    is_union = isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr)
    is_union |= isinstance(annotation, ast.Subscript) and bool(_names(annotation.value) & {"Optional", "Union"})
    return bool(is_union and any(name.endswith("Response") for name in _names(annotation)))


def functions_returning_a_response_or_something_else() -> list[str]:
    found = []
    for path in _python_files(*RAISING_SURFACES):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_alternative_response(node.returns):
                found.append(f"{path.relative_to(EMULATOR)}:{node.lineno} {node.name}")
    return found


def _builds_an_error_response(call: ast.Call) -> bool:
    """`problem(...)`, or `...Response(..., status_code=4xx/5xx)` with the status written as a number."""
    func = call.func
    name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
    if name == "problem":
        return True
    given = [k.value for k in call.keywords if k.arg == "status_code"] + call.args[1:2]
    statuses = [v.value for v in given if isinstance(v, ast.Constant) and isinstance(v.value, int)]
    return name.endswith("Response") and any(status >= 400 for status in statuses)


def error_responses_built_in_the_lab() -> list[str]:
    """Calls in `emulator/lab/` that build an error answer rather than raise `LabRequestError`
    (whose one handler renders it)."""
    return sorted(
        f"{path.relative_to(EMULATOR)}:{node.lineno}"
        for path in _python_files("lab")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call) and _builds_an_error_response(node)
    )


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of the docstring constants (prose may name a code; answers may not)."""
    owners = [
        tree,
        *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)),
    ]
    return {
        id(owner.body[0].value)
        for owner in owners
        if owner.body and isinstance(owner.body[0], ast.Expr) and isinstance(owner.body[0].value, ast.Constant)
    }


def literal_aadsts_codes_outside_the_table() -> list[str]:
    """String literals in Entra's code (not docstrings or comments) that spell an AADSTS code."""
    found = []
    for path in _python_files("entra"):
        if path == AADSTS_TABLE:
            continue
        tree = ast.parse(path.read_text())
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                found += [
                    f"{path.relative_to(EMULATOR)}:{node.lineno} {m}" for m in re.findall(r"AADSTS\d+", node.value)
                ]
    return found


def test_entra_and_lab_functions_raise_their_errors_instead_of_returning_a_response() -> None:
    assert functions_returning_a_response_or_something_else() == []


def test_lab_handlers_raise_lab_request_error_instead_of_building_an_error_response() -> None:
    assert error_responses_built_in_the_lab() == []


def test_entra_code_spells_no_aadsts_code_outside_the_table() -> None:
    assert literal_aadsts_codes_outside_the_table() == []


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ("def f() -> int | Response: ...", True),
        ("async def f() -> Response | None: ...", True),
        ("def f() -> Optional[JSONResponse]: ...", True),
        ("def f() -> responses.Response | None: ...", True),
        ("def f() -> Response: ...", False),
        ("def f() -> int | None: ...", False),
    ],
)
def test_the_annotation_check_sees_unions_with_a_response(source: str, flagged: bool) -> None:
    function = ast.parse(source).body[0]
    assert isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
    assert _is_alternative_response(function.returns) is flagged


def test_the_literal_check_skips_docstrings_but_not_answers() -> None:
    tree = ast.parse('"""AADSTS1 in prose."""\ndef f():\n    """AADSTS2 too."""\n    return "AADSTS3: answer"\n')
    docstrings = _docstrings(tree)
    literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings]
    assert literals == ["AADSTS3: answer"]


@pytest.mark.parametrize(
    ("source", "flagged"),
    [
        ('problem("x", 404)', True),
        ('request_error.problem("x")', True),
        ('JSONResponse({"error": "x"}, status_code=403, headers=h)', True),
        ("responses.HTMLResponse(page, 404)", True),
        ("Response(status_code=500)", True),
        ("JSONResponse(found)", False),
        ("JSONResponse(found, status_code=201)", False),
        ("Response(status_code=204)", False),
        ("JSONResponse(body, status_code=self.status)", False),
    ],
)
def test_the_lab_check_sees_error_responses_built_in_place(source: str, flagged: bool) -> None:
    call = ast.parse(source).body[0]
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert _builds_an_error_response(call.value) is flagged
