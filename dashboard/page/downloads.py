"""The downloads under the table: the shown events as CSV or GeoJSON, or the map as one offline HTML file."""

from __future__ import annotations

from collections.abc import Callable

import folium
import numpy as np
import streamlit as st

from .. import export
from ..map import basemap
from .context import Opened


def show(opened: Opened, at: np.ndarray, groups: Callable[[], list[folium.FeatureGroup]], stem: str) -> None:
    """Three buttons; each file is made on click. ``groups`` gives the map's layers as drawn on screen."""
    st.caption("Download what is shown: the events with all their columns, or the map as one offline HTML file.")
    events = opened.events

    def html() -> bytes:
        return export.standalone_html(basemap.base_map(opened.basemap, offline=True), groups())

    cells = st.columns(3)
    cells[0].download_button(
        "Download CSV",
        lambda: export.to_csv(events.iloc[at]),
        f"{stem}.csv",
        "text/csv",
        key="export_csv",
        width="stretch",
    )
    cells[1].download_button(
        "Download GeoJSON",
        lambda: export.to_geojson(events.iloc[at]),
        f"{stem}.geojson",
        "application/geo+json",
        key="export_geojson",
        width="stretch",
    )
    cells[2].download_button(
        "Download map (HTML)", html, f"{stem}.html", "text/html", key="export_html", width="stretch"
    )
