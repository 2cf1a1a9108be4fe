"""Connections waiting together are accepted together (uvicorn + uvloop + `eager_accept_protocol`).

libuv accepts one connection per event-loop iteration, so under load a burst of new connections
waited for many iterations before its first request was read. The protocol drains the accept
queue when a connection is made: from the second request served on, every connection that was
waiting has been accepted (without it, the k-th request served sees about k connections).
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import uvicorn
from eager_accept import eager_accept_protocol  # benchmarks/eager_accept.py

WAITING = 30
REQUEST = b"GET /hello HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def _serve(listener: socket.socket, seen: list[int]) -> tuple[uvicorn.Server, threading.Thread]:
    server: uvicorn.Server

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        seen.append(len(server.server_state.connections))  # connections accepted so far
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    config = uvicorn.Config(
        app, loop="uvloop", http=eager_accept_protocol(listener), lifespan="off", access_log=False, log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    return server, thread


def _response(client: socket.socket) -> bytes:
    data = b""
    deadline = time.monotonic() + 10
    while not data.endswith(b"ok") and time.monotonic() < deadline:
        chunk = client.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_waiting_connections_are_accepted_together_not_one_per_loop_iteration() -> None:
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    clients = []
    try:
        for _ in range(WAITING):  # the kernel completes these handshakes; they wait in the accept queue
            client = socket.create_connection(listener.getsockname(), timeout=10)
            client.sendall(REQUEST)
            clients.append(client)
        seen: list[int] = []
        server, thread = _serve(listener, seen)
        thread.start()
        try:
            responses = [_response(client) for client in clients]
        finally:
            server.should_exit = True
            thread.join(10)
        assert all(r.startswith(b"HTTP/1.1 200") and r.endswith(b"ok") for r in responses), responses
        assert len(seen) == WAITING
        # Plain uvloop accepts one per iteration: the k-th request served sees about k connections
        # ([2, 3, 4, ...]). Drained together, every request after the first sees all of them.
        assert seen[1:] == [WAITING] * (WAITING - 1), seen
    finally:
        for client in clients:
            client.close()
        listener.close()


def test_the_protocol_extends_the_base_it_is_given() -> None:
    """The benchmark serves with the emulator's own protocol (its request-head limits) plus eager accept."""
    from keyless_lab.emulator.http_protocol import LimitedHttpToolsProtocol

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        protocol = eager_accept_protocol(listener, base=LimitedHttpToolsProtocol)
    assert issubclass(protocol, LimitedHttpToolsProtocol)
