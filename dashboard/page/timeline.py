"""The timeline: events per day stacked by source under the filters, by event date or by the date reported.

The axis is always the file's whole range of days (the filters never shorten it), one bar per day, and one
label per day, or per week when there are more than ``DAILY_LABELS`` days. By event date, a band marks the
days on the map; by date reported (``reported_on``), the chart shows how late the claims came in.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import streamlit as st

from .. import filters
from . import caches, state
from .context import Choice, Opened
from .text import literal

DAILY_LABELS = 16
BY = {"date": "event date", "reported_on": "date reported"}


def axis_days(first: dt.date, last: dt.date) -> tuple[list[str], list[str]]:
    """Every day from ``first`` to ``last`` (ISO text), and the days that carry a label: all, or one a week."""
    days = [d.date().isoformat() for d in pd.date_range(first, last, freq="D")]
    labelled = days if len(days) <= DAILY_LABELS else days[::7]
    return days, labelled


def spec(per_day: pd.DataFrame, days: list[str], labelled: list[str], band: list[str], by: str = "date") -> dict:
    """A Vega-Lite spec: events per day stacked by source on an axis of ``days``, with ``band`` shaded.

    Written as a plain spec (not altair objects): it is rebuilt on every step, and this costs nothing.
    ``per_day`` has ``day`` (ISO text), ``source`` and ``events``.
    """
    legend_rows = -(-per_day["source"].nunique() // 3)
    x = {
        "field": "day",
        "type": "ordinal",
        "title": None,
        "scale": {"domain": days},
        "axis": {"values": labelled, "labelAngle": 0, "labelExpr": "utcFormat(toDate(datum.value), '%-d %b')"},
    }
    layers = [
        {
            "mark": "bar",
            "encoding": {
                "x": x,
                "y": {"field": "events", "type": "quantitative", "title": f"Claims per {BY[by]}"},
                "color": {
                    "field": "source",
                    "type": "nominal",
                    "title": "Source",
                    "legend": {"orient": "bottom", "columns": 3, "labelLimit": 260},
                },
                "tooltip": [
                    {"field": "day", "type": "ordinal", "title": BY[by].capitalize()},
                    {"field": "source", "type": "nominal"},
                    {"field": "events", "type": "quantitative"},
                ],
            },
        }
    ]
    if band:
        layers.insert(
            0,
            {
                "data": {"values": [{"day": d} for d in band]},
                "mark": {"type": "rect", "color": "black", "opacity": 0.08},
                "encoding": {"x": {**x, "axis": None}},
            },
        )
    # Streamlit fits the whole chart, legend included, into the height: leave the bars 200 px.
    return {"height": 200 + 40 + 18 * legend_rows, "layer": layers}


def per_day(
    events: pd.DataFrame, by: str, mask: np.ndarray | None = None, outlets: filters.Facet | None = None
) -> tuple[pd.DataFrame, int]:
    """Claims per day (by ``by``) and outlet among the events ``mask`` keeps (None: all), and how many of
    those have no such day (no ``reported_on``). A row naming two outlets is a claim of each, as the source
    filter counts it: the pairs are the source facet's (``outlets``, when already made for ``events``).
    Counted on whole days as numbers and outlet codes; only the counted pairs become text."""
    outlets = outlets if outlets is not None else filters.facet_of(events, "source")
    day = events[by].to_numpy(dtype="datetime64[D]")
    dated = ~np.isnat(day) if mask is None else ~np.isnat(day) & mask
    counted = int(np.count_nonzero(mask)) if mask is not None else len(events)
    kept = dated[outlets.rows]
    rows, codes = outlets.rows[kept], outlets.codes[kept]
    values = np.asarray(outlets.values, dtype=object)
    by_name = np.argsort(values, kind="stable")  # the outlets in name order
    named = np.argsort(by_name)  # each outlet's place in that order
    days = day[rows].view("int64")
    first, width = days.min(initial=0), max(len(values), 1)
    pairs, counts = np.unique((days - first) * width + named[codes], return_counts=True)  # day, then outlet name
    number, outlet = np.divmod(pairs, width)
    day_text = pd.Series((number + first).astype("datetime64[D]")).dt.strftime("%Y-%m-%d").to_numpy()
    per = pd.DataFrame({"day": day_text, "source": values[by_name[outlet]], "events": counts})
    return per, counted - int(np.count_nonzero(dated))


def show(opened: Opened, choice: Choice, day: dt.date, start: dt.date) -> None:
    """The chart under the map, with its choice of axis."""
    by = st.radio(
        "Timeline by", options=list(BY), format_func=BY.get, horizontal=True, key=state.TIMELINE_BY,
        help="Event date: the day the claim says it happened. Date reported: the day the claim was published.",
    )  # fmt: skip
    counts, undated = caches.per_day_of(opened.key, choice.key, choice.narrowing, opened.events, by)
    dates = opened.events[by].dropna()
    if dates.empty:
        st.caption(f"No claim in this file has a {BY[by]}.")
        return
    days, labelled = axis_days(dates.min().date(), dates.max().date())
    band = [d for d in days if start.isoformat() <= d <= day.isoformat()] if by == "date" else []
    if not counts.empty:
        st.vega_lite_chart(counts, spec(counts, days, labelled, band, by), width="stretch")
    if undated:
        st.caption(literal(f"{undated:,} of the claims shown under the filters have no {BY[by]} and are not counted."))
