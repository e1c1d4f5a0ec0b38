"""The downloads under the table: the shown events as CSV or GeoJSON, the map as one offline HTML file or a PNG
picture, and the days as a time-lapse (GIF or MP4).

Every file is made when its button is clicked (Streamlit calls ``data`` then), never on a rerun: the
time-lapse costs up to a second of the server a frame, and ``timelapse_max_frames`` bounds it.
matplotlib is imported on the first click too, not when the page starts (it takes a second).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

import folium
import numpy as np
import streamlit as st

from .. import export, publish, step
from ..map import basemap
from ..view import View
from . import state
from .context import Opened

# Files are made one at a time, whichever session asks: a GeoJSON of a million events holds about a
# gigabyte while it is written, and two sessions clicking at once must not hold two.
EXPORT_LOCK = threading.Lock()


def one_at_a_time(make: Callable[[], bytes]) -> Callable[[], bytes]:
    def made() -> bytes:
        with EXPORT_LOCK:
            return make()

    return made


@dataclass(frozen=True)
class Shown:
    """What the day view shows, for the files that picture it: the view in words, the filters' mask, control."""

    view: View  # its filters: only those that leave something out
    facets: np.ndarray | None  # the filters' mask, None when nothing is left out
    control_on: publish.ControlOn  # the day's (places, zones), from the page's caches
    cells: int  # how many counted cells the map draws for its events; 0 when it draws them one by one


def show(opened: Opened, at: np.ndarray, groups: Callable[[], list[folium.FeatureGroup]], stem: str, shown: Shown):
    """The buttons; each file is made on click. ``groups`` gives the map's layers as drawn on screen."""
    st.caption(
        "Download what is shown: the events with all their columns, the map as one offline HTML file or as a "
        "picture with its caption, or the days as a time-lapse."
    )
    events, settings = opened.events, opened.settings
    size = int(settings["picture_width"]), int(settings["picture_height"])
    sources = step.shown_sources(opened.indexed, at)

    def html() -> bytes:
        caption = publish.caption_lines(shown.view, sources, len(at), shown.cells)
        return export.standalone_html(basemap.base_map(opened.basemap, offline=True), groups(), caption)

    def png() -> bytes:
        from .. import picture  # on click: see the module's docstring

        scene = publish.scene(opened.indexed, at, *shown.control_on(shown.view.day), shown.view, *_drawing(opened))
        return picture.picture(opened.geodata, scene, "png", *size)

    files = (  # label, what makes the file (on click), file name ending, MIME type, widget key
        ("Download CSV", lambda: export.to_csv(opened.detailed(events.iloc[at])), "csv", "text/csv", "export_csv"),
        (
            "Download GeoJSON",
            lambda: export.to_geojson(opened.detailed(events.iloc[at])),
            "geojson",
            "application/geo+json",
            "export_geojson",
        ),
        ("Download map (HTML)", html, "html", "text/html", "export_html"),
        ("Download picture (PNG)", png, "png", "image/png", "export_png"),
    )
    for cell, (label, make, ending, mime, key) in zip(st.columns(len(files)), files, strict=True):
        cell.download_button(label, one_at_a_time(make), f"{stem}.{ending}", mime, key=key, width="stretch")
    timelapse(opened, shown, size)


def _drawing(opened: Opened) -> tuple[int, int]:
    """(draw limit, zoom) of the page's pictures: cells as on screen, at the picture's own scale."""
    from .. import picture

    settings = opened.settings
    zoom = picture.zoom_for(opened.geodata, int(settings["picture_width"]), int(settings["picture_height"]))
    return int(settings["draw_limit"]), zoom


def timelapse_days(days: list[dt.date], chosen: tuple, most: int) -> tuple[list[dt.date], str]:
    """The days of the chosen range, cut to its last ``most``; and a note when it was cut."""
    first, last = chosen
    picked = [d for d in days if first <= d <= last]
    if len(picked) <= most:
        return picked, ""
    return picked[-most:], (
        f"{len(picked)} days chosen; the time-lapse holds the last {most} (the timelapse_max_frames setting)."
    )


def timelapse(opened: Opened, shown: Shown, size: tuple[int, int]) -> None:
    """A range of days and two buttons, GIF and MP4: made on click, a frame per day, with the view's filters."""
    days, most = opened.days, int(opened.settings["timelapse_max_frames"])
    if len(days) < 2:
        return
    row = st.columns([3, 1, 1])
    # A range slider because its default is a pair; the key keeps the user's pick (a new file drops it: state.py).
    chosen = row[0].select_slider(
        "Time-lapse: from, to",
        options=days,
        value=(days[max(0, len(days) - most)], days[-1]),
        key=state.TIMELAPSE_DAYS,
        format_func=lambda d: f"{d:%-d %b %Y}",
    )
    picked, note = timelapse_days(days, chosen, most)
    if note:
        st.caption(note)

    def made(fmt: str) -> Callable[[], bytes]:
        def make() -> bytes:
            from .. import timelapse as lapse  # on click: see the module's docstring

            scenes = publish.scenes(
                opened.indexed, shown.facets, shown.control_on, picked, shown.view, *_drawing(opened)
            )
            return lapse.timelapse(opened.geodata, scenes, fmt, *size)

        return make

    stem = f"{opened.stem}-{picked[0]:%Y-%m-%d}-to-{picked[-1]:%Y-%m-%d}"
    for cell, (fmt, mime) in zip(row[1:], (("gif", "image/gif"), ("mp4", "video/mp4")), strict=True):
        cell.download_button(
            f"Time-lapse ({fmt.upper()})",
            one_at_a_time(made(fmt)),
            f"{stem}.{fmt}",
            mime,
            key=f"export_{fmt}",
            width="stretch",
        )
