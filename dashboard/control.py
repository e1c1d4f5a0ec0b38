"""Control: who holds each place on a day, and the zones that follow from it.

Each place starts with its baseline controller (geodata/control_baseline.csv,
26 Nov 2024). An event whose ``controller`` is set moves its place to that
controller from the event's date on; the latest such claim up to the day wins,
and on the same day a confirmed claim beats a reported one, which beats a
claimed one; when claims of one day name different controllers, the place is
``contested`` from that day until a later claim settles it. Disputed and denied
claims never move control.

Zones are the Voronoi cells of the settlements (not bases or crossings), clipped
to the country's outline and merged by controller: a coarse picture derived from
place control, not a front line.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .model import CONTESTED, NOT_CONTROL, STATUS_RANK

# Places of these kinds get a control dot but no zone of their own: a base's cell
# would paint a whole stretch of countryside in the colour of its garrison.
NO_ZONE_KINDS = ("air base", "military base", "naval base", "border crossing", "site")
_CHANGE_COLUMNS = ["place", "date", "controller", "event_id", "source", "claim_status", "lat", "lon"]


def control_changes(events: pd.DataFrame) -> pd.DataFrame:
    """The claims that move control, ordered so that the last one per place and day wins."""
    moves = events.loc[events["controller"].ne("") & ~events["claim_status"].isin(NOT_CONTROL)]
    changes = moves.assign(
        place=moves["gazetteer_place"].mask(moves["gazetteer_place"].eq(""), moves["place"]),
        rank=moves["claim_status"].map(STATUS_RANK).fillna(0),
    )
    changes = changes.sort_values(["date", "rank", "line"], kind="stable")
    # Sources that disagree on who holds a place on a day leave it contested, not silently decided.
    disagree = changes.groupby(["place", "date"])["controller"].transform("nunique").gt(1)
    changes["controller"] = changes["controller"].mask(disagree, CONTESTED)
    return changes[_CHANGE_COLUMNS].reset_index(drop=True)


def changes_until(changes: pd.DataFrame, day: dt.date) -> int:
    """How many of the (date-ordered) changes fall on or before ``day``: days with the same number share a map."""
    return int(np.searchsorted(changes["date"].to_numpy(), np.datetime64(day, "ns"), side="right"))


def control_at(day: dt.date, places: gpd.GeoDataFrame, changes: pd.DataFrame) -> gpd.GeoDataFrame:
    """The controller of every place on ``day``.

    Columns: place, kind, governorate, baseline, controller, since (date of the
    claim that set it, NaT for the baseline), event_id and source of that claim,
    changed (differs from the baseline), geometry. Places that only events name
    (with their own coordinates) are included, with no baseline.
    """
    latest = (
        changes.iloc[: changes_until(changes, day)]
        .drop_duplicates("place", keep="last")
        .rename(columns={"date": "since"})
    )
    known = places[["place", "kind", "governorate", "baseline", "geometry"]]
    extra = latest.loc[~latest["place"].isin(known["place"])]
    extra_places = gpd.GeoDataFrame(
        {"place": extra["place"], "kind": "", "governorate": "", "baseline": ""},
        geometry=gpd.points_from_xy(extra["lon"], extra["lat"]),
        crs=places.crs,
    )
    every = pd.concat([known, extra_places], ignore_index=True)
    held = every.merge(latest.drop(columns=["lat", "lon"]), on="place", how="left")
    held["controller"] = held["controller"].fillna(held["baseline"])
    held["event_id"] = held["event_id"].fillna("")
    held["source"] = held["source"].fillna("")
    held["claim_status"] = held["claim_status"].fillna("")
    held["changed"] = held["controller"].ne(held["baseline"])
    return gpd.GeoDataFrame(held, geometry="geometry", crs=places.crs)


def zone_cells(places: gpd.GeoDataFrame, outline: shapely.Geometry) -> gpd.GeoDataFrame:
    """One Voronoi cell per settlement, clipped to the outline. Compute once, reuse every day."""
    settlements = places.loc[~places["kind"].isin(NO_ZONE_KINDS), ["place", "geometry"]]
    cells = shapely.voronoi_polygons(
        shapely.multipoints(settlements.geometry.to_numpy()), extend_to=outline.envelope, ordered=True
    )
    clipped = shapely.intersection(np.asarray(shapely.get_parts(cells)), outline)
    return gpd.GeoDataFrame({"place": settlements["place"].to_numpy()}, geometry=clipped, crs=places.crs)


def zones_at(control: pd.DataFrame, cells: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Control zones: the settlements' cells merged by their controller on the day."""
    owned = cells.merge(control[["place", "controller"]], on="place", how="inner")
    zones = owned.dissolve(by="controller", as_index=False)[["controller", "geometry"]]
    return zones.assign(places=owned.groupby("controller")["place"].size().reindex(zones["controller"]).to_numpy())
