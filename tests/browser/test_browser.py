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
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
MAP_IFRAME = 'iframe[title*="streamlit_folium.st_folium"]'
# The table under the "Events shown" heading (other tables follow it).
EVENTS_TABLE = (
    "xpath=//*[@data-testid='stHeading'][contains(., 'Events shown')]/following::*[@data-testid='stDataFrame'][1]"
)

# An element of the app's latest run (not one kept, marked stale, from the run before).
CURRENT = "[data-testid=stElementContainer]:not([data-stale=true])"
FOLLOWING = "follow as soon as the map is drawn"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
INERT_SCHEMES = {"data", "blob", "about"}
# Every map query runs in the main page and reaches the map through the iframe element found at that
# moment (the component is same-origin): a remounted iframe can never leave a test polling a stale frame.
MAP_WINDOW = f"""(() => {{
  const frame = document.querySelector('{MAP_IFRAME}');
  return frame ? frame.contentWindow : null;
}})()"""
# streamlit-folium keeps the Leaflet map as `window.map`; folium itself names it `map_<hex>`.
FIND_MAP = f"""(() => {{
  const w = {MAP_WINDOW};
  if (!w) return null;
  const isMap = m => !!m && typeof m.eachLayer === "function" && typeof m.getZoom === "function";
  if (isMap(w.map)) return w.map;
  for (const k of Object.keys(w)) if (/^map_[0-9a-f]+$/.test(k) && isMap(w[k])) return w[k];
  return null;
}})()"""
EVENT_PROPERTIES = f"""() => {{
  const map = {FIND_MAP};
  if (!map) return null;
  const found = [];
  map.eachLayer(l => {{
    const p = l.feature && l.feature.properties;
    if (p && p.event_id) found.push(JSON.parse(JSON.stringify(p)));
  }});
  return found;
}}"""
EVENT_COUNT_IS = f"""(n) => {{
  const map = {FIND_MAP};
  if (!map) return false;
  let count = 0;
  map.eachLayer(l => {{ if (l.feature && l.feature.properties && l.feature.properties.event_id) count++; }});
  return count === n;
}}"""

IMG = '<img src=x onerror="window.__pwned=1">'
SCRIPT = "<script>window.__pwned=1</script>"
SVG = '"><svg onload=window.__pwned=1>'
# Elements a payload would have created if some text had been parsed as HTML.
INJECTED = """() => [
  ...document.querySelectorAll("[onerror], [onload]"),
  ...[...document.scripts].filter(s => s.textContent.includes("__pwned")),
].map(e => e.outerHTML.slice(0, 120))"""
# Whether the Day and Events shown metrics agree with a {day text: count} table.
METRICS_AGREE = """(counts) => {
  const value = label => {
    for (const card of document.querySelectorAll('[data-testid="stMetric"]')) {
      const name = card.querySelector('[data-testid="stMetricLabel"]');
      if (name && name.innerText.trim() === label)
        return card.querySelector('[data-testid="stMetricValue"]').innerText.trim();
    }
    return null;
  };
  const day = value("Day");
  return day in counts && String(counts[day]) === (value("Events shown") || "").replaceAll(",", "");
}"""


# ---------------------------------------------------------------- expected values, from the file


def all_days(frame: pd.DataFrame) -> list[dt.date]:
    """The slider's days: every calendar day from the first event to the last."""
    return [d.date() for d in pd.date_range(frame["day"].min(), frame["day"].max(), freq="D")]


def up_to(frame: pd.DataFrame, day: dt.date) -> int:
    """Events the default mode ('up to this day') shows on ``day``."""
    return int((frame["day"] <= day).sum())


def day_text(day: dt.date) -> str:
    return f"{day:%d %b %Y}"


# ---------------------------------------------------------------- page helpers


def metric(page: Page, label: str) -> Locator:
    # While the app reruns, Streamlit keeps the last run's elements, marked stale, until new ones replace them;
    # when the layout above shifts (a warning comes or goes) old and new are both on the page. Read the new one.
    card = page.locator(f"{CURRENT} > [data-testid=stMetric]").filter(
        has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    )
    return card.get_by_test_id("stMetricValue")


def day_slider(page: Page) -> Locator:
    # Streamlit's slider is a react-aria slider: a visually hidden <input type=range>, role "slider".
    return page.get_by_role("slider", name="Day")


def drawn_events(page: Page) -> list[dict]:
    found = page.evaluate(EVENT_PROPERTIES)
    assert found is not None, "no Leaflet map in the map iframe"
    return found


def wait_for_drawn(page: Page, count: int, timeout: float = 30_000) -> list[dict]:
    """Wait until the map holds exactly ``count`` event features; return their properties."""
    try:
        page.wait_for_function(EVENT_COUNT_IS, arg=count, timeout=timeout)
    except PlaywrightTimeout as err:
        drawn = page.evaluate(EVENT_PROPERTIES)
        raise AssertionError(f"map features: expected {count}, found {None if drawn is None else len(drawn)}") from err
    return drawn_events(page)


def shown(page: Page) -> int:
    return int(metric(page, "Events shown").inner_text().strip().replace(",", ""))


def open_app(page: Page, url: str) -> int:
    """Load the app and wait until the metric and the map agree, and the rest of the page has followed the map;
    return the events shown."""
    page.goto(url)
    expect(metric(page, "Events shown")).to_have_text(re.compile(r"^\d+$"), timeout=60_000)
    page.locator(MAP_IFRAME).wait_for(state="attached", timeout=60_000)
    page.wait_for_function(f"() => {FIND_MAP} !== null", timeout=60_000)
    count = shown(page)
    wait_for_drawn(page, count, timeout=60_000)
    # The timeline, table and sources come with the rerun that the map's first report starts: a table opened
    # while they arrive and the page's width changes was drawn blank (seen with the rejected rows).
    expect(page.get_by_text(FOLLOWING)).to_have_count(0, timeout=60_000)
    expect(page.locator(EVENTS_TABLE)).to_be_visible(timeout=60_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)
    return count


def step_to(page: Page, key: str, day: dt.date, expected: int) -> None:
    """Press ``key`` on the focused Day slider; wait for the day, the metric and the map to follow."""
    day_slider(page).focus()
    page.keyboard.press(key)
    expect(metric(page, "Day")).to_have_text(day_text(day))
    expect(metric(page, "Events shown")).to_have_text(str(expected))
    drawn = wait_for_drawn(page, expected)
    assert len(drawn) == shown(page)


def zoom(page: Page) -> float:
    return page.evaluate(f"() => {FIND_MAP}.getZoom()")


def feature_point(page: Page, key: str, value: str, at_zoom: int) -> dict | None:
    """Centre the map on the feature whose property ``key`` is ``value``; return its point in the page."""
    return page.evaluate(
        f"""([key, value, z]) => {{
          const map = {FIND_MAP};
          let marker = null;
          map.eachLayer(l => {{ if (l.feature && l.feature.properties[key] === value) marker = l; }});
          if (!marker) return null;
          map.setView(marker.getLatLng(), z, {{animate: false}});
          const p = map.latLngToContainerPoint(marker.getLatLng());
          const inner = map.getContainer().getBoundingClientRect();
          const outer = document.querySelector('{MAP_IFRAME}').getBoundingClientRect();
          return {{x: outer.left + inner.left + p.x, y: outer.top + inner.top + p.y}};
        }}""",
        [key, value, at_zoom],
    )


def click_feature(page: Page, key: str, value: str, tooltip_text: tuple[str, ...], attempts: int = 4) -> Locator:
    """Hover one feature with the mouse, check its tooltip, click it; return its open popup.

    Moving the map makes streamlit-folium send its value over the websocket (a rerun); on a loaded machine a
    click landing meanwhile was once lost. So the whole gesture is retried (and logged), never its checks relaxed.
    """
    frame = page.frame_locator(MAP_IFRAME)
    popup = frame.locator(".leaflet-popup-content")
    for attempt in range(1, attempts + 1):
        point = feature_point(page, key, value, 11)
        assert point is not None, f"no feature with {key}={value} on the map"
        page.mouse.move(point["x"], point["y"])
        tooltip = frame.locator(".leaflet-tooltip:not(.city-label)").filter(has_text=tooltip_text[0])
        try:
            for text in tooltip_text:
                expect(tooltip).to_contain_text(text, timeout=5_000)
            page.mouse.click(point["x"], point["y"])
            expect(popup).to_be_visible(timeout=5_000)
            return popup
        except AssertionError as err:
            if attempt == attempts:
                raise
            print(f"click_feature({key}={value}): attempt {attempt} failed, retrying: {str(err).splitlines()[0]}")
            page.mouse.move(0, 0)
            page.wait_for_timeout(500)
    raise AssertionError("unreachable")


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


def test_filter_to_one_source(page, app_url, bundled):
    source = "RIA Novosti"
    wanted = int(bundled["source"].eq(source).sum())
    assert wanted, f"the bundled dataset has no row from {source}"
    total = open_app(page, app_url)
    sidebar = page.get_by_test_id("stSidebar")

    # The sidebar's Clear all empties every facet: nothing is shown until something is picked.
    sidebar.get_by_test_id("stButton").filter(has_text="Clear all").get_by_role("button").click()
    expect(metric(page, "Events shown")).to_have_text("0")
    wait_for_drawn(page, 0)
    sidebar.get_by_test_id("stButton").filter(has_text="Select all").get_by_role("button").click()
    expect(metric(page, "Events shown")).to_have_text(str(total))
    wait_for_drawn(page, total)

    # Empty the Source facet alone (its own clear control), then type the source's name and press Enter.
    widget = sidebar.get_by_test_id("stMultiSelect").filter(has=page.get_by_role("combobox", name="Source", exact=True))
    combobox = widget.get_by_role("combobox")
    widget.get_by_role("button", name="Clear all").click()
    expect(metric(page, "Events shown")).to_have_text("0")
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


def test_xss_payloads_stay_text(page, xss_url, dialogs_seen, requests_seen):
    raw = pd.read_csv(FIXTURES / "xss.csv", dtype=str, keep_default_na=False)
    # Refused: a javascript: link, and payloads where a vocabulary value belongs (event type, source type).
    refused = {"url": "url must be an http:// or https:// address", "event_type": "unknown event_type"}
    refused["source_type"] = "unknown source_type"
    bad = raw.loc[~raw["url"].str.match(r"(?i)^(https?://.*)?$") | raw["event_type"].str.contains("<")]
    bad = pd.concat([bad, raw.loc[raw["source_type"].str.contains("<")]])
    accepted = raw.drop(bad.index)
    assert len(bad) == len(refused) and len(accepted) >= 3
    linked = accepted.loc[accepted["url"].ne("")].iloc[0]

    assert open_app(page, xss_url) == len(accepted)

    # The refused rows are reported, with their line, the value as typed and the reason.
    expect(page.get_by_text(f"{len(bad)} of {len(raw)} rows were rejected")).to_be_visible()
    panel = page.get_by_test_id("stExpander").filter(has_text=f"Rejected rows ({len(bad)})")
    panel.get_by_text(f"Rejected rows ({len(bad)})").click()
    cells = panel.get_by_test_id("stDataFrame").locator("td[role=gridcell]")
    for (_, row), (column, reason) in zip(bad.iterrows(), refused.items(), strict=True):
        expect(cells.filter(has_text=row[column])).to_have_count(1)
        expect(cells.filter(has_text=reason)).to_have_count(1)

    # Hover the event's dot (tooltip), then click it (popup), as a user would.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    popup = click_feature(page, "event_id", linked["event_id"], tooltip_text=(linked["source"], linked["place"]))
    text = popup.inner_text()
    for column in ("place", "actor", "target", "source", "description", "event_id", "notes"):
        assert linked[column] in text, f"{column} is not shown literally in the popup: {text!r}"
    for payload in (IMG, SCRIPT, SVG):
        assert payload in text
    expect(popup.locator("img, script, svg, iframe, [onerror], [onload]")).to_have_count(0)
    labels = popup.locator("b").all_inner_texts()  # the popup's labels (its own, and the file's column names)
    assert {"Place:", "Source:", "notes"} <= set(labels) and all("<" not in label for label in labels), labels
    links = popup.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", linked["url"])
    assert links.get_attribute("href").startswith("https://")

    # The same text in the page itself: sidebar options and the events table.
    sidebar = page.get_by_test_id("stSidebar")
    expect(sidebar.get_by_title(f"{IMG} (1)")).to_have_count(2)  # a source and an actor
    table = page.locator(EVENTS_TABLE)
    table.scroll_into_view_if_needed()
    table_cells = table.locator("td[role=gridcell]")
    expect(table_cells.filter(has_text=linked["place"])).to_have_count(1)
    expect(table_cells.filter(has_text=SCRIPT)).not_to_have_count(0)

    page.wait_for_timeout(1_000)  # let any injected handler fire before looking for its effects
    assert dialogs_seen == []
    for each in page.frames:
        assert each.evaluate("() => window.__pwned") is None, f"payload ran in {each.url}"
        injected = each.evaluate(INJECTED)
        assert injected == [], f"payload elements in {each.url}: {injected}"
    assert not [u for u in requests_seen if urlsplit(u).path.endswith("/x")], "an injected <img src=x> loaded"
    assert not [u for u in requests_seen if urlsplit(u).port == 9 or urlsplit(u).hostname == "evil.example"]


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


def bundled_lines() -> tuple[str, list[str]]:
    """The bundled events.csv as its header line and its row lines (no row spans two lines)."""
    header, *rows = (REPO / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    return header, rows


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

    def write() -> None:  # a writer that keeps going for longer than the app waits (5 s)
        for row in rows[10:]:
            time.sleep(8 / len(rows))
            with path.open("a", encoding="utf-8") as out:
                out.write(row)

    writer = threading.Thread(target=write)
    writer.start()
    page.goto(url)
    expect(page.get_by_text("is being written. It opens as soon as it is complete.")).to_be_visible(timeout=30_000)
    expect(metric(page, "Events shown")).to_have_count(0)
    writer.join()
    expect(metric(page, "Events shown")).to_have_text(str(len(bundled)), timeout=30_000)
