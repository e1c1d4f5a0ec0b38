"""Rapid slider steps never leave the session stuck: 100 steps in 10 s, then the page settles and answers.

Found in review ("One visitor must not stall, fill or fool the server", finding 6): after a burst of steps the
page showed "running" for good. The browser had dropped its connection: the server sent a step's map as a
reference to a message the browser had already forgotten ("Cached ForwardMsg MISS"); see the ``[global]``
section of .streamlit/config.toml. Expected counts come from events.csv (pandas).
"""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import all_days, day_slider, day_text, metric, open_app, up_to

pytestmark = pytest.mark.browser

STEPS = 100
SECONDS = 10.0
# Back and forth, so that steps come back to days drawn a few runs before (what the browser had forgotten).
# 25 presses cross the bundled file's days and stop at its first or last day: the burst ends on the last day.
KEYS = [("ArrowLeft" if (i // 25) % 2 == 0 else "ArrowRight") for i in range(STEPS)]
SETTLE_SECONDS = 20


def test_rapid_steps_leave_the_page_settled_and_answering(page, app_url, bundled):
    days = all_days(bundled)
    assert len(days) > 2, "the bundled dataset should span several days"
    assert len(days) <= 25, "the burst should reach the first and the last day"
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    assert open_app(page, app_url) == len(bundled)

    day_slider(page).focus()
    began = time.monotonic()
    for i, key in enumerate(KEYS):
        page.keyboard.press(key)
        time.sleep(max(0.0, began + (i + 1) * SECONDS / STEPS - time.monotonic()))
    assert time.monotonic() - began < SECONDS + 5, "the steps were not sent within the burst's time"

    # Settled: connected, no run in progress, no status widget ("Running..."), and the numbers of the last day.
    app = page.get_by_test_id("stApp")
    expect(app).to_have_attribute("data-test-connection-state", "CONNECTED", timeout=SETTLE_SECONDS * 1000)
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=SETTLE_SECONDS * 1000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=SETTLE_SECONDS * 1000)
    expect(metric(page, "Day")).to_have_text(day_text(days[-1]))
    expect(metric(page, "Events shown")).to_have_text(str(up_to(bundled, days[-1])))

    # Answering: one more step moves the day and the count.
    day_slider(page).focus()
    page.keyboard.press("ArrowLeft")
    expect(metric(page, "Day")).to_have_text(day_text(days[-2]))
    expect(metric(page, "Events shown")).to_have_text(str(up_to(bundled, days[-2])))
    expect(app).to_have_attribute("data-test-script-state", "notRunning", timeout=SETTLE_SECONDS * 1000)
    assert not [e for e in errors if "ForwardMsg" in e or "fatal" in e], errors
