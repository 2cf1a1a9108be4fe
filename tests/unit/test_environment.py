"""environment(): set and unset for a block, then restore exactly what was there."""

from __future__ import annotations

import os

import pytest

from keyless_lab.environment import environment


def test_sets_unsets_and_restores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYLESS_TEST_KEEP", "before")
    monkeypatch.delenv("KEYLESS_TEST_NEW", raising=False)
    with pytest.raises(RuntimeError), environment(KEYLESS_TEST_KEEP=None, KEYLESS_TEST_NEW="inside"):
        assert "KEYLESS_TEST_KEEP" not in os.environ and os.environ["KEYLESS_TEST_NEW"] == "inside"
        raise RuntimeError("restored even on error")
    assert os.environ["KEYLESS_TEST_KEEP"] == "before" and "KEYLESS_TEST_NEW" not in os.environ
