"""One slider step, kept small at any size: positions in, numbers and what to draw out. No Streamlit here.

``index_events`` turns the loaded events into the arrays a step reads (built once
per file). ``positions``, the counts and ``draw`` then work on positions into
those arrays and only take rows out of the frame for what is drawn one by one,
so a step at a million events does not copy half a million rows. ``draw`` says
*what* to draw (events, stories or counted cells); ``dashboard.map.layers``
turns that into a layer.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from . import aggregate, filters
from .columns import factorized
from .model import MAX_ZOOM, MIN_ZOOM


@dataclass(frozen=True)
class Indexed:
    events: pd.DataFrame
    lat: np.ndarray
    lon: np.ndarray
    kind: np.ndarray  # event type as a position in aggregate.TYPES (int8)
    source: np.ndarray  # the source cell as a code into ``outlets`` (int32, as the story and cell codes)
    outlets: list[frozenset[str]]  # for each source code: the outlets it names (a cell may name several)
    source_cells: list[str]  # for each source code: the cell itself
    story: np.ndarray  # story as a code
    extent: tuple[float, float, float, float]  # south, west, north, east of every event
    # zoom -> (every event's grid cell code, number of cells). At most one entry per zoom the map allows
    # (MIN_ZOOM to MAX_ZOOM, 13): a zoom from the browser is clamped first, so no message can grow it.
    cells: dict = field(default_factory=dict)
    # Held while a zoom's cells are worked out: a new claim reruns every open session at once, and at a million
    # claims each of five made the same cells (0.18 s each, holding the interpreter lock against the others).
    # Shared, as ``cells`` is, by the generations ``restoried`` makes.
    making: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def cell_codes(self, zoom: int) -> tuple[np.ndarray, int]:
        zoom = min(max(int(zoom), MIN_ZOOM), MAX_ZOOM)
        with self.making:
            if zoom not in self.cells:
                self.cells[zoom] = aggregate.cell_codes(self.lat, self.lon, zoom)
            return self.cells[zoom]


def index_bytes(rows: int) -> int:
    """The most an ``Indexed`` of ``rows`` events holds beside its events: latitude and longitude (8 bytes a
    row each, when the frame's own are not float64), the kind (1), source and story codes (4 each), and a
    cell code (4) per zoom once the map has been at every zoom (for the upload budget, which counts it)."""
    return rows * (8 + 8 + 1 + 4 + 4 + 4 * (MAX_ZOOM - MIN_ZOOM + 1))


def index_events(events: pd.DataFrame) -> Indexed:
    source, cells = factorized(events["source"])
    split = filters.SPLIT_FACETS.get("source", ";")
    outlets = [frozenset(p.strip() for p in c.split(split) if p.strip()) or frozenset([c]) for c in cells]
    return Indexed(
        events=events,
        lat=events["lat"].to_numpy(float),
        lon=events["lon"].to_numpy(float),
        kind=aggregate.type_positions(events["event_type"]),
        source=source.astype(np.int32),
        outlets=outlets,
        source_cells=list(cells),
        story=_story_codes(events),
        extent=aggregate.extent(events["lat"].to_numpy(float), events["lon"].to_numpy(float)),
    )


def without_events(indexed: Indexed) -> Indexed:
    """``indexed`` holding no frame: the claims' arrays, shared by every generation of their stories, without
    keeping the first generation's frame alive (``restoried`` gives each its own)."""
    return replace(indexed, events=indexed.events.iloc[:0].copy())


def restoried(indexed: Indexed, events: pd.DataFrame) -> Indexed:
    """``indexed`` for ``events``, the same claims with their stories made again: only the story codes are new;
    the arrays, and the grid cells worked out so far, are shared."""
    return replace(indexed, events=events, story=_story_codes(events))


def _story_codes(events: pd.DataFrame) -> np.ndarray:
    """Each event's story as a number. Where every story has one claim (a large store's claims standing alone
    until stories are made), each event is its own: 0, 1, 2, ... with no hashing of a million ids."""
    if "story_id" not in events.columns:
        return np.zeros(len(events), dtype=np.int32)
    if "story_size" in events.columns and bool((events["story_size"].to_numpy() == 1).all()):
        return np.arange(len(events), dtype=np.int32)
    return pd.factorize(events["story_id"].astype(str))[0].astype(np.int32)


def take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` for sorted positions; a view, not a copy, when they are a run (every event up to a day)."""
    if len(at) and at[-1] - at[0] + 1 == len(at):
        return values[at[0] : at[-1] + 1]
    return values[at]


def positions(indexed: Indexed, day: dt.date, mode: str, window: int, facets: np.ndarray | None) -> np.ndarray:
    """Positions of the events shown on ``day``: the day cut, then the filters' mask."""
    mask = filters.day_mask(indexed.events, day, mode, window)
    if facets is not None:
        mask &= facets
    return np.flatnonzero(mask)


def shown_sources(indexed: Indexed, at: np.ndarray) -> list[str]:
    """The outlets that the events at ``at`` name, sorted: a cell naming several counts each."""
    codes = np.flatnonzero(np.bincount(take(indexed.source, at), minlength=len(indexed.outlets)))
    return sorted(frozenset().union(*(indexed.outlets[c] for c in codes)), key=str.casefold) if len(codes) else []


def count_sources(indexed: Indexed, at: np.ndarray) -> int:
    return len(shown_sources(indexed, at))


def count_stories(indexed: Indexed, at: np.ndarray) -> int:
    return int(np.count_nonzero(np.bincount(take(indexed.story, at)))) if len(at) else 0


@dataclass(frozen=True)
class Drawn:
    """What a step draws: ``kind`` is "events", "stories" or "cells"; ``rows`` the events or the cells."""

    kind: str
    rows: pd.DataFrame
    note: str  # says so when cells stand for the events


def draw(
    indexed: Indexed,
    at: np.ndarray,
    as_stories: bool,
    limit: int,
    bounds: tuple[float, float, float, float] | None,
    zoom: int,
) -> Drawn:
    """Up to ``limit`` events one by one; above it, those in ``bounds`` one by one if few enough, else cells."""
    if len(at) > limit:
        # A view that holds every event in the file (the usual start) needs no test per event.
        if bounds is not None and not aggregate.bounds_hold(bounds, indexed.extent):
            at = at[aggregate.points_in_bounds(take(indexed.lat, at), take(indexed.lon, at), bounds)]
        if len(at) > limit:
            codes, n = indexed.cell_codes(zoom)
            lat, lon, kind = (take(values, at) for values in (indexed.lat, indexed.lon, indexed.kind))
            cells = aggregate.cells_from_codes(take(codes, at), n, lat, lon, kind)
            note = (
                f"{len(at):,} events in view are drawn as {len(cells):,} counted cells (more than {limit:,}); "
                "zoom in to see them one by one. The numbers and the table count every event."
            )
            return Drawn("cells", cells, note)
    return Drawn("stories" if as_stories else "events", indexed.events.iloc[at], "")


def compare(indexed: Indexed, at: np.ndarray, first: str, second: str) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``first``'s claims among ``at`` in stories where ``second`` has none, and the reverse.

    Works on source and story codes, so that it costs little at any size.
    """
    codes = {c: i for i, c in enumerate(indexed.source_cells)}
    sides = []
    for one, other in ((first, second), (second, first)):
        mine = at[indexed.source[at] == codes.get(one, -1)]
        theirs = at[indexed.source[at] == codes.get(other, -1)]
        alone = mine[~np.isin(indexed.story[mine], indexed.story[theirs])]
        sides.append(alone)
    return tuple(sides)
