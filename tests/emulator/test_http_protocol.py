"""The request head is bounded in size (431) and in time (the connection is closed), on both listeners."""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from coroutines import run_to_completion
from uvicorn.server import ServerState

from keyless_lab.emulator import EmulatorServer
from keyless_lab.emulator.http_protocol import HttpLimits, LimitedHttpToolsProtocol

IMDS_PATH = "/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://cognitiveservices.azure.com"


def address(url: str) -> tuple[str, int]:
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def exchange(server: EmulatorServer, listener: str, request: bytes) -> bytes:
    """Send `request` and read until the server closes the connection."""
    url = server.urls.https if listener == "https" else server.urls.http
    host, port = address(url)
    sock = socket.create_connection((host, port), timeout=15)
    if listener == "https":
        context = ssl.create_default_context(cafile=str(server.tls.bundle))
        sock = context.wrap_socket(sock, server_hostname=host)
    with sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def head_with_header(path: str, size: int) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Padding: {'a' * size}\r\n\r\n".encode()


@pytest.mark.parametrize(("listener", "path"), [("http", IMDS_PATH), ("https", "/common/discovery/instance")])
def test_an_oversized_head_is_answered_431_without_reading_it_all(
    shared_emulator: EmulatorServer, listener: str, path: str
) -> None:
    started = time.perf_counter()
    response = exchange(shared_emulator, listener, head_with_header(path, 1024 * 1024))
    assert response.startswith(b"HTTP/1.1 431 "), response[:200]
    assert time.perf_counter() - started < 5


def test_a_large_but_allowed_head_is_served(shared_emulator: EmulatorServer) -> None:
    response = exchange(shared_emulator, "http", head_with_header(IMDS_PATH, 48 * 1024))
    assert response.startswith(b"HTTP/1.1 400 "), response[:200]  # IMDS's answer to a request without Metadata


@pytest.fixture(scope="module")
def impatient_emulator() -> Iterator[EmulatorServer]:
    with EmulatorServer(http_limits=HttpLimits(head_timeout=0.5)) as server:
        yield server


def seconds_until_closed(server: EmulatorServer, send_slowly: bytes, limit: float = 5.0) -> float:
    """Trickle `send_slowly` one byte every 50 ms; how long until the server closes the connection."""
    host, port = address(server.urls.http)
    started = time.perf_counter()
    with socket.create_connection((host, port)) as sock:
        sock.settimeout(0.05)
        for byte in send_slowly:
            if time.perf_counter() - started > limit:
                break
            try:
                sock.sendall(bytes([byte]))
                if sock.recv(1024) == b"":
                    break  # closed by the server
            except TimeoutError:
                continue  # still open: keep trickling
            except OSError:
                break  # reset by the server
    return time.perf_counter() - started


def test_a_connection_trickling_its_head_is_closed(impatient_emulator: EmulatorServer) -> None:
    slow_head = f"GET {IMDS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode() + b"X-Slow: " + b"a" * 200
    assert seconds_until_closed(impatient_emulator, slow_head) < 2.5


def test_an_idle_connection_is_closed(impatient_emulator: EmulatorServer) -> None:
    host, port = address(impatient_emulator.urls.http)
    started = time.perf_counter()
    with socket.create_connection((host, port), timeout=5) as sock:
        assert sock.recv(1024) == b""
    assert time.perf_counter() - started < 2.5


def test_keep_alive_requests_get_a_fresh_head_window(impatient_emulator: EmulatorServer) -> None:
    host, port = address(impatient_emulator.urls.http)
    request = f"GET {IMDS_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nMetadata: true\r\n\r\n".encode()
    with socket.create_connection((host, port), timeout=5) as sock:
        for _ in range(3):  # each well within the window, together longer than it
            time.sleep(0.3)
            sock.sendall(request)
            assert sock.recv(65536).startswith(b"HTTP/1.1 ")


class _Transport(asyncio.Transport):
    """Just enough of a socket transport for the protocol: it records what is written."""

    def __init__(self) -> None:
        super().__init__()
        self.written = bytearray()
        self.closing = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"sockname": ("127.0.0.1", 8000), "peername": ("127.0.0.1", 50000)}.get(name, default)

    def write(self, data: bytes) -> None:  # type: ignore[override]
        self.written += data

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass


def test_a_head_that_arrives_whole_arms_no_timer() -> None:
    """A timer per request left a cancelled timer behind each one (10x the garbage collections and a
    16 ms p99 under load): the head timer runs only while a head is incomplete."""

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    async def scenario() -> list[bool]:
        config = uvicorn.Config(app, lifespan="off", log_level="warning")
        protocol = LimitedHttpToolsProtocol(config=config, server_state=ServerState(), app_state={})
        transport = _Transport()
        protocol.connection_made(transport)
        armed = [protocol._head_timer is not None]  # a new connection must send its first head in time
        for _ in range(3):
            protocol.data_received(b"GET / HTTP/1.1\r\nHost: lab\r\n\r\n")
            await asyncio.sleep(0.01)  # the app answers: the connection now waits for the next request
            armed.append(protocol._head_timer is not None)
        protocol.data_received(b"GET / HTTP/1.1\r\nHo")  # part of a head: the rest has head_timeout to arrive
        armed.append(protocol._head_timer is not None)
        protocol.data_received(b"st: lab\r\n\r\n")
        armed.append(protocol._head_timer is not None)
        await asyncio.sleep(0.01)
        assert transport.written.count(b"HTTP/1.1 200 OK") == 4
        protocol.connection_lost(None)
        return armed

    assert run_to_completion(scenario()) == [True, False, False, False, True, False]
