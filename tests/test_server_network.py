"""The server makes no request of its own, and one visitor's websocket handshake stalls nobody.

``make run``'s command runs for real, offline, with every proxy variable pointed at a local listener that
accepts and never answers: what an unreachable outside host looks like to a client with a timeout. Any
request the server makes (Streamlit's look-up of the machine's external address, at start or on a
handshake from a foreign Origin) lands there and is recorded.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from tests.serving import DIRECT, handshake, start_app, stop

HEALTH_SECONDS = 0.5
REFUSED = "HTTP/1.1 403 Forbidden"
ACCEPTED = "HTTP/1.1 101 Switching Protocols"


class Listener:
    """A TCP port that records every connection and holds it open, answering nothing."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[float, bytes]] = []
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.settimeout(0.2)
            try:
                first = conn.recv(200)
            except OSError:
                first = b""
            self.connections.append((time.monotonic(), first))
            self._held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    catch = Listener()
    yield catch
    catch.close()


@pytest.fixture(scope="module")
def server(listener) -> Iterator[int]:
    proxy = f"http://127.0.0.1:{listener.port}"
    env = {name: proxy for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY", "all_proxy")}
    env.update({"NO_PROXY": "", "no_proxy": ""})
    proc, port = start_app("streamlit-server-network", env=env)
    # Streamlit prints its URLs (and, listening on every interface, would look up the external address)
    # once the server is up: give that a moment to happen, or not.
    time.sleep(2.5)
    yield port
    stop(proc)


def _health(port: int) -> float:
    started = time.monotonic()
    with DIRECT.open(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as reply:
        assert reply.status == 200
    return time.monotonic() - started


def test_the_server_makes_no_request_at_start(server, listener):
    assert listener.connections == [], f"the server connected out at start: {listener.connections}"


def test_a_foreign_origin_is_refused_and_stalls_nobody(server, listener):
    port = server
    foreign = [
        (f"127.0.0.1:{port}", "http://evil.example"),  # any site's page opening ws://127.0.0.1:<port>
        (f"127.0.0.1:{port}", "https://evil.example"),
        (f"localhost:{port}", "http://192.0.2.7:8080"),
    ]
    answers: list[str] = []

    def knock() -> None:
        for host, origin in foreign:
            answers.append(handshake(port, host, origin))

    knocking = threading.Thread(target=knock)
    latencies: list[float] = []
    knocking.start()
    while knocking.is_alive() or not latencies:
        latencies.append(_health(port))
        time.sleep(0.05)
    knocking.join()

    assert answers == [REFUSED] * len(foreign), answers
    assert max(latencies) < HEALTH_SECONDS, (
        f"/_stcore/health took up to {max(latencies):.2f} s while foreign-Origin handshakes ran "
        f"({len(latencies)} probes)"
    )
    assert listener.connections == [], f"a handshake made the server connect out: {listener.connections}"


def test_a_page_on_another_local_port_is_refused(server):
    port = server
    for origin in (f"http://127.0.0.1:{port + 1}", f"http://localhost:{port + 1}", "http://localhost"):
        assert handshake(port, f"127.0.0.1:{port}", origin) == REFUSED, origin


def test_a_forged_host_is_refused_even_with_a_matching_origin(server):
    # What a DNS-rebinding page sends: its own name as Host, and as Origin.
    port = server
    assert handshake(port, f"rebind.example:{port}", f"http://rebind.example:{port}") == REFUSED


def test_the_app_own_page_and_a_client_without_origin_still_connect(server):
    port = server
    for host in (f"127.0.0.1:{port}", f"localhost:{port}"):
        assert handshake(port, host, f"http://{host}") == ACCEPTED, host
    assert handshake(port, f"127.0.0.1:{port}", None) == ACCEPTED


def test_the_server_listens_on_the_loopback_interface_only(server):
    port = server
    listening = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                address, local_port = local.split(":")
                if state == "0A" and int(local_port, 16) == port:  # 0A: LISTEN
                    listening.add(address)
    assert listening == {"0100007F"}, f"port {port} listens on {listening} (0100007F is 127.0.0.1)"
