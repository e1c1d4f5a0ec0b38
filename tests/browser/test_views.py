"""Views of the dashboard in a real browser: links, stories, counted cells, every popup, downloads.

Expected values come from the events files (pandas, or the app's own reader ``open_events``), never constants.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import parse_qs, urlencode, urlsplit

import pandas as pd
import pytest
from playwright.sync_api import Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import (
    FIND_MAP,
    FIXTURES,
    IMG,
    INJECTED,
    MAP_IFRAME,
    REPO,
    SCRIPT,
    SVG,
    all_days,
    click_feature,
    day_slider,
    day_text,
    drawn_events,
    metric,
    open_app,
    shown,
    wait_for_drawn,
)

from dashboard.aggregate import points_in_bounds
from dashboard.pipeline import open_events

pytestmark = pytest.mark.browser

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
# Hover and click every interactive feature through Leaflet's own events, as the canvas renderer fires them
# for the mouse (propagated to the layer group that holds the tooltip or popup), and read what opened.
HOVER_AND_CLICK_ALL = f"""() => {{
  const map = {FIND_MAP};
  const layers = [];
  map.eachLayer(l => {{
    if (l.feature && l.feature.properties && l.options.interactive !== false) layers.push(l);
  }});
  const holder = (l, what) => [l, ...Object.values(l._eventParents || {{}})].find(x => x[what]);
  const seen = [];
  for (const l of layers) {{
    const at = l.getLatLng ? l.getLatLng() : l.getBounds().getCenter();
    const props = l.feature.properties;
    const record = {{id: props.event_id || props.story_id || null, event_ids: props.event_ids || null,
                     tooltip: null, popup: null}};
    const tips = holder(l, "_tooltip");
    if (tips && !tips.getTooltip().options.permanent) {{
      l.fire("mouseover", {{latlng: at}}, true);
      const tip = tips.getTooltip();
      record.tooltip = tip.isOpen() ? tip.getElement().innerText : "(did not open)";
      l.fire("mouseout", {{latlng: at}}, true);
    }}
    const pops = holder(l, "_popup");
    if (pops) {{
      l.fire("click", {{latlng: at}}, true);
      const popup = pops.getPopup();
      record.popup = popup.isOpen() ? popup.getElement().querySelector(".leaflet-popup-content").innerText
                                    : "(did not open)";
      map.closePopup();
    }}
    seen.push(record);
  }}
  return seen;
}}"""


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module")
def loaded(geodata) -> pd.DataFrame:
    """events.csv as the app reads it: geocoded, with each claim's story."""
    return open_events(REPO / "events.csv", geodata).events


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


def in_days(frame: pd.DataFrame, first: dt.date, last: dt.date) -> pd.Series:
    return frame["day"].between(first, last)


# ---------------------------------------------------------------- tests


def test_a_link_restores_the_view(page, app_url, bundled, loaded):
    day, window, sources = dt.date(2024, 12, 5), 2, ["Reuters", "AP"]
    days = all_days(bundled)
    assert days[0] < day - dt.timedelta(days=window) and day < days[-1], "the link's day must be inside the data"
    picked = bundled["source"].isin(sources)
    wanted = bundled.loc[picked & in_days(bundled, day - dt.timedelta(days=window - 1), day)]
    before = bundled.loc[picked & in_days(bundled, day - dt.timedelta(days=window), day - dt.timedelta(days=1))]
    assert len(wanted) and len(wanted) != len(bundled.loc[picked & (bundled["day"] <= day)])
    params = {"day": day.isoformat(), "mode": "window", "window": window, "stories": 1, "f_source": sources}
    url = f"{app_url}/?{urlencode(params, doseq=True)}"

    assert load(page, url) == len(wanted)
    expect(metric(page, "Day")).to_have_text(day_text(day))
    expect(page.get_by_role("radio", name="last N days")).to_be_checked()
    expect(page.get_by_role("spinbutton", name="N days")).to_have_value(str(window))
    expect(stories_toggle(page)).to_be_checked()
    expect(page.get_by_test_id("stAlert").filter(has_text="The link asked for")).to_have_count(0)

    # One marker per story of the shown claims, and together they hold exactly those claims.
    story_ids = loaded.loc[loaded["event_id"].isin(wanted["event_id"]), "story_id"]
    stories = stories_holding(page, wanted["event_id"])
    assert sorted(p["story_id"] for p in stories) == sorted(set(story_ids)), "not one marker per story"
    assert not [p for p in features(page) if "event_id" in p], "claims drawn one by one in the stories view"

    # A step back rewrites the link: the new day, and the rest of the view as it was.
    day_slider(page).focus()
    page.keyboard.press("ArrowLeft")
    expect(metric(page, "Day")).to_have_text(day_text(day - dt.timedelta(days=1)))
    expect(metric(page, "Events shown")).to_have_text(str(len(before)))
    stories = stories_holding(page, before["event_id"])
    before_stories = loaded.loc[loaded["event_id"].isin(before["event_id"]), "story_id"]
    assert sorted(p["story_id"] for p in stories) == sorted(set(before_stories))
    page.wait_for_function(
        "(day) => new URL(location.href).searchParams.get('day') === day",
        arg=(day - dt.timedelta(days=1)).isoformat(),
    )
    link = query(page)
    assert link["day"] == [(day - dt.timedelta(days=1)).isoformat()]
    assert {k: v for k, v in link.items() if k != "day"} == {
        "mode": ["window"],
        "window": [str(window)],
        "stories": ["1"],
        "f_source": sources,
    }


def test_a_bad_link_falls_back_with_a_notice(page, app_url, bundled):
    days = all_days(bundled)
    assert load(page, f"{app_url}/?day=2031-01-01&f_source=Nobody") == len(bundled)

    notices = page.get_by_test_id("stAlert").filter(has_text="The link asked for something this file does not have")
    expect(notices.filter(has_text="day 2031-01-01 is outside the data")).to_be_visible()
    expect(notices.filter(has_text="Source 'Nobody' not in this file")).to_be_visible()
    expect(metric(page, "Day")).to_have_text(day_text(days[-1]))
    expect(day_slider(page)).to_have_attribute("aria-valuetext", f"{days[-1]:%a} {days[-1].day} {days[-1]:%b %Y}")
    wait_for_drawn(page, len(bundled))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    # The view fell back to its defaults, so the rewritten link holds none of the bad values.
    page.wait_for_function("() => !location.search.includes('2031') && !location.search.includes('Nobody')")


def test_stories_view_shows_each_source_side_by_side(page, app_url, bundled, loaded):
    assert len(loaded) == len(bundled)
    contested = loaded.loc[loaded["story_status"].eq("contested") & loaded["place"].eq("Homs")]
    story_ids = contested["story_id"].unique()
    assert len(story_ids) == 1, f"expected one contested story at Homs, found {list(story_ids)}"
    story = loaded.loc[loaded["story_id"].eq(story_ids[0])]
    both = ["Military Operations Command (HTS-led)", "Syrian Ministry of Defence"]
    assert set(both) <= set(story["source"]), "the Homs story no longer holds both sides"

    total = open_app(page, app_url)
    assert total == len(loaded)
    turn_stories_on(page)
    stories = stories_holding(page, loaded["event_id"])
    assert len(stories) == loaded["story_id"].nunique()
    homs = [p for p in stories if p["story_status"] == "contested" and "Homs" in p["story_text"]]
    assert [p["story_id"] for p in homs] == [story_ids[0]]
    expect(metric(page, "Events shown")).to_have_text(str(total))  # stories group claims; they drop none

    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    popup = click_feature(page, "story_id", story_ids[0], tooltip_text=("Homs", "contested"))
    text = popup.inner_text()
    assert "contested" in text
    for source in both:
        assert source in text, f"{source}'s version is missing from the story popup: {text!r}"
    for source in story["source"].unique():
        assert source in text
    assert f"{len(story)} claim(s) shown" in text


def test_cells_stand_for_events_above_the_draw_limit(page, serve, bundled, loaded):
    limit = 20
    url = serve(REPO / "events.csv", "--draw-limit", str(limit))
    assert len(bundled) > limit
    total = load(page, url)
    assert total == len(bundled)

    cells = wait_for_map(
        page,
        "(found, n) => !found.some(p => p.event_id) && found.filter(p => 'count' in p)"
        ".reduce((sum, p) => sum + p.count, 0) === n",
        total,
        f"counted cells summing to {total} and no single event",
    )
    counted = [p for p in cells if "count" in p]
    assert counted and sum(p["count"] for p in counted) == total
    assert len(counted) < total, "cells should group events"
    expect(page.get_by_text("counted cells (more than 20)")).to_be_visible()

    # Zoom in on Damascus: the app reruns with the map's new bounds and draws the few events inside one by one.
    page.evaluate(f"() => {{ {FIND_MAP}.setView([33.51, 36.29], 12, {{animate: false}}); }}")
    zoomed = wait_for_map(
        page,
        "(found) => found.some(p => p.event_id) && !found.some(p => 'count' in p)",
        what="single events and no cells after zooming in",
    )
    drawn = [p["event_id"] for p in zoomed if "event_id" in p]
    assert 0 < len(drawn) <= limit
    assert len(set(drawn)) == len(drawn)
    # They are exactly the events whose place lies in the map's view (with the app's margin around it).
    bounds = page.evaluate(
        f"() => {{ const b = {FIND_MAP}.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }}"
    )
    inside = loaded.loc[points_in_bounds(loaded["lat"].to_numpy(), loaded["lon"].to_numpy(), tuple(bounds)), "event_id"]
    assert sorted(drawn) == sorted(inside)
    expect(page.get_by_text("counted cells (more than 20)")).to_have_count(0)
    expect(metric(page, "Events shown")).to_have_text(str(total))  # the numbers still count every event


def test_every_popup_and_tooltip_of_the_xss_file_stays_text(page, xss_url, dialogs_seen, requests_seen, geodata):
    accepted = open_events(FIXTURES / "xss.csv", geodata).events
    raw = pd.read_csv(FIXTURES / "xss.csv", dtype=str, keep_default_na=False).set_index("event_id")
    raw = raw.loc[accepted["event_id"]]
    payloads = (IMG, SCRIPT, SVG)
    assert open_app(page, xss_url) == len(raw)
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()

    # Claims view: every event's tooltip and popup show the file's text as text.
    seen = page.evaluate(HOVER_AND_CLICK_ALL)
    events = {r["id"]: r for r in seen if r["id"] in raw.index}
    assert set(events) == set(raw.index), f"not every event was hovered and clicked: {seen}"
    for event_id, row in raw.iterrows():
        tooltip, popup = events[event_id]["tooltip"], events[event_id]["popup"]
        for column in ("place", "source"):
            assert row[column] in tooltip, f"{event_id}: {column} not literal in the tooltip {tooltip!r}"
        for column in ("place", "actor", "target", "source", "description", "notes"):  # notes: the file's own
            assert row[column] in popup, f"{event_id}: {column} not literal in the popup {popup!r}"
    # The control a claim moved: its zone's and its place's tooltips quote the claimed controller and source.
    tooltips = [r["tooltip"] for r in seen if r["tooltip"]]
    moves = raw.loc[raw["controller"].ne("") & ~raw["claim_status"].isin(["disputed", "denied"])]
    assert len(moves), "xss.csv should hold a control claim"
    for _, row in moves.iterrows():
        assert [t for t in tooltips if t.startswith(f"Zone held by {row['controller']} (")], tooltips
        assert [t for t in tooltips if t.startswith(f"{row['place']}: {row['controller']}") and row["source"] in t]
    check_opened(seen, payloads)

    # Stories view: one marker per story, its popup quoting each source's version.
    turn_stories_on(page)
    assert len(stories_holding(page, accepted["event_id"])) == accepted["story_id"].nunique()
    seen = page.evaluate(HOVER_AND_CLICK_ALL)
    stories = [r for r in seen if r["event_ids"]]
    assert sorted(i for r in stories for i in r["event_ids"].split(",")) == sorted(raw.index)
    for record in stories:
        first = raw.loc[record["id"]]
        assert first["place"] in record["tooltip"], f"place not literal in the story tooltip {record['tooltip']!r}"
        for event_id in record["event_ids"].split(","):
            for column in ("source", "description"):
                assert raw.loc[event_id, column] in record["popup"], f"{event_id}: {column} not in {record['popup']!r}"
    check_opened(seen, payloads)

    page.wait_for_load_state("networkidle")  # an injected <img src=x> would have been fetched by now
    assert dialogs_seen == []
    map_frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    assert map_frame in page.frames
    for each in page.frames:
        assert each.evaluate("() => window.__pwned") is None, f"payload ran in {each.url}"
        injected = each.evaluate(INJECTED)
        assert injected == [], f"payload elements in {each.url}: {injected}"
    assert not [u for u in requests_seen if urlsplit(u).path.endswith("/x")], "an injected <img src=x> accepted"
    assert not [u for u in requests_seen if urlsplit(u).port == 9 or urlsplit(u).hostname == "evil.example"]


def check_opened(seen: list[dict], payloads: tuple[str, ...]) -> None:
    """Every tooltip and popup opened, and every popup quotes at least one payload literally."""
    assert seen, "no feature on the map"
    assert not [r for r in seen if "(did not open)" in (r["tooltip"], r["popup"])], seen
    popups = [r["popup"] for r in seen if r["popup"] is not None]
    assert popups, "no popup was opened"
    for text in popups:
        assert any(p in text for p in payloads), f"a popup shows no payload literally: {text!r}"


def test_download_csv_gives_the_shown_events(page, app_url, bundled):
    source = "RIA Novosti"
    wanted = bundled.loc[bundled["source"].eq(source)]
    assert len(wanted), f"the bundled dataset has no row from {source}"
    assert load(page, f"{app_url}/?{urlencode({'f_source': source})}") == len(wanted)
    wait_for_drawn(page, len(wanted))

    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download CSV")
    button.scroll_into_view_if_needed()
    with page.expect_download() as download_info:
        button.get_by_role("button").click()
    download = download_info.value
    assert download.suggested_filename == f"events-{max(bundled['day']):%Y-%m-%d}.csv"
    got = pd.read_csv(download.path(), dtype=str, keep_default_na=False)
    assert len(got) == len(wanted)
    assert set(got["event_id"]) == set(wanted["event_id"])
    assert set(got["source"]) == {source}
    assert len(drawn_events(page)) == len(wanted)


MARKDOWN_LINK = {
    "day": "![x](http://127.0.0.1:9/pixel.png)",
    "mode": "[Log in here](https://evil.example/login)",
    "window": ":red[alarm] $x^2$ :material/warning: **bold**",
}


def test_a_link_cannot_put_markdown_into_the_page(page, app_url, bundled, requests_seen):
    """Found in review: the notices quoted the link's values as markdown, so a crafted link showed an outside
    image (a request that tells its owner who opened the link) or a login link inside the app's own warning."""
    assert load(page, f"{app_url}/?{urlencode(MARKDOWN_LINK)}") == len(bundled)
    notices = page.get_by_test_id("stAlert").filter(has_text="The link asked for something this file does not have")
    expect(notices).to_have_count(3)
    shown_text = " ".join(notices.all_inner_texts()).replace("\u2060", "")  # invisible joiners break autolinks
    for value in MARKDOWN_LINK.values():
        assert f"'{value}'" in shown_text, shown_text  # shown as typed
    expect(notices.locator("img, a, strong, .katex, [data-testid=stIconMaterial]")).to_have_count(0)
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests_seen if urlsplit(u).port == 9 or urlsplit(u).hostname == "evil.example"]
