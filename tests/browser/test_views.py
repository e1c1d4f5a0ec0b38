"""Views of the dashboard in a real browser: links, stories, counted cells, every popup, downloads.

Expected values come from the events files (pandas, or the app's own reader ``open_events``), never constants.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode, urlsplit

import pandas as pd
from playwright.sync_api import expect

from dashboard.aggregate import points_in_bounds
from dashboard.pipeline import open_events
from tests.browser.helpers import (
    EVENTS_TABLE,
    FIND_MAP,
    FIXTURES,
    IMG,
    INJECTED,
    MAP_IFRAME,
    SCRIPT,
    SVG,
    all_days,
    click_feature,
    day_slider,
    day_text,
    features,
    load,
    metric,
    open_app,
    open_notice,
    query,
    screenshot,
    stories_holding,
    stories_toggle,
    turn_stories_on,
    wait_for_drawn,
    wait_for_map,
)
from tests.support import EVENTS

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
    screenshot(page, "stories")


def test_cells_stand_for_events_above_the_draw_limit(page, serve, bundled, loaded):
    limit = 20
    url = serve(EVENTS, "--draw-limit", str(limit))
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


def test_the_xss_file_stays_text_everywhere(page, xss_url, dialogs_seen, requests_seen, geodata):
    """Every text of a file whose every free-text field carries an HTML/JS payload: the refused rows' panel, one
    dot hovered and clicked with the mouse, every tooltip and popup of the claims and the stories views, the
    sidebar's options and the events table show it as text, and nothing of it runs or loads."""
    raw = pd.read_csv(FIXTURES / "xss.csv", dtype=str, keep_default_na=False)
    accepted = open_events(FIXTURES / "xss.csv", geodata).events
    # Refused: a javascript: link, and payloads where a vocabulary value belongs (event type, source type).
    refused = {"url": "url must be an http:// or https:// address", "event_type": "unknown event_type"}
    refused["source_type"] = "unknown source_type"
    bad = raw.loc[~raw["url"].str.match(r"(?i)^(https?://.*)?$") | raw["event_type"].str.contains("<")]
    bad = pd.concat([bad, raw.loc[raw["source_type"].str.contains("<")]])
    kept = raw.drop(bad.index).set_index("event_id")
    assert len(bad) == len(refused) and len(kept) >= 3
    assert sorted(kept.index) == sorted(accepted["event_id"])
    linked = kept.loc[kept["url"].ne("")].iloc[0]
    payloads = (IMG, SCRIPT, SVG)

    assert open_app(page, xss_url) == len(kept)

    # The refused rows are reported, with their line, the value as typed and the reason.
    panel = open_notice(page, f"{len(bad)} of {len(raw)} rows rejected")
    expect(panel.get_by_text(f"{len(bad)} of {len(raw)} rows were rejected")).to_be_visible()
    cells = panel.get_by_test_id("stDataFrame").locator("td[role=gridcell]")
    for (_, row), (column, reason) in zip(bad.iterrows(), refused.items(), strict=True):
        expect(cells.filter(has_text=row[column])).to_have_count(1)
        expect(cells.filter(has_text=reason)).to_have_count(1)

    # Hover the event's dot (tooltip), then click it (popup), as a user would.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    popup = click_feature(page, "event_id", linked.name, tooltip_text=(linked["source"], linked["place"]))
    text = popup.inner_text()
    for column in ("place", "actor", "target", "source", "description", "notes"):
        assert linked[column] in text, f"{column} is not shown literally in the popup: {text!r}"
    assert linked.name in text
    for payload in payloads:
        assert payload in text
    expect(popup.locator("img, script, svg, iframe, [onerror], [onload]")).to_have_count(0)
    labels = popup.locator("b").all_inner_texts()  # the popup's labels (its own, and the file's column names)
    assert {"Place:", "Source:", "notes"} <= set(labels) and all("<" not in label for label in labels), labels
    links = popup.locator("a")
    expect(links).to_have_count(1)
    expect(links).to_have_attribute("href", linked["url"])
    assert links.get_attribute("href").startswith("https://")
    screenshot(page, "xss_file")

    # The same text in the page itself: the sidebar's options (a source and an actor) and the events table.
    sidebar = page.get_by_test_id("stSidebar")
    for name in ("Source", "Actor"):
        sidebar.get_by_role("combobox", name=name, exact=True).click()
        expect(page.get_by_role("option", name=f"{IMG} (1)", exact=True)).to_have_count(1)
        page.keyboard.press("Escape")
    expect(page.locator("img[onerror]")).to_have_count(0)
    table = page.locator(EVENTS_TABLE)
    table.scroll_into_view_if_needed()
    table_cells = table.locator("td[role=gridcell]")
    expect(table_cells.filter(has_text=linked["place"])).to_have_count(1)
    expect(table_cells.filter(has_text=SCRIPT)).not_to_have_count(0)

    # Claims view: every event's tooltip and popup show the file's text as text.
    page.locator(MAP_IFRAME).scroll_into_view_if_needed()
    seen = page.evaluate(HOVER_AND_CLICK_ALL)
    events = {r["id"]: r for r in seen if r["id"] in kept.index}
    assert set(events) == set(kept.index), f"not every event was hovered and clicked: {seen}"
    for event_id, row in kept.iterrows():
        tooltip, popup_text = events[event_id]["tooltip"], events[event_id]["popup"]
        for column in ("place", "source"):
            assert row[column] in tooltip, f"{event_id}: {column} not literal in the tooltip {tooltip!r}"
        for column in ("place", "actor", "target", "source", "description", "notes"):  # notes: the file's own
            assert row[column] in popup_text, f"{event_id}: {column} not literal in the popup {popup_text!r}"
    # The control a claim moved: its zone's and its place's tooltips quote the claimed controller and source.
    tooltips = [r["tooltip"] for r in seen if r["tooltip"]]
    moves = kept.loc[kept["controller"].ne("") & ~kept["claim_status"].isin(["disputed", "denied"])]
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
    assert sorted(i for r in stories for i in r["event_ids"].split(",")) == sorted(kept.index)
    for record in stories:
        first = kept.loc[record["id"]]
        assert first["place"] in record["tooltip"], f"place not literal in the story tooltip {record['tooltip']!r}"
        for event_id in record["event_ids"].split(","):
            for column in ("source", "description"):
                assert kept.loc[event_id, column] in record["popup"], f"{event_id}: {column} not in {record['popup']!r}"
    check_opened(seen, payloads)

    page.wait_for_load_state("networkidle")  # an injected <img src=x> would have been fetched by now
    page.wait_for_timeout(1_000)  # let any injected handler fire before looking for its effects
    assert dialogs_seen == []
    map_frame = page.locator(MAP_IFRAME).element_handle().content_frame()
    assert map_frame in page.frames
    for each in page.frames:
        assert each.evaluate("() => window.__pwned") is None, f"payload ran in {each.url}"
        injected = each.evaluate(INJECTED)
        assert injected == [], f"payload elements in {each.url}: {injected}"
    assert not [u for u in requests_seen if urlsplit(u).path.endswith("/x")], "an injected <img src=x> loaded"
    assert not [u for u in requests_seen if urlsplit(u).port == 9 or urlsplit(u).hostname == "evil.example"]


def check_opened(seen: list[dict], payloads: tuple[str, ...]) -> None:
    """Every tooltip and popup opened, and every popup quotes at least one payload literally."""
    assert seen, "no feature on the map"
    assert not [r for r in seen if "(did not open)" in (r["tooltip"], r["popup"])], seen
    popups = [r["popup"] for r in seen if r["popup"] is not None]
    assert popups, "no popup was opened"
    for text in popups:
        assert any(p in text for p in payloads), f"a popup shows no payload literally: {text!r}"


# Values a crafted link could give, each read as markdown if the notices quoted it unescaped.
MARKDOWN_LINK = {
    "day": "![x](http://127.0.0.1:9/pixel.png)",
    "mode": "[Log in here](https://evil.example/login)",
    "window": ":red[alarm] $x^2$ :material/warning: **bold**",
}


def test_a_bad_link_falls_back_with_a_notice_that_puts_no_markdown_into_the_page(page, app_url, bundled, requests_seen):
    """Found in review: the notices quoted the link's values as markdown, so a crafted link showed an outside
    image (a request that tells its owner who opened the link) or a login link inside the app's own warning.
    (The AppTest tier checks each bad value's notice and the fall-back state; this is what the browser shows.)"""
    days = all_days(bundled)
    params = {**MARKDOWN_LINK, "f_source": "Nobody"}
    assert load(page, f"{app_url}/?{urlencode(params)}") == len(bundled)

    notices = open_notice(page, "The link asked for").get_by_test_id("stAlert")
    notices = notices.filter(has_text="The link asked for something this file does not have")
    expect(notices).to_have_count(len(params))
    expect(notices.filter(has_text="Source 'Nobody' not in this file")).to_be_visible()
    shown_text = " ".join(notices.all_inner_texts()).replace("\u2060", "")  # invisible joiners break autolinks
    for value in MARKDOWN_LINK.values():
        assert f"'{value}'" in shown_text, shown_text  # shown as typed
    expect(notices.locator("img, a, strong, .katex, [data-testid=stIconMaterial]")).to_have_count(0)

    # The view fell back to its defaults: the last day, every event drawn, and a link without the bad values.
    expect(metric(page, "Day")).to_have_text(day_text(days[-1]))
    expect(day_slider(page)).to_have_attribute("aria-valuetext", f"{days[-1]:%a} {days[-1].day} {days[-1]:%b %Y}")
    wait_for_drawn(page, len(bundled))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    page.wait_for_function("() => !location.search.includes('pixel') && !location.search.includes('Nobody')")
    page.wait_for_load_state("networkidle")
    assert not [u for u in requests_seen if urlsplit(u).port == 9 or urlsplit(u).hostname == "evil.example"]
