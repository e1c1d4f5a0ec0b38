"""What a person sees of the layout at 1400x900, 1366x768 and 390x844: the map first, a legend clear of the
attribution and the scale, popups inside the map, the keyboard's way to the slider and through the events,
and the accessibility tree Chromium builds. Screenshots go to artifacts/screenshots/layout-*.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dashboard.map import palette
from tests.browser.helpers import FIND_MAP, MAP_IFRAME, MAP_WINDOW, open_app, screenshot

SIZES = {"1400x900": (1400, 900), "1366x768": (1366, 768), "390x844": (390, 844)}
# Boxes in the map frame's own coordinates: [left, top, right, bottom].
BOXES = f"""() => {{
  const d = {MAP_WINDOW}.document;
  const box = s => {{ const e = d.querySelector(s); if (!e) return null;
    const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }};
  return {{legend: box('.map-legend'), body: box('.map-legend .legend-body'),
           attribution: box('.leaflet-control-attribution'), scale: box('.leaflet-control-scale'),
           zoom: box('.leaflet-control-zoom'), popup: box('.leaflet-popup-content-wrapper'),
           size: [{MAP_WINDOW}.innerWidth, {MAP_WINDOW}.innerHeight]}};
}}"""


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@pytest.fixture(params=list(SIZES))
def sized(request, browser):
    width, height = SIZES[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield request.param, page
    context.close()


def open_popup(page) -> None:
    """Open the popup of the event with the longest details, at the map's start view (Leaflet's own openPopup:
    the same popupopen the map's fitting listens to; clicks are tested in test_browser.py)."""
    page.evaluate(
        f"""() => {{ let best = null; {FIND_MAP}.eachLayer(l => {{ const p = l.feature && l.feature.properties;
          if (p && p.event_id && l.getPopup && l.getPopup() && (!best || p.details.length >
              best.feature.properties.details.length)) best = l; }}); best.openPopup(); }}"""
    )
    expect(page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content")).to_be_visible()


def test_the_map_comes_first_and_its_legend_is_whole_and_clear(sized, app_url):
    name, page = sized
    width, height = SIZES[name]
    open_app(page, app_url)
    page.evaluate("() => window.scrollTo(0, 0)")
    top = page.locator(MAP_IFRAME).bounding_box()["y"]
    if width >= 1366:
        assert top <= 320, f"the map starts at y={top:.0f} at {name}"
    boxes = page.evaluate(BOXES)
    map_w, map_h = boxes["size"]
    legend = page.frame_locator(MAP_IFRAME).locator(".map-legend")
    if width < 600:
        expect(legend).to_have_class("map-legend leaflet-control collapsed")
        legend.get_by_role("button", name="Legend").click()
        boxes = page.evaluate(BOXES)
    expect(legend.get_by_role("button", name="clash")).to_be_visible()
    for box in (boxes["legend"], boxes["body"]):
        assert 0 <= box[0] and box[2] <= map_w and 0 <= box[1] and box[3] <= map_h, f"legend {box} outside the map"
    for other in ("attribution", "scale", "zoom"):
        assert not overlap(boxes["legend"], boxes[other]), f"legend {boxes['legend']} covers the {other}"
    assert not overlap(boxes["scale"], boxes["attribution"]), "the attribution covers the scale"
    # Every entry is in the box, not cut by it: the body needs no scrolling.
    assert page.evaluate(f"() => {{ const b = {MAP_WINDOW}.document.querySelector('.legend-body'); "
                         "return b.scrollHeight <= b.clientHeight + 1; }")  # fmt: skip
    screenshot(page, f"layout-{name}")


def test_a_popup_fits_inside_the_map(sized, app_url):
    name, page = sized
    open_app(page, app_url)
    open_popup(page)
    page.wait_for_timeout(600)  # the popup's pan into view
    boxes = page.evaluate(BOXES)
    map_w, map_h = boxes["size"]
    popup = boxes["popup"]
    assert popup[2] - popup[0] <= map_w - 40, f"popup {popup} as wide as the map ({map_w})"
    assert 0 <= popup[0] and popup[2] <= map_w and 0 <= popup[1] and popup[3] <= map_h, f"popup {popup} cut"
    page.wait_for_timeout(500)  # the legend folds once the popup has panned
    boxes = page.evaluate(BOXES)
    assert not overlap(boxes["popup"], boxes["legend"]), "the legend covers the popup"
    assert not overlap(boxes["popup"], boxes["zoom"]), "the zoom buttons cover the popup"
    if SIZES[name][0] < 600:
        assert "collapsed" in page.frame_locator(MAP_IFRAME).locator(".map-legend").get_attribute("class")
    screenshot(page, f"layout-popup-{name}")


def test_the_legend_hides_and_shows_an_event_type(page, app_url, bundled):
    open_app(page, app_url)
    clash = page.frame_locator(MAP_IFRAME).locator(".map-legend").get_by_role("button", name="clash")
    count = f"""() => {{ let n = 0; {FIND_MAP}.eachLayer(l => {{ const p = l.feature && l.feature.properties;
      if (p && p.event_id && p.colour === '{palette.EVENT_COLOURS["clash"]}' && l.options.weight !== 3) n++; }});
      return n; }}"""
    before = page.evaluate(count)
    assert before == int((bundled["event_type"] == "clash").sum()) > 0
    clash.click()
    expect(clash).to_have_attribute("aria-pressed", "false")
    assert page.evaluate(count) == 0
    clash.click()
    expect(clash).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(count) == before


def test_the_skip_link_is_the_first_tab_stop_and_reaches_the_day_slider(page, app_url):
    open_app(page, app_url)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    slider = page.get_by_role("slider", name="Day")
    expect(slider).to_be_focused()
    ring = page.evaluate(
        """() => { let e = document.activeElement; for (let i = 0; i < 4 && e; i++, e = e.parentElement) {
             const s = getComputedStyle(e); if (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)
               return s.outlineWidth + ' ' + s.outlineColor; } return null; }"""
    )
    assert ring is not None, "no visible focus ring on the slider"
    screenshot(page, "layout-focus-slider")


def test_the_keyboard_goes_through_the_events_and_opens_each_ones_details(page, app_url):
    open_app(page, app_url)
    button = page.get_by_role("button", name="Next event ▶")
    button.focus()
    page.keyboard.press("Enter")
    popup = page.frame_locator(MAP_IFRAME).locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(page.get_by_text("Event 1 of")).to_be_visible()
    first = popup.inner_text()
    page.get_by_role("button", name="Next event ▶").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Event 2 of")).to_be_visible()
    expect(popup).to_have_count(1)  # the first event's popup closes as the second's opens
    expect(popup).not_to_have_text(first)
    # The ring is on a marker the map draws: some event marker sits at its very point.
    assert page.evaluate(
        f"""() => {{ const map = {FIND_MAP}; let ring = null; const marks = [];
          map.eachLayer(l => {{ if (l.feature && l.options && l.options.radius === 16 && l.feature.properties.event_id
                                   && l.options.weight === 3) ring = l;
                               else if (l.feature && l.feature.properties.event_id && l.getLatLng) marks.push(l); }});
          return ring && marks.some(m => m.getLatLng().equals(ring.getLatLng(), 1e-9)); }}"""
    )
    screenshot(page, "layout-next-event")


def test_the_accessibility_tree_reads_the_numbers_and_controls(page, app_url):
    open_app(page, app_url)
    tree = page.locator("[data-testid=stMain]").aria_snapshot()
    for said in ("Events shown", "Sources shown", "Places changed hands", 'slider "Day', 'button "Next event ▶"',
                 'switch "Play"', "Filters:"):  # fmt: skip
        assert said in tree, f"{said!r} not in the accessibility tree"
    legend = page.frame_locator(MAP_IFRAME).locator(".map-legend").aria_snapshot()
    assert 'region "Map legend"' in legend and 'button "clash" [pressed]' in legend


def test_the_legend_keeps_no_old_layers_across_steps(page, app_url, bundled):
    """Found by the benchmark: the legend's list of layers grew by a step's layers on every step (the page
    heap went from 39 to 145 MB over 180 steps)."""
    open_app(page, app_url)
    days = sorted(bundled["day"].unique())
    held = f"() => {MAP_WINDOW}.legendLayers.length"
    first = page.evaluate(held)
    slider = page.get_by_role("slider", name="Day")
    for _ in range(4):
        slider.focus()
        page.keyboard.press("ArrowLeft")
        page.wait_for_timeout(1500)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for()
    assert len(days) > 4
    assert page.evaluate(held) <= first, "the legend kept the layers of earlier steps"
