"""The two access keys of an Azure OpenAI resource (key1 and key2), generated per emulator instance.

Azure gives every Cognitive Services resource two keys so that one can be rotated while the other
keeps applications running: regenerating key1 invalidates key1 only. The values here are lab-only,
generated at start-up, never written to files in the repository, and masked in `repr`.
"""

from __future__ import annotations

import hmac
import secrets
import threading

KEY_NAMES = ("key1", "key2")


def new_key_value() -> str:
    """A key in the classic Azure shape: 32 hexadecimal characters."""
    return secrets.token_hex(16)


class OpenAIKeys:
    """key1 and key2, with `regenerate` as `az cognitiveservices account keys regenerate` does it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values = {name: new_key_value() for name in KEY_NAMES}
        self._by_value = {value: name for name, value in self._values.items()}

    @property
    def key1(self) -> str:
        return self._values["key1"]

    @property
    def key2(self) -> str:
        return self._values["key2"]

    def regenerate(self, name: str) -> str:
        """Replace one key with a fresh value; the other keeps working. Returns the new value."""
        if name not in KEY_NAMES:
            raise ValueError(f"key name must be one of {KEY_NAMES}, not {name!r}")
        with self._lock:
            self._values = {**self._values, name: new_key_value()}
            self._by_value = {value: key for key, value in self._values.items()}
        return self._values[name]

    def match(self, presented: str) -> str | None:
        """Which key (`"key1"` / `"key2"`) the presented value is, or None.

        A dictionary lookup answers the common case in constant time; a constant-time comparison
        confirms it, so a near-miss is not cheaper to reject than a hit.
        """
        name = self._by_value.get(presented)
        if name is None:
            return None
        return name if hmac.compare_digest(self._values[name].encode(), presented.encode()) else None

    def as_dict(self) -> dict[str, str]:
        """The key values, for `Directory.describe()` (lab-only values, like the portal's Keys blade)."""
        return dict(self._values)

    def __repr__(self) -> str:
        return "OpenAIKeys(key1='***', key2='***')"
