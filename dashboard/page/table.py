"""The events table: the shown events, latest first up to ``table_rows``; a selected row rings its event."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .. import step, stories
from ..model import FIELDS
from . import state
from .context import Opened

TABLE_COLUMNS = {name: field.label for name, field in FIELDS.items() if field.table}
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
    listed = opened.detailed(opened.events.iloc[at[-limit:]])
    if len(at) > limit:
        st.caption(f"Listing the latest {limit:,} of {len(at):,}; the downloads below hold them all.")
    picked = st.dataframe(
        listed[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS),
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        key=state.TABLE,
        column_config={"Date": DATE_FORMAT, "Reported on": DATE_FORMAT, "Link": st.column_config.LinkColumn()},
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
