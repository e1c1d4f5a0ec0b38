"""A place's history and what changed between two days: the pure functions the CLI and the page share.

``place_changes`` lists when a place changed hands (date, from, to, and every source that claimed the new
controller); ``place_claims`` lists every claim about it, denials and disputes too; ``changed_between``
lists the places whose controller differs between two days. All read ``control.control_changes``.
"""

from __future__ import annotations

import datetime as dt

import geopandas as gpd
import pandas as pd

from . import control
from .geocode import name_key

CHANGE_COLUMNS = ["date", "from", "to", "sources"]
CLAIM_COLUMNS = ["date", "source", "affiliation", "event_type", "controller", "claim_status", "event_id", "description"]
DIFF_COLUMNS = ["place", "from", "to", "date", "sources"]


def place_named(name: str, aliases: pd.DataFrame, events: pd.DataFrame) -> str | None:
    """The place ``name`` stands for: a gazetteer name or alias, or a place only events name; None if neither."""
    key = name_key(pd.Series([name])).iloc[0]
    known = aliases.loc[aliases["key"].eq(key), "place"]
    if len(known):
        return str(known.iloc[0])
    named = events.loc[events["gazetteer_place"].eq("") & name_key(events["place"]).eq(key), "place"]
    return str(named.iloc[0]) if len(named) else None


def place_changes(changes: pd.DataFrame, place: str, baseline: str) -> pd.DataFrame:
    """When ``place`` changed hands: date, from, to, and every source that claimed the new controller."""
    own = changes.loc[changes["place"].eq(place)]
    own = own.assign(spell=control.spells(own))
    firsts = own.drop_duplicates("spell").set_index("spell")
    changed = pd.DataFrame(
        {
            "date": firsts["date"],
            "from": firsts["controller"].shift().fillna(baseline),
            "to": firsts["controller"],
            "sources": control.joined_sources(own, "spell"),
        }
    )
    # A claim that the baseline's controller still holds the place confirms; it changes nothing.
    return changed.loc[changed["from"].ne(changed["to"])].reset_index(drop=True)[CHANGE_COLUMNS]


def place_claims(events: pd.DataFrame, changes: pd.DataFrame, place: str) -> pd.DataFrame:
    """Every claim about ``place`` in date order, whatever it claims: and the area claims that moved it."""
    named = events["gazetteer_place"].eq(place) | (events["gazetteer_place"].eq("") & events["place"].eq(place))
    moved_it = events["event_id"].isin(changes.loc[changes["place"].eq(place), "event_id"])
    about = events.loc[named | moved_it]
    about = about.assign(affiliation=about["affiliation"] if "affiliation" in about.columns else "")
    return about.sort_values(["date", "line"], kind="stable")[CLAIM_COLUMNS].reset_index(drop=True)


def changed_between(start: dt.date, end: dt.date, places: gpd.GeoDataFrame, changes: pd.DataFrame) -> pd.DataFrame:
    """The places whose controller on ``end`` differs from ``start``: from, to, since when, and who claims it."""
    before = control.control_at(start, places, changes).set_index("place")
    after = control.control_at(end, places, changes).set_index("place")
    was = before["controller"].reindex(after.index).fillna(after["baseline"])
    moved = after.loc[was.ne(after["controller"])]
    return pd.DataFrame(
        {
            "place": moved.index,
            "from": was[moved.index].to_numpy(),
            "to": moved["controller"].to_numpy(),
            "date": moved["first_claimed"].to_numpy(),
            "sources": moved["sources"].to_numpy(),
        }
    ).sort_values(["date", "place"], kind="stable", ignore_index=True)[DIFF_COLUMNS]


def claims_of(events: pd.DataFrame, sources: list[str], affiliations: list[str]) -> pd.DataFrame:
    """The claims of the named sources and of the sources of the named affiliations."""
    affiliation = events["affiliation"] if "affiliation" in events.columns else pd.Series("", events.index)
    return events.loc[events["source"].isin(sources) | affiliation.isin(affiliations)]
