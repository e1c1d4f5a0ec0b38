"""Filter: which events are shown, by day and by facet. Boolean masks on whole columns.

Events are kept sorted by date, so a day cut is a binary search, not a scan.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import factorized, text

MODES = {"until": "up to this day", "window": "last N days"}
FACETS = {
    "source": "Source",
    "source_type": "Source type",
    "affiliation": "Affiliation",
    "event_type": "Event type",
    "actor": "Actor",
    "claim_status": "Claim status",
    "story_status": "Story status",
}
# Facets that stories decide (made again without the claims changing), not the claims themselves.
STORY_FACETS = ("story_status",)
# Facets whose cells may hold several values, and what separates them: ACLED's "Reuters; SOHR", and the
# types and affiliations the registry of outlets gives such a cell ("independent media; monitor").
SPLIT_FACETS = {"source": ";", "source_type": ";", "affiliation": ";"}


def sort_by_date(events: pd.DataFrame) -> pd.DataFrame:
    """Events ordered by date, then file line: the order every other function expects."""
    return events.sort_values(["date", "line"], kind="stable").reset_index(drop=True)


def in_date_order(events: pd.DataFrame) -> bool:
    """Whether ``events`` are already as ``sort_by_date`` orders them (then they need not be copied sorted)."""
    day, line = events["date"].to_numpy(), events["line"].to_numpy()
    return bool(np.all((day[1:] > day[:-1]) | ((day[1:] == day[:-1]) & (line[1:] >= line[:-1]))))


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
    """Events whose value in each facet is among those chosen. ``None`` or nothing chosen means no filter:
    a cleared filter shows everything, so picking one value after "Clear all" shows that value's events."""
    unknown = set(chosen) - set(FACETS)
    if unknown:
        raise KeyError(f"unknown facet(s): {', '.join(sorted(unknown))}")
    mask = np.ones(len(events), dtype=bool)
    for facet, values in chosen.items():
        if not values:
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
    column = events[facet] if facet in events.columns else pd.Series("", index=events.index)  # an optional column
    values = text(column).reset_index(drop=True)
    if facet in SPLIT_FACETS and values.str.contains(SPLIT_FACETS[facet], regex=False).any():
        values = _split_cells(values, SPLIT_FACETS[facet])
    return values


def _split_cells(values: pd.Series, separator: str) -> pd.Series:
    """Each cell's parts, one per row, indexed by the cell's position; an empty part is dropped where the cell
    has others. Each distinct cell is split once (a million claims name a few hundred), then the parts are
    laid out per row with numpy."""
    codes, distinct = pd.factorize(values, use_na_sentinel=False)
    parts = pd.Series(distinct).str.split(separator).explode().str.strip()
    parts = parts.loc[parts.ne("") | ~parts.index.duplicated(keep=False)]
    lengths = np.bincount(parts.index.to_numpy(dtype="int64"), minlength=len(distinct))
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    per_row = lengths[codes]
    row = np.repeat(np.arange(len(codes)), per_row)
    first_of_row = np.repeat(np.cumsum(per_row) - per_row, per_row)
    taken = np.repeat(starts[codes], per_row) + (np.arange(len(row)) - first_of_row)
    return pd.Series(parts.to_numpy()[taken], index=pd.Index(row), dtype=parts.dtype)


def facet_counts(events: pd.DataFrame, facet: str) -> pd.Series:
    """How many events carry each value of a facet, most first, then by name."""
    values = facet_values(events, facet)
    once = values.to_frame("value").assign(row=values.index).drop_duplicates()  # an outlet named twice counts once
    counts = once["value"].value_counts()
    order = sorted(counts.index, key=lambda value: (-counts[value], str(value).casefold()))
    return counts.loc[order]


@dataclass(frozen=True)
class Facet:
    """A facet as codes, built once per file: each (event, value) pair once, so a mask or a count under
    any other filters is one ``isin`` or one ``bincount`` on whole arrays."""

    values: list[str]  # the facet's values, most events first (the order the page lists them)
    rows: np.ndarray  # the event of each pair
    codes: np.ndarray  # the value of each pair, as a position in ``values``
    size: int  # events in the file

    def mask(self, chosen: Collection[str] | None) -> np.ndarray | None:
        """The events carrying a chosen value; None when nothing is chosen (no filter)."""
        if not chosen:
            return None
        wanted = np.isin(self.codes, [i for i, v in enumerate(self.values) if v in set(chosen)])
        mask = np.zeros(self.size, dtype=bool)
        mask[self.rows[wanted]] = True
        return mask

    def counts(self, under: np.ndarray | None) -> pd.Series:
        """Events per value among those ``under`` a mask (None: all), every value listed, zeros included."""
        codes = self.codes if under is None else self.codes[under[self.rows]]
        return pd.Series(np.bincount(codes, minlength=len(self.values)), index=self.values, dtype="int64")


def _encoded(column: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Each cell's code and the distinct cells, by arrow's dictionary encoding: no Python string per row
    (a categorical column's from its codes, its categories no event holds left out)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, distinct = factorized(column)
        return codes.astype("int64"), list(distinct)
    values = pa.array(column.astype(str), type=pa.string())
    encoded = pc.dictionary_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    return encoded.indices.to_numpy(zero_copy_only=False).astype("int64"), encoded.dictionary.to_pylist()


def _pairs(events: pd.DataFrame, facet: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Every (event, value) pair of a facet once, as (rows, value codes, values): worked out on the distinct
    cells, then spread to the events, so a million events cost a few array operations."""
    column = events[facet] if facet in events.columns else pd.Series("", index=events.index)
    cells, distinct = _encoded(column)
    split = SPLIT_FACETS.get(facet)
    if not split or not any(split in str(c) for c in distinct):
        return every_row(len(events)), cells.astype("int64"), [str(c) for c in distinct]
    parts = facet_values(pd.DataFrame({facet: list(distinct)}), facet)  # indexed by the cell's code
    parts = parts.to_frame("value").assign(cell=parts.index).drop_duplicates()
    codes, values = pd.factorize(parts["value"], use_na_sentinel=False)
    per_cell = np.bincount(parts["cell"].to_numpy("int64"), minlength=len(distinct))
    starts = np.concatenate([[0], np.cumsum(per_cell)[:-1]])  # parts are in cell order
    sizes = per_cell[cells]
    rows = np.repeat(np.arange(len(events)), sizes)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return rows, codes.astype("int64")[starts[cells[rows]] + within], [str(v) for v in values]


@functools.lru_cache(maxsize=2)
def every_row(n: int) -> np.ndarray:
    """0 to ``n - 1`` as 32-bit rows, made once and read only: the rows of every facet whose cells hold one value
    each (at 2.5 million claims, six facets held six copies of it, 60 MB)."""
    rows = np.arange(n, dtype=np.int32)
    rows.flags.writeable = False
    return rows


def facet_index(events: pd.DataFrame) -> dict[str, Facet]:
    """Every facet of ``events`` as codes (see ``Facet``), values ordered most events first, then by name."""
    return {facet: facet_of(events, facet) for facet in FACETS}


def facet_of(events: pd.DataFrame, facet: str) -> Facet:
    """One facet of ``events`` as codes, its values ordered most events first, then by name."""
    rows, codes, values = _pairs(events, facet)
    counts = np.bincount(codes, minlength=len(values))
    order = sorted(range(len(values)), key=lambda i: (-counts[i], values[i].casefold()))
    position = np.empty(len(values), dtype="int64")
    position[order] = np.arange(len(values))
    # 32-bit rows, and codes as small as the values allow (a byte for up to 256 sources): a million events and
    # ten facets held 160 MB of 64-bit ones; no file has 2**31 rows
    codes = position[codes].astype(np.min_scalar_type(max(len(values) - 1, 0)))
    return Facet([values[i] for i in order], rows.astype(np.int32, copy=False), codes, len(events))


def affiliation_groups(events: pd.DataFrame, index: Mapping[str, Facet]) -> dict[str, list[str]]:
    """Affiliation -> its sources (in the source filter's order), for the affiliations that stand behind a
    source other than themselves ("Russian state": RIA Novosti, TASS, ...), largest first. A source that is
    its own affiliation, or has none, is no group."""
    source = index["source"]
    if "affiliation" not in events.columns or not len(source.rows):
        return {}
    # Distinct (outlet, affiliation) pairs worked out on codes; only those pairs become text.
    own, names = factorized(events["affiliation"])
    both = np.unique(source.codes.astype("int64") * max(len(names), 1) + own[source.rows])
    code, affiliation = np.divmod(both, max(len(names), 1))
    pairs = pd.DataFrame(
        {
            "code": code,
            "source": np.asarray(source.values, dtype=object)[code],
            "affiliation": np.asarray(names, dtype=object)[affiliation],
        }
    )
    pairs = pairs.loc[pairs["affiliation"].ne("") & pairs["affiliation"].ne(pairs["source"])]
    groups = pairs.sort_values("code").groupby("affiliation")["source"].agg(list)
    return {a: groups[a] for a in sorted(groups.index, key=lambda a: (-len(groups[a]), a.casefold()))}


def all_of(masks: Collection[np.ndarray | None]) -> np.ndarray | None:
    """The events every mask keeps; None when no mask narrows anything."""
    kept = [m for m in masks if m is not None]
    if not kept:
        return None
    return np.logical_and.reduce(kept) if len(kept) > 1 else kept[0]


def faceted_counts(index: Mapping[str, Facet], masks: Mapping[str, np.ndarray | None]) -> dict[str, pd.Series]:
    """Each facet's counts under every *other* filter, as datasette's facets count: picking "capture" in
    Event type leaves the Source counts saying how many captures each source claims, while Event type
    still lists every type with its count under the rest. ``masks`` holds one mask per filter (facets,
    search, place; None for a filter that narrows nothing)."""
    return {facet: index[facet].counts(all_of([m for name, m in masks.items() if name != facet])) for facet in index}


EARTH_KM = 6371.0088


def within_km(events: pd.DataFrame, lat: float, lon: float, km: float) -> np.ndarray:
    """Events within ``km`` of a point (great-circle distance on the mean Earth radius)."""
    phi1, phi2 = np.radians(lat), np.radians(events["lat"].to_numpy(float))
    dphi, dlmb = phi2 - phi1, np.radians(events["lon"].to_numpy(float) - lon)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi1) * np.cos(phi2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))) <= km


def why_nothing(day: np.ndarray, narrowing: Mapping[str, np.ndarray], when: str) -> str:
    """Why no event is shown, naming the filter that left nothing.

    ``day`` is the day cut's mask, ``narrowing`` each filter that narrows (its description -> its mask),
    ``when`` the day cut in words ("up to 2 Dec 2024"). A filter that alone keeps nothing on those days is
    named first; else the filters without which something would show; else the filters together.
    """
    if not day.any():
        return f"No events {when}: pick a later day."
    if not narrowing:
        return f"No events {when}."
    alone = [name for name, mask in narrowing.items() if not (day & mask).any()]
    if alone:
        return f"Nothing shown: {' and '.join(alone)} has no events {when}. Clear it or pick another day."
    freed = {}
    for name in narrowing:
        others = all_of([m for n, m in narrowing.items() if n != name])
        freed[name] = int(np.count_nonzero(day if others is None else day & others))
    culprits = [name for name, count in freed.items() if count]
    if culprits:
        said = "; ".join(f"without {name}, {freed[name]:,} would show" for name in culprits)
        return f"Nothing shown: {' or '.join(culprits)} leaves nothing with the other filters {when} ({said})."
    return f"Nothing shown: {', '.join(narrowing)} together leave nothing {when}, though each keeps some events."
