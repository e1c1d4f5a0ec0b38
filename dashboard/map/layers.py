"""The day's layers: feature groups sent with ``st_folium(feature_group_to_add=...)`` and put into the HTML download.

``claims_layer`` turns what a step chose to draw (``step.Drawn``) into one layer; the page builds it once
and uses it for the screen and for the download alike.
"""

from __future__ import annotations

import folium
import numpy as np
import pandas as pd

from ..step import Drawn
from .elements import ForgetOldLayers, Points, Zones
from .features import SENT_PROPERTIES, cells_json, changed_json, event_features, story_features


def events_layer(events: pd.DataFrame) -> folium.FeatureGroup:
    """One circle per claim, coloured by event type; region-level claims wider and fainter."""
    group = folium.FeatureGroup(name="Events")
    if not events.empty:
        features = event_features(events)[[*SENT_PROPERTIES, "geometry"]]
        features = features.assign(dash=np.where(features["opacity"] < 0.5, "3 3", None))
        Points(features.to_json(drop_id=True), weight=1.5, fill_opacity=0.85, popup="details").add_to(group)
    return group


def stories_layer(events: pd.DataFrame) -> folium.FeatureGroup:
    """The shown claims as stories: one marker each, its outline saying how the story stands."""
    group = folium.FeatureGroup(name="Stories")
    if not events.empty:
        features = story_features(events)
        Points(features.to_json(drop_id=True), weight=1.5, fill_opacity=0.85, popup="details", size=(420, 320)).add_to(
            group
        )
    return group


def cells_layer(cells: pd.DataFrame) -> folium.FeatureGroup:
    """Grid cells standing for many events (``aggregate.cells_from_codes``), each with its counts."""
    group = folium.FeatureGroup(name="Event cells")
    if not cells.empty:
        Points(cells_json(cells), weight=2, fill_opacity=0.55, popup="details").add_to(group)
    return group


def claims_layer(drawn: Drawn) -> folium.FeatureGroup:
    """The layer for what a step chose to draw: events, stories or counted cells."""
    if drawn.kind == "cells":
        return cells_layer(drawn.rows)
    return stories_layer(drawn.rows) if drawn.kind == "stories" else events_layer(drawn.rows)


def control_groups(zones_data: str, dots_data: str) -> list[folium.FeatureGroup]:
    """The layers of ``features.control_json``: zones coloured by controller, then a dot per place."""
    zone_group = folium.FeatureGroup(name="Control zones")
    if zones_data:
        Zones(zones_data).add_to(zone_group)
    dot_group = folium.FeatureGroup(name="Place control")
    if dots_data:
        Points(dots_data, weight=1.5, fill_opacity=0.85).add_to(dot_group)
    return [zone_group, dot_group]


def changed_layer(moved: pd.DataFrame, places) -> folium.FeatureGroup:
    """Rings on the places that changed hands between the two days picked under the map."""
    group = folium.FeatureGroup(name="Changed hands")
    if not moved.empty:
        Points(changed_json(moved, places), weight=3, fill_opacity=0.01).add_to(group)
    return group


def selected_layer(event: pd.DataFrame) -> folium.FeatureGroup:
    """A ring around the event picked in the table."""
    group = folium.FeatureGroup(name="Selected event")
    for lat, lon in zip(event["lat"], event["lon"], strict=True):
        folium.CircleMarker((float(lat), float(lon)), radius=16, color="#000", weight=3, fill=False).add_to(group)
    return group


def frame_layers(groups: list[folium.FeatureGroup]) -> list[folium.FeatureGroup]:
    """The groups to send with ``st_folium(feature_group_to_add=...)``, old ones let go."""
    if groups:
        groups[0].add_child(ForgetOldLayers())
    return groups
