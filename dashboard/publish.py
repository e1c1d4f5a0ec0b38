"""What a published map says and shows: the caption's words, and each day's scene. No Streamlit, no drawing.

The picture, the time-lapse and the HTML download share one caption: the day, the filters, the
sources shown, how control is made ("zones are derived from place control") and the attributions.
Its lines are plain text: file text (sources, filter values) goes in as it is, and each output
escapes it for its own medium (matplotlib with mathtext off, HTML by ``textContent``).

A caption describes a ``view.View``, the link's view, whose ``filters`` hold only the filters that
leave something out. A ``Scene`` is what one day draws: control (places and zones) and what ``step.draw`` chose (events,
stories or counted cells), with its caption. ``scenes`` makes one per day for a time-lapse,
asking for control only through a function, so the page can pass its caches and the command line
a plain computation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np

from . import control, step
from .filters import FACETS
from .map import features
from .model import BASELINE_TEXT
from .view import View

# Names a caption lists before it says "and N more": a caption is read, not searched.
MAX_NAMES = 12
NAME_CHARS = 60  # a name longer than this is cut, with an ellipsis
ZONES_NOTE = "Zones are derived from place control, not drawn front lines."
ATTRIBUTION = (
    "Borders: Natural Earth (public domain). Places: the project's gazetteer. Events: their sources, above. "
    "No basemap imagery: tiles are off in exports."
)
FILTER_LABELS = {**FACETS, "affiliation": "Affiliation"}


def _day(day: dt.date) -> str:
    return f"{day:%-d %b %Y}"


def _names(values: list[str]) -> str:
    """Up to ``MAX_NAMES`` names, each cut to ``NAME_CHARS``, then how many more there are."""
    shown = [v if len(v) <= NAME_CHARS else v[: NAME_CHARS - 1] + "…" for v in values[:MAX_NAMES]]
    more = len(values) - len(shown)
    return ", ".join(v or "(not given)" for v in shown) + (f" and {more:,} more" if more else "")


def _when(view: View) -> str:
    if view.mode == "window":
        first = view.day - dt.timedelta(days=view.window - 1)
        return f"events of the last {view.window} day(s), {_day(first)} to {_day(view.day)}"
    return f"events up to {_day(view.day)}"


def caption_lines(view: View, sources: list[str], events: int, cells: int = 0) -> list[str]:
    """The caption, a line each: title and day, filters, sources shown, control, attributions.

    ``view.filters`` holds only the filters that leave something out (as in the link); ``cells`` is how many
    counted cells stand for the events, when the map draws cells.
    """
    narrowing = {k: v for k, v in view.filters.items() if v is not None}
    filters = "; ".join(f"{FILTER_LABELS.get(k, k)}: {_names(list(v)) or 'none'}" for k, v in narrowing.items())
    drawn = f", drawn as {cells:,} counted cells sized by their count" if cells else ""
    whose = (
        "as the selected sources claim it" if view.control_selected else "as all sources claim it, whatever the filters"
    )
    return [
        f"Who claims what, where: {_day(view.day)} ({_when(view)})",
        f"Filters: {filters or 'none (every event)'}",
        f"Sources shown ({len(sources):,}): {_names(sources) or 'none'}",
        f"{events:,} events shown{drawn}.",
        f"Control: {whose}, from a coarse baseline of {BASELINE_TEXT}. {ZONES_NOTE}",
        ATTRIBUTION,
    ]


@dataclass(frozen=True)
class Scene:
    """What one day's picture draws: places and zones by controller and basis, events or cells, its caption."""

    day: dt.date
    held: gpd.GeoDataFrame  # control.control_at: place, controller, basis, geometry
    zones: gpd.GeoDataFrame  # control.zones_at (simplified): controller, basis, geometry
    drawn: step.Drawn
    caption: list[str]


def scene(
    indexed: step.Indexed,
    at: np.ndarray,
    held: gpd.GeoDataFrame,
    zones: gpd.GeoDataFrame,
    view: View,
    limit: int,
    zoom: int,
) -> Scene:
    """The scene of the events at positions ``at``: drawn as the page would, the whole country in view."""
    drawn = step.draw(indexed, at, view.stories, limit, None, zoom)
    caption = caption_lines(view, step.shown_sources(indexed, at), len(at), cells_of(drawn))
    return Scene(view.day, held, zones, drawn, caption)


def cells_of(drawn: step.Drawn) -> int:
    """How many counted cells stand for the events; 0 when they are drawn one by one."""
    return len(drawn.rows) if drawn.kind == "cells" else 0


ControlOn = Callable[[dt.date], tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]]


def control_from(changes, places: gpd.GeoDataFrame, cells: gpd.GeoDataFrame, claims_only: bool) -> ControlOn:
    """Control and zones on a day from the claims ``changes``; days with the same claims known share them."""
    made: dict[int, tuple] = {}

    def on(day: dt.date) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
        known = control.changes_until(changes, day)
        if known not in made:
            held = control.control_at(day, places, changes, claims_only=claims_only)
            made[known] = (held, features.simplified(control.zones_at(held, cells)))
        return made[known]

    return on


def scenes(
    indexed: step.Indexed,
    facets: np.ndarray | None,
    control_on: ControlOn,
    days: list[dt.date],
    view: View,
    limit: int,
    zoom: int,
) -> Iterator[Scene]:
    """One scene per day of ``days``, with ``view``'s mode, window and filters: a time-lapse's frames."""
    for day in days:
        on = replace(view, day=day)
        at = step.positions(indexed, day, view.mode, view.window, facets)
        yield scene(indexed, at, *control_on(day), on, limit, zoom)
