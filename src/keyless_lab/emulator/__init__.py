"""An emulator of Microsoft Entra ID and Azure OpenAI, faithful enough to teach against."""

from .server import EmulatorServer

__all__ = ["EmulatorServer"]
