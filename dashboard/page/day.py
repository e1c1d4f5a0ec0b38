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


def play_step(days: list[dt.date], playing: bool, seconds: float) -> None:
    """While playing, one day on per timer tick; at the last day, play stops."""
    now = time.monotonic()
    if playing and now - st.session_state.get(state.STEPPED_AT, 0.0) >= 0.8 * seconds:
        st.session_state[state.STEPPED_AT] = now
        if st.session_state[state.DAY] >= days[-1]:
            st.session_state[state.PLAYING] = False
        else:
            state.move_day(days, +1)


def controls(days: list[dt.date]) -> tuple[dt.date, str, int]:
    """The slider and the buttons beside it: (day, mode, window) as chosen."""
    state.keep_day_within(days)
    if len(days) > 1:
        st.slider("Day", min_value=days[0], max_value=days[-1], key=state.DAY, format="ddd D MMM YYYY")
    else:
        st.session_state[state.DAY] = days[0]
        st.write(f"All events are on {days[0]:%d %b %Y}.")
    day = st.session_state[state.DAY]
    buttons = st.columns([1, 1, 1, 2, 1.4])
    buttons[0].button(
        "◀ Previous day", on_click=state.move_day, args=(days, -1), disabled=day <= days[0], width="stretch"
    )
    buttons[1].button("Next day ▶", on_click=state.move_day, args=(days, +1), disabled=day >= days[-1], width="stretch")
    buttons[2].toggle("Play", key=state.PLAYING)
    mode = buttons[3].radio(
        "Show", options=list(filters.MODES), format_func=filters.MODES.get, horizontal=True, key=state.MODE
    )
    window = buttons[4].number_input(
        "N days", min_value=1, max_value=max(len(days), 1), key=state.WINDOW, disabled=mode != "window"
    )
    return day, str(mode), min(max(int(window), 1), len(days))


def numbers(opened: Opened, at: np.ndarray, changed: int, day: dt.date) -> None:
    """Events shown, sources shown, places changed hands and the day (the day view says why when none is shown)."""
    cells = st.columns(4)
    cells[0].metric("Events shown", f"{len(at):,}")
    cells[1].metric("Sources shown", step.count_sources(opened.indexed, at))
    cells[2].metric("Places changed hands", changed, help=f"since the {BASELINE_TEXT} baseline")
    cells[3].metric("Day", f"{day:%d %b %Y}")
