"""The map published: the picture (PNG, SVG, PDF), the time-lapse (GIF, MP4) and the HTML download's caption.

Each output is read back: its pixels, its frames, its text. Sizes are small where the size is not
what is tested, so the file stays fast.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from contextlib import redirect_stderr
from xml.etree import ElementTree

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from dashboard import __main__ as cli
from dashboard import control, export, picture, publish, step, timelapse
from dashboard.map import basemap, features, layers, palette
from dashboard.pipeline import open_events
from dashboard.view import View
from tests.conftest import EVENTS, FIXTURES
from tests.test_cli import run

DAY = dt.date(2024, 12, 5)
SMALL = (480, 300)
# Mathtext would fail on \frac{ and draw $x^2$ as a formula; markup would run in an SVG or HTML reader.
HOSTILE = '$\\frac{1}{0}$ <script>alert(1)</script> & "q" $x^2$'


def _scenes(geodata, events, days, view=None, zoom=8, limit=600, facets=None):
    indexed = step.index_events(events)
    cells = control.zone_cells(geodata.places, geodata.outline)
    control_on = publish.control_from(control.control_changes(events, geodata.places), geodata.places, cells, False)
    return list(publish.scenes(indexed, facets, control_on, days, view or View(days[0]), limit, zoom))


@pytest.fixture(scope="module")
def scene(geodata, loaded):
    return _scenes(geodata, loaded, [DAY])[0]


@pytest.fixture
def hostile(write_csv, geodata):
    """Events whose source, place and actor are HOSTILE."""
    text = '"' + HOSTILE.replace('"', '""') + '"'
    rows = [
        f"h1,2024-12-01,{text},35.5,37.0,clash,{text},,,{text},monitor,reported,,{text},,",
        f"h2,2024-12-02,Aleppo,,,capture,{text},,opposition,{text},monitor,claimed,,{text},,",
    ]
    events = open_events(write_csv(*rows), geodata).events
    assert len(events) == 2
    return events


def test_the_caption_says_the_day_the_filters_the_sources_the_control_and_the_attributions():
    view = View(DAY, "window", 3, filters={"source": ["Reuters", "SOHR"]}, control_selected=True)
    lines = publish.caption_lines(view, ["Reuters", "SOHR"], 1200, cells=9)
    text = "\n".join(lines)
    assert "5 Dec 2024" in lines[0] and "last 3 day(s), 3 Dec 2024 to 5 Dec 2024" in lines[0]
    assert "Filters: Source: Reuters, SOHR" in text
    assert "Sources shown (2): Reuters, SOHR" in text
    assert "1,200 events shown, drawn as 9 counted cells sized by their count" in text
    assert "as the selected sources claim it" in text and "Zones are derived from place control" in text
    assert "Natural Earth" in text and "No basemap imagery" in text


def test_a_long_list_of_sources_is_cut_and_counted():
    names = [f"Source {i:02d}" for i in range(40)]
    line = publish.caption_lines(View(DAY), names, 1)[2]
    assert "Source 11" in line and "Source 12" not in line and "and 28 more" in line


def test_the_png_is_1600_by_1000_and_not_blank(geodata, scene):
    png = picture.picture(geodata, scene, "png")
    image = Image.open(io.BytesIO(png))
    assert image.size == (1600, 1000)
    pixels = np.asarray(image.convert("RGB"))
    assert pixels.std() > 20
    colours = {tuple(c) for c in pixels[::4, ::4].reshape(-1, 3)}
    assert len(colours) > 50
    # the zones', the dots' and the events' own colours are drawn, not only the basemap's
    for hex_colour in (palette.EVENT_COLOURS["clash"], palette.EVENT_COLOURS["capture"], "#000000", "#ffffff"):
        wanted = np.array(picture.matplotlib.colors.to_rgb(hex_colour)) * 255
        assert (np.abs(pixels.reshape(-1, 3) - wanted).max(axis=1) < 6).any(), hex_colour


def test_a_caption_of_many_filters_and_sources_stays_inside_the_picture(geodata, scene):
    names = [f"A source with a long name, number {i:02d}, of sixty characters or so" for i in range(40)]
    view = View(DAY, filters={facet: names[:20] for facet in publish.FILTER_LABELS})
    painter = picture.Painter(geodata, *SMALL)
    painter.frame(publish.Scene(DAY, scene.held, scene.zones, scene.drawn, publish.caption_lines(view, names, 9)))
    box = painter.caption.get_window_extent(painter.canvas.get_renderer())
    assert box.y0 >= 0 and box.x1 <= SMALL[0] + 1, box
    assert "Natural Earth" in painter.caption.get_text()  # the attributions are never cut


def test_every_text_prints_at_seven_points_or_more_on_a_landscape_page(geodata, scene):
    painter = picture.Painter(geodata, *SMALL)
    painter.save(scene, "png")
    assert painter.figure.get_size_inches()[0] == picture.WIDTH_INCHES  # what a page prints at its size
    sizes = {t.get_text(): t.get_fontsize() for t in painter.texts()}
    assert len(sizes) > 30  # labels, legend, date, caption
    assert min(sizes.values()) >= picture.MIN_FONT_PT, min(sizes, key=sizes.get)
    assert sizes["5 Dec 2024"] >= 18  # the date, large


def svg_text(svg: str) -> str:
    """The SVG's text as a reader gets it: every ``<text>`` element's, parsed as XML, lines joined by spaces."""
    root = ElementTree.fromstring(svg)
    texts = ("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    return re.sub(r"\s+", " ", " ".join(texts))


def test_the_svg_holds_the_caption_as_text(geodata, scene):
    text = svg_text(picture.picture(geodata, scene, "svg", *SMALL).decode())
    for words in ("5 Dec 2024", "Reuters", "Zones are derived from place control", "Natural Earth", "Aleppo"):
        assert words in text, words


def test_hostile_names_stay_text_in_the_picture_and_its_svg(geodata, hostile):
    scene = _scenes(geodata, hostile, [dt.date(2024, 12, 2)])[0]
    painter = picture.Painter(geodata, *SMALL)
    svg = painter.save(scene, "svg").decode()
    caption = "\n".join(t.get_text() for t in painter.texts())
    assert HOSTILE in caption.replace("\n", " ")  # wrapped, but the very characters
    assert all(not t.get_parse_math() for t in painter.texts())
    assert "<script" not in svg and "&lt;script&gt;alert(1)&lt;/script&gt;" in svg
    assert HOSTILE in svg_text(svg)  # drawn as written, not as formulas, and parsed back as text
    pdf = painter.save(scene, "pdf")
    assert pdf.startswith(b"%PDF")


def test_an_animated_frame_is_the_full_drawing(geodata, scene):
    """The time-lapse's blitted frame matches the picture drawn whole."""
    whole = picture.Painter(geodata, *SMALL).frame(scene)
    painter = picture.Painter(geodata, *SMALL, animated=True)
    painter.frame(scene)  # the first frame saves the background
    blitted = painter.frame(scene)
    assert whole.shape == blitted.shape == (SMALL[1], SMALL[0], 3)
    assert np.abs(whole.astype(int) - blitted.astype(int)).mean() < 1.0


def test_the_gif_has_a_frame_per_day_each_dated(geodata, loaded):
    days = [dt.date(2024, 11, 27) + dt.timedelta(days=d) for d in range(4)]
    gif = timelapse.timelapse(geodata, _scenes(geodata, loaded, days), "gif", *SMALL)
    frames = iio.imread(gif, index=None, extension=".gif")
    assert frames.shape[:3] == (4, SMALL[1], SMALL[0])
    assert all(f.std() > 20 for f in frames)
    assert not np.array_equal(frames[0], frames[-1])  # the date and the events move


def test_the_mp4_reads_back_with_a_frame_per_day_at_its_size(geodata, loaded, tmp_path):
    days = [dt.date(2024, 11, 30) + dt.timedelta(days=d) for d in range(3)]
    path = tmp_path / "lapse.mp4"
    path.write_bytes(timelapse.timelapse(geodata, _scenes(geodata, loaded, days), "mp4", 481, 301))
    frames = iio.imread(path, index=None, plugin="FFMPEG")
    assert frames.shape == (3, 300, 480, 3)  # odd sides rounded down for x264
    assert frames[1].std() > 20


def test_cells_stand_for_events_above_the_draw_limit(geodata, loaded):
    scene = _scenes(geodata, loaded, [DAY], limit=10)[0]
    assert scene.drawn.kind == "cells" and "counted cells" in " ".join(scene.caption)
    marks = picture.event_marks(scene.drawn)
    assert len(marks.xy) == len(scene.drawn.rows) < 76
    assert picture.Painter(geodata, *SMALL).frame(scene).std() > 20


def test_the_html_download_holds_the_caption_as_text(geodata, hostile):
    """The caption is set as textContent from JSON with no raw < > or &: the names show as written."""
    day = dt.date(2024, 12, 2)
    lines = publish.caption_lines(View(day), sorted(set(hostile["source"])), len(hostile))
    html = export.standalone_html(
        basemap.base_map(basemap.basemap_data(geodata), offline=True), [layers.events_layer(hostile)], lines
    ).decode()
    script = next(s for s in re.findall(r"<script>(.*?)</script>", html, flags=re.S) if "map-caption" in s)
    shown = json.loads(re.search(r"(\[\"Who claims what.*?\"\])\.forEach", script).group(1))
    assert shown == lines and any(HOSTILE in line for line in shown)
    assert "<script>alert" not in script and "p.textContent = line" in script
    assert "<title>Who claims what, where: 2 Dec 2024" in html


def test_city_labels_sit_in_a_pane_under_the_markers(geodata):
    html = export.standalone_html(basemap.base_map(basemap.basemap_data(geodata), offline=True), []).decode()
    assert '[["borders", 300], ["cityLabels", 350]]' in html  # both under the layers' pane (400)
    assert 'pane: "cityLabels"' in html and 'pane: "borders"' in html


# ---------------------------------------------------------------- the command line


def test_picture_command_writes_a_1600_by_1000_png(tmp_path):
    out = tmp_path / "day.png"
    code, _, err = run("picture", "--date", "2024-12-05", "--out", str(out))
    assert code == 0, err
    assert Image.open(out).size == (1600, 1000)


def test_picture_command_writes_an_svg_with_a_source_s_view(tmp_path):
    out = tmp_path / "day.svg"
    code, _, err = run("picture", "--date", "2024-12-02", "--source", "Reuters", "--out", str(out), "--width", "400")
    text = svg_text(out.read_text())
    assert code == 0, err
    assert "Sources shown (1): Reuters" in text and "Filters: Source: Reuters" in text
    assert "as the selected sources claim it" in text


def test_timelapse_command_writes_a_frame_per_day(tmp_path):
    out = tmp_path / "days.gif"
    size = ["--width", "320", "--height", "200"]
    code, _, err = run("timelapse", "--from", "2024-12-01", "--to", "2024-12-03", "--out", str(out), *size)
    assert code == 0, err
    assert iio.imread(out, index=None).shape[:3] == (3, 200, 320)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["picture", "--date", "2031-01-01", "--out", "x.png"], "day 2031-01-01 is outside the data"),
        (["picture", "--date", "2024-12-05", "--out", "x.jpg"], "expected a file ending .png or .svg or .pdf"),
        (["picture", "--date", "2024-12-05", "--out", "x.png", "--source", "Nobody"], "source 'Nobody' is not"),
        (["picture", "--date", "2024-12-05", "--out", "x.png", "--width", "5"], "expected 64 to 8000 pixels"),
        (["timelapse", "--from", "2024-12-03", "--to", "2024-12-01", "--out", "x.gif"], "is after --to"),
        (["timelapse", "--from", "2024-11-01", "--to", "2024-12-01", "--out", "x.mp4"], "outside the data"),
        (["timelapse", "--from", "2024-12-01", "--to", "2024-12-02", "--out", "x.avi"], "ending .gif or .mp4"),
        (["picture", "--date", "2024-12-05", "--out", "/no/such/folder/x.png"], "cannot write"),
    ],
)
def test_bad_requests_get_one_message_and_exit_2(tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(*argv)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1 and "Traceback" not in err
    assert not list(tmp_path.iterdir())  # nothing half written


def test_an_unreadable_day_is_argparse_s_exit_2():
    with pytest.raises(SystemExit) as exit_info, redirect_stderr(io.StringIO()):
        cli.main(["picture", "--date", "5 Dec", "--out", "x.png"])
    assert exit_info.value.code == 2


def test_the_command_line_names_the_formats_the_modules_make():
    assert cli.PICTURE_FORMATS == picture.FORMATS and cli.TIMELAPSE_FORMATS == timelapse.FORMATS


def test_the_bundled_file_and_xss_fixture_picture_without_error(geodata, tmp_path):
    out = tmp_path / "xss.svg"
    code, _, err = run("picture", "--date", "2024-11-30", "--events", str(FIXTURES / "xss.csv"), "--out", str(out))
    assert code == 0, err
    svg = out.read_text()
    assert "<script" not in svg and "<img" not in svg and "onerror" in svg  # the words, as text
    assert EVENTS.exists()


def test_stories_are_drawn_by_their_outline_as_on_the_map(geodata, loaded):
    scene = _scenes(geodata, loaded, [DAY], view=View(DAY, stories=True))[0]
    assert scene.drawn.kind == "stories"
    marks = picture.event_marks(scene.drawn)
    outlines = {tuple(np.round(c[:3], 3)) for c in marks.edge}
    corroborated = tuple(np.round(picture.matplotlib.colors.to_rgb(features.STORY_STYLE["corroborated"][0]), 3))
    assert len(marks.xy) == scene.drawn.rows["story_id"].nunique() and corroborated in outlines
    assert picture.Painter(geodata, *SMALL).frame(scene).std() > 20
