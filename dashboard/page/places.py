"""A place's history, and what changed hands between two days: the page's twins of ``history`` and ``diff``.

Both read the control claims of all sources (``caches.changes_of`` with no choice) through the same pure
functions as the command line (``dashboard.history``), and show file text only inside tables.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from .. import history
from ..map import layers
from . import caches, state
from .context import Opened

DATE = st.column_config.DateColumn(format="YYYY-MM-DD")


def _all_changes(opened: Opened) -> pd.DataFrame:
    return caches.changes_of(opened.key, (), opened.events, opened.options, opened.geodata.places)


def _named(places: pd.DataFrame) -> dict[str, str]:
    """Place -> its label in the picker, with its Arabic name and aliases, so that typing any of them finds it."""
    aliases = places["aliases"].fillna("").str.replace("|", ", ", regex=False)
    extra = (places["name_ar"].fillna("") + ", " + aliases).str.strip(", ")
    labels = places["place"] + (" (" + extra + ")").where(extra.ne(""), "")
    return dict(zip(places["place"], labels, strict=True))


def place_history(opened: Opened) -> None:
    """Pick a place: when it changed hands and who says so, then every claim about it in date order."""
    st.subheader("A place's history")
    places = opened.geodata.places.sort_values("place")
    labels = _named(places)
    place = st.selectbox(
        "Place",
        list(labels),
        index=None,
        key=state.HISTORY_PLACE,
        format_func=labels.get,
        placeholder="Type a place's name, Arabic name or alias",
    )
    if place is None:
        st.caption("When did a place change hands, and which sources say so? Pick it to see.")
        return
    changes = _all_changes(opened)
    baseline = str(places.set_index("place")["baseline"].get(place, ""))
    moved = history.place_changes(changes, place, baseline)
    claims = history.place_claims(opened.events, changes, place)
    claims = opened.detailed(claims)[claims.columns]  # a store's descriptions, not its files' other columns
    if moved.empty:
        st.caption(f"No source claims a change of control here since the baseline; held by {baseline or 'nobody'}.")
    else:
        st.dataframe(moved, hide_index=True, column_config={"date": DATE})
    disagreeing = claims.loc[claims["claim_status"].isin(["disputed", "denied"])]
    note = f"{len(claims):,} claim(s) about this place in date order"
    if len(claims):
        note += f"; the earliest on {pd.Timestamp(claims['date'].iloc[0]):%d %b %Y}"
    if len(disagreeing):
        note += f"; {len(disagreeing)} disputed or denied"
    st.caption(note + ".")
    st.dataframe(claims, hide_index=True, column_config={"date": DATE})


def changed_hands(opened: Opened, day: dt.date) -> None:
    """Two days (by default the day before the slider's and the slider's): the places that changed hands."""
    st.subheader("What changed hands between two days")
    days = opened.days
    left, right = st.columns(2)
    end = left.selectbox("Up to", days, index=days.index(day) if day in days else len(days) - 1, key=state.DIFF_TO)
    before = [d for d in days if d < end] or days[:1]
    start = right.selectbox("Since", before, index=len(before) - 1, key=state.DIFF_FROM)
    moved = caches.changed_between_of(opened.key, start, end, opened.events, opened.options, opened.geodata.places)
    st.toggle("Ring them on the map", key=state.DIFF_ON_MAP, help="Each place that changed hands between the two days")
    if moved.empty:
        st.caption(f"No place changed hands between {start:%d %b} and {end:%d %b %Y}, by any source's claim.")
        return
    by_new = moved["to"].value_counts()
    st.caption(
        f"{len(moved)} place(s) changed hands between {start:%d %b} and {end:%d %b %Y}: "
        + ", ".join(f"{n} to {who}" for who, n in by_new.items())
        + ". Each with the day the new controller was first claimed and every source that claims it."
    )
    st.dataframe(moved, hide_index=True, column_config={"date": DATE})


def changed_on_map(opened: Opened) -> list:
    """The ring layer of the places picked under the map (their two days from the last run), when asked."""
    start, end = st.session_state.get(state.DIFF_FROM), st.session_state.get(state.DIFF_TO)
    if not st.session_state.get(state.DIFF_ON_MAP) or not isinstance(start, dt.date) or not isinstance(end, dt.date):
        return []
    moved = caches.changed_between_of(opened.key, start, end, opened.events, opened.options, opened.geodata.places)
    return [layers.changed_layer(moved, opened.geodata.places)]
