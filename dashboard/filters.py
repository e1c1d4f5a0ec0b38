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


def sort_by_date(events: pd.DataFrame) -> pd.DataFrame:
    """Events ordered by date, then file line: the order every other function expects."""
    return events.sort_values(["date", "line"], kind="stable").reset_index(drop=True)


def days_of(events: pd.DataFrame) -> list[dt.date]:
    """Every day from the first event to the last, for the slider."""
    if events.empty:
        return []
    first, last = events["date"].min(), events["date"].max()
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
    return mask


def facet_mask(events: pd.DataFrame, chosen: Mapping[str, Collection[str] | None]) -> np.ndarray:
    """Events whose value in each facet is among those chosen. ``None`` means no filter."""
    unknown = set(chosen) - set(FACETS)
    if unknown:
        raise KeyError(f"unknown facet(s): {', '.join(sorted(unknown))}")
    mask = np.ones(len(events), dtype=bool)
    for facet, values in chosen.items():
        if values is not None:
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


def facet_counts(events: pd.DataFrame, facet: str) -> pd.Series:
    """How many events carry each value of a facet, most first, then by name."""
    counts = events[facet].value_counts()
    order = sorted(counts.index, key=lambda value: (-counts[value], str(value).casefold()))
    return counts.loc[order]
