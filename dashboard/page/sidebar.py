"""The sidebar's filters: text search, the source picker, one multiselect per facet, and the place filter.

An empty filter shows everything, so a pick in it is "only this" in one action, and Clear all
clears. Each value's count is the number of events under the *other* filters (as datasette's
facets count). Sources can also be picked by affiliation in one action (the group pills), or all
but one (a picker that lists every source, picked or not). Every widget is a Streamlit one, worked
by the keyboard: Tab to it, type to search, Enter to pick.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import filters, search, view
from . import caches, state
from .context import Choice, Opened
from .text import label, literal

SEARCH_HELP = (
    "Finds events whose description, place (any of its names), actor, target, source or affiliation holds "
    "every word typed, ignoring case, accents and Arabic diacritics, hamza forms and tatweel."
)
PICK_HELP = (
    "Empty: every source. Type a part of a name (GUR, SOHR) and press Enter to pick it; the picked sources are "
    "listed in full below. 'All sources but' lists every source, picked or not."
)


def choice(opened: Opened) -> Choice:
    """The filters as the sidebar holds them, with their masks and counts (cached per choice)."""
    chosen = state.chosen_filters()
    query = str(st.session_state.get(state.SEARCH) or "")[: view.MAX_SEARCH]
    place = st.session_state.get(state.PLACE)
    place = place if place in opened.picks else None
    radius = km_within(st.session_state.get(state.RADIUS))
    chosen_key = tuple((f, tuple(v)) for f, v in chosen.items())
    words = " ".join(search.words(query))  # the same search however it is spaced or accented
    narrowed = caches.narrowing_of(
        opened.key, opened.folder, chosen_key, words, place, radius, opened.events, opened.geodata
    )
    key = (*chosen_key, ("q", words), ("place", place, radius if place else None))
    return Choice(chosen, key, narrowed.mask, query, place, radius, narrowed.parts, narrowed.counts)


def km_within(value: object) -> int:
    """The radius as a whole number of km from 1 to the largest, whatever the browser sent (NaN, 1e308, text)."""
    try:
        return int(min(max(float(value), 1), view.MAX_RADIUS_KM))
    except (TypeError, ValueError, OverflowError):
        return view.RADIUS_KM


def show(opened: Opened, choice: Choice) -> None:
    """Drawn after the map, though read before it: the browser then starts the map without waiting for them."""
    with st.sidebar:
        st.header("Filters")
        st.button("Clear all", on_click=state.clear_all, help="Every filter back to showing everything.")
        st.text_input(
            "Search",
            key=state.SEARCH,
            placeholder="words in descriptions, places, actors, sources",
            help=SEARCH_HELP,
            max_chars=view.MAX_SEARCH,
        )
        sources(opened, choice)
        for facet, title in filters.FACETS.items():
            if facet != "source":
                facet_picker(facet, title, choice.counts[facet])
        place(opened)
        st.caption(
            "Counts are events under the other filters, over all days. An event that names two outlets counts for each."
        )


def facet_picker(facet: str, title: str, counts: pd.Series, placeholder: str = "All: type to pick") -> None:
    st.multiselect(
        title,
        options=list(counts.index),
        key=state.facet_key(facet),
        format_func=lambda value, counts=counts: f"{label(value)} ({counts[value]:,})",
        placeholder=placeholder,
        filter_mode="contains",
        select_all=False,  # Enter then picks the first match, not every match
        help=PICK_HELP if facet == "source" else "Empty: every value. Type to find one; Enter picks it.",
    )


def sources(opened: Opened, choice: Choice) -> None:
    """The source picker: groups by affiliation (one action each), the sources, and all but one."""
    counts, names = choice.counts["source"], opened.options["source"]
    groups = caches.groups_of(opened.key, opened.events)
    if groups:
        st.pills(
            "Only the sources of",
            options=list(groups),
            key=state.GROUP,
            on_change=state.pick_group,
            args=(groups,),
            format_func=lambda g: f"{label(g)} · {len(groups[g])} source{'s' if len(groups[g]) > 1 else ''}",
            help="One click sets the source filter to every source of that affiliation: "
            + "; ".join(f"{g}: {', '.join(s)}" for g, s in groups.items()),
        )
    facet_picker("source", "Source", counts, "All sources: type to pick one")
    picked = choice.filters["source"]
    if picked:  # a chip cuts a long name: the names in full
        st.caption("Showing " + "; ".join(literal(name) for name in picked[:30]) + (" …" if len(picked) > 30 else ""))
    st.selectbox(
        "All sources but",
        options=names,
        index=None,
        key=state.ALL_BUT,
        on_change=state.all_but,
        args=(names,),
        format_func=lambda value: f"{label(value)} ({counts[value]:,})",
        placeholder="Pick the one to leave out",
        filter_mode="contains",
    )


def place(opened: Opened) -> None:
    """A place and a radius, or a governorate; found by any of the gazetteer's names."""
    picks, names = opened.picks, caches.place_names_of(opened.folder, opened.geodata)
    st.selectbox(
        "Place",
        options=list(picks),
        key=state.PLACE,
        format_func=lambda p: f"{p} ({names[p]})" if names.get(p) else p,
        placeholder="Anywhere: type a place or governorate",
        filter_mode="contains",
        help="A place keeps the events within the radius of it; a governorate, the events at its places and the "
        "claims about it.",
    )
    picked = picks.get(st.session_state.get(state.PLACE))
    st.number_input(
        "Within km of the place",
        min_value=1,
        max_value=view.MAX_RADIUS_KM,
        step=5,
        key=state.RADIUS,
        disabled=picked is None or picked.governorate is not None,
    )
