"""The stages in order, for the CLI and the app: load -> validate -> geocode -> stories.

``open_events`` never raises for a bad row; an unusable file raises
``UnusableFile`` with one clear message.
"""

from __future__ import annotations

import ctypes
import gc
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .filters import sort_by_date
from .geocode import Geodata, geocode
from .load import read_events
from .stories import add_stories
from .validate import validate


def file_stamp(path: Path) -> tuple[int, int] | None:
    """(modification time, size) of a file now, without waiting; None when it is not there."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def settled_stamp(path: Path, quiet: float = 0.5, patience: float = 5.0) -> tuple[tuple[int, int] | None, bool]:
    """(modification time, size) of a file that has stopped changing, and whether it had.

    A file modified in the last ``quiet`` seconds may be half written: wait, up to ``patience``
    seconds, until two looks ``quiet`` apart agree. None when the file is not there.
    """
    waited = 0.0
    while True:
        stamp = file_stamp(path)
        if stamp is None:
            return None, True
        if time.time() - stamp[0] / 1e9 >= quiet:
            return stamp, True
        if waited >= patience:
            return stamp, False
        time.sleep(quiet)
        waited += quiet
        again = file_stamp(path)
        if again is None:
            return None, True
        if again == stamp and time.time() - again[0] / 1e9 >= quiet:
            return stamp, True


@dataclass(frozen=True)
class Dataset:
    events: pd.DataFrame  # accepted events, sorted by date, with lat and lon
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


def open_events(source: str | Path | bytes, geodata: Geodata, max_bytes: int | None = None) -> Dataset:
    raw = read_events(source, max_bytes)
    rows, fmt, encoding, columns, unsplit = raw.rows, raw.format, raw.encoding, raw.columns, raw.rejected
    typed, invalid = validate(raw)
    del raw  # each stage's input is let go as soon as the next has it: a million rows is several copies
    located, unknown = geocode(typed, geodata.aliases)
    del typed
    rejected = pd.concat([unsplit, invalid, unknown], ignore_index=True)
    # Reports name the file's own columns (ACLED's event_date, not date).
    rejected["column"] = rejected["column"].map(lambda c: columns.get(c, c))
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    events = sort_by_date(located)
    del located
    events = add_stories(events)
    release_memory()
    return Dataset(events, rejected, rows, fmt, encoding)


def release_memory() -> None:
    """Hand the memory the load freed back to the system (glibc keeps it otherwise); harmless elsewhere."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
