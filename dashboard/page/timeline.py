"""The timeline: events per day stacked by source under the filters, with a band over the days on the map."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st


def spec(per_day: pd.DataFrame, day: dt.date, start: dt.date) -> dict:
    """A Vega-Lite spec: events per day stacked by source, and a band over the days on the map.

    Written as a plain spec (not altair objects): it is rebuilt on every step, and this costs nothing.
    """
    legend_rows = -(-per_day["source"].nunique() // 3)
    band = {"start": pd.Timestamp(start).isoformat(), "end": (pd.Timestamp(day) + pd.Timedelta(days=1)).isoformat()}
    day_field = {"field": "date", "type": "temporal", "timeUnit": "yearmonthdate"}
    return {
        # Streamlit fits the whole chart, legend included, into the height: leave the bars 200 px.
        "height": 200 + 40 + 18 * legend_rows,
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "x": {**day_field, "title": None},
                    "y": {"field": "events", "type": "quantitative", "title": "Events per day"},
                    "color": {
                        "field": "source",
                        "type": "nominal",
                        "title": "Source",
                        "legend": {"orient": "bottom", "columns": 3, "labelLimit": 260},
                    },
                    "tooltip": [
                        {**day_field, "title": "Day"},
                        {"field": "source", "type": "nominal"},
                        {"field": "events", "type": "quantitative"},
                    ],
                },
            },
            {
                "data": {"values": [band]},
                "mark": {"type": "rect", "color": "black", "opacity": 0.08, "stroke": "black", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "start", "type": "temporal"}, "x2": {"field": "end"}},
            },
        ],
    }


def show(per_day: pd.DataFrame, day: dt.date, start: dt.date) -> None:
    if not per_day.empty:
        st.vega_lite_chart(per_day, spec(per_day, day, start), width="stretch")
