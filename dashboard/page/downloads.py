"""The downloads under the table: the shown events as CSV or GeoJSON, or the map as one offline HTML file."""

from __future__ import annotations

import threading
from collections.abc import Callable

import folium
import numpy as np
import streamlit as st

from .. import export
from ..map import basemap
from .context import Opened

# Files are made one at a time, whichever session asks: a GeoJSON of a million events holds about a
# gigabyte while it is written, and two sessions clicking at once must not hold two.
EXPORT_LOCK = threading.Lock()


def one_at_a_time(make: Callable[[], bytes]) -> Callable[[], bytes]:
    def made() -> bytes:
        with EXPORT_LOCK:
            return make()

    return made


def show(opened: Opened, at: np.ndarray, groups: Callable[[], list[folium.FeatureGroup]], stem: str) -> None:
    """Three buttons; each file is made on click. ``groups`` gives the map's layers as drawn on screen."""
    st.caption("Download what is shown: the events with all their columns, or the map as one offline HTML file.")
    events = opened.events

    def html() -> bytes:
        return export.standalone_html(basemap.base_map(opened.basemap, offline=True), groups())

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
    )
    for cell, (label, make, ending, mime, key) in zip(st.columns(len(files)), files, strict=True):
        cell.download_button(label, one_at_a_time(make), f"{stem}.{ending}", mime, key=key, width="stretch")
