"""No secrets and no raw tokens in tracked files or notebook outputs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PATTERNS = {
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |ENCRYPTED )?PRIVATE KEY-----"),
    "Entra client secret": re.compile(r"\b[A-Za-z0-9_.-]{3}8Q~[A-Za-z0-9_.~-]{31,37}"),
    "Azure OpenAI key (32 hex)": re.compile(r"(?<![0-9a-fA-F-])[0-9a-f]{32}(?![0-9a-fA-F-])"),
    "Azure OpenAI key (84 chars)": re.compile(r"\b[A-Za-z0-9]{84}\b"),
    "key assignment": re.compile(
        r"(?i)(api[_-]?key|client[_-]?secret|password)\s*[=:]\s*['\"][A-Za-z0-9+/_~.-]{16,}['\"]"
    ),
    "dotenv secret": re.compile(r"(?m)^[A-Z_]*(KEY|SECRET|PASSWORD)=[^<\s]{16,}$"),
}


def findings(text: str) -> list[str]:
    return [name for name, pattern in PATTERNS.items() if pattern.search(text)]


def tracked_files() -> list[Path]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    return [ROOT / name for name in out.split("\0") if name]


def test_the_scanner_finds_what_it_looks_for() -> None:
    # The samples are assembled at run time so that this file itself passes the scan.
    fake_jwt = ".".join(["eyJ" + "hbGciOiJSUzI1NiJ9", "eyJ" + "hdWQiOiJodHRwczovL2NvZ25p", "c2lnbmF0dXJlc2lnbmF0dXJl"])
    assert findings(fake_jwt) == ["JWT"]
    assert "private key" in findings("-----BEGIN " + "PRIVATE KEY-----\nMIIE")
    assert "Entra client secret" in findings("secret: Abc" + "8Q~" + "x" * 34)
    assert "Azure OpenAI key (32 hex)" in findings("key1 " + "0123456789abcdef" * 2)
    assert "key assignment" in findings("api_key" + '="sk0123456789abcdefXYZ"')
    assert "dotenv secret" in findings("AZURE_OPENAI_API_KEY" + "=sk0123456789abcdefXYZ")
    assert findings("password = secrets.token_urlsafe(16)") == []
    assert findings("object id 41ca9d75-a957-406b-ad9d-91ecf560bf05 and <your-key-here>") == []


@pytest.mark.parametrize("path", tracked_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_tracked_file_holds_no_secret(path: Path) -> None:
    if not path.is_file():
        pytest.skip("deleted in the working tree")  # pragma: no cover
    text = path.read_text(errors="ignore")
    assert findings(text) == [], f"{path.relative_to(ROOT)} looks like it holds a secret or token"


def test_env_files_are_ignored_and_the_example_holds_placeholders() -> None:
    names = {p.name for p in tracked_files()}
    assert ".env" not in names and "lab.env" not in names
    check = subprocess.run(["git", "check-ignore", "-q", ".env"], cwd=ROOT)
    assert check.returncode == 0, ".env must be git-ignored"
    for line in (ROOT / ".env.example").read_text().splitlines():
        name, _, value = line.partition("=")
        if not line.startswith("#") and re.search(r"KEY|SECRET|PASSWORD|TOKEN", name):
            assert value.startswith("<") and value.endswith(">"), f"placeholder expected: {line}"
