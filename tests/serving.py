"""Start the app as `make run` does, on a free port, and Debian's Chromium with its flags.

One module for the browser tests (tests/browser/conftest.py), the server's own tests (its network use,
the deployment behind nginx) and the benchmarks (benchmarks/bench.py, benchmarks/load_test.py, which put
the repo root on ``sys.path`` to import it). It imports nothing of the app: the server is a subprocess
running the Makefile's `run` command (``deploy/serve.py run dashboard/app.py``) with the repo root first
on its ``PYTHONPATH``, so a worktree's own ``dashboard`` package is the one served.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "artifacts"
APP = "dashboard/app.py"
# No proxy from the environment for our own requests: they go to 127.0.0.1 only.
DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
# streamlit-folium's component frame, which holds the Leaflet map.
MAP_IFRAME = 'iframe[title*="streamlit_folium.st_folium"]'


class ServerError(RuntimeError):
    """The app exited, or was not healthy in time; the message ends with the log's last lines."""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def make_run_command() -> list[str]:
    """What the Makefile's `run` target starts, read from the Makefile so that the two cannot drift apart."""
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^run:.*\n\t(.+)$", makefile, flags=re.M)
    if not recipe:
        raise ServerError("the Makefile has no `run` target")
    words = recipe.group(1).split()
    programs = {"$(BIN)/python": [sys.executable], "$(BIN)/streamlit": [sys.executable, "-m", "streamlit"]}
    if words[-2:] != ["--", "$(ARGS)"] or words[0] not in programs:
        raise ServerError(f"`make run` is not `<venv python or streamlit> ... -- $(ARGS)`: {recipe.group(1)}")
    return [*programs[words[0]], *words[1:-2]]


def server_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This environment without the app's DASHBOARD_* settings (the flags say it all), plus ``extra``,
    unbuffered, and with the repo root first on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env.update(extra or {})
    env["PYTHONUNBUFFERED"] = "1"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def stop(*procs: subprocess.Popen) -> None:
    """End servers and everything they started (each its own process group): all told at once, then waited for."""
    running = [proc for proc in procs if proc.poll() is None]
    for proc in running:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    for proc in running:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=10)


def start(
    events: Path | str | None,
    flags: tuple[str, ...] = (),
    *,
    log: Path,
    startup_s: float = 60,
    env: dict[str, str] | None = None,
    server_flags: tuple[str, ...] = (),
) -> tuple[subprocess.Popen, str]:
    """`make run`'s command on a free port: ``... --server.port P SERVER_FLAGS -- --offline [--events EVENTS]
    FLAGS``, its output (both streams) in ``log``; return the process and its URL once ``/_stcore/health``
    answers. Raises ServerError."""
    port = free_port()
    command = [
        *make_run_command(), "--server.port", str(port), "--server.headless", "true", *server_flags,
        "--", "--offline", *(["--events", str(events)] if events else []), *flags,
    ]  # fmt: skip
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, env=server_env(env), start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    wait_until_answering(proc, f"{url}/_stcore/health", "streamlit", log, startup_s, 0.3)
    return proc, url


def wait_until_answering(
    proc: subprocess.Popen, probe: str, name: str, log: Path, startup_s: float, every: float
) -> None:
    """Until ``probe`` answers 200, for up to ``startup_s``; ServerError (and the process stopped) if it ends
    or never answers, with the tail of its ``log``."""
    deadline = time.monotonic() + startup_s
    while True:
        if proc.poll() is not None:
            raise ServerError(f"{name} exited with {proc.returncode} before it answered:\n{tail(log)}")
        try:
            with DIRECT.open(probe, timeout=2) as reply:
                if reply.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            stop(proc)
            raise ServerError(f"{name} did not answer at {probe} after {startup_s:.0f} s:\n{tail(log)}")
        time.sleep(every)


def chromium_missing() -> str | None:
    """Why Debian's Chromium cannot be launched, or None."""
    if CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK):
        return None
    return f"{CHROMIUM} is missing: the browser tests and benchmarks need Debian's Chromium (`make chromium`)."


def chromium(*extra_args: str) -> dict:
    """Keyword arguments for Playwright's ``chromium.launch`` (sync or async API): Debian's Chromium, our flags."""
    return {"executable_path": str(CHROMIUM), "args": [*CHROMIUM_ARGS, *extra_args]}


def start_app(
    name: str, env: dict[str, str] | None = None, flags: tuple[str, ...] = ()
) -> tuple[subprocess.Popen, int]:
    """The app on its bundled file, `make run`'s way, logging to artifacts/<name>.log -> (process, port).

    ``flags`` are Streamlit's (``--server.*``); ``env`` is added to the server's environment (proxies)."""
    proc, url = start(None, log=ARTIFACTS / f"{name}.log", env=env, server_flags=flags)
    return proc, int(url.rsplit(":", 1)[1])


def handshake(
    port: int,
    host: str,
    origin: str | None,
    timeout: float = 10.0,
    headers: tuple[str, ...] = (),
    tls: ssl.SSLContext | None = None,
) -> str:
    """A websocket opening handshake on /_stcore/stream, raw -> the status line the server answered.

    ``headers`` are further request lines (``"Authorization: ..."``); with ``tls`` the connection is wrapped
    in it first (nginx in front, with its own certificate)."""
    lines = [
        "GET /_stcore/stream HTTP/1.1",
        f"Host: {host}",
        *headers,
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    if origin is not None:
        lines.append(f"Origin: {origin}")
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw:
        with tls.wrap_socket(raw, server_hostname="127.0.0.1") if tls else raw as sock:
            sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))
            reply = b""
            while b"\r\n" not in reply:
                chunk = sock.recv(4096)
                if not chunk:
                    break
                reply += chunk
    return reply.split(b"\r\n", 1)[0].decode("latin-1")
