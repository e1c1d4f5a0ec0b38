"""Going through the shown events with the keyboard: previous and next event, each opening its details.

The map's markers are drawn on a canvas, which a keyboard cannot reach. These two buttons pick the shown
events one after another (in the table's order); the map then centres on the picked one, rings its
marker and opens its popup, and the line beside the buttons says the same in text, for a screen reader.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from . import state
from .context import Opened
from .text import literal


def show(opened: Opened, at: np.ndarray, picked: pd.DataFrame) -> None:
    """The buttons, and what is picked: "Event 3 of 119: date · place · type — source (status)"."""
    if len(at) == 0:
        return
    ids = opened.events["event_id"]  # as it is: a store's Arrow column made into objects cost 55 ms at 1M
    row = st.container(horizontal=True, vertical_alignment="center", gap="small")
    row.button("◀ Previous event", key="previous_event", on_click=state.pick_next, args=(ids, at, -1))
    row.button("Next event ▶", key="next_event", on_click=state.pick_next, args=(ids, at, +1))
    if picked.empty:
        row.caption(
            "Go through the events shown with these buttons (or pick a row in the table): each opens its details."
        )
        return
    event = picked.iloc[0]
    rows = np.flatnonzero(ids.eq(event["event_id"]).to_numpy(dtype=bool))
    place = int(np.flatnonzero(np.isin(at, rows))[0]) + 1 if len(at) else 0
    said = (
        f"Event {place:,} of {len(at):,}: {event['date']:%-d %b %Y} · {event['place']} · {event['event_type']} — "
        f"{event['source']} ({event['claim_status']}). {event['description']}"
    )
    row.button("Clear", key="clear_event", on_click=state.pick_none, help="Unpick the event")
    row.caption(literal(said))
