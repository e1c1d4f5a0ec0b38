"""The data source: the events file, a store or an upload, the page's title and caption, and the rejected rows."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

from .. import export, live, pipeline
from ..load import Limits, UnusableFile
from ..pipeline import Dataset
from . import caches, origin, state
from .text import literal

KINDS = {"native": "", "acled": "ACLED", "ucdp": "UCDP GED", "geojson": "GeoJSON"}


def choose_dataset(settings: dict, geodata) -> tuple[str, tuple, Dataset]:
    """The uploaded file if there is one, else the store or the events file: (name, key, dataset); stops on an
    unusable file or a store that has never answered."""
    limit = min(int(settings["upload_mb"]), int(st.get_option("server.maxUploadSize")))
    with st.sidebar:
        st.header("Data")
        upload = st.file_uploader(
            "Open your own events file",
            type=["csv", "geojson", "json"],
            key=state.UPLOAD,
            # The server refuses more than server.maxUploadSize whatever the widget says: never promise more.
            max_upload_size=limit,
            help="Native CSV (see the README), an ACLED or UCDP GED export, or a GeoJSON FeatureCollection of "
            f"points. Up to {int(settings['upload_mb'])} MB. The file stays on this server, in memory.",
        )
    if upload is None and settings["store"]:
        return dataset_from_store(str(settings["store"]))
    if upload is None:
        return dataset_from_path(Path(str(settings["events"])), settings, geodata)
    if not origin.from_own_origin():  # an upload changes what the server holds: only from the app's own page
        st.error("This upload came from a page on another site or port and was not read.")
        st.stop()
    st.session_state.pop(state.FILE_SEEN, None)  # steps need not watch the events file while an upload is open
    st.session_state.pop(state.STORE_SEEN, None)
    digest = upload_digest(upload)
    try:
        with st.spinner(f"Loading {literal(upload.name)}…"):
            dataset = caches.dataset_uploaded(digest, upload.getvalue, geodata, settings)
    except UnusableFile as err:
        st.error(f"**{literal(upload.name)} cannot be opened.** {literal(err)}")
        st.stop()
    return upload.name, ("upload", digest), dataset


def upload_digest(upload) -> str:
    """The sha256 of an upload's bytes, computed once per uploaded file rather than on every full run."""
    seen = st.session_state.get(state.UPLOAD_DIGEST)
    if seen is None or seen[0] != upload.file_id:
        seen = (upload.file_id, hashlib.sha256(upload.getvalue()).hexdigest())
        st.session_state[state.UPLOAD_DIGEST] = seen
    return seen[1]


def dataset_from_path(path: Path, settings: dict, geodata) -> tuple[str, tuple, Dataset]:
    """The events file, reloaded when it changes; the last good version while it is missing, half written or bad."""
    name, kept = path.name, caches.last_good().get(str(path))
    with st.spinner(f"Loading {literal(name)}…"):
        stamp, settled = pipeline.settled_stamp(path)
        st.session_state[state.FILE_SEEN] = (str(path), stamp)  # what a step compares the file with
        if stamp is None and kept:
            st.warning(
                f"**{literal(name)} is no longer there.** "
                "Showing the last version read; it comes back when the file does."
            )
            return kept
        if not settled and kept:
            st.info(
                f"{literal(name)} is being written. "
                "Showing the version read before; the new one loads when it is complete."
            )
            return kept
        if not settled:  # and no earlier version: show nothing rather than half a file
            st.info(f"{literal(name)} is being written. It opens as soon as it is complete.")
            open_when_settled(path)
            st.stop()
        try:
            limits, max_mb = Limits.of(settings), int(settings["max_file_mb"])
            dataset = caches.dataset_at(str(path), stamp or (0, 0), limits, max_mb, geodata, bool(settings["timing"]))
        except UnusableFile as err:
            if kept:
                st.warning(f"**{literal(name)} cannot be read now.** {literal(err)} Showing the last version read.")
                return kept
            st.error(f"**{literal(name)} cannot be opened.** {literal(err)}")
            st.stop()
    caches.last_good()[str(path)] = (name, ("path", str(path), *stamp), dataset)
    return caches.last_good()[str(path)]


def dataset_from_store(url: str) -> tuple[str, tuple, Dataset]:
    """The store's current claims, shared by every session, with what changed since merged in; the claims read
    last, with a notice, while the store does not answer. Stops with one message when it never has."""
    feed = caches.store_feed(url)
    try:
        with st.spinner(f"Reading the event store at {literal(feed.shown)}…"):
            reading = feed.reading()
    except live.StoreUnreachable as err:
        st.error(f"**{literal(err)}** The page opens it by itself as soon as it answers.")
        open_when_reachable(url)
        st.stop()
    st.session_state[state.STORE_SEEN] = (url, reading.generation, reading.down_since)
    caches.moved_on(url, reading.content, reading.control)
    # One slot, whether a notice shows or not: a notice coming or going does not move the elements below it,
    # the map among them, to another place in the page's tree.
    notices = st.container()
    if reading.down_since is not None:
        notices.warning(
            f"**The event store is unreachable since {reading.down_since:%H:%M}** ({literal(reading.why)}). "
            f"Showing the data read at {reading.read_at:%H:%M:%S}; it catches up by itself when the store answers.",
            icon=":material/cloud_off:",
        )
    if reading.stories_pending:
        notices.info("Stories are being grouped again over every claim; the story filter and markers follow shortly.")
    watch_store()
    return (
        f"the event store {feed.shown}",
        ("store", feed.shown, reading.generation, reading.content, reading.control),
        reading.dataset,
    )


def store_changed() -> bool:
    """Whether the store has news for this session: claims newer than those shown, or it went down or came back.

    Costs nothing on PostgreSQL (a listener hears the changes) and one ``max(revision_id)`` a half second
    per server on SQLite."""
    seen = st.session_state.get(state.STORE_SEEN)
    return seen is not None and caches.store_feed(seen[0]).news(seen[1], seen[2])


@st.fragment(run_every=0.5)
def watch_store() -> None:
    """Look for the store's news twice a second, so that a change shows on an open map no one touches within
    2 s: the look costs nothing (``store_changed``), the full run that follows up to a second and a half."""
    if state.fragment_rerun("watch_store") and store_changed():
        st.rerun()


@st.fragment(run_every=2.0)
def open_when_reachable(url: str) -> None:
    """Try a store that has not answered again every two seconds; once it answers, a full run opens it."""
    feed = caches.store_feed(url)
    try:
        feed.reading()
    except live.StoreUnreachable:
        return
    st.rerun()


@st.fragment(run_every=2.0)
def open_when_settled(path: Path) -> None:
    """Look again every two seconds at a file being written; once it has settled, a full run opens it."""
    if pipeline.settled_stamp(path, patience=0)[1]:
        st.rerun()


def header(name: str, dataset: Dataset, shown_rows: int):
    """The title and what the file is, with its notices beside them (returned, for the link's notices).

    Notices sit in the header's right-hand column as buttons that open over the page: a rejected-rows
    report or a link's fallbacks never push the map down.
    """
    title, notices = st.columns([4, 1], vertical_alignment="center")
    title.title("Conflict map: who claims what, where, when")
    kind = KINDS.get(dataset.format, "")
    read_as = "" if dataset.encoding == "utf-8" else f"read as {dataset.encoding.upper()}"
    kind = f" ({', '.join(x for x in (kind, read_as) if x)})" if kind or read_as else ""
    title.caption(
        f"{literal(name)}{kind}: {dataset.accepted:,} claims. Each marker is one claim by one source: click it, "
        "or pick it in the table, to see who said what."
    )
    notes = notices.container(horizontal=True, horizontal_alignment="right", gap="small")
    if dataset.rejected_rows:
        rejected_panel(notes, dataset, shown_rows)
    return notes


def rejected_panel(notes, dataset: Dataset, shown_rows: int) -> None:
    rejected, count = dataset.rejected, dataset.rejected_rows
    kept = "" if count <= len(rejected) else f" The first {len(rejected):,} are kept; the rest are counted."
    with notes.popover(f"{count:,} of {dataset.rows:,} rows rejected", icon=":material/warning:"):
        st.warning(
            f"{count:,} of {dataset.rows:,} rows were rejected; the other {dataset.accepted:,} loaded. "
            f"Each rejected row is listed with its line, column, value and reason.{kept}"
        )
        if len(rejected) > shown_rows:
            st.caption(f"Showing the first {shown_rows}; download the CSV for all of them.")
        listed = rejected.head(shown_rows)
        if dataset.format == "geojson":  # a GeoJSON file's rows are its features, numbered from 1
            listed = listed.rename(columns={"line": "feature"})
        st.dataframe(listed, hide_index=True)
        # Made on click, guarded: the values are the file's own bad cells, and there may be a million of them.
        st.download_button(
            "Download rejected rows (CSV)", lambda: export.rejected_csv(rejected), "rejected_rows.csv", "text/csv"
        )


def show_link_notices(notes) -> None:
    """What the link asked for that this file does not have, said once (the rewritten link no longer asks),
    in the header beside the title."""
    said = st.session_state.get(state.LINK_NOTICES, [])
    if said:
        with notes.popover(f"The link asked for {len(said)} thing(s) this file does not have", icon=":material/link:"):
            for notice in said:
                st.warning(f"The link asked for something this file does not have: {literal(notice)}.")
    st.session_state[state.LINK_NOTICES] = []


def file_changed() -> bool:
    """Whether the events file has changed (or come or gone) since the page last read it; one stat call.

    Said once per state of the file: while a writer is still at it, the full run shows the version read
    before, and a step must not ask for another full run until the file changes again.
    """
    seen = st.session_state.get(state.FILE_SEEN)
    if seen is None:
        return False
    now = pipeline.file_stamp(Path(seen[0]))
    if now == seen[1] or now == st.session_state.get(state.FILE_ASKED):
        return False
    st.session_state[state.FILE_ASKED] = now
    return True
