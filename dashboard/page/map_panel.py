"""The map: the base map and the day's layers through streamlit-folium, and what the map reports back.

The map's report (centre, zoom, bounds) comes from the browser: it is checked by ``view.map_report``
before anything uses it.
"""

from __future__ import annotations

import folium
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from .. import view
from ..map import basemap, layers
from ..map.basemap import CENTRE, SELECTED_ZOOM, ZOOM
from ..model import BASELINE_TEXT
from ..step import Drawn
from . import state
from .context import Opened

CONTROL_NOTE = (
    f"Control: each place starts with a coarse baseline of {BASELINE_TEXT} and moves with the control claims of "
    "all sources, whatever the filters (disputed and denied claims never move it; disagreeing claims make it "
    "contested). A place no source has claimed since the baseline is drawn faded with a dashed outline: the map "
    "only repeats the baseline there. Zones are derived from place control, not drawn front lines."
)
CONTROL_SELECTED_NOTE = (
    "Control as the selected sources claim it: a place they say nothing about is drawn grey and dashed, "
    "'no claim by these sources', not given the baseline's controller."
)


def last_report() -> view.MapReport:
    """The map's last report, checked: what a step may use to pick cells or events in view."""
    return view.map_report(st.session_state.get(state.MAP), ZOOM)


def draw(
    opened: Opened, groups: list[folium.FeatureGroup], selected: pd.DataFrame, drawn: Drawn, by_selected: bool = False
) -> view.MapReport:
    """The map with ``groups`` on it, centred on the selected event's marker if there is one; returns its report."""
    if len(selected):
        where = layers.drawn_at(drawn, selected)
        centre, zoom = (float(where["lat"].iloc[0]), float(where["lon"].iloc[0])), SELECTED_ZOOM
    else:
        centre, zoom = st.session_state.get(state.START_MAP, (None, None))
    settings = opened.settings
    moved = st_folium(
        basemap.base_map(opened.basemap, offline=bool(settings["offline"]), tiles=str(settings["tiles"])),
        feature_group_to_add=layers.frame_layers([*groups, layers.selected_layer(selected, drawn)]),
        returned_objects=["center", "zoom", "bounds"],
        height=int(settings["map_height"]),
        use_container_width=True,
        key=state.MAP,
        center=centre,
        zoom=zoom,
    )
    if drawn.note:
        st.caption(drawn.note)
    st.caption(CONTROL_SELECTED_NOTE if by_selected else CONTROL_NOTE)
    return view.map_report(moved, ZOOM)


def moved_view(report: view.MapReport) -> tuple[tuple[float, float] | None, int | None]:
    """The map's centre and zoom for the link, or None while the map is at its start view."""
    if report.centre is None:
        return None, None
    lat, lon = report.centre
    if abs(lat - CENTRE[0]) < 1e-3 and abs(lon - CENTRE[1]) < 1e-3 and report.zoom == ZOOM:
        return None, None
    return (lat, lon), report.zoom
