"""The stages in order, for the CLI and the app: load -> validate -> geocode -> stories.

``open_events`` never raises for a bad row; an unusable file raises
``UnusableFile`` with one clear message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .filters import sort_by_date
from .geocode import Geodata, geocode
from .load import read_events
from .stories import add_stories
from .validate import validate


@dataclass(frozen=True)
class Dataset:
    events: gpd.GeoDataFrame  # accepted events, sorted by date
    rejected: pd.DataFrame  # line, column, value, reason, other_problems; sorted by line
    rows: int  # rows read, header not counted
    format: str
    encoding: str = "utf-8"

    @property
    def accepted(self) -> int:
        return len(self.events)

    def report(self) -> dict:
        """The validation report as plain data (the shape of ``validate --json``)."""
        return {
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected": self.rejected.to_dict(orient="records"),
        }


def open_events(source: str | Path | bytes, geodata: Geodata) -> Dataset:
    raw = read_events(source)
    typed, invalid = validate(raw)
    located, unknown = geocode(typed, geodata.aliases)
    rejected = pd.concat([raw.rejected, invalid, unknown], ignore_index=True)
    # Reports name the file's own columns (ACLED's event_date, not date).
    rejected["column"] = rejected["column"].map(lambda c: raw.columns.get(c, c))
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    return Dataset(add_stories(sort_by_date(located)), rejected, raw.rows, raw.format, raw.encoding)
