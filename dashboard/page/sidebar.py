"""The sidebar's filters: one multiselect per facet with its counts, and Select all / Clear all."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import filters
from . import state
from .text import label


def show(counts: dict[str, pd.Series]) -> None:
    """Drawn after the map, though read before it: the browser then starts the map without waiting for them."""
    with st.sidebar:
        st.header("Filters")
        left, right = st.columns(2)
        left.button("Select all", on_click=state.select_all, args=({f: list(c.index) for f, c in counts.items()},))
        right.button("Clear all", on_click=state.clear_all)
        for facet, title in filters.FACETS.items():
            values = counts[facet]
            st.multiselect(
                title,
                options=list(values.index),
                key=state.facet_key(facet),
                format_func=lambda value, values=values: f"{label(value)} ({values[value]})",
            )
