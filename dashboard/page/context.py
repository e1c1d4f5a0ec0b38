"""What an opened file gives every section: made once per run by ``opened``, passed to each section."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .. import filters, place_filter, step
from ..geocode import Geodata
from ..map.basemap import BasemapData
from ..pipeline import Dataset
from . import caches


@dataclass(frozen=True)
class Opened:
    name: str  # the file's name, as the user knows it
    key: tuple  # the dataset key every cache of this file is keyed on
    dataset: Dataset
    indexed: step.Indexed
    counts: dict[str, pd.Series]  # facet -> value counts
    options: dict[str, list[str]]  # facet -> its values
    days: list[dt.date]
    geodata: Geodata
    folder: str  # the geodata folder: the key of the geodata's caches
    basemap: BasemapData
    cells: object  # the zone cells (a GeoDataFrame)
    settings: dict
    # rows -> the same rows with every column: a store's frame leaves descriptions and the file's own columns
    # out, fetched for the rows shown (popups, the table, downloads); a file's rows are returned as they are
    detailed: Callable[[pd.DataFrame], pd.DataFrame] = lambda rows: rows

    @property
    def events(self) -> pd.DataFrame:
        return self.dataset.events

    @property
    def picks(self) -> dict[str, place_filter.PlacePick]:
        """The place filter's choices: every gazetteer place, then every governorate."""
        return place_filter.choices(self.geodata.places)

    @property
    def stem(self) -> str:
        return Path(self.name).stem


def opened(name: str, key: tuple, dataset: Dataset, geodata: Geodata, settings: dict) -> Opened:
    """The file and what every section reads of it, from the shared caches."""
    events, folder = dataset.events, str(settings["geodata"])
    counts = caches.counts_of(key, events)
    return Opened(
        name=name,
        key=key,
        dataset=dataset,
        indexed=caches.indexed_of(key, events),
        counts=counts,
        options={facet: list(c.index) for facet, c in counts.items()},
        days=filters.days_of(events),
        geodata=geodata,
        folder=folder,
        basemap=caches.basemap_of(folder, geodata),
        cells=caches.zone_cells_in(folder, geodata),
        settings=settings,
        **({"detailed": caches.store_feed(str(settings["store"])).detailed} if key[0] == "store" else {}),
    )


@dataclass(frozen=True)
class Choice:
    """The sidebar's filters as the day view reads them: the values, and as cache keys."""

    filters: dict[str, list[str]]  # facet -> chosen values; none chosen: no filter
    key: tuple  # ((facet, (values...)), ..., ("q", search), ("place", place, radius))
    narrowing: object  # the filters' mask, or None when nothing is left out
    search: str = ""
    place: str | None = None
    radius: int = 25
    parts: dict = field(default_factory=dict)  # filter -> (what it keeps, in words; its mask), if it narrows
    counts: dict = field(default_factory=dict)  # facet -> its counts under the other filters

    def of(self, facets: tuple[str, ...]) -> tuple:
        return tuple((f, tuple(self.filters[f])) for f in facets)
