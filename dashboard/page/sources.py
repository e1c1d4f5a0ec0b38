"""The sources: a profile of each, and what one source claims, over the shown days, that another does not."""

from __future__ import annotations

import datetime as dt

import streamlit as st

from .. import filters, step
from ..model import COMPARED, labels
from . import caches, state
from .context import Choice, Opened
from .text import literal

PROFILE_COLUMNS = {
    "source": "Source",
    "claims": "Claims",
    "types": "Event types",
    "places": "Places",
    "corroborated": "In corroborated stories",
    "contested": "In contested stories",
    "alone": "Alone in their story",
}
OUTLET_COLUMNS = {
    "source": "Source",
    "source_type": "Source type",
    "affiliation": "Affiliation",
    "origin": "Type and affiliation from",
    "claims": "Claims",
    "basis": "Basis (registry)",
}
COMPARE_COLUMNS = labels(COMPARED)
SHOWN = 200


def show(opened: Opened, choice: Choice, day: dt.date, mode: str, window: int) -> None:
    st.subheader("Sources")
    st.caption(
        "Per source: its claims, the event types and places it covers, and how many of its claims sit in "
        "corroborated or contested stories, or in a story of their own."
    )
    profile = caches.profiles_of(opened.key, opened.events).rename(columns=PROFILE_COLUMNS)
    st.dataframe(profile, hide_index=True)
    st.caption(
        "Who each outlet is: its type and affiliation as the file gives them, or, where the file gives none, as "
        "the registry of outlets (geodata/sources.csv) does, with its basis. A row naming two outlets is a "
        "claim of each."
    )
    outlets = caches.outlets_of(opened.key, opened.folder, opened.events, opened.geodata)
    st.dataframe(outlets.rename(columns=OUTLET_COLUMNS), hide_index=True)
    names = list(profile["Source"])
    if len(names) < 2 or not st.toggle("Compare two sources", key=state.COMPARING, value=len(opened.events) <= 100_000):
        return
    left, right = st.columns(2)
    first = left.selectbox("Compare", names, index=0, key=state.COMPARE_A)
    second = right.selectbox("with", names, index=1, key=state.COMPARE_B)
    in_days = step.positions(opened.indexed, day, mode, window, others_mask(opened, choice))
    only_first, only_second = step.compare(opened.indexed, in_days, first, second)
    for column, name, other, only in ((left, first, second, only_first), (right, second, first, only_second)):
        column.markdown(f"**{len(only):,} claim(s) by {literal(name)}** in stories where {literal(other)} says nothing")
        if len(only) > SHOWN:
            column.caption(f"The latest {SHOWN} of them:")
        column.dataframe(
            opened.detailed(opened.events.iloc[only[-SHOWN:]])[list(COMPARE_COLUMNS)].rename(columns=COMPARE_COLUMNS),
            hide_index=True,
            column_config={"Date": st.column_config.DateColumn(format="YYYY-MM-DD")},
        )


def others_mask(opened: Opened, choice: Choice):
    """The sidebar's filters but the source filter: the compare picks its own two sources, under the rest."""
    return filters.all_of([mask for name, (_, mask) in choice.parts.items() if name != "source"])
