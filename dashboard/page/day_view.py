"""The day view: everything a slider step changes, as one fragment that a step reruns alone.

``show`` makes the fragment (its play timer can only be set when it is made) and calls ``day_view``
with its inputs: the opened file, the sidebar's filters and whether play is on. In screen order:
the day controls and numbers, the map, then, once the map has been drawn, the timeline, the table,
the downloads and the sources.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from .. import filters, publish, step, view
from ..map import layers
from . import browse, caches, data, day, downloads, map_panel, places, sources, state, table, timeline
from .context import Choice, Opened
from .text import print_time

STORIES_HELP = (
    "One marker per story: the claims of all sources about one happening. Its outline says whether "
    "the story is corroborated, single-source or contested; its popup lists each source's version."
)

CONTROL_HELP = (
    "Off: control follows the claims of all sources, whatever the filters. On: control as the selected "
    "sources, types and statuses claim it; a place they say nothing about is drawn as 'no claim by these sources'."
)


def show(opened: Opened, choice: Choice, playing: bool) -> None:
    run_every = float(opened.settings["play_seconds"]) if playing else None
    st.fragment(day_view, run_every=run_every)(opened, choice, playing)


def with_last_change(opened: Opened, rows: pd.DataFrame) -> pd.DataFrame:
    """On a store, the drawn claims with their version and last change, for their popups to say
    (``features.revision_text``); a file's claims have no history, and are left as they are."""
    if opened.key[0] != "store" or rows.empty:
        return rows
    import sqlalchemy as sa

    from ..store import StoreError, claim_history  # the store's modules load only when a store is used

    try:
        store = caches.store_at(str(opened.settings["store"]))
        last = claim_history.last_changes(store, rows["event_id"].astype(str).tolist())
    except (StoreError, sa.exc.SQLAlchemyError):
        return rows  # the map stays; the page says elsewhere that the store does not answer
    last["event_id"] = last["event_id"].astype(rows["event_id"].dtype)
    kept = rows.drop(columns=[c for c in claim_history.LAST_CHANGE[1:] if c in rows.columns])
    return kept.merge(last, on="event_id", how="left", validate="many_to_one").set_axis(rows.index)


def day_view(opened: Opened, choice: Choice, playing: bool) -> None:
    began, settings, days = time.perf_counter(), opened.settings, opened.days
    if st.session_state[state.PLAYING] != playing:
        st.rerun()  # start or stop the play timer, which only a full run can change
    if state.fragment_rerun("day_view") and (data.file_changed() or data.store_changed()):
        st.rerun()  # a step reruns only this fragment; a full run reads the file again, or merges the store's news
    day.play_step(days, playing, float(settings["play_seconds"]))
    on, mode, window = day.controls(days)
    at = step.positions(opened.indexed, on, mode, window, choice.narrowing)
    first_day = on - dt.timedelta(days=window - 1) if mode == "window" else days[0]
    selected = bool(st.session_state.get(state.CONTROL_SELECTED))
    held, zones, control_data = caches.control_on(
        opened.key,
        opened.folder,
        choice.of(caches.CONTROL_FACETS) if selected else (),
        on,
        opened.events,
        opened.geodata,
        opened.cells,
        opened.options,
    )
    counted, toggles = st.columns([3, 2], vertical_alignment="center")
    day.numbers(counted, opened, at, int(held["changed"].sum()), on)
    as_stories = bool(toggles.toggle("Group claims into stories", key=state.STORIES, help=STORIES_HELP))
    toggles.toggle("Control as the selected sources claim it", key=state.CONTROL_SELECTED, help=CONTROL_HELP)
    day.summary(opened, choice, on, mode, window)
    if len(at) == 0:
        st.info(why_nothing(opened, choice, on, mode, window))
    seen = map_panel.last_report()
    drawn = step.draw(opened.indexed, at, as_stories, int(settings["draw_limit"]), seen.bounds, seen.zoom)
    if drawn.kind != "cells":
        drawn = dataclasses.replace(drawn, rows=with_last_change(opened, opened.detailed(drawn.rows)))
    # Under the claims, so that the rings never catch a click meant for an event.
    groups = [*layers.control_groups(*control_data), *places.changed_on_map(opened), layers.claims_layer(drawn)]
    picked = selected_events(opened, at)
    report = map_panel.draw(opened, groups, picked, drawn, selected)
    browse.show(opened, at, picked)
    shown = view.View(
        on,
        mode,
        window,
        as_stories,
        choice.filters,
        *map_panel.moved_view(report),
        selected,
        choice.search,
        choice.place,
        choice.radius,
    )
    st.query_params.from_dict(view.to_params(shown, days, opened.options, int(settings["window_days"])))

    if not st.session_state.get(state.BELOW_MAP):
        # A session's first run ends at the map. The chart's and the table's scripts (2 MB) would hold up
        # the browser's start of the map by about 0.7 s; the map reports its view as soon as it is drawn,
        # and that report reruns this view, now with the rest.
        st.session_state[state.BELOW_MAP] = True
        st.caption("The timeline, the events table and the sources follow as soon as the map is drawn.")
        print_time(settings["timing"], "view_ms", began)
        return
    timeline.show(opened, choice, on, first_day)
    table.show(opened, at)
    downloads.show(opened, at, lambda: groups, f"{opened.stem}-{on:%Y-%m-%d}", published(opened, choice, shown, drawn))
    places.changed_hands(opened, on)
    places.place_history(opened)
    sources.show(opened, choice, on, mode, window)
    print_time(settings["timing"], "view_ms", began)


def why_nothing(opened: Opened, choice: Choice, on: dt.date, mode: str, window: int) -> str:
    """Which filter left nothing on this day, in words."""
    when = f"up to {on:%-d %b %Y}" if mode == "until" else f"in the {window} days to {on:%-d %b %Y}"
    cut = filters.day_mask(opened.events, on, mode, window)
    return filters.why_nothing(cut, {what: mask for what, mask in choice.parts.values()}, when)


def selected_events(opened: Opened, at: np.ndarray):
    """The shown events picked in the table (none, or one)."""
    picked = st.session_state.get(state.SELECTED_IDS, [])
    if not picked:
        return opened.events.iloc[:0]
    return opened.detailed(opened.events.iloc[at[np.isin(opened.events["event_id"].to_numpy()[at], picked)]])


def published(opened: Opened, choice: Choice, shown: view.View, drawn: step.Drawn) -> downloads.Shown:
    """The view as the picture, the time-lapse and the HTML download's caption need it."""
    narrowing = {f: v for f, v in choice.filters.items() if v and set(v) != set(opened.options[f])}
    for name in ("search", "place"):  # the caption names them as it names a filter
        if name in choice.parts:
            narrowing[name.capitalize()] = [choice.parts[name][0].split(" ", 1)[1]]
    chosen = choice.of(caches.CONTROL_FACETS) if shown.control_selected else ()

    def control_on(day: dt.date):
        held, zones, _ = caches.control_on(
            opened.key, opened.folder, chosen, day, opened.events, opened.geodata, opened.cells, opened.options
        )
        return held, zones

    return downloads.Shown(replace(shown, filters=narrowing), choice.narrowing, control_on, publish.cells_of(drawn))
