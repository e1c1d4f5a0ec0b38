"""The stages in order, for the CLI and the app: load -> validate -> geocode -> stories.

``open_events`` never raises for a bad row; an unusable file raises
``UnusableFile`` with one clear message.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from . import registry
from .columns import categorized
from .filters import sort_by_date
from .geocode import Geodata, geocode
from .load import Limits, read_events
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
    rejected_count: int | None = None  # every rejected row; ``rejected`` lists the first Limits.rejected_kept

    @property
    def accepted(self) -> int:
        return len(self.events)

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected, listed or not."""
        return len(self.rejected) if self.rejected_count is None else self.rejected_count

    def report(self) -> dict:
        """The validation report as plain data (the shape of ``validate --json``).

        ``rejected_rows`` counts every rejected row; ``rejected`` lists the first of them, and
        ``rejected_not_listed`` says how many more there are.
        """
        return {
            "format": self.format,
            "encoding": self.encoding,
            "rows": self.rows,
            "accepted": self.accepted,
            "rejected_rows": self.rejected_rows,
            "rejected_not_listed": self.rejected_rows - len(self.rejected),
            "rejected": self.rejected.to_dict(orient="records"),
        }


def open_events(
    source: str | Path | bytes, geodata: Geodata, max_bytes: int | None = None, limits: Limits | None = None
) -> Dataset:
    """The file's events and its report; ``limits`` (the settings' by default) bound what it may cost."""
    limits = limits or Limits()
    raw = read_events(source, max_bytes, limits)
    rows, fmt, encoding, columns, unsplit = raw.rows, raw.format, raw.encoding, raw.columns, raw.rejected
    unlisted = raw.rejected_more
    typed, invalid = validate(raw)
    if geodata.registry is not None:  # a file's own source types and affiliations win; the registry fills the rest
        typed = registry.fill(typed, geodata.registry)
    del raw  # each stage's input is let go as soon as the next has it: a million rows is several copies
    located, unknown = geocode(typed, geodata.aliases)
    del typed
    rejected = pd.concat([unsplit, invalid, unknown], ignore_index=True)
    rejected = rejected.sort_values("line", kind="stable").reset_index(drop=True)
    count = len(rejected) + unlisted
    # A report of millions of rows helps nobody and costs memory in every session that shows it.
    rejected = rejected.head(limits.rejected_kept).copy()
    # Reports name the file's own columns (ACLED's event_date, not date).
    rejected["column"] = rejected["column"].map(lambda c: columns.get(c, c))
    events = categorized(sort_by_date(located))
    del located
    events = add_stories(events)
    release_memory()
    return Dataset(events, rejected, rows, fmt, encoding, count)


def rejection_line(row: dict, fmt: str) -> str:
    """One rejected row as ``validate`` (and ``store import``) print it: where, why, the value."""
    more = f" (+{row['other_problems']} more)" if row["other_problems"] else ""
    where = f", column {row['column']}" if row["column"] else ""
    unit = "feature" if fmt == "geojson" else "line"
    return f"  {unit} {row['line']}{where}: {row['reason']}: {row['value']!r}{more}"


def open_apart(source: bytes, geodata: Geodata, max_bytes: int | None = None, limits: Limits | None = None) -> Dataset:
    """``open_events`` in a process of its own, for uploads: parsing a visitor's file does not hold the
    server's interpreter lock while other sessions step, and its peak memory (several copies of the
    file, for a moment) is never the server's: the process ends with the parse and only the events come
    back. Raises what ``open_events`` raises."""
    return in_process_apart(open_events, source, geodata, max_bytes, limits)


def in_process_apart(work: Callable, *args):
    """``work(*args)`` in a process of its own, at a lower priority (an upload's parse, a large store's
    stories): it holds neither the server's interpreter lock nor its memory, and returns what ``work``
    returns (pickled) or raises what it raises."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # each process forks from one that has pandas loaded
    # One process for the one task: it ends when the pool does, at the end of the block (a pool with
    # max_tasks_per_child would start a second process for nothing).
    with ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=_behind_others) as apart:
        return apart.submit(work, *args).result()


# How far a process apart stands back where the system has no idle class (``os.nice``): on a busy server,
# the steps of the sessions already reading a map come before one visitor's new file.
PARSE_NICENESS = 10


def _behind_others() -> None:
    """In the process apart: run only on a processor the server's sessions leave idle. Linux's SCHED_IDLE
    class does that (``nice`` 10 still took a share of a core from every step beside it); elsewhere, or if
    refused, ``nice``; failing both, the usual priority."""
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        return
    except (AttributeError, OSError):
        pass
    try:
        os.nice(PARSE_NICENESS)
    except (AttributeError, OSError):
        pass


def dataset_bytes(dataset: Dataset) -> int:
    """About how many bytes ``dataset`` holds: its events and its report, strings counted whole.

    For the page's cache of uploads, which is bounded by bytes (the upload_budget_mb setting) rather
    than by entries: eight 50 MB uploads may hold 10 GB, eight small ones a few megabytes.
    """
    return int(dataset.events.memory_usage(deep=True, index=True).sum()) + int(
        dataset.rejected.memory_usage(deep=True, index=True).sum()
    )


def to_evict(entries: Mapping[str, tuple[int, float]], budget_bytes: int, keep_seconds: float, now: float) -> list[str]:
    """The cached uploads to drop: those unused for ``keep_seconds``, then the least recently used until
    the rest fit in ``budget_bytes``.

    ``entries`` maps a key (the upload's digest) to (bytes, as ``dataset_bytes`` gives them; the time it
    was last used, as ``time.time()`` gives it). The newest entry is kept even when it alone is over
    the budget: the session that just opened it is using it.
    """
    order = sorted(entries, key=lambda key: entries[key][1])  # least recently used first
    dropped = [key for key in order if now - entries[key][1] > keep_seconds]
    kept = [key for key in order if key not in set(dropped)]
    held = sum(entries[key][0] for key in kept)
    for key in kept[:-1]:
        if held <= budget_bytes:
            break
        dropped.append(key)
        held -= entries[key][0]
    return dropped


# glibc's mallopt: from this size up, each allocation is a mapping of its own, unmapped when freed.
M_MMAP_THRESHOLD, MAPPED_FROM = -3, 1 << 20


@functools.cache
def large_allocations_mapped() -> bool:
    """Have glibc give each allocation of a megabyte or more its own mapping, handed back when freed, for the
    server's life; harmless elsewhere. By default glibc raises that threshold to 32 MB once a mapped block is
    freed, and then keeps a column's freed arrays (20 MB at 2.5 million rows) in its heap: after a new claim
    at 2.5M, the old frame's columns stayed held, 1,453 MB against 1,180 MB this way, and the runs after it
    peaked at 1,538 MB against 1,483 MB (two AppTest sessions)."""
    try:
        return bool(ctypes.CDLL("libc.so.6").mallopt(M_MMAP_THRESHOLD, MAPPED_FROM))
    except (OSError, AttributeError):
        return False


def release_memory(collect: bool = True) -> None:
    """Hand the memory the load freed back to the system (glibc keeps it otherwise); harmless elsewhere.

    ``collect=False`` skips the garbage collection (a tenth of a second with a large heap, holding the
    interpreter lock, so every other session waits): for memory freed by dropping references alone."""
    if collect:
        gc.collect()
    # Arrow's own allocator (mimalloc) keeps freed buffers for reuse too: at 2.5M claims, 150 MB once a first
    # page's read was done and its stories were back.
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
