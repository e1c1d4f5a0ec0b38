"""Every session-state key the page uses, as a named constant, and the callbacks, which only set state.

Widgets that own a key (the slider, the filters, the toggles) are named here too, so that a test or a
section never spells a key by hand.
"""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import streamlit as st

from .. import filters, view

DAY = "day"  # the slider's day
MODE = "mode"  # "until" or "window"
WINDOW = "window"  # width of the "last N days" window
STORIES = "stories"  # the "Group claims into stories" toggle
CONTROL_SELECTED = "control_selected"  # the "Control as the selected sources claim it" toggle
PLAYING = "playing"  # the Play toggle
STEPPED_AT = "stepped_at"  # monotonic time of play's last step
MAP = "map"  # the map component's report: centre, zoom, bounds
START_MAP = "start_map"  # (centre, zoom) the map opens at, from the link or the table's selection
SELECTED_IDS = "selected_ids"  # event ids picked in the table
TABLE = "table"  # the events table's selection
TABLE_IDS = "table_ids"  # the event ids the table's selection last held: a new one replaces the keyboard's pick
TIMELINE_BY = "timeline_by"  # the timeline's axis: "date" (event date) or "reported_on"
BELOW_MAP = "below_map"  # set once the map has been drawn: the rest of the day view follows
DATASET_KEY = "dataset_key"  # the opened file's key, to tell a new file from a rerun
LINK_NOTICES = "link_notices"  # what the link asked for that the file does not have, said once
FILE_SEEN = "file_seen"  # (path, stamp) of the events file as the page last read it
FILE_ASKED = "file_asked"  # the stamp a step last asked a full run for
STORE_SEEN = "store_seen"  # (generation, down since) of the store as the page last showed it
UPLOAD = "upload"  # the uploader
UPLOAD_DIGEST = "upload_digest"  # (file id, sha256) of the upload: its bytes are hashed once
COMPARING = "comparing"  # the "Compare two sources" toggle
COMPARE_A, COMPARE_B = "compare_a", "compare_b"
HISTORY_PLACE = "history_place"  # the place whose history is shown
# The editing section (page/editing.py): each form's fields are keyed PREFIX + field name.
SIGN_IN, SIGN_OUT = "sign_in", "sign_out"  # the buttons
FULL_RUN = "full_run"  # a number each full run of the page takes, so that a fragment tells its own reruns apart
DRAWN_IN = "drawn_in_"  # + a fragment's name: the full run it was last drawn in
LEAVING = "leaving"  # "login" or "logout": the redirect a button asked for, asked again by each run till it goes
ADD_PREFIX = "add_"  # the add form's fields
ADD_PROBLEMS = "add_problems"  # field -> the validator's message, from the last refused add
ADD_DONE = "add_done"  # (event id, how it stands) of the claim just added: said once, and the form emptied
FIX_CLAIM = "fix_claim"  # the event id being corrected
FIX_PREFIX = "fix_"  # the correction form's fields
FIX_LOADED = "fix_loaded"  # (event id, version) the correction form was loaded from: the edit's based-on version
FIX_PROBLEMS = "fix_problems"  # field -> message, from the last refused correction
FIX_STALE = "fix_stale"  # both versions of a correction refused as stale, to show side by side
FIX_REASON = "fix_reason"  # the correction's reason
FIX_RELOAD = "fix_reload"  # the "start again from their version" button
HISTORY_CLAIM = "history_claim"  # the event id whose revisions are shown
HISTORY_STORY = "history_story"  # the history of the claim's whole story, not the claim's alone
REVIEW_CLAIM, REVIEW_REASON = "review_claim", "review_reason"  # the review queue's form
DIFF_FROM, DIFF_TO = "diff_from", "diff_to"  # the two days of "what changed hands"
DIFF_ON_MAP = "diff_on_map"  # ring those places on the map
TIMELAPSE_DAYS = "timelapse_days"  # (from, to): the days of the time-lapse download
SEARCH = "f_search"  # the text search
PLACE = "f_place"  # the place filter's label, or None
RADIUS = "f_radius"  # km around the place
GROUP = "source_group"  # the affiliation groups' pills: a pick sets the source filter, then clears itself
ALL_BUT = "source_all_but"  # "All sources but": a pick sets the source filter, then clears itself


def facet_key(facet: str) -> str:
    """The key of a facet's multiselect."""
    return f"f_{facet}"


def chosen_filters() -> dict[str, list[str]]:
    """Each facet's chosen values, as the sidebar holds them (none chosen: no filter)."""
    return {facet: list(st.session_state[facet_key(facet)]) for facet in filters.FACETS}


def clear_all() -> None:
    """Every filter back to showing everything: an empty filter is no filter, so a pick after it shows its events."""
    for facet in filters.FACETS:
        st.session_state[facet_key(facet)] = []
    st.session_state[SEARCH] = ""
    st.session_state[PLACE] = None
    st.session_state[RADIUS] = view.RADIUS_KM


def pick_group(groups: dict[str, list[str]]) -> None:
    """Only the sources of the affiliation picked; the pills then show no pick, as a row of buttons would."""
    picked = st.session_state.get(GROUP)
    if picked in groups:
        st.session_state[facet_key("source")] = list(groups[picked])
    st.session_state[GROUP] = None


def all_but(sources: list[str]) -> None:
    """Every source but the one picked; the picker is then empty again."""
    left_out = st.session_state.get(ALL_BUT)
    if left_out is not None:
        st.session_state[facet_key("source")] = [s for s in sources if s != left_out]
    st.session_state[ALL_BUT] = None


def move_day(days: list[dt.date], delta: int) -> None:
    position = days.index(st.session_state[DAY]) + delta if st.session_state[DAY] in days else len(days) - 1
    st.session_state[DAY] = days[min(max(position, 0), len(days) - 1)]


def start_play(days: list[dt.date]) -> None:
    """Play pressed on the last day starts from the first: otherwise it would stop at once, without a word."""
    if st.session_state.get(PLAYING) and st.session_state.get(DAY) == days[-1] and len(days) > 1:
        st.session_state[DAY] = days[0]
        st.session_state[STEPPED_AT] = time.monotonic()  # the first day is shown for a whole step


def open_view(
    key: tuple, days: list[dt.date], options: dict[str, list[str]], default_window: int, places: list[str]
) -> None:
    """Set the widgets' state when a file is opened: from the link on a session's first file and on a new
    version of the same file or store (the link holds the view as it was), else defaults."""
    before = st.session_state.get(DATASET_KEY)
    if before == key:
        return
    st.session_state[DATASET_KEY] = key
    if before is not None and key[0] == "store" and before[:2] == key[:2] and DAY in st.session_state:
        # A change merged into the same store: the view stays as the session has it now. Not as its link
        # has it: the link is written at the end of a run, so a step taken while the news came would be lost.
        keep_session_view(days, options)
        return
    keep = before is None or before[:2] == key[:2]
    params = {name: st.query_params.get_all(name) for name in st.query_params} if keep else {}
    wanted, notices = view.from_params(params, days, options, default_window, places)
    st.session_state[DAY] = wanted.day
    st.session_state[MODE] = wanted.mode
    st.session_state[WINDOW] = wanted.window
    st.session_state[STORIES] = wanted.stories
    st.session_state[CONTROL_SELECTED] = wanted.control_selected
    for facet in filters.FACETS:
        st.session_state[facet_key(facet)] = list(wanted.filters.get(facet, []))
    st.session_state[SEARCH] = wanted.search
    st.session_state[PLACE] = wanted.place
    st.session_state[RADIUS] = wanted.radius
    st.session_state[START_MAP] = (wanted.centre, wanted.zoom)
    st.session_state[LINK_NOTICES] = notices
    st.session_state[SELECTED_IDS] = []
    stale_keys = (
        COMPARE_A,
        COMPARE_B,
        TABLE,
        TABLE_IDS,
        HISTORY_PLACE,
        DIFF_FROM,
        DIFF_TO,
        TIMELAPSE_DAYS,
        GROUP,
        ALL_BUT,
    )
    for stale in stale_keys:
        st.session_state.pop(stale, None)


def keep_session_view(days: list[dt.date], options: dict[str, list[str]]) -> None:
    """The session's own view on a new version of its store: the day kept within the days, the window within
    their number, and each filter's values that are still there (a claim withdrawn may take a value away)."""
    keep_day_within(days)
    st.session_state[WINDOW] = min(max(int(st.session_state.get(WINDOW) or 1), 1), max(len(days), 1))
    for facet in filters.FACETS:
        chosen = st.session_state.get(facet_key(facet)) or []
        st.session_state[facet_key(facet)] = [v for v in chosen if v in set(options.get(facet, []))]


def take_theirs() -> None:
    """After a stale correction: load the claim's saved version into the form on the next run."""
    st.session_state[FIX_STALE] = None
    st.session_state[FIX_LOADED] = None


def keep_day_within(days: list[dt.date]) -> None:
    """The slider's day within the file's days, whatever the browser sent."""
    day = st.session_state.get(DAY)
    if not isinstance(day, dt.date) or not days[0] <= day <= days[-1]:
        st.session_state[DAY] = days[-1]


def pick_next(ids, at, delta: int) -> None:
    """The event after (or before) the picked one among the shown ``ids.iloc[at]`` (``ids``: the event_id
    column); the first (or last) if none."""
    if len(at) == 0:
        return
    shown = ids.iloc[at].to_numpy()
    picked = st.session_state.get(SELECTED_IDS, [])
    here = np.flatnonzero(np.isin(shown, picked))[:1] if picked else []
    position = (int(here[0]) + delta) % len(shown) if len(here) else (0 if delta > 0 else len(shown) - 1)
    st.session_state[SELECTED_IDS] = [shown[position]]
    st.session_state[START_MAP] = (None, None)  # the selection moves the map from now on


def pick_none() -> None:
    st.session_state[SELECTED_IDS] = []


def full_run_began() -> None:
    st.session_state[FULL_RUN] = st.session_state.get(FULL_RUN, 0) + 1


def fragment_rerun(name: str) -> bool:
    """Whether this call of the fragment ``name`` is a rerun of the fragment alone, not a full run of the page.

    A full run has just read the file or the store: asking it for another one (``st.rerun``) would only cut it
    short, and drop the click that started it (a Save pressed as a colleague's claim arrived was lost so)."""
    run, key = st.session_state.get(FULL_RUN), DRAWN_IN + name
    if st.session_state.get(key) == run:
        return True
    st.session_state[key] = run
    return False


def leave_for(where: str) -> None:
    """The Sign in or Sign out button's callback: the run it starts, and every later run of this session, ask
    for the redirect to the provider (``st.login``) or to sign-out (``st.logout``) first (``keep_leaving``)."""
    st.session_state[LEAVING] = where


def keep_leaving() -> None:
    """Ask again for the redirect a button asked for. Streamlit sends the redirect as a message that a new run
    drops if it has not yet gone out (a rerun, such as the map's first report, clears the queue); the browser
    then stayed on the page and the click was lost. The redirect ends the session, so this stops with it."""
    where = st.session_state.get(LEAVING)
    if where == "login":
        st.login()
    elif where == "logout":
        st.logout()
