"""Real-browser fixtures: `streamlit run` on a free port, Debian's Chromium through Playwright (tests/serving.py).

Playwright cannot download its own browsers here, so the tests drive /usr/bin/chromium.
When it is missing the tests fail (not skip): `make chromium` installs it.
A failed test leaves its page as artifacts/screenshots/FAILED-<test name>.png; passing ones only where the
test asks (``helpers.screenshot``).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests import serving
from tests.browser.helpers import screenshot
from tests.support import EVENTS, FIXTURES, REPO

ARTIFACTS = REPO / "artifacts"
# Two cores run the app, Chromium and the tests: give a rerun more than Playwright's default 5 s to show.
EXPECT_SECONDS = 15
VIEWPORT = {"width": 1400, "height": 1300}


def _start(events: Path, flags: tuple[str, ...] = ()) -> tuple[subprocess.Popen, str]:
    if not events.is_file():
        pytest.fail(f"events file for the browser tests is missing: {events}", pytrace=False)
    suffix = re.sub(r"[^\w.]+", "_", " ".join(flags)).strip("_")  # "--draw-limit 20" -> "draw_limit_20"
    log = ARTIFACTS / f"streamlit-{events.stem}{'-' + suffix if suffix else ''}.log"
    try:
        return serving.start(events, flags, log=log)
    except serving.ServerError as err:
        pytest.fail(str(err))


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
    serving.stop(*(proc for proc, _ in running.values()))


@pytest.fixture(scope="session")
def app_url(serve) -> str:
    """The app on the bundled dataset."""
    return serve(EVENTS)


@pytest.fixture(scope="session")
def xss_url(serve) -> str:
    """The app on a file whose every free-text field carries an HTML/JS payload."""
    return serve(FIXTURES / "xss.csv")


@pytest.fixture(scope="session")
def browser():
    missing = serving.chromium_missing()
    if missing:
        pytest.fail(missing, pytrace=False)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_SECONDS * 1000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**serving.chromium())
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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test leaves its page as artifacts/screenshots/FAILED-<test name>.png."""
    report = yield
    page = getattr(item, "funcargs", {}).get("page")
    if report.failed and report.when == "call" and page is not None:
        screenshot(page, "FAILED-" + re.sub(r"[^\w.-]+", "_", item.name))
    return report
