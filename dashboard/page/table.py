"""The events table: the shown events, latest first up to ``table_rows``; a selected row rings its event."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import step, stories
from ..model import FIELDS
from . import state
from .context import Opened

# The claim itself first, where it is seen without scrolling sideways: when, who, how it stands, what was said.
FIRST = ("date", "source", "claim_status", "description")
TABLE_COLUMNS = {name: FIELDS[name].label for name in dict.fromkeys([*FIRST, *FIELDS]) if FIELDS[name].table}
# Together about 690 px, the table's width beside a 400 px sidebar at 1400 px: nothing to scroll sideways to.
COLUMN_WIDTHS = {"Date": 88, "Source": 150, "Claim status": 90, "Description": 330}
ROW_HEIGHT = 68  # three lines of a description: Streamlit wraps a cell's text only in rows taller than 64 px
DATE_FORMAT = st.column_config.DateColumn(format="YYYY-MM-DD")


def show(opened: Opened, at: np.ndarray) -> None:
    """The table; a new selection is kept in state and reruns the day view, which rings the event."""
    st.subheader("Events shown")
    st.caption(
        f"{step.count_stories(opened.indexed, at):,} stories among these claims. A story groups the claims of all "
        f"sources within {stories.STORY_KM:.0f} km and {stories.STORY_DAYS} day of its first claim about the same "
        "kind of happening; its status is judged on all its claims in the file."
    )
    limit = int(opened.settings["table_rows"])
    events = opened.events
    wanted = [events.columns.get_loc(c) for c in dict.fromkeys(["event_id", *TABLE_COLUMNS]) if c in events.columns]
    listed = opened.detailed(events.iloc[at[-limit:], wanted])  # the table's columns only: a store has 30
    if len(at) > limit:
        st.caption(f"Listing the latest {limit:,} of {len(at):,}; the downloads below hold them all.")
    picked = st.dataframe(
        listed[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=state.TABLE,
        row_height=ROW_HEIGHT,
        column_config={
            **{name: st.column_config.TextColumn(width=width) for name, width in COLUMN_WIDTHS.items()},
            "Date": st.column_config.DateColumn(format="YYYY-MM-DD", width=COLUMN_WIDTHS["Date"]),
            "Reported on": DATE_FORMAT,
            "Link": st.column_config.LinkColumn(),
        },
    )
    # The selection comes from the browser: only row numbers within the listed rows are used.
    rows = [r for r in (picked.selection.rows if picked else []) if isinstance(r, int) and 0 <= r < len(listed)]
    ids = listed["event_id"].iloc[rows[:1]].tolist()
    # Only a change of the table's own selection picks: the keyboard's pick (page/browse.py) stays otherwise.
    if ids != st.session_state.get(state.TABLE_IDS, []):
        st.session_state[state.TABLE_IDS] = ids
        st.session_state[state.SELECTED_IDS] = ids
        if ids:
            st.session_state[state.START_MAP] = (None, None)  # the selection moves the map from now on
        st.rerun(scope="fragment")
