"""Control: who holds each place on a day, on what basis, and the zones that follow from it.

Each place starts with its baseline controller (geodata/control_baseline.csv,
26 Nov 2024). An event whose ``controller`` is set moves its place to that
controller from the event's date on; the latest such claim up to the day wins,
and on the same day a confirmed claim beats a reported one, which beats a
claimed one; when claims of one day name different controllers, the place is
``contested`` from that day until a later claim settles it. Disputed and denied
claims never move control.

Every place on every day has a basis: ``claimed`` (a control claim since the
baseline names its controller), ``baseline`` (no claim since the baseline: the
map only repeats the baseline), ``contested``, or, when control is computed from
some sources only, ``no claim`` (those sources say nothing about the place).

A claim about a governorate ("Latakia Governorate", or a region-precision claim
named after one) moves each of the governorate's places that its ``target`` held
(every place, when no target is given).

Zones are the Voronoi cells of the settlements (not bases or crossings), clipped
to the country's outline and merged by controller and basis: a coarse picture
derived from place control, not a front line.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .columns import factorized, plain
from .geocode import name_key
from .model import CONTESTED, NOT_CONTROL, REGION_PRECISION, STATUS_RANK

# Places of these kinds get a control dot but no zone of their own: a base's cell
# would paint a whole stretch of countryside in the colour of its garrison.
NO_ZONE_KINDS = ("air base", "military base", "naval base", "border crossing", "site")
CLAIMED, BASELINE, NO_CLAIM = "claimed", "baseline", "no claim"
BASES = (CLAIMED, BASELINE, CONTESTED, NO_CLAIM)
_CHANGE_COLUMNS = ["place", "date", "controller", "event_id", "source", "claim_status", "area", "lat", "lon"]
# What control_changes reads of a claim: its place, when, who holds it by whose claim, and for a governorate's
# claim its precision and target.
CHANGE_INPUT = [
    "place", "gazetteer_place", "date", "line", "controller", "event_id", "source", "claim_status", "lat", "lon",
    "location_precision", "target",
]  # fmt: skip
# Words that make a name a governorate's: "Latakia Governorate", "Idlib province", "Muhafazat Hama".
_AREA_WORDS = r"\b(?:governorate|province|muhafazat|muhafazah|muhafaza)\b"


def governorate_names(places: pd.DataFrame) -> pd.Series:
    """Match key -> governorate: its own name, and every name of the city it is named after ("Al-Ladhiqiyah")."""
    names = pd.concat(
        [
            places[["place", "governorate"]].assign(name=places["place"]),
            places[["place", "governorate"]].assign(name=places["aliases"].str.split("|")).explode("name"),
        ]
    )
    names["key"] = name_key(names["name"].fillna(""))
    own = pd.DataFrame({"governorate": places["governorate"].unique()})
    own["key"] = name_key(own["governorate"])
    seat = names.merge(own, on=["key", "governorate"])["place"]
    keys = pd.concat([own, names.loc[names["place"].isin(seat), ["key", "governorate"]]])
    return keys.drop_duplicates("key").set_index("key")["governorate"]


def area_of(events: pd.DataFrame, governorates: pd.Series) -> pd.Series:
    """The governorate a claim is about, or "": named as one, at region precision, or not a gazetteer place."""
    codes, names = factorized(events["place"])  # once per distinct place
    raw = name_key(pd.Series(names, dtype="str"))
    bare = raw.str.replace(_AREA_WORDS, " ", regex=True).str.replace(r"\s+", " ", regex=True).str.strip()
    governorate = bare.map(governorates).fillna("").to_numpy(dtype=object)[codes]
    if "location_precision" in events.columns:
        region = _per_value(
            events["location_precision"], lambda v: pd.to_numeric(v, errors="coerce").ge(REGION_PRECISION)
        )
    else:
        region = np.zeros(len(events), dtype=bool)
    named = raw.ne(bare).to_numpy()[codes] | region | events["gazetteer_place"].eq("").to_numpy(dtype=bool)
    return pd.Series(np.where(named, governorate, ""), index=events.index, dtype="str")


def _area_moves(area: pd.DataFrame, points: pd.DataFrame, places: pd.DataFrame) -> pd.DataFrame:
    """One move per place of each area claim's governorate that its target held just before (by place claims)."""
    inside = places[["place", "governorate", "baseline", "geometry"]].rename(columns={"place": "to_place"})
    inside = inside.astype({"to_place": object, "governorate": object})  # as the moves' text is (control_changes)
    spread = area.drop(columns=["lat", "lon"]).merge(inside, left_on="area", right_on="governorate")
    held_before = points[["place", "date", "controller"]].rename(columns={"place": "to_place", "controller": "held"})
    spread = pd.merge_asof(
        spread.sort_values("date"),
        held_before.sort_values("date"),
        on="date",
        by="to_place",
        allow_exact_matches=False,
    )
    held = spread["held"].fillna(spread["baseline"])
    target = name_key(spread["target"]) if "target" in spread.columns else pd.Series("", spread.index)
    hit = spread.loc[target.eq("") | target.eq(name_key(held))]
    return hit.assign(
        place=hit["to_place"], lat=gpd.GeoSeries(hit["geometry"]).y, lon=gpd.GeoSeries(hit["geometry"]).x
    ).drop(columns=["to_place", "governorate", "baseline", "geometry", "held"])


def control_changes(events: pd.DataFrame, places: pd.DataFrame | None = None) -> pd.DataFrame:
    """The claims that move control, ordered so that the last one per place and day wins.

    With ``places``, a claim about a governorate becomes one move per place of it that its target held.
    """
    status = events["claim_status"]
    rows = np.flatnonzero(events["controller"].ne("").to_numpy(dtype=bool) & ~status.isin(NOT_CONTROL).to_numpy())
    # The moves carry their row in ``events`` and only what ordering and governorates read; the columns that
    # are only shown (event_id, source, claim_status) are taken once, in the final order.
    picked = events[[c for c in CHANGE_INPUT if c in events.columns]].iloc[rows]
    place_given, gazetteer = _as_text(picked["place"]), _as_text(picked["gazetteer_place"])
    area = area_of(picked, governorate_names(places)).to_numpy(dtype=object) if places is not None else None
    # Text as Python objects here (pandas would make Arrow strings of them, slower to take and sort).
    moves = pd.DataFrame(
        {
            "row": rows,
            "place": pd.Series(np.where(gazetteer == "", place_given, gazetteer), dtype=object),
            "date": picked["date"].to_numpy(),
            "line": picked["line"].to_numpy(),
            "controller": pd.Series(_as_text(picked["controller"]), dtype=object),
            "rank": _per_value(picked["claim_status"], lambda names: names.map(STATUS_RANK).fillna(0)),
            "area": pd.Series(area if area is not None else np.full(len(rows), "", dtype=object), dtype=object),
            "lat": picked["lat"].to_numpy(),
            "lon": picked["lon"].to_numpy(),
        }
    )
    if area is not None and (area != "").any():
        points = moves.loc[area == ""]
        area = moves.loc[area != ""]
        if "target" in picked.columns:
            area = area.assign(target=pd.Series(_as_text(picked["target"])[area.index.to_numpy()], area.index, object))
        moves = pd.concat([points, _area_moves(area, points, places)], ignore_index=True)
    changes = moves.sort_values(["date", "rank", "line"], kind="stable")
    # Sources that disagree on who holds a place on a day leave it contested, not silently decided.
    disagree = changes.groupby(["place", "date"])["controller"].transform("nunique").gt(1).to_numpy()
    taken = changes["row"].to_numpy()
    shown = plain(events[["event_id", "source", "claim_status"]].iloc[taken].reset_index(drop=True))
    out = pd.DataFrame(
        {
            "place": pd.array(changes["place"].to_numpy(dtype=object), dtype="str"),
            "date": changes["date"].to_numpy(),
            "controller": pd.array(
                np.where(disagree, CONTESTED, changes["controller"].to_numpy(dtype=object)), dtype="str"
            ),
            **{name: shown[name] for name in shown.columns},
            "area": pd.array(changes["area"].to_numpy(dtype=object), dtype="str"),
            "lat": changes["lat"].to_numpy(),
            "lon": changes["lon"].to_numpy(),
        }
    )
    return out[_CHANGE_COLUMNS]


def _as_text(values: pd.Series) -> np.ndarray:
    """``values`` as an object array of str, missing values "", worked out once per distinct value."""
    codes, names = factorized(values)
    return names[codes] if len(codes) else np.array([], dtype=object)


def _per_value(values: pd.Series, per_name) -> np.ndarray:
    """``per_name`` (a function of a Series of the distinct values as text) for every row, made once per value."""
    codes, names = factorized(values)
    return np.asarray(per_name(pd.Series(names, dtype=object)))[codes]


def changes_until(changes: pd.DataFrame, day: dt.date) -> int:
    """How many of the (date-ordered) changes fall on or before ``day``: days with the same number share a map."""
    return int(np.searchsorted(changes["date"].to_numpy(), np.datetime64(day, "ns"), side="right"))


def spells(changes: pd.DataFrame) -> pd.Series:
    """Each change's spell: 1, 2, ... per place, a new one whenever the claimed controller differs from the last."""
    before = changes.groupby("place")["controller"].shift()
    new = (before.isna() | changes["controller"].ne(before).fillna(True)).astype(int)
    return new.groupby(changes["place"]).cumsum()


def joined_sources(claims: pd.DataFrame, by: str | list[str]) -> pd.Series:
    """The distinct sources of each group, in claim order, ``; ``-separated."""
    keys = [by] if isinstance(by, str) else by
    return claims.drop_duplicates([*keys, "source"]).groupby(keys, sort=False)["source"].agg("; ".join)


def _current(known: pd.DataFrame) -> pd.DataFrame:
    """Per place: the latest claim, the sources of every claim of the current controller, when it began."""
    known = known.assign(spell=spells(known))
    latest = known.drop_duplicates("place", keep="last")
    now = known.loc[known["spell"].eq(known.groupby("place")["spell"].transform("max"))]
    return latest.set_index("place").assign(
        sources=joined_sources(now, "place"), first_claimed=now.groupby("place")["date"].min()
    )


def control_at(
    day: dt.date, places: gpd.GeoDataFrame, changes: pd.DataFrame, claims_only: bool = False
) -> gpd.GeoDataFrame:
    """The controller of every place on ``day``, and its basis.

    Columns: place, kind, governorate, baseline, controller, basis (claimed, baseline, contested, or with
    ``claims_only`` no claim), since (date of the latest claim, NaT without one), first_claimed (the first
    claim of the current controller), event_id and source of the latest claim, sources (every source that
    claimed the current controller, ``; ``-separated), changed (differs from the baseline), geometry.
    With ``claims_only`` a place no claim names has no controller (basis ``no claim``), not the baseline's.
    Places that only events name (with their own coordinates) are included, with no baseline.
    """
    latest = _current(changes.iloc[: changes_until(changes, day)]).rename(columns={"date": "since"}).reset_index()
    known = places[["place", "kind", "governorate", "baseline", "geometry"]]
    extra = latest.loc[~latest["place"].isin(known["place"])]
    extra_places = gpd.GeoDataFrame(
        {"place": extra["place"], "kind": "", "governorate": "", "baseline": ""},
        geometry=gpd.points_from_xy(extra["lon"], extra["lat"]),
        crs=places.crs,
    )
    every = pd.concat([known, extra_places], ignore_index=True)
    held = every.merge(latest.drop(columns=["lat", "lon", "spell", "rank"], errors="ignore"), on="place", how="left")
    claimed = held["controller"].notna()
    unclaimed = NO_CLAIM if claims_only else BASELINE
    contested = held["controller"].fillna("").eq(CONTESTED).to_numpy(dtype=bool)
    held["basis"] = np.where(contested, CONTESTED, np.where(claimed.to_numpy(dtype=bool), CLAIMED, unclaimed))
    held["controller"] = held["controller"].fillna("" if claims_only else held["baseline"])
    for column in ("event_id", "source", "sources", "claim_status", "area"):
        held[column] = held[column].fillna("")
    held["changed"] = claimed & held["controller"].ne(held["baseline"])
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
    """Control zones: the settlements' cells merged by controller and basis (a baseline-only zone stays apart)."""
    owned = cells.merge(control[["place", "controller", "basis"]], on="place", how="inner")
    zones = owned.dissolve(by=["controller", "basis"], as_index=False)[["controller", "basis", "geometry"]]
    counts = owned.groupby(["controller", "basis"])["place"].size()
    return zones.assign(places=counts.reindex(pd.MultiIndex.from_frame(zones[["controller", "basis"]])).to_numpy())
