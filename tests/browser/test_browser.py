"""The dashboard in a real browser: what the user sees and what the map draws, for the same data.

Expected counts come from the events file itself (read with pandas), never from constants.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import threading
import time
from urllib.parse import urlsplit

import pandas as pd
from playwright.sync_api import expect

from tests.browser.helpers import (
    FIND_MAP,
    INERT_SCHEMES,
    LOCAL_HOSTS,
    MAP_WINDOW,
    METRICS_AGREE,
    all_days,
    bundled_lines,
    day_slider,
    day_text,
    drawn_events,
    metric,
    open_app,
    screenshot,
    shown,
    step_to,
    up_to,
    wait_for_drawn,
    zoom,
)

# ---------------------------------------------------------------- tests


def test_offline_map_draws_every_shown_event_from_the_app_host_only(page, app_url, requests_seen, bundled):
    count = open_app(page, app_url)

    assert count == up_to(bundled, max(bundled["day"])) == len(bundled)
    assert len(drawn_events(page)) == count
    expect(page.get_by_text("rows were rejected")).to_have_count(0)
    page.wait_for_load_state("networkidle")

    assert requests_seen, "no request was recorded"
    outside = [
        url
        for url in requests_seen
        if urlsplit(url).scheme not in INERT_SCHEMES and urlsplit(url).hostname not in LOCAL_HOSTS
    ]
    assert outside == [], f"requests left the app's host: {outside}"
    paths = {urlsplit(url).path for url in requests_seen}
    assert "/app/static/vendor/leaflet.js" in paths
    screenshot(page, "offline_map")


def test_keyboard_on_the_day_slider_moves_the_count_and_the_map(page, app_url, bundled):
    days = all_days(bundled)
    assert len(days) >= 2, "the bundled dataset should span several days"
    total = open_app(page, app_url)
    first, second = up_to(bundled, days[0]), up_to(bundled, days[1])
    assert first != total, "the first day should show fewer events than the whole file"

    step_to(page, "Home", days[0], first)
    expect(day_slider(page)).to_have_attribute("aria-valuetext", re.compile(rf"\b{days[0].day} {days[0]:%b %Y}$"))

    step_to(page, "ArrowRight", days[1], second)
    expect(day_slider(page)).to_have_attribute("aria-valuetext", re.compile(rf"\b{days[1].day} {days[1]:%b %Y}$"))


def test_filter_to_one_source_then_download_its_events(page, app_url, bundled):
    source = "RIA Novosti"
    wanted = int(bundled["source"].eq(source).sum())
    assert wanted, f"the bundled dataset has no row from {source}"
    total = open_app(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")

    # An empty filter shows everything: pick a value in one filter, Clear all, and every event is back.
    widget = sidebar.get_by_test_id("stMultiSelect").filter(has=page.get_by_role("combobox", name="Source", exact=True))
    combobox = widget.get_by_role("combobox")
    combobox.click()
    combobox.fill("TASS")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(metric(page, "Events shown")).to_have_text(str(int(bundled["source"].eq("TASS").sum())))
    sidebar.get_by_test_id("stButton").filter(has_text="Clear all").get_by_role("button").click()
    expect(metric(page, "Events shown")).to_have_text(str(total))
    wait_for_drawn(page, total)

    # Then type the source's name in the empty Source filter and press Enter: only that source.
    combobox.click()
    combobox.fill(source)
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(widget.locator("[data-tag]")).to_have_count(1)
    expect(widget.locator("[data-tag]")).to_have_attribute("aria-label", f"{source} ({wanted})")

    expect(metric(page, "Events shown")).to_have_text(str(wanted))
    expect(metric(page, "Sources shown")).to_have_text("1")
    drawn = wait_for_drawn(page, wanted)
    assert {p["source_text"] for p in drawn} == {html.escape(source)}
    expected_ids = set(bundled.loc[bundled["source"].eq(source), "event_id"])
    assert {p["event_id"] for p in drawn} == expected_ids

    # Download CSV gives the shown events, named after the day shown (the last).
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download CSV")
    button.scroll_into_view_if_needed()
    with page.expect_download() as download_info:
        button.get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename == f"events-{max(bundled['day']):%Y-%m-%d}.csv"
    got = pd.read_csv(download.path(), dtype=str, keep_default_na=False)
    assert len(got) == wanted and set(got["event_id"]) == expected_ids and set(got["source"]) == {source}
    assert len(drawn_events(page)) == wanted


def test_zoom_and_frame_survive_a_slider_step(page, app_url, bundled):
    days = all_days(bundled)
    before, after = up_to(bundled, days[-1]), up_to(bundled, days[-2])
    assert before != after, "the last day should hold events, so a step back changes the map"
    open_app(page, app_url)

    start = zoom(page)
    page.evaluate(
        f"""() => new Promise(done => {{
          const map = {FIND_MAP};
          map.once("zoomend", () => done());
          map.setZoom(map.getZoom() + 2);
        }})"""
    )
    zoomed = zoom(page)
    assert zoomed == start + 2
    # Mark the frame's window and the events now drawn: a reloaded or remounted frame loses the first,
    # and the re-sent events layer replaces the second.
    page.evaluate(
        f"""() => {{
          {MAP_WINDOW}.__kept = 1;
          {FIND_MAP}.eachLayer(l => {{ if (l.feature && l.feature.properties.event_id) l.__old = true; }});
        }}"""
    )

    step_to(page, "ArrowLeft", days[-2], after)
    page.wait_for_function(
        f"""() => {{
          let old = 0;
          {FIND_MAP}.eachLayer(l => {{ if (l.__old) old++; }});
          return old === 0;
        }}"""
    )

    assert page.evaluate(f"() => {MAP_WINDOW}.__kept") == 1, "the map iframe was reloaded or remounted"
    assert zoom(page) == zoomed, "the slider step reset the zoom"


def test_play_steps_through_the_days(page, app_url, bundled):
    days = all_days(bundled)
    assert len(days) >= 3
    open_app(page, app_url)
    step_to(page, "Home", days[0], up_to(bundled, days[0]))

    page.get_by_test_id("stCheckbox").filter(has_text="Play").click()
    expect(page.get_by_role("switch", name="Play")).to_be_checked()
    day = metric(page, "Day")
    expect(day).not_to_have_text(day_text(days[0]), timeout=10_000)
    later = "|".join(re.escape(day_text(d)) for d in days[2:])
    expect(day).to_have_text(re.compile(f"^(?:{later})$"), timeout=10_000)
    expect(day_slider(page)).not_to_have_attribute("aria-valuetext", re.compile(rf"\b{days[0].day} {days[0]:%b %Y}$"))

    page.get_by_test_id("stCheckbox").filter(has_text="Play").click()
    expect(page.get_by_role("switch", name="Play")).not_to_be_checked()
    page.wait_for_function(METRICS_AGREE, arg={day_text(d): up_to(bundled, d) for d in days})
    wait_for_drawn(page, shown(page))


def test_a_file_changed_while_scrubbing_is_picked_up_by_the_next_step(page, serve, tmp_path, bundled):
    """Found in review: a slider step reruns only the day view, which never looked at the file again."""
    header, rows = bundled_lines()
    path = tmp_path / "changing.csv"
    path.write_text(header + "".join(rows[:40]), encoding="utf-8")
    os.utime(path, (time.time() - 100, time.time() - 100))  # settled: the app reads it at once
    before = open_app(page, serve(path))
    assert before == 40

    path.write_text(header + "".join(rows), encoding="utf-8")
    os.utime(path, (time.time() - 50, time.time() - 50))
    day_slider(page).focus()
    page.keyboard.press("ArrowLeft")
    last = max(bundled["day"])
    possible = {str(up_to(bundled, last)), str(up_to(bundled, last - dt.timedelta(days=1)))}
    expect(metric(page, "Events shown")).to_have_text(re.compile("^(" + "|".join(possible) + ")$"))
    wait_for_drawn(page, shown(page))


def test_a_file_still_being_written_when_first_opened_waits_then_opens_whole(page, serve, tmp_path, bundled):
    """Found in review: with no earlier version to fall back on, the first open read whatever was there."""
    header, rows = bundled_lines()
    path = tmp_path / "growing.csv"
    path.write_text(header + "".join(rows[:10]), encoding="utf-8")
    url = serve(path)

    seen = threading.Event()

    def write() -> None:
        # A writer that keeps going for longer than the app waits (5 s) and until the page has said it waits (a
        # loaded machine can take longer than that to open the page: the file was whole before it asked), then
        # for a few seconds more.
        for row in rows[10:]:
            time.sleep(0.03 if seen.is_set() else 0.25)
            with path.open("a", encoding="utf-8") as out:
                out.write(row)

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    page.goto(url)
    expect(page.get_by_text("is being written. It opens as soon as it is complete.")).to_be_visible(timeout=30_000)
    seen.set()
    expect(metric(page, "Events shown")).to_have_count(0)
    writer.join()
    expect(metric(page, "Events shown")).to_have_text(str(len(bundled)), timeout=30_000)
