"""Filter: which events are shown, by day and by facet. Boolean masks on whole columns.

Events are kept sorted by date, so a day cut is a binary search, not a scan.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import numpy as np
import pandas as pd

MODES = {"until": "up to this day", "window": "last N days"}
FACETS = {
    "source": "Source",
    "source_type": "Source type",
    "event_type": "Event type",
    "actor": "Actor",
    "claim_status": "Claim status",
    "story_status": "Story status",
}
# Facets whose cells may hold several values, and what separates them.
SPLIT_FACETS = {"source": ";"}


def sort_by_date(events: pd.DataFrame) -> pd.DataFrame:
    """Events ordered by date, then file line: the order every other function expects."""
    return events.sort_values(["date", "line"], kind="stable").reset_index(drop=True)


def days_of(events: pd.DataFrame) -> list[dt.date]:
    """Every day from the first event to the last (the end of the last span), for the slider."""
    if events.empty:
        return []
    first, last = events["date"].min(), events["date"].max()
    if "date_end" in events.columns:
        last = max(last, events["date_end"].max())
    return [d.date() for d in pd.date_range(first, last, freq="D")]


def day_mask(events: pd.DataFrame, day: dt.date, mode: str = "until", window_days: int = 1) -> np.ndarray:
    """Events up to and including ``day``, or within the ``window_days`` days ending on it."""
    if mode not in MODES:
        raise ValueError(f"mode: expected one of {', '.join(MODES)}, got {mode!r}")
    dates = events["date"].to_numpy()
    end = np.searchsorted(dates, np.datetime64(day, "ns"), side="right")
    start = 0
    if mode == "window":
        if window_days < 1:
            raise ValueError(f"window_days must be 1 or more, got {window_days}")
        first_day = np.datetime64(day, "ns") - np.timedelta64(window_days - 1, "D")
        start = np.searchsorted(dates, first_day, side="left")
    mask = np.zeros(len(events), dtype=bool)
    mask[start:end] = True
    if mode == "window" and "date_end" in events.columns:
        # An event that spans days shows on each of them: it began earlier but has not ended yet.
        mask[:start] = events["date_end"].to_numpy()[:start] >= first_day
    return mask


def facet_mask(events: pd.DataFrame, chosen: Mapping[str, Collection[str] | None]) -> np.ndarray:
    """Events whose value in each facet is among those chosen. ``None`` means no filter."""
    unknown = set(chosen) - set(FACETS)
    if unknown:
        raise KeyError(f"unknown facet(s): {', '.join(sorted(unknown))}")
    mask = np.ones(len(events), dtype=bool)
    for facet, values in chosen.items():
        if values is None:
            continue
        if facet in SPLIT_FACETS:
            hit = facet_values(events, facet).isin(list(values))
            mask &= hit.groupby(level=0).any().reindex(range(len(events)), fill_value=False).to_numpy()
        else:
            mask &= events[facet].isin(list(values)).to_numpy()
    return mask


def events_on(
    events: pd.DataFrame,
    day: dt.date,
    mode: str = "until",
    window_days: int = 1,
    chosen: Mapping[str, Collection[str] | None] | None = None,
) -> pd.DataFrame:
    """The events the map shows for ``day`` with the chosen facets."""
    mask = day_mask(events, day, mode, window_days) & facet_mask(events, chosen or {})
    return events.loc[mask]


def facet_values(events: pd.DataFrame, facet: str) -> pd.Series:
    """Each event's values of a facet, one per row, indexed by the event's position.

    A source may name several outlets separated by ``;`` (as ACLED's does): each is
    a value of its own, so every outlet can be filtered on.
    """
    values = events[facet].astype(str).reset_index(drop=True)
    if facet in SPLIT_FACETS and values.str.contains(SPLIT_FACETS[facet], regex=False).any():
        values = values.str.split(SPLIT_FACETS[facet]).explode().str.strip()
        values = values.loc[values.ne("") | ~values.index.duplicated(keep=False)]
    return values


def facet_counts(events: pd.DataFrame, facet: str) -> pd.Series:
    """How many events carry each value of a facet, most first, then by name."""
    values = facet_values(events, facet)
    once = values.to_frame("value").assign(row=values.index).drop_duplicates()  # an outlet named twice counts once
    counts = once["value"].value_counts()
    order = sorted(counts.index, key=lambda value: (-counts[value], str(value).casefold()))
    return counts.loc[order]
