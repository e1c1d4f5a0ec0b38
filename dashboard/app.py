"""The dashboard page: widgets in, calls to the core, drawing out.

Run with ``streamlit run dashboard/app.py [-- --events PATH --offline]``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from dashboard import control, export, filters, render, step, stories, view
from dashboard.geocode import GeodataError, read_geodata
from dashboard.load import UnusableFile
from dashboard.model import NOT_GIVEN
from dashboard.pipeline import file_stamp, open_events, settled_stamp
from dashboard.settings import resolve

CONTROL_FACETS = ("source", "source_type", "claim_status")
# Streamlit reads alerts, captions and headings as markdown: text from a file, a link or a path goes in escaped.
literal = render.escape_markdown
TABLE_COLUMNS = {
    "date": "Date",
    "place": "Place",
    "event_type": "Type",
    "actor": "Actor",
    "target": "Target",
    "controller": "Control after",
    "source": "Source",
    "source_type": "Source type",
    "claim_status": "Claim status",
    "reported_on": "Reported on",
    "description": "Description",
    "url": "Link",
    "story_status": "Story",
    "event_id": "Event id",
    "story_id": "Story id",
}


@st.cache_resource(show_spinner=False)
def geodata_in(folder: str):
    render.install_assets()
    return read_geodata(folder)


@st.cache_resource(show_spinner=False, max_entries=4)
def dataset_at(path: str, stamp: tuple[int, int], max_mb: int, _geodata, _timing: bool = False):
    """The loaded file, shared by every session; ``stamp`` reloads it when the file changes."""
    began = time.perf_counter()
    dataset = open_events(path, _geodata, max_bytes=max_mb * 1_000_000)
    print_time(_timing, "load_ms", began)  # once per load: the load test counts them
    return dataset


@st.cache_resource(show_spinner=False, max_entries=8)
def dataset_uploaded(digest: str, data: bytes, max_mb: int, _geodata):
    """An uploaded file, by content: the same file uploaded twice is read once; never more than the limit."""
    return open_events(data, _geodata, max_bytes=max_mb * 1024 * 1024)


@st.cache_resource(show_spinner=False)
def zone_cells_in(folder: str, _geodata):
    return control.zone_cells(_geodata.places, _geodata.outline)


@st.cache_resource(show_spinner=False, max_entries=16)
def changes_of(key: tuple, chosen: tuple, _events, _options: dict):
    """The control claims of the chosen sources: once per choice, so a step only looks them up."""
    narrowed = {f: list(v) for f, v in chosen if set(v) != set(_options[f])}
    moves = _events.loc[_events["controller"].ne("")]
    return control.control_changes(moves.loc[filters.facet_mask(moves, narrowed)] if narrowed else moves)


def control_on(key: tuple, day: dt.date, chosen: tuple, events, geodata, cells, options: dict):
    """Who holds what on ``day`` under the chosen sources: (places, zones, the layers' GeoJSON)."""
    changes = changes_of(key, chosen, events, options)
    return control_state(key, chosen, control.changes_until(changes, day), day, changes, geodata, cells)


@st.cache_resource(show_spinner=False, max_entries=512)
def control_state(key: tuple, chosen: tuple, known: int, _day: dt.date, _changes, _geodata, _cells):
    """Once per number of ``known`` changes: days on which nothing changed hands share places, zones and layers."""
    held = control.control_at(_day, _geodata.places, _changes)
    state = tuple(zip(held["place"], held["controller"], strict=True))
    zones = zones_for(id(_cells), state, held, _cells)
    return held, zones, render.control_json(held, zones)


@st.cache_resource(show_spinner=False, max_entries=256)
def zones_for(cells_id: int, state: tuple, _held, _cells):
    """Zones by who holds what, simplified for the map: days on which nothing changed hands share them."""
    return render.simplified(control.zones_at(_held, _cells))


def label(value: str) -> str:
    return value if value else NOT_GIVEN


def select_all(options: dict[str, list[str]]) -> None:
    for facet, values in options.items():
        st.session_state[f"f_{facet}"] = list(values)


def clear_all() -> None:
    for facet in filters.FACETS:
        st.session_state[f"f_{facet}"] = []


def move_day(days: list[dt.date], delta: int) -> None:
    position = days.index(st.session_state["day"]) + delta
    st.session_state["day"] = days[min(max(position, 0), len(days) - 1)]


def sidebar_filters(options: dict[str, pd.Series]) -> dict[str, list[str]]:
    with st.sidebar:
        st.header("Filters")
        left, right = st.columns(2)
        left.button("Select all", on_click=select_all, args=({f: list(c.index) for f, c in options.items()},))
        right.button("Clear all", on_click=clear_all)
        for facet, title in filters.FACETS.items():
            counts = options[facet]
            st.multiselect(
                title,
                options=list(counts.index),
                key=f"f_{facet}",
                format_func=lambda value, counts=counts: f"{label(value)} ({counts[value]})",
            )
    return {facet: st.session_state[f"f_{facet}"] for facet in filters.FACETS}


@st.cache_resource(show_spinner=False, max_entries=8)
def indexed_of(key: tuple, _events: pd.DataFrame) -> step.Indexed:
    return step.index_events(_events)


@st.cache_resource(show_spinner=False, max_entries=8)
def counts_of(key: tuple, _events: pd.DataFrame) -> dict[str, pd.Series]:
    return {facet: filters.facet_counts(_events, facet) for facet in filters.FACETS}


@st.cache_resource(show_spinner=False, max_entries=64)
def facet_mask_of(key: tuple, chosen: tuple, _events: pd.DataFrame, _options: dict):
    """The filters' mask, once per choice of filters; None when every value of every filter is chosen."""
    narrowed = {f: list(v) for f, v in chosen if set(v) != set(_options[f])}
    return filters.facet_mask(_events, narrowed) if narrowed else None


@st.cache_resource(show_spinner=False, max_entries=64)
def per_day_of(key: tuple, chosen: tuple, _events: pd.DataFrame) -> pd.DataFrame:
    """Events per day and source under the filters: computed when the filters change, not on each step."""
    picked = _events.loc[filters.facet_mask(_events, dict(chosen))]
    return picked.groupby(["date", "source"], as_index=False, observed=True).size().rename(columns={"size": "events"})


def timeline(per_day: pd.DataFrame, day: dt.date, start: dt.date) -> dict:
    """A Vega-Lite spec: events per day stacked by source, and a band over the days on the map.

    Written as a plain spec (not altair objects): it is rebuilt on every step, and this costs nothing.
    """
    legend_rows = -(-per_day["source"].nunique() // 3)
    band = {"start": pd.Timestamp(start).isoformat(), "end": (pd.Timestamp(day) + pd.Timedelta(days=1)).isoformat()}
    return {
        # Streamlit fits the whole chart, legend included, into the height: leave the bars 200 px.
        "height": 200 + 40 + 18 * legend_rows,
        "layer": [
            {
                "mark": "bar",
                "encoding": {
                    "x": {"field": "date", "type": "temporal", "timeUnit": "yearmonthdate", "title": None},
                    "y": {"field": "events", "type": "quantitative", "title": "Events per day"},
                    "color": {
                        "field": "source",
                        "type": "nominal",
                        "title": "Source",
                        "legend": {"orient": "bottom", "columns": 3, "labelLimit": 260},
                    },
                    "tooltip": [
                        {"field": "date", "type": "temporal", "timeUnit": "yearmonthdate", "title": "Day"},
                        {"field": "source", "type": "nominal"},
                        {"field": "events", "type": "quantitative"},
                    ],
                },
            },
            {
                "data": {"values": [band]},
                "mark": {"type": "rect", "color": "black", "opacity": 0.08, "stroke": "black", "strokeDash": [4, 3]},
                "encoding": {"x": {"field": "start", "type": "temporal"}, "x2": {"field": "end"}},
            },
        ],
    }


def rejected_panel(dataset, shown_rows: int) -> None:
    rejected = dataset.rejected
    st.warning(
        f"{len(rejected)} of {dataset.rows} rows were rejected; the other {dataset.accepted} loaded. "
        "Each rejected row is listed with its line, column, value and reason."
    )
    with st.expander(f"Rejected rows ({len(rejected)})"):
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


@st.cache_resource(show_spinner=False, max_entries=8)
def profiles_of(key: tuple, _events: pd.DataFrame) -> pd.DataFrame:
    return stories.source_profiles(_events)


def sources_section(key: tuple, events: pd.DataFrame, indexed: step.Indexed) -> None:
    """Source profiles, and what one source claims that another does not, over the shown days."""
    st.subheader("Sources")
    st.caption(
        "Per source: its claims, the event types and places it covers, and how many of its claims sit in "
        "corroborated or contested stories, or in a story of their own."
    )
    profile = profiles_of(key, events).rename(
        columns={
            "source": "Source",
            "claims": "Claims",
            "types": "Event types",
            "places": "Places",
            "corroborated": "In corroborated stories",
            "contested": "In contested stories",
            "alone": "Alone in their story",
        }
    )
    st.dataframe(profile, hide_index=True)
    names = list(profile["Source"])
    if len(names) < 2 or not st.toggle("Compare two sources", key="comparing", value=len(events) <= 100_000):
        return
    left, right = st.columns(2)
    first = left.selectbox("Compare", names, index=0, key="compare_a")
    second = right.selectbox("with", names, index=1, key="compare_b")
    day = st.session_state["day"]
    mode, window = st.session_state.get("mode", "until"), int(st.session_state.get("window", 1))
    in_days = step.positions(indexed, day, mode, window, None)
    only_first, only_second = step.compare(indexed, in_days, first, second)
    columns = {"date": "Date", "place": "Place", "event_type": "Type", "claim_status": "Claim status"}
    columns["description"] = "Description"
    for column, name, other, only in ((left, first, second, only_first), (right, second, first, only_second)):
        column.markdown(f"**{len(only):,} claim(s) by {literal(name)}** in stories where {literal(other)} says nothing")
        if len(only) > 200:
            column.caption("The latest 200 of them:")
        column.dataframe(
            events.iloc[only[-200:]][list(columns)].rename(columns=columns),
            hide_index=True,
            column_config={"Date": st.column_config.DateColumn(format="YYYY-MM-DD")},
        )


def choose_dataset(settings: dict, geodata):
    """The uploaded file if there is one, else the events file: (name, key, dataset); stops on an unusable file."""
    with st.sidebar:
        st.header("Data")
        upload = st.file_uploader(
            "Open your own events file",
            type=["csv", "geojson", "json"],
            key="upload",
            # The server refuses more than server.maxUploadSize whatever the widget says: never promise more.
            max_upload_size=min(int(settings["upload_mb"]), int(st.get_option("server.maxUploadSize"))),
            help="Native CSV (see the README), an ACLED or UCDP GED export, or a GeoJSON FeatureCollection of "
            f"points. Up to {int(settings['upload_mb'])} MB. The file stays on this server, in memory.",
        )
    if upload is not None:
        st.session_state.pop("file_seen", None)  # steps need not watch the events file while an upload is open
        data = upload.getvalue()
        name, key = upload.name, ("upload", hashlib.sha256(data).hexdigest())
        load = lambda: dataset_uploaded(key[1], data, int(settings["upload_mb"]), geodata)  # noqa: E731
    else:
        return dataset_from_path(
            Path(str(settings["events"])), int(settings["max_file_mb"]), geodata, bool(settings["timing"])
        )
    try:
        with st.spinner(f"Loading {literal(name)}…"):
            return name, key, load()
    except UnusableFile as err:
        st.error(f"**{literal(name)} cannot be opened.** {literal(err)}")
        st.stop()


@st.cache_resource(show_spinner=False)
def last_good() -> dict:
    """Path -> (name, key, dataset) of the last version of each events file that was read, for every session."""
    return {}


def dataset_from_path(path: Path, max_mb: int, geodata, timing: bool = False):
    """The events file, reloaded when it changes; the last good version while it is missing, half written or bad."""
    name, kept = path.name, last_good().get(str(path))
    with st.spinner(f"Loading {literal(name)}…"):
        stamp, settled = settled_stamp(path)
        st.session_state["file_seen"] = (str(path), stamp)  # what a step compares the file with
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
            dataset = dataset_at(str(path), stamp or (0, 0), max_mb, geodata, timing)
        except UnusableFile as err:
            if kept:
                st.warning(f"**{literal(name)} cannot be read now.** {literal(err)} Showing the last version read.")
                return kept
            st.error(f"**{literal(name)} cannot be opened.** {literal(err)}")
            st.stop()
    last_good()[str(path)] = (name, ("path", str(path), *stamp), dataset)
    return last_good()[str(path)]


@st.fragment(run_every=2.0)
def open_when_settled(path: Path) -> None:
    """Look again every two seconds at a file being written; once it has settled, a full run opens it."""
    if settled_stamp(path, patience=0)[1]:
        st.rerun()


def start_view(key: tuple, days: list[dt.date], options: dict[str, list[str]], default_window: int) -> None:
    """Set the widgets' state when a file is opened: from the link on a session's first file and on a new
    version of the same file (the link holds the view as it was), else defaults."""
    before = st.session_state.get("dataset_key")
    if before == key:
        return
    st.session_state["dataset_key"] = key
    keep = before is None or before[:2] == key[:2]
    params = {name: st.query_params.get_all(name) for name in st.query_params} if keep else {}
    wanted, notices = view.from_params(params, days, options, default_window)
    st.session_state["day"] = wanted.day
    st.session_state["mode"] = wanted.mode
    st.session_state["window"] = wanted.window
    st.session_state["stories"] = wanted.stories
    for facet in filters.FACETS:
        st.session_state[f"f_{facet}"] = list(wanted.filters.get(facet, options[facet]))
    st.session_state["selected_ids"] = []
    st.session_state["start_map"] = (wanted.centre, wanted.zoom)
    st.session_state["link_notices"] = notices
    for stale in ("compare_a", "compare_b", "table"):
        st.session_state.pop(stale, None)


def export_buttons(events: pd.DataFrame, at, held, zones, claims_layer, geodata, stem: str) -> None:
    """The current view as CSV, GeoJSON, or a map that opens offline; files are made on click."""
    st.caption("Download what is shown: the events with all their columns, or the map as one offline HTML file.")

    def html() -> bytes:  # the layers as drawn: events one by one, or the same counted cells
        return export.standalone_html(
            render.base_map(geodata, offline=True), [*render.control_layers(held, zones), claims_layer()]
        )

    cells = st.columns(3)
    cells[0].download_button(
        "Download CSV",
        lambda: export.to_csv(events.iloc[at]),
        f"{stem}.csv",
        "text/csv",
        key="export_csv",
        width="stretch",
    )
    cells[1].download_button(
        "Download GeoJSON",
        lambda: export.to_geojson(events.iloc[at]),
        f"{stem}.geojson",
        "application/geo+json",
        key="export_geojson",
        width="stretch",
    )
    cells[2].download_button(
        "Download map (HTML)", html, f"{stem}.html", "text/html", key="export_html", width="stretch"
    )


def main() -> None:
    began = time.perf_counter()
    st.set_page_config(page_title="Conflict map: who claims what", page_icon="🗺️", layout="wide")
    try:
        settings = resolve(sys.argv[1:])
    except (KeyError, ValueError) as err:
        st.error(f"Bad setting: {literal(err)}")
        st.stop()
    try:
        geodata = geodata_in(str(settings["geodata"]))
    except GeodataError as err:
        st.error(f"The map's geodata cannot be read: {literal(err)}")
        st.stop()
    name, key, dataset = choose_dataset(settings, geodata)

    st.title("Conflict map: who claims what, where, when")
    kind = {"native": "", "acled": "ACLED", "ucdp": "UCDP GED", "geojson": "GeoJSON"}.get(dataset.format, "")
    read_as = "" if dataset.encoding == "utf-8" else f"read as {dataset.encoding.upper()}"
    kind = f" ({', '.join(x for x in (kind, read_as) if x)})" if kind or read_as else ""
    st.caption(
        f"{literal(name)}{kind}: {dataset.accepted:,} claims. Each dot is one claim by one source; "
        "click it to see who said what. Dates are when the event happened, by the claim."
    )
    if len(dataset.rejected):
        rejected_panel(dataset, int(settings["rejected_shown"]))
    events = dataset.events
    if events.empty:
        st.info("No event in the file could be loaded, so there is nothing to map.")
        st.stop()
    counts = counts_of(key, events)
    options = {facet: list(c.index) for facet, c in counts.items()}
    days = filters.days_of(events)
    start_view(key, days, options, int(settings["window_days"]))
    for notice in st.session_state.get("link_notices", []):
        st.warning(f"The link asked for something this file does not have: {literal(notice)}.", icon=":material/link:")
    st.session_state["link_notices"] = []  # said once; the rewritten link no longer asks for it
    chosen = {facet: list(st.session_state[f"f_{facet}"]) for facet in filters.FACETS}
    st.session_state.setdefault("playing", False)
    playing = bool(st.session_state["playing"])
    stem = Path(name).stem
    indexed = indexed_of(key, events)
    chosen_key = tuple((f, tuple(v)) for f, v in chosen.items())
    narrowing = facet_mask_of(key, chosen_key, events, options)

    @st.fragment(run_every=float(settings["play_seconds"]) if playing else None)
    def view_of_day() -> None:
        began = time.perf_counter()
        if st.session_state["playing"] != playing:
            st.rerun()  # start or stop the play timer, which only a full run can change
        if file_changed():
            st.rerun()  # a step reruns only this fragment; the file is read again by a full run
        now = time.monotonic()
        if playing and now - st.session_state.get("stepped_at", 0.0) >= 0.8 * float(settings["play_seconds"]):
            st.session_state["stepped_at"] = now
            if st.session_state["day"] >= days[-1]:
                st.session_state["playing"] = False
            else:
                move_day(days, +1)
        if len(days) > 1:
            st.slider("Day", min_value=days[0], max_value=days[-1], key="day", format="ddd D MMM YYYY")
        else:
            st.session_state["day"] = days[0]
            st.write(f"All events are on {days[0]:%d %b %Y}.")
        day = st.session_state["day"]
        buttons = st.columns([1, 1, 1, 2, 1.4])
        buttons[0].button(
            "◀ Previous day", on_click=move_day, args=(days, -1), disabled=day <= days[0], width="stretch"
        )
        buttons[1].button("Next day ▶", on_click=move_day, args=(days, +1), disabled=day >= days[-1], width="stretch")
        buttons[2].toggle("Play", key="playing")
        mode = buttons[3].radio(
            "Show", options=list(filters.MODES), format_func=filters.MODES.get, horizontal=True, key="mode"
        )
        window = buttons[4].number_input(
            "N days", min_value=1, max_value=max(len(days), 1), key="window", disabled=mode != "window"
        )
        at = step.positions(indexed, day, mode, int(window), narrowing)
        first_day = day - dt.timedelta(days=int(window) - 1) if mode == "window" else days[0]

        held, zones, control_data = control_on(
            key,
            day,
            tuple((f, tuple(chosen[f])) for f in CONTROL_FACETS),
            events,
            geodata,
            zone_cells_in(str(settings["geodata"]), geodata),
            options,
        )
        numbers = st.columns(4)
        numbers[0].metric("Events shown", f"{len(at):,}")
        numbers[1].metric("Sources shown", step.count_sources(indexed, at))
        numbers[2].metric("Places changed hands", int(held["changed"].sum()), help="since the 26 Nov 2024 baseline")
        numbers[3].metric("Day", f"{day:%d %b %Y}")
        if len(at) == 0:
            st.info("No events match these filters on this day. Widen the filters, or pick another day.")

        picked = st.session_state.get("selected_ids", [])
        selected = events.iloc[at[np.isin(events["event_id"].to_numpy()[at], picked)]] if picked else events.iloc[:0]
        as_stories = st.toggle(
            "Group claims into stories",
            key="stories",
            help="One marker per story: the claims of all sources about one happening. Its outline says whether "
            "the story is corroborated, single-source or contested; its popup lists each source's version.",
        )
        box, seen_zoom = last_map_view()
        drawn = step.draw(indexed, at, bool(as_stories), int(settings["draw_limit"]), box, seen_zoom)
        layers = render.frame_layers(
            [*render.control_groups(*control_data), drawn.layer, render.selected_layer(selected)]
        )
        if len(selected):
            centre, zoom = (float(selected["lat"].iloc[0]), float(selected["lon"].iloc[0])), render.SELECTED_ZOOM
        else:
            centre, zoom = st.session_state.get("start_map", (None, None))
        moved = st_folium(
            render.base_map(geodata, offline=bool(settings["offline"]), tiles=str(settings["tiles"])),
            feature_group_to_add=layers,
            returned_objects=["center", "zoom", "bounds"],
            height=int(settings["map_height"]),
            use_container_width=True,
            key="map",
            center=centre,
            zoom=zoom,
        )
        if drawn.note:
            st.caption(drawn.note)
        st.caption(
            "Control: each place starts with a coarse baseline of 26 Nov 2024 and moves with the control claims of "
            "the selected sources (disputed and denied claims never move it; disagreeing claims make it contested). "
            "Zones are derived from place control, not drawn front lines."
        )
        st.query_params.from_dict(
            view.to_params(
                view.View(day, mode, int(window), bool(as_stories), chosen, *map_view(moved)),
                days,
                options,
                int(settings["window_days"]),
            )
        )

        if not st.session_state.get("below_map"):
            # A session's first run ends at the map. The chart's and the table's scripts (2 MB) would hold up
            # the browser's start of the map by about 0.7 s; the map reports its view as soon as it is drawn,
            # and that report reruns this view, now with the rest.
            st.session_state["below_map"] = True
            st.caption("The timeline, the events table and the sources follow as soon as the map is drawn.")
            print_time(settings["timing"], "view_ms", began)
            return
        per_day = per_day_of(key, chosen_key, events)
        if not per_day.empty:
            st.vega_lite_chart(per_day, timeline(per_day, day, first_day), width="stretch")

        st.subheader("Events shown")
        st.caption(
            f"{step.count_stories(indexed, at):,} stories among these claims. A story groups the claims of all sources "
            f"within {stories.STORY_KM:.0f} km and {stories.STORY_DAYS} day of its first claim about the same kind "
            "of happening; its status is judged on all its claims in the file."
        )
        limit = int(settings["table_rows"])
        listed = events.iloc[at[-limit:]]
        if len(at) > limit:
            st.caption(f"Listing the latest {limit:,} of {len(at):,}; the downloads below hold them all.")
        table = listed[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
        state = st.dataframe(
            table,
            hide_index=True,
            on_select="rerun",
            selection_mode="single-row",
            key="table",
            column_config={
                "Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "Reported on": st.column_config.DateColumn(format="YYYY-MM-DD"),
                "Link": st.column_config.LinkColumn(),
            },
        )
        rows = state.selection.rows if state else []
        ids = listed["event_id"].iloc[rows].tolist() if rows else []
        if ids != st.session_state.get("selected_ids", []):
            st.session_state["selected_ids"] = ids
            if ids:
                st.session_state["start_map"] = (None, None)  # the selection moves the map from now on
            st.rerun(scope="fragment")
        redraw = lambda: step.draw(indexed, at, bool(as_stories), int(settings["draw_limit"]), box, seen_zoom).layer  # noqa: E731
        export_buttons(events, at, held, zones, redraw, geodata, f"{stem}-{day:%Y-%m-%d}")
        sources_section(key, events, indexed)
        print_time(settings["timing"], "view_ms", began)

    view_of_day()
    # The sidebar's filters are drawn after the map, though they are read before it: the browser then
    # starts the map without waiting for the filter widgets' scripts.
    sidebar_filters(counts)
    print_time(settings["timing"], "run_ms", began)


def print_time(timing: bool, name: str, began: float) -> None:
    """With the timing setting: how long since ``began``, to the server's error output (the benchmarks read it)."""
    if timing:
        print(f"{name}={1000 * (time.perf_counter() - began):.1f}", file=sys.stderr, flush=True)


def file_changed() -> bool:
    """Whether the events file has changed (or come or gone) since the page last read it; one stat call.

    Said once per state of the file: while a writer is still at it, the full run shows the version read
    before, and a step must not ask for another full run until the file changes again.
    """
    seen = st.session_state.get("file_seen")
    if seen is None:
        return False
    now = file_stamp(Path(seen[0]))
    if now == seen[1] or now == st.session_state.get("file_asked"):
        return False
    st.session_state["file_asked"] = now
    return True


def last_map_view() -> tuple[tuple[float, float, float, float] | None, int]:
    """The bounds (south, west, north, east) and zoom the map last reported, if it has."""
    last = st.session_state.get("map") or {}
    bounds = last.get("bounds") or {}
    south_west, north_east = bounds.get("_southWest") or {}, bounds.get("_northEast") or {}
    box = None
    if {"lat", "lng"} <= set(south_west) and {"lat", "lng"} <= set(north_east):
        box = (south_west["lat"], south_west["lng"], north_east["lat"], north_east["lng"])
    return box, int(last.get("zoom") or render.ZOOM)


def map_view(moved: dict | None) -> tuple[tuple[float, float] | None, int | None]:
    """The map's centre and zoom as the browser reports them, or None while at the start view."""
    centre, zoom = (moved or {}).get("center"), (moved or {}).get("zoom")
    if not centre or zoom is None:
        return None, None
    lat, lon = float(centre["lat"]), float(centre["lng"])
    if abs(lat - render.CENTRE[0]) < 1e-3 and abs(lon - render.CENTRE[1]) < 1e-3 and int(zoom) == render.ZOOM:
        return None, None
    return (lat, lon), int(zoom)


main()
