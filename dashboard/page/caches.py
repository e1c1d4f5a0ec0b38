"""Every cache the page keeps. All are ``st.cache_resource``: shared by every session, never copied.

A file's caches are keyed on its dataset key (``("path", path, mtime, size)``, ``("upload", sha256)``, or for a store
``("store", URL with the password hidden, generation, content, control)``: a new generation for each change
merged or stories made again, a new content for each change merged, a new control for each change merged
that touches a claim naming a controller), never on the ``id()`` of an object; arguments named with a
leading underscore are not hashed. What reads no story (the timeline unless a story status is chosen, the
outlets, the claims' facets, the step's arrays but their story codes, the search text) is keyed on
``content_key``: stories made again over a large store, in a process of their own, do not make it again.
Control (its changes, each day's state, what changed hands) is keyed on ``control_key``: a new clash
leaves it as it was. A store keeps its newest generation and version only.

| cache | key | entries | why |
|---|---|---:|---|
| ``geodata_in`` | geodata folder | 1 per folder | the gazetteer, baseline and borders, read once |
| ``basemap_of`` | geodata folder | 1 per folder | borders and labels as GeoJSON: the map is rebuilt each run |
| ``place_names_of`` | geodata folder | 1 per folder | each place's other names, for the place picker |
| ``zone_cells_in`` | geodata folder | 1 per folder | the cells zones are dissolved from |
| ``dataset_at`` | path, stamp, size limit | 4 | the events file, loaded once for every session; a new stamp reloads |
| ``uploads`` | sha256 of the bytes | ``upload_budget_mb`` in all; ``upload_keep_minutes`` unused | uploads, read once |
| ``derived`` | dataset key, name | with its upload; 8 files, an hour | what is worked out once from a file |
| ``last_good`` | (one dict) path | 1 per path | the last good version of a file that is missing, half written or bad |
| ``store_feed`` | store URL | 1 per URL | the store's claims (``live.Feed``), refreshed by reading what changed |
| ``store_at`` | store URL | 1 per URL | the store the editing section writes to (``store.Store``: one pooled engine) |
| ``store_versions`` | store URL | 1 per URL | its claims' and control's versions last shown: a newer one clears |
| ``indexed_of`` | (in ``derived``) | | the arrays a step reads (``step.Indexed``) |
| ``counts_of`` | (in ``derived``) | | each filter's values and counts |
| ``facets_of`` | (in ``derived``) | | each facet as codes: its masks and counts are array operations |
| ``groups_of`` | (in ``derived``) | | each affiliation's sources, for the source picker's groups |
| ``search_text_of`` | (in ``derived``) | | the searched text, folded on the file's first search |
| ``narrowing_of`` | dataset key, folder, filters, search, place, radius | 16 | the filters' masks; faceted counts |
| ``per_day_of`` | dataset key, filters, axis | 64 | the timeline's counts per outlet by either axis, once per choice |
| ``changes_of`` | control key, control filters (none: all sources) | 16 | the control claims of the chosen sources |
| ``control_state`` | control key, control filters, changes known | 512 | control, zones, GeoJSON |
| ``zones_for`` | geodata folder, who holds what | 256 | zones, simplified, for one state of control |
| ``changed_between_of`` | control key, two days | 64 | what changed hands between them |
| ``profiles_of`` | (in ``derived``) | | the sources' profiles |
| ``outlets_of`` | (in ``derived``) | | each outlet's type, affiliation and their origin (``sources``' table) |
"""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import streamlit as st

from .. import control, filters, history, live, pipeline, place_filter, registry, search, step, stories
from ..geocode import Geodata, read_geodata
from ..load import Limits
from ..map import assets, basemap, features
from ..pipeline import Dataset, open_events
from ..settings import resolve
from .text import print_time

# Uploads are parsed one at a time: two sessions uploading large files at once would each hold a
# file's parsing memory, and the server's budget is for one.
UPLOAD_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def geodata_in(folder: str) -> Geodata:
    assets.install_assets()
    return read_geodata(folder)


@st.cache_resource(show_spinner=False)
def basemap_of(folder: str, _geodata: Geodata) -> basemap.BasemapData:
    return basemap.basemap_data(_geodata)


@st.cache_resource(show_spinner=False)
def place_names_of(folder: str, _geodata: Geodata) -> dict[str, str]:
    return place_filter.other_names(_geodata.places)


@st.cache_resource(show_spinner=False)
def zone_cells_in(folder: str, _geodata: Geodata):
    return control.zone_cells(_geodata.places, _geodata.outline)


@st.cache_resource(show_spinner=False, max_entries=4)
def dataset_at(
    path: str, stamp: tuple[int, int], limits: Limits, max_mb: int, _geodata: Geodata, _timing=False
) -> Dataset:
    """The loaded file, shared by every session; ``stamp`` reloads it when the file changes."""
    began = time.perf_counter()
    dataset = open_events(path, _geodata, max_bytes=max_mb * 1_000_000, limits=limits)
    print_time(_timing, "load_ms", began)  # once per load: the load test counts them
    return dataset


@st.cache_resource(show_spinner=False)
def uploads() -> dict[str, list]:
    """Digest -> [dataset, its bytes, when last used]: every session's uploads, bounded by bytes and by time."""
    return {}


def dataset_uploaded(digest: str, data: Callable[[], bytes], geodata: Geodata, settings: dict) -> Dataset:
    """An uploaded file, by the digest of its content (hashed once by the page): read once however often it
    is sent (``data`` gives its bytes, asked only when it is not loaded: a copy of up to 50 MB), one
    upload at a time, and dropped once unused for ``upload_keep_minutes`` or when all uploads
    together pass ``upload_budget_mb`` (the least recently used first)."""
    held = uploads()
    with UPLOAD_LOCK:
        entry = held.get(digest)
        if entry is None:
            limits = Limits.of(settings)
            dataset = pipeline.open_apart(data(), geodata, int(settings["upload_mb"]) * 1024 * 1024, limits)
            held_bytes = pipeline.dataset_bytes(dataset) + step.index_bytes(len(dataset.events))
            entry = held[digest] = [dataset, held_bytes, 0.0]
        entry[2] = time.time()
        budget, keep = int(settings["upload_budget_mb"]) * 1_000_000, float(settings["upload_keep_minutes"]) * 60
        evicted = pipeline.to_evict({k: (v[1], v[2]) for k, v in held.items()}, budget, keep, entry[2])
        for gone in evicted:
            held.pop(gone, None)
            forget(("upload", gone))
    if evicted:
        pipeline.release_memory(collect=False)  # what the evicted uploads held goes back to the system
    return entry[0]


@st.cache_resource(show_spinner=False)
def last_good() -> dict:
    """Path -> (name, key, dataset) of the last version of each events file that was read, for every session."""
    return {}


@st.cache_resource(show_spinner=False)
def store_feed(url: str) -> live.Feed:
    """The store at ``url`` for every session; read on first use. On PostgreSQL one thread listens for its
    changes (``live.Listener``), so a session asking whether anything changed costs nothing."""
    from ..store import open_store  # the store's drivers load only when a store is used
    from ..store.reader import AppReader

    # The snapshots' folder is the page's setting, resolved from the same command line as the page's run.
    settings = resolve(sys.argv[1:])
    folder = str(settings["store_snapshots"])
    feed = live.Feed(
        url,
        lambda at: AppReader(open_store(at)),
        snapshots=Path(folder).expanduser() if folder else None,
        on_opened=_print_opened if settings["timing"] else None,
    )
    dsn = live.psycopg_dsn(url)
    if dsn is not None:
        live.Listener(feed, dsn).start()
    return feed


def _print_opened(how: str, seconds: float) -> None:
    """With the timing setting: how the store was first read and in how long (the benchmark reads it)."""
    print(f"store_read_ms={1000 * seconds:.1f} from={how}", file=sys.stderr, flush=True)


@st.cache_resource(show_spinner=False)
def store_at(url: str):
    """The store at ``url`` for the editing section's writes and reads: one engine (a pool) per server."""
    from ..store import open_store

    return open_store(url)


# What is worked out once from a file: a file's entries are kept while it is among the FILES_KEPT used
# last and used within FILES_KEEP_SECONDS; an upload's go with the upload (its bytes are in the budget).
FILES_KEPT, FILES_KEEP_SECONDS = 8, 3600
# A store's newest generation (and newest version of its claims) only: every session moves to it on its next
# run. The one before kept its frame alive through its step arrays: the columns it shares with the newest
# cost nothing, but its own story columns, story facet and codes do (about 160 MB at 2.5M claims, measured
# from the buffers they do not share). A run still on an older one makes what it asks for, and is given it,
# but it is not kept.
STORE_GENERATIONS_KEPT = 1
DERIVED_LOCK = threading.Lock()


@st.cache_resource(show_spinner=False)
def derived_store() -> dict[tuple, dict]:
    """Dataset key -> {name: what was worked out from it, "used": when last asked}, for every session."""
    return {}


def derived(key: tuple, name: str, make: Callable[[], object]):
    """``make()`` once per dataset ``key``: one entry per file, dropped with the file, not one per cache.

    Once, too, when sessions ask at the same moment (a new claim reruns every open session): the first makes
    it and the others wait for it, as ``st.cache_resource`` does; five sessions each making a million claims'
    facets held the interpreter lock against one another, 14 s a run where one alone took 3 s."""
    held = derived_store()
    with DERIVED_LOCK:
        value = _held(held, key, name)
        if value is not _MISSING:
            return value
        making = _making.setdefault((key, name), threading.Lock())
    with making:  # outside DERIVED_LOCK: one file's work does not hold up another's
        with DERIVED_LOCK:
            value = _held(held, key, name)  # made by the session this one waited for
        if value is not _MISSING:
            return value
        try:
            value = make()
        except BaseException:
            with DERIVED_LOCK:
                _making.pop((key, name), None)
            raise
        with DERIVED_LOCK:
            _making.pop((key, name), None)  # with the value stored below: no session comes between
            entry = held.setdefault(key, {})
            entry.setdefault(name, value)
            entry["used"] = time.time()
            for gone in _stale(held, set(uploads()), entry["used"]):
                held.pop(gone, None)
            return entry[name]


_MISSING = object()
_making: dict[tuple, threading.Lock] = {}  # (dataset key, name) -> the lock of the session making it


def _held(held: dict[tuple, dict], key: tuple, name: str):
    """What ``derived`` holds of ``name`` for ``key`` (its use noted), or ``_MISSING``; under DERIVED_LOCK."""
    entry = held.get(key)
    if entry is None or name not in entry:
        return _MISSING
    entry["used"] = time.time()
    return entry[name]


def _stale(held: dict[tuple, dict], uploaded: set[str], now: float) -> list[tuple]:
    """Keys to drop: uploads no longer held, files unused for an hour, files past the FILES_KEPT used last, and
    a store's generations (and versions of its claims) but the STORE_GENERATIONS_KEPT newest, by number, not
    by use: a run still on an older one must not push out the one every other session shows."""
    gone = [key for key in held if key[0] == "upload" and key[1] not in uploaded]
    files = sorted((key for key in held if key[0] != "upload"), key=lambda key: held[key]["used"], reverse=True)
    gone += [key for key in files if now - held[key]["used"] > FILES_KEEP_SECONDS]
    gone += [key for key in files[FILES_KEPT:] if key not in gone]
    seen: dict[tuple, int] = {}
    for key in sorted((k for k in files if k[0] in ("store", "store content")), key=lambda k: k[2], reverse=True):
        seen[key[:2]] = seen.get(key[:2], 0) + 1
        if seen[key[:2]] > STORE_GENERATIONS_KEPT and key not in gone:
            gone.append(key)
    return gone


def content_key(key: tuple) -> tuple:
    """The part of a dataset key that its claims decide: a store's key without the generation that stories
    made again bring (``("store", URL, generation, content)``), so what reads no story is not worked out
    again; a file's key as it is."""
    return ("store content", key[1], key[3]) if key[0] == "store" else key


def control_key(key: tuple) -> tuple:
    """The part of a dataset key that control reads: a store's version of the claims that name a controller
    (``("store control", URL, control)``), so a claim that names none leaves control as it was; a file's
    key as it is."""
    return ("store control", key[1], key[4]) if key[0] == "store" else key


@st.cache_resource(show_spinner=False)
def store_versions() -> dict[str, tuple[int, int]]:
    """Store URL -> the versions of its claims and of its control (``Reading.content``, ``Reading.control``)
    this server last showed."""
    return {}


def moved_on(url: str, content: int, control_version: int) -> None:
    """A store's claims have a new version: what the caches below keep of the older ones serves nobody (every
    session moves to the newest on its next run) and, at 2.5M claims, one version's control changes alone
    hold 63 MB. Those caches are cleared whole (control's only when control has a new version too): a
    file's or an upload's entries are made again when next asked for."""
    held = store_versions()
    with DERIVED_LOCK:
        last_content, last_control = held.setdefault(url, (content, control_version))
        if content <= last_content:
            return
        held[url] = (content, control_version)
    moved = [narrowing_of, _per_day_of]
    if control_version > last_control:
        moved += [_changes_of, control_state, _changed_between_of]
    for cache in moved:
        cache.clear()


def forget(key: tuple) -> None:
    """Drop what was worked out from a dataset (an evicted upload)."""
    with DERIVED_LOCK:
        derived_store().pop(key, None)


def indexed_of(key: tuple, events: pd.DataFrame) -> step.Indexed:
    """The arrays a step reads: made once per version of the claims; stories made again change only their codes."""
    if content_key(key) == key:
        return derived(key, "indexed", lambda: step.index_events(events))
    made: list[step.Indexed] = []  # when this session makes the claims' arrays, its story codes come with them

    def claims_of() -> step.Indexed:
        made.append(step.index_events(events))
        return step.without_events(made[0])

    claims = derived(content_key(key), "indexed", claims_of)
    return derived(key, "indexed", lambda: made[0] if made else step.restoried(claims, events))


def counts_of(key: tuple, events: pd.DataFrame) -> dict[str, pd.Series]:
    return derived(
        key, "counts", lambda: {facet: codes.counts(None) for facet, codes in facets_of(key, events).items()}
    )


def _narrowed(chosen: tuple, options: dict) -> dict[str, list[str]]:
    """The filters that leave something out: a filter with none or every value chosen costs nothing."""
    return {f: list(v) for f, v in chosen if v and set(v) != set(options[f])}


def facets_of(key: tuple, events: pd.DataFrame) -> dict[str, filters.Facet]:
    """Each facet as codes: the claims' own once per version of the claims (at a million, 0.9 s), the story
    status once per generation (stories made again)."""
    claims = derived(
        content_key(key),
        "facets",
        lambda: {f: filters.facet_of(events, f) for f in filters.FACETS if f not in filters.STORY_FACETS},
    )
    made = derived(key, "story facets", lambda: {f: filters.facet_of(events, f) for f in filters.STORY_FACETS})
    return {f: claims[f] if f in claims else made[f] for f in filters.FACETS}


def groups_of(key: tuple, events: pd.DataFrame) -> dict[str, list[str]]:
    return derived(content_key(key), "groups", lambda: filters.affiliation_groups(events, facets_of(key, events)))


def search_text_of(key: tuple, folder: str, events: pd.DataFrame, places) -> search.SearchText:
    return derived(content_key(key), f"search {folder}", lambda: search.search_text(events, places))


@dataclass(frozen=True)
class Narrowing:
    parts: dict  # filter name (a facet, "search", "place") -> (what it keeps, in words; its mask)
    mask: object  # every filter's mask together, or None when nothing is left out
    counts: dict  # facet -> its values' counts under the other filters


# An entry holds a mask per filter that narrows, a byte an event each: about 10 MB at a million events.
@st.cache_resource(show_spinner=False, max_entries=16)
def narrowing_of(
    key: tuple, folder: str, chosen: tuple, query: str, place, radius: int, _events, _geodata
) -> Narrowing:
    """The filters' masks, once per choice: a step only reads them. ``place`` is a place filter's label."""
    index, pick = facets_of(key, _events), place_filter.choices(_geodata.places).get(place)
    parts = {}
    for facet, values in chosen:
        mask = index[facet].mask(values) if set(values) != set(index[facet].values) else None
        if mask is not None:
            shown = ", ".join(repr(v) for v in values[:3]) + (f" and {len(values) - 3} more" if len(values) > 3 else "")
            parts[facet] = (f"{filters.FACETS[facet]} {shown}", mask)
    # The searched text is folded on the first search of a file, not when it is opened.
    found = search.matches(search_text_of(key, folder, _events, _geodata.places), query) if query else None
    if found is not None:
        parts["search"] = (f"Search {query.strip()!r}", found)
    if pick is not None:
        parts["place"] = (pick.describe(radius), place_filter.place_mask(_events, pick, radius, _geodata.places))
    masks = {name: mask for name, (_, mask) in parts.items()}
    return Narrowing(parts, filters.all_of(list(masks.values())), filters.faceted_counts(index, masks))


def per_day_of(key: tuple, chosen: tuple, mask, events: pd.DataFrame, by: str = "date") -> tuple[pd.DataFrame, int]:
    """Claims per day (event date or date reported) and outlet under the filters (``mask``, keyed by
    ``chosen``), and how many lack that day: computed when the filters change, not on each step. Unless a
    story status is chosen, the counts do not change when stories are made again."""
    by_story = any(part[0] == "story_status" and part[1] for part in chosen)
    outlets = facets_of(key, events)["source"]
    return _per_day_of(key if by_story else content_key(key), chosen, mask, events, by, outlets)


@st.cache_resource(show_spinner=False, max_entries=64)
def _per_day_of(
    key: tuple, chosen: tuple, _mask, _events: pd.DataFrame, by: str, _outlets: filters.Facet
) -> tuple[pd.DataFrame, int]:
    from . import timeline  # the timeline's own counting; imported here, not at the top, to keep the cycle out

    return timeline.per_day(_events, by, _mask, _outlets)


def changes_of(key: tuple, chosen: tuple, events: pd.DataFrame, options: dict, places) -> pd.DataFrame:
    """The control claims of the chosen sources (``()``: of all sources): once per choice, so a step only
    looks them up; control reads no story, so stories made again change nothing here."""
    return _changes_of(control_key(key), chosen, events, options, places)


@st.cache_resource(show_spinner=False, max_entries=16)
def _changes_of(key: tuple, chosen: tuple, _events: pd.DataFrame, _options: dict, _places) -> pd.DataFrame:
    narrowed = _narrowed(chosen, _options) if chosen else {}
    # Only the columns control and the filters read: taking all of a store's rows' columns cost 0.3 s at 1M.
    read = [c for c in dict.fromkeys([*control.CHANGE_INPUT, *narrowed]) if c in _events.columns]
    moves = _events.loc[_events["controller"].ne(""), read]
    return control.control_changes(moves.loc[filters.facet_mask(moves, narrowed)] if narrowed else moves, _places)


@st.cache_resource(show_spinner=False, max_entries=512)
def control_state(key: tuple, folder: str, chosen: tuple, known: int, _day: dt.date, _changes, _geodata, _cells):
    """Once per number of ``known`` changes: days on which nothing changed hands share places, zones and layers.

    With ``chosen`` sources (not ``()``), a place they say nothing about has no claim, not the baseline."""
    held = control.control_at(_day, _geodata.places, _changes, claims_only=bool(chosen))
    state = tuple(zip(held["place"], held["controller"], held["basis"], strict=True))
    zones = zones_for(folder, state, held, _cells)
    return held, zones, features.control_json(held, zones)


@st.cache_resource(show_spinner=False, max_entries=256)
def zones_for(folder: str, state: tuple, _held, _cells):
    """Zones by who holds what, simplified for the map: days on which nothing changed hands share them."""
    return features.simplified(control.zones_at(_held, _cells))


def outlets_of(key: tuple, folder: str, events: pd.DataFrame, geodata: Geodata) -> pd.DataFrame:
    return derived(
        content_key(key), f"outlets {folder}", lambda: registry.source_table(events, geodata.registry or registry.EMPTY)
    )


def profiles_of(key: tuple, events: pd.DataFrame) -> pd.DataFrame:
    return derived(key, "profiles", lambda: stories.source_profiles(events))


CONTROL_FACETS = ("source", "source_type", "affiliation", "claim_status")


def control_on(key: tuple, folder: str, chosen: tuple, day: dt.date, events, geodata, cells, options: dict):
    """Who holds what on ``day`` as the chosen sources claim it (``()``: as all sources do): (places, zones,
    the layers' GeoJSON)."""
    changes = changes_of(key, chosen, events, options, geodata.places)
    known = control.changes_until(changes, day)
    return control_state(control_key(key), folder, chosen, known, day, changes, geodata, cells)


def changed_between_of(key: tuple, start: dt.date, end: dt.date, events, options: dict, places) -> pd.DataFrame:
    """The places that changed hands between two days, by all sources: once per pair of days, not per step."""
    return _changed_between_of(control_key(key), start, end, events, options, places)


@st.cache_resource(show_spinner=False, max_entries=64)
def _changed_between_of(key: tuple, start: dt.date, end: dt.date, _events, _options: dict, _places) -> pd.DataFrame:
    return history.changed_between(start, end, _places, changes_of(key, (), _events, _options, _places))
