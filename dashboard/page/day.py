"""The day controls: the slider, previous and next, play, the mode and its window; and the key numbers."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import streamlit as st

from .. import filters, step
from ..model import BASELINE_TEXT
from . import state
from .context import Opened
from .text import label, literal


def play_step(days: list[dt.date], playing: bool, seconds: float) -> None:
    """While playing, one day on per timer tick; at the last day, play stops."""
    now = time.monotonic()
    if playing and now - st.session_state.get(state.STEPPED_AT, 0.0) >= 0.8 * seconds:
        st.session_state[state.STEPPED_AT] = now
        if st.session_state[state.DAY] >= days[-1]:
            st.session_state[state.PLAYING] = False
        else:
            state.move_day(days, +1)


PLAY_HELP = (
    "Steps through the days by itself, one day every few seconds, and stops at the last day. "
    "Pressed on the last day, it starts again from the first."
)


def controls(days: list[dt.date]) -> tuple[dt.date, str, int]:
    """The slider and the buttons beside it: (day, mode, window) as chosen.

    One row on a wide screen (slider, then the buttons); on a phone the buttons wrap under the slider
    rather than stack one per line.
    """
    state.keep_day_within(days)
    slider_cell, buttons_cell, mode_cell = st.columns([3.0, 3.3, 3.2], vertical_alignment="bottom")
    if len(days) > 1:
        slider_cell.slider("Day", min_value=days[0], max_value=days[-1], key=state.DAY, format="ddd D MMM YYYY")
    else:
        st.session_state[state.DAY] = days[0]
        slider_cell.write(f"All events are on {days[0]:%d %b %Y}.")
    day = st.session_state[state.DAY]
    buttons = buttons_cell.container(horizontal=True, vertical_alignment="center", gap="small")
    buttons.button("◀ Previous day", on_click=state.move_day, args=(days, -1), disabled=day <= days[0])
    buttons.button("Next day ▶", on_click=state.move_day, args=(days, +1), disabled=day >= days[-1])
    buttons.toggle("Play", key=state.PLAYING, on_change=state.start_play, args=(days,), help=PLAY_HELP)
    modes = mode_cell.container(horizontal=True, vertical_alignment="center", gap="small")
    mode = modes.radio(
        "Show", options=list(filters.MODES), format_func=filters.MODES.get, horizontal=True, key=state.MODE
    )
    window = modes.number_input(
        "N days", min_value=1, max_value=max(len(days), 1), key=state.WINDOW, disabled=mode != "window", width=90
    )
    return day, str(mode), min(max(int(window), 1), len(days))


def numbers(row, opened: Opened, at: np.ndarray, changed: int, day: dt.date) -> None:
    """Events shown, sources shown, places changed hands and the day, side by side in ``row`` (the day
    view says why when none is shown)."""
    cells = row.container(horizontal=True, gap="medium")
    cells.metric("Events shown", f"{len(at):,}", width="content")
    cells.metric("Sources shown", step.count_sources(opened.indexed, at), width="content")
    cells.metric("Places changed hands", changed, help=f"since the {BASELINE_TEXT} baseline", width="content")
    cells.metric("Day", f"{day:%d %b %Y}", width="content")


def filters_summary(chosen: dict[str, list[str]], options: dict[str, list[str]], most: int = 3) -> str:
    """The filters in one line of plain text: each facet that leaves something out, with its values.

    A facet with no value or every value chosen leaves nothing out and is not named; one with more than
    ``most`` chosen says how many more.
    """
    parts = []
    for facet, title in filters.FACETS.items():
        picked, every = chosen.get(facet, []), options.get(facet, [])
        if not picked or len(picked) >= len(every):
            continue
        names = [label(v) for v in picked[:most]]
        more = f" and {len(picked) - most} more" if len(picked) > most else ""
        parts.append(f"{title.lower()}: {', '.join(names)}{more} ({len(picked)} of {len(every)})")
    return "Filters: " + ("; ".join(parts) if parts else "none, every claim")


def summary(opened: Opened, choice, day: dt.date, mode: str, window: int) -> None:
    """One line above the map: what the map shows, by day, by filter, by search and by place."""
    if mode == "window":
        when = f"the last {window} day{'s' if window > 1 else ''} to {day:%-d %b %Y}"
    else:
        when = f"every day up to {day:%-d %b %Y}"
    text = f"Map of {when}. {filters_summary(choice.filters, opened.options)}"
    if choice.search:
        text += f"; search: {choice.search!r}"
    if choice.place:
        text += f"; within {choice.radius} km of {label(choice.place)}"
    st.caption(literal(text + "."))  # source names and the search are the file's and the visitor's text
