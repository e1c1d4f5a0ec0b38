"""Real-browser fixtures: `streamlit run` on a free port, Debian's Chromium through Playwright.

Playwright cannot download its own browsers here, so the tests drive /usr/bin/chromium.
When it is missing the tests fail (not skip): `make chromium` installs it.
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
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
ARTIFACTS = REPO / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
STARTUP_SECONDS = 60
# Two cores run the app, Chromium and the tests: give a rerun more than Playwright's default 5 s to show.
EXPECT_SECONDS = 15
VIEWPORT = {"width": 1400, "height": 1300}
MAP_IFRAME = 'iframe[title*="streamlit_folium.st_folium"]'


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen) -> None:
    """End the server and everything it started: its own process group."""
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


def _start(events: Path, flags: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    if not events.is_file():
        pytest.fail(f"events file for the browser tests is missing: {events}", pytrace=False)
    port = _free_port()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    suffix = re.sub(r"[^\w.]+", "_", " ".join(flags)).strip("_")  # "--draw-limit 20" -> "draw_limit_20"
    log_path = ARTIFACTS / f"streamlit-{events.stem}{'-' + suffix if suffix else ''}.log"
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--",
        "--offline",
        "--events",
        str(events),
        *flags,
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("DASHBOARD_")}
    env["PYTHONUNBUFFERED"] = "1"
    # This checkout's `dashboard` package, not whichever one the venv's editable install points at.
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode} before it was healthy:\n{_tail(log_path)}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return proc, url
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail(f"streamlit was not healthy at {url} after {STARTUP_SECONDS} s:\n{_tail(log_path)}")
        time.sleep(0.3)


@pytest.fixture(scope="session")
def serve() -> Iterator[Callable[..., str]]:
    """``serve(path, *flags)`` -> the URL of an app on that events file with those app flags (given after
    ``--``, e.g. ``"--draw-limit", "20"``), started once per (file, flags) pair for the session."""
    running: dict[tuple[Path, tuple[str, ...]], tuple[subprocess.Popen, str]] = {}

    def url_for(events: Path, *flags: str) -> str:
        key = (Path(events).resolve(), tuple(str(f) for f in flags))
        if key not in running:
            running[key] = _start(*key)
        return running[key][1]

    yield url_for
    for proc, _ in running.values():
        _stop(proc)


@pytest.fixture(scope="session")
def app_url(serve) -> str:
    """The app on the bundled dataset."""
    return serve(REPO / "events.csv")


@pytest.fixture(scope="session")
def xss_url(serve) -> str:
    """The app on a file whose every free-text field carries an HTML/JS payload."""
    return serve(FIXTURES / "xss.csv")


@pytest.fixture(scope="session")
def bundled() -> pd.DataFrame:
    """The bundled events.csv as text, with each row's day: what the expected counts come from."""
    path = REPO / "events.csv"
    if not path.is_file():
        pytest.fail(f"{path} is missing: the browser tests run on the bundled dataset", pytrace=False)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["day"] = pd.to_datetime(frame["date"], format="ISO8601").dt.date
    return frame


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.is_file() or not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. Install it with `make chromium`.",
            pytrace=False,
        )
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_SECONDS * 1000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def requests_seen() -> list[str]:
    """Every URL the page (and its frames) asked for, in order."""
    return []


@pytest.fixture
def dialogs_seen() -> list[str]:
    """Every alert/confirm/prompt the page opened, as 'type: message'."""
    return []


@pytest.fixture
def page(browser, requests_seen, dialogs_seen):
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    context.on("request", lambda request: requests_seen.append(request.url))
    page = context.new_page()

    def on_dialog(dialog) -> None:
        dialogs_seen.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def screenshot(request, page) -> Iterator[None]:
    """After every test, pass or fail, save the page as artifacts/screenshots/<test name>.png."""
    yield
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    try:
        # Streamlit scrolls inside its own container, so a "full page" is the viewport: show the map.
        the_map = page.locator(MAP_IFRAME)
        if the_map.count():
            the_map.first.scroll_into_view_if_needed(timeout=5_000)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, timeout=15_000)
    except Exception as err:  # a screenshot must never hide the test's own result
        print(f"screenshot of {name} failed: {err}", file=sys.stderr)
