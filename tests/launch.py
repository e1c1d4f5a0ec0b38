"""Start the app the way ``make run`` does (``deploy/serve.py run dashboard/app.py``) on a free port.

For the tests of the server's own network use and of the deployment behind nginx: they need the launch
command of ``make run``, their own environment, and a raw look at the server's replies.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"
STARTUP_SECONDS = 60
# No proxy from the environment for the test's own requests: they go to 127.0.0.1 only.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def make_run_command() -> list[str]:
    """What the Makefile's `run` target starts, read from the Makefile so the two cannot drift apart."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n\t(.+)$", makefile, flags=re.M)
    assert recipe, "the Makefile has no `run` target"
    words = recipe.group(1).split()
    assert words[-2:] == ["--", "$(ARGS)"], recipe.group(1)
    programs = {"$(BIN)/python": [sys.executable], "$(BIN)/streamlit": [sys.executable, "-m", "streamlit"]}
    assert words[0] in programs, f"`make run` starts neither the venv's python nor its streamlit: {recipe.group(1)}"
    return [*programs[words[0]], *words[1:-2]]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(proc: subprocess.Popen) -> None:
    """End a process started with start_new_session and everything it started."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_healthy(proc: subprocess.Popen, url: str, log_path: Path, what: str = "streamlit") -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if proc.poll() is not None:
            pytest.fail(f"{what} exited with {proc.returncode} before it was healthy:\n{tail(log_path)}")
        try:
            with DIRECT.open(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            stop(proc)
            pytest.fail(f"{what} was not healthy at {url} after {STARTUP_SECONDS} s:\n{tail(log_path)}")
        time.sleep(0.2)


def start_app(
    name: str, env: dict[str, str] | None = None, flags: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, int]:
    """``make run``'s command on a free port, offline, logging to artifacts/<name>.log -> (process, port)."""
    port = free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log_path = ARTIFACTS / f"{name}.log"
    base = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    base.update(env or {})
    base["PYTHONUNBUFFERED"] = "1"
    base["PYTHONPATH"] = str(REPO)  # this checkout's dashboard package, whatever the venv points at
    command = [*make_run_command(), "--server.port", str(port), *flags, "--", "--offline"]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=base, start_new_session=True
        )
    wait_healthy(proc, f"http://127.0.0.1:{port}", log_path)
    return proc, port


def handshake(port: int, host: str, origin: str | None, timeout: float = 10.0) -> str:
    """A websocket opening handshake on /_stcore/stream, raw -> the status line the server answered."""
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: {host}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
        reply = b""
        while b"\r\n" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.split(b"\r\n", 1)[0].decode("latin-1")
