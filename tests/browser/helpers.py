"""The browser tests' helpers: reading the page and the Leaflet map in its frame, and the expected values.

Expected values come from the events files (pandas, or the app's own reader), never constants. Nothing here
imports the app: it reads the page that `streamlit run` serves (tests/serving.py starts it).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from urllib.parse import parse_qs, urlsplit

import pandas as pd
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.serving import MAP_IFRAME
from tests.support import EVENTS, FIXTURES, REPO

__all__ = ["EVENTS", "FIXTURES", "MAP_IFRAME", "REPO"]

SCREENSHOTS = REPO / "artifacts" / "screenshots"
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


def open_notice(page: Page, text: str) -> Locator:
    """Open the notice beside the title whose button says ``text`` (rejected rows, a link's fallbacks);
    return what it holds."""
    page.get_by_test_id("stPopover").filter(has_text=text).get_by_role("button").first.click()
    body = page.get_by_test_id("stPopoverBody")
    expect(body).to_be_visible()
    return body


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


def bundled_lines() -> tuple[str, list[str]]:
    """The bundled events.csv as its header line and its row lines (no row spans two lines)."""
    header, *rows = EVENTS.read_text(encoding="utf-8").splitlines(keepends=True)
    return header, rows


# ---------------------------------------------------------------- features, stories and the link


STORIES_TOGGLE = "Group claims into stories"
# Properties of every map feature drawn from the data (the basemap's borders are not interactive).
FEATURES = f"""() => {{
  const map = {FIND_MAP};
  if (!map) return null;
  const found = [];
  map.eachLayer(l => {{
    if (l.feature && l.feature.properties && l.options.interactive !== false)
      found.push(JSON.parse(JSON.stringify(l.feature.properties)));
  }});
  return found;
}}"""


def load(page: Page, url: str) -> int:
    """Load the app and wait for the metric and a Leaflet map; return the events shown."""
    page.goto(url)
    expect(metric(page, "Events shown")).to_have_text(re.compile(r"^\d[\d,]*$"), timeout=60_000)
    page.locator(MAP_IFRAME).wait_for(state="attached", timeout=60_000)
    page.wait_for_function(f"() => {FIND_MAP} !== null", timeout=60_000)
    return shown(page)


def features(page: Page) -> list[dict]:
    found = page.evaluate(FEATURES)
    assert found is not None, "no Leaflet map in the map iframe"
    return found


def wait_for_map(page: Page, condition: str, arg=None, what: str = "", timeout: float = 30_000) -> list[dict]:
    """Wait until ``condition(properties of every feature, arg)`` (JS) holds on the map; return the properties."""
    check = f"""(arg) => {{
      const found = ({FEATURES})();
      return found !== null && ({condition})(found, arg);
    }}"""
    try:
        page.wait_for_function(check, arg=arg, timeout=timeout)
    except PlaywrightTimeout as err:
        found = page.evaluate(FEATURES) or []
        kinds = {
            "events": sum(1 for p in found if "event_id" in p),
            "stories": sum(1 for p in found if "story_id" in p),
            "cells": sum(1 for p in found if "count" in p),
        }
        raise AssertionError(f"the map never showed {what or condition}; it holds {kinds}") from err
    return features(page)


def stories_holding(page: Page, event_ids) -> list[dict]:
    """Wait until the story markers hold exactly these claims (each once); return the markers' properties.

    Waits on what the markers hold, not on how many there are: a step may keep their number and change them.
    """
    wanted = sorted(event_ids)
    stories = wait_for_map(
        page,
        """(found, wanted) => {
          const held = found.filter(p => p.story_id).flatMap(p => p.event_ids.split(",")).sort();
          return held.length === wanted.length && held.every((id, i) => id === wanted[i]);
        }""",
        wanted,
        f"story markers holding {len(wanted)} claims",
    )
    return [p for p in stories if "story_id" in p]


def stories_toggle(page: Page) -> Locator:
    return page.get_by_role("switch", name=STORIES_TOGGLE)


def turn_stories_on(page: Page) -> None:
    page.get_by_test_id("stCheckbox").filter(has_text=STORIES_TOGGLE).click()
    expect(stories_toggle(page)).to_be_checked()


def query(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlsplit(page.url).query)


def screenshot(page: Page, name: str) -> None:
    """Save the page, its map in view, as artifacts/screenshots/<name>.png (for a person to look at)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        # Streamlit scrolls inside its own container, so a "full page" is the viewport: show the map.
        the_map = page.locator(MAP_IFRAME)
        if the_map.count():
            the_map.first.scroll_into_view_if_needed(timeout=5_000)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, timeout=15_000)
    except Exception as err:  # a screenshot must never hide the test's own result
        print(f"screenshot {name} failed: {err}", file=sys.stderr)
