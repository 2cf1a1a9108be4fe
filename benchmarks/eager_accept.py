"""Accept every waiting connection at once when serving plain HTTP with uvicorn on uvloop.

libuv, under uvloop, accepts one connection per event-loop iteration (libuv 1.45, PR #3696:
"unix: don't accept() connections in a loop"). On an idle server that costs nothing; on a
saturated single worker one iteration serves every ready connection, tens of milliseconds of
work, so a burst of new connections is accepted one per iteration: measured with 100 connections
opened at once against the chat route, the last one's first request waited about a second,
while requests on already accepted connections were served in about 25 ms.

`eager_accept_protocol(listener, base)` returns `base` (uvicorn's httptools protocol, or a subclass
such as the emulator's `LimitedHttpToolsProtocol`) with one addition: when a
connection is made, it drains the listening socket's accept queue and hands each socket to the
loop (`loop.connect_accepted_socket`), so connections that arrive together are served together.
Plain HTTP only (no TLS): it is used where uvicorn serves the emulator under load.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

ACCEPT_ERRORS = (BlockingIOError, InterruptedError, ConnectionAbortedError)


def eager_accept_protocol(
    listener: socket.socket, base: type[HttpToolsProtocol] = HttpToolsProtocol
) -> type[asyncio.Protocol]:
    """A protocol class for `uvicorn.Config(http=...)`: `base` that also accepts all pending
    connections on `listener` (the socket passed to `uvicorn.Server.run(sockets=[listener])`) at once."""
    listener.setblocking(False)

    class EagerAcceptProtocol(base):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._factory_args = (args, kwargs)

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._accept_pending()

        def _accept_pending(self) -> None:
            args, kwargs = self._factory_args
            while True:
                try:
                    conn, _ = listener.accept()
                except ACCEPT_ERRORS:
                    return
                except OSError:  # e.g. EMFILE: leave the rest to the event loop's own accept
                    return
                conn.setblocking(False)
                self.loop.create_task(
                    self.loop.connect_accepted_socket(lambda: EagerAcceptProtocol(*args, **kwargs), conn)
                )

    return EagerAcceptProtocol
