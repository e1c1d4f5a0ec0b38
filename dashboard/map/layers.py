"""The day's layers: feature groups sent with ``st_folium(feature_group_to_add=...)`` and put into the HTML download.

``claims_layer`` turns what a step chose to draw (``step.Drawn``) into one layer; the page builds it once
and uses it for the screen and for the download alike.
"""

from __future__ import annotations

import folium
import geopandas as gpd
import numpy as np
import pandas as pd

from ..step import Drawn
from .elements import ForgetOldLayers, Points, Zones
from .features import SENT_PROPERTIES, cells_json, changed_json, event_features, spread, story_features
from .palette import PLACE_MARK, SELECTED_RING


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
        # Square with a white outline: a place, never mistaken for a round event marker of the same hue.
        shape, outline = PLACE_MARK["shape"], PLACE_MARK["outline"]
        Points(dots_data, weight=1.5, fill_opacity=0.85, kind="places", shape=shape, stroke=outline).add_to(dot_group)
    return [zone_group, dot_group]


def changed_layer(moved: pd.DataFrame, places) -> folium.FeatureGroup:
    """Rings on the places that changed hands between the two days picked under the map."""
    group = folium.FeatureGroup(name="Changed hands")
    if not moved.empty:
        Points(changed_json(moved, places), weight=3, fill_opacity=0.01, kind="changed").add_to(group)
    return group


def drawn_at(drawn: Drawn, picked: pd.DataFrame) -> pd.DataFrame:
    """The picked events' lat/lon where the map draws them: on the ring ``features.spread`` put them on, or
    at their story's marker; at their own place when cells stand for them."""
    if picked.empty or drawn.kind == "cells":
        return picked[["lat", "lon"]]
    rows, key = drawn.rows, "story_id" if drawn.kind == "stories" else "event_id"
    if key == "story_id":
        rows = rows.drop_duplicates("story_id")
    where = spread(rows[["lat", "lon", "date"]]).set_axis(rows[key].to_numpy())
    where = where.loc[~where.index.duplicated()].reindex(picked[key].to_numpy())
    return where[["lat", "lon"]].fillna({"lat": picked["lat"].iloc[0], "lon": picked["lon"].iloc[0]})


def selected_layer(event: pd.DataFrame, drawn: Drawn | None = None) -> folium.FeatureGroup:
    """A ring around the event picked in the table or with the keyboard, on the very marker the map draws
    for it, with its details open (the popup is the same as the marker's)."""
    group = folium.FeatureGroup(name="Selected event")
    if event.empty:
        return group
    at = drawn_at(drawn, event) if drawn is not None else event[["lat", "lon"]]
    ring = event_features(event)[["event_id", "tooltip", "details", "geometry"]]
    ring = ring.set_geometry(gpd.points_from_xy(at["lon"], at["lat"]), crs="EPSG:4326")
    ring = ring.assign(colour=SELECTED_RING, radius=16, stroke=SELECTED_RING, weight=3, opacity=0.01)
    Points(
        ring.to_json(drop_id=True), weight=3, fill_opacity=0.01, popup="details", kind="selected", opened=True
    ).add_to(group)
    return group


def frame_layers(groups: list[folium.FeatureGroup]) -> list[folium.FeatureGroup]:
    """The groups to send with ``st_folium(feature_group_to_add=...)``, old ones let go."""
    if groups:
        # First of all the update's scripts: the legend's list must be emptied before this step's layers join it.
        groups[0].add_child(ForgetOldLayers(), index=0)
    return groups
