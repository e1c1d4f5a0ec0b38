"""The dashboard page: settings, the data, then the page's sections in the order they appear on screen.

Run with ``streamlit run dashboard/app.py [-- --events PATH --offline]``. The sections live in
``dashboard/page/``; this script only calls them.
"""

from __future__ import annotations

import sys
import time

import streamlit as st

from dashboard.geocode import GeodataError
from dashboard.page import caches, data, day_view, layout, sidebar, state
from dashboard.page.context import opened
from dashboard.page.text import literal, print_time
from dashboard.pipeline import large_allocations_mapped
from dashboard.settings import resolve


def main() -> None:
    began = time.perf_counter()
    large_allocations_mapped()  # once per server: freed columns go back to the system
    # The sidebar keeps Streamlit's width: the map must start high on a laptop's screen, and the picked
    # sources' full names are written out under the source picker.
    st.set_page_config(page_title="Conflict map: who claims what", page_icon="🗺️", layout="wide")
    try:
        settings = resolve(sys.argv[1:])
    except (KeyError, ValueError) as err:
        st.error(f"Bad setting: {literal(err)}")
        st.stop()
    state.full_run_began()
    state.keep_leaving()  # a sign-in or sign-out asked for in a run a rerun cut short
    layout.style()
    try:
        geodata = caches.geodata_in(str(settings["geodata"]))
    except GeodataError as err:
        st.error(f"The map's geodata cannot be read: {literal(err)}")
        st.stop()
    name, key, dataset = data.choose_dataset(settings, geodata)
    notes = data.header(name, dataset, int(settings["rejected_shown"]))
    if dataset.events.empty:
        st.info("No event in the file could be loaded, so there is nothing to map.")
        editing_section(settings, None, geodata)  # an empty store still takes its first claim
        st.stop()
    page = opened(name, key, dataset, geodata, settings)
    state.open_view(key, page.days, page.options, int(settings["window_days"]), list(page.picks))
    data.show_link_notices(notes)
    choice = sidebar.choice(page)
    st.session_state.setdefault(state.PLAYING, False)
    day_view.show(page, choice, bool(st.session_state[state.PLAYING]))
    # The sidebar's filters are drawn after the map, though they are read before it: the browser then
    # starts the map without waiting for the filter widgets' scripts.
    sidebar.show(page, choice)
    editing_section(settings, page, geodata)
    print_time(settings["timing"], "run_ms", began)


def editing_section(settings: dict, page, geodata) -> None:
    """Adding, correcting and reviewing claims: only with a store, which holds who may do what."""
    if settings["store"]:
        from dashboard.page import editing  # the store's modules load only when a store is used

        editing.section(str(settings["store"]), page, geodata.places, bool(settings["review"]))


# Streamlit runs this script as ``__main__`` and, while it runs, puts it in ``sys.modules["__main__"]``. A
# process started from the page (an upload's parse, ``pipeline.open_apart``) imports that module again as
# ``__mp_main__``: there the page must not run.
if __name__ == "__main__":
    main()
