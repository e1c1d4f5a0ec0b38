"""The published map from the page: the HTML download opened in Chromium with its caption and labels, the PNG
picture and the time-lapse downloaded with a click.

The app runs at a small picture size (the 1600×1000 default is checked in tests/test_publish.py), so a
time-lapse of every day stays quick on two cores.
"""

from __future__ import annotations

import imageio.v3 as iio
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import FIXTURES, SCREENSHOTS, all_days, open_app
from tests.support import EVENTS

SIZE = ("--picture-width", "480", "--picture-height", "300")
# Where each downloaded map keeps what a reader sees: the caption's lines, and the label and marker panes.
CAPTION = "() => [...document.querySelectorAll('.map-caption > *')].map(d => d.textContent)"
PANES = """() => {
  const z = name => Number(getComputedStyle(document.querySelector('.leaflet-' + name + '-pane')).zIndex);
  return {labels: z('cityLabels'), overlay: z('overlay'), tooltips: z('tooltip'),
          labelled: document.querySelectorAll('.leaflet-cityLabels-pane .city-label').length};
}"""


def _download(page, label: str, timeout: float = 120_000):
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label)
    button.scroll_into_view_if_needed()
    with page.expect_download(timeout=timeout) as info:
        button.get_by_role("button").click()
    return info.value


def test_the_html_download_shows_its_caption_as_text_and_labels_under_the_markers(page, serve, browser):
    url = serve(FIXTURES / "xss.csv", *SIZE)
    open_app(page, url)
    download = _download(page, "Download map (HTML)")
    assert download.suggested_filename.endswith(".html")

    opened = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    asked: list[str] = []
    opened.on("request", lambda request: asked.append(request.url))
    saved = SCREENSHOTS.parent / "publish-download.html"
    saved.parent.mkdir(parents=True, exist_ok=True)
    download.save_as(saved)
    opened.goto(saved.as_uri())
    opened.wait_for_selector(".map-caption")
    lines = opened.evaluate(CAPTION)
    assert lines[0].startswith("Who claims what, where:") and "Zones are derived from place control" in " ".join(lines)
    sources = next(line for line in lines if line.startswith("Sources shown"))
    assert "<script>window.__pwned=1</script>" in sources  # the file's very text, shown as text
    assert opened.evaluate("() => window.__pwned") is None
    assert opened.title().startswith("Who claims what, where:")
    panes = opened.evaluate(PANES)
    assert panes["labelled"] > 0 and panes["labels"] < panes["overlay"] < panes["tooltips"]
    assert all(u.startswith("file://") or u.startswith("data:") for u in asked), asked
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    opened.screenshot(path=str(SCREENSHOTS / "publish-html-download.png"))
    opened.context.close()


def test_the_picture_and_the_time_lapse_download_from_the_page(page, serve, bundled):
    url = serve(EVENTS, *SIZE)
    open_app(page, url)
    png = _download(page, "Download picture (PNG)")
    assert Image.open(png.path()).size == (480, 300)

    days = all_days(bundled)
    expect(page.get_by_text("Time-lapse: from, to")).to_be_visible()
    gif = _download(page, "Time-lapse (GIF)")
    assert gif.suggested_filename.endswith(f"{days[0]:%Y-%m-%d}-to-{days[-1]:%Y-%m-%d}.gif")
    assert iio.imread(gif.path(), index=None).shape[:3] == (len(days), 300, 480)
    page.get_by_test_id("stDownloadButton").filter(has_text="Time-lapse (MP4)").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / "publish-downloads.png"))
