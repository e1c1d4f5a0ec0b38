"""The app on a store (``--store URL``), with AppTest, on SQLite and on a real PostgreSQL.

It opens the store's published claims and shows what the same file shows; a claim imported meanwhile shows
on the next run, without the store being read again whole; a store that does not answer at start is one
message naming it, password hidden, and no traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time

import pandas as pd
import pytest

from dashboard import live
from dashboard.geocode import read_geodata
from dashboard.store import open_store
from dashboard.store.importer import import_file
from tests.serving import free_port
from tests.store.own_postgres import PASSWORD, OwnPostgres, wait_for
from tests.support import EVENTS, HEADER, REPO, as_read, shown
from tests.test_app import map_payload

pytestmark = pytest.mark.app

GEODATA = read_geodata(REPO / "geodata")


def imported(url: str, path) -> None:
    """``path`` imported into the store at ``url`` (initialised first), as ``store import`` does it."""
    store = open_store(url)
    try:
        store.init()
        import_file(store, path, GEODATA.aliases, chunk_rows=10_000)
    finally:
        store.close()


def facet_counts(at) -> dict[str, list[str]]:
    return {box.key: sorted(box.options) for box in at.multiselect}


@pytest.fixture
def on_store(app, store_url):
    """``on_store(**env)``: the page on the store at ``store_url``, which holds the bundled file."""
    imported(store_url, EVENTS)

    def start(**env):
        return app(DASHBOARD_STORE=store_url, **env)

    return start


def test_the_app_on_a_store_shows_what_the_file_shows(app, on_store, store_url):
    from_file, from_store = app(), on_store()
    assert shown(from_store) == shown(from_file) == len(pd.read_csv(EVENTS))
    assert [m.value for m in from_store.metric] == [m.value for m in from_file.metric]
    assert facet_counts(from_store) == facet_counts(from_file)
    assert from_store.slider(key="day").value == from_file.slider(key="day").value
    caption = as_read(" ".join(c.value for c in from_store.caption))
    assert live.shown_url(store_url) in caption


def added_meanwhile(store_url: str, folder, id_date_place: str, description: str) -> None:
    """One capture claim by Reuters imported into the store while a page is open, and time for the page to hear."""
    added = folder / "added.csv"
    day = id_date_place.split(",")[1]
    added.write_text(
        f"{HEADER}\n{id_date_place},,,capture,HTS,,opposition,Reuters,independent media,reported,"
        f"{day},{description},,test\n",
        encoding="utf-8",
    )
    imported(store_url, added)
    time.sleep(live.POLL_S + 0.1)


def test_a_claim_imported_shows_on_the_next_run(on_store, store_url, tmp_path):
    at = on_store()
    before = shown(at)
    added_meanwhile(store_url, tmp_path, "new-claim-1,2024-12-08,Damascus", "A claim added while the page is open.")
    at.run()
    assert not at.exception
    assert shown(at) == before + 1


def test_a_step_taken_as_the_store_changes_is_kept(on_store, store_url, tmp_path):
    """Found in the load test: a step taken while a claim was being published was undone, because a new
    version of the store set the view again from the link, which a run writes only when it ends."""
    at = on_store()
    days = at.slider(key="day")
    last = days.value
    at.slider(key="day").set_value(last - dt.timedelta(days=3))
    at.query_params.clear()  # the link as a run that was cut short left it: no day of its own
    added_meanwhile(store_url, tmp_path, "new-claim-2,2024-12-01,Aleppo", "A claim published while the page steps.")
    at.run()
    assert not at.exception
    assert at.slider(key="day").value == last - dt.timedelta(days=3)


def test_a_store_down_at_start_is_one_message_with_the_password_hidden(app):
    url = f"postgresql://analyst:s3cr3t-pw@127.0.0.1:{free_port()}/nowhere"
    at = app(DASHBOARD_STORE=url)
    assert not at.exception
    errors = [as_read(e.value) for e in at.error]
    assert len(errors) == 1, errors
    assert "postgresql://analyst:***@127.0.0.1" in errors[0] and "the database does not answer" in errors[0]
    page = " ".join(str(e.value) for e in [*at.error, *at.markdown, *at.caption, *at.warning, *at.info])
    assert "s3cr3t-pw" not in page
    assert not at.metric  # nothing of a map is drawn


@pytest.fixture(scope="module")
def own_postgres():
    cluster = OwnPostgres()
    yield cluster
    cluster.close()


def test_a_store_that_goes_down_keeps_the_map_and_catches_up_when_back(app, own_postgres, tmp_path):
    imported(own_postgres.url, EVENTS)
    at = app(DASHBOARD_STORE=own_postgres.url)
    before = shown(at)
    own_postgres.stop()
    try:

        def notice():
            at.run()
            return [as_read(w.value) for w in at.warning if "unreachable since" in w.value]

        warned = wait_for(notice)
        assert warned, "no notice that the store is down"
        assert re.search(r"unreachable since \d\d:\d\d.*Showing the data read at \d\d:\d\d:\d\d", warned[0])
        assert PASSWORD not in warned[0]
        assert not at.exception and shown(at) == before  # the last data read stays on screen
    finally:
        own_postgres.start()
    added = tmp_path / "added.csv"
    added.write_text(
        HEADER + "\nback-1,2024-12-08,Homs,,,capture,HTS,,opposition,AFP,independent media,reported,"
        "2024-12-08,Read once the store is back.,,test\n",
        encoding="utf-8",
    )
    imported(own_postgres.url, added)

    def caught_up():
        at.run()
        return not at.warning and shown(at) == before + 1

    assert wait_for(caught_up), [w.value for w in at.warning]
    assert not at.exception


def test_descriptions_left_out_of_memory_are_fetched_for_the_rows_shown(app, on_store):
    tables = []
    for at in (app(), on_store()):
        at.run()  # the table follows the map's first run
        table = next(d.value for d in at.dataframe if "Description" in d.value.columns)
        tables.append(table.sort_values("Event id").reset_index(drop=True))
        assert "Synthetic" not in json.dumps(map_payload(at))  # (the bundled file has real wording only)
    pd.testing.assert_series_equal(tables[1]["Description"], tables[0]["Description"], check_dtype=False)
    assert tables[1]["Description"].str.len().gt(0).all()


def test_the_lean_frame_holds_what_the_file_holds_but_the_details(store):
    from dashboard.pipeline import open_events
    from dashboard.store.reader import DETAILS, details, read_lean

    import_file(store, EVENTS, GEODATA.aliases, chunk_rows=10_000)
    lean, full = read_lean(store), open_events(EVENTS, GEODATA).events
    full = full[[c for c in lean.columns]]
    pd.testing.assert_frame_equal(lean.drop(columns=list(DETAILS)), full.drop(columns=list(DETAILS)))
    assert lean["description"].eq("").all()
    fetched = details(store, full["event_id"].tolist()).set_index("event_id").reindex(full["event_id"])
    assert fetched["description"].tolist() == full["description"].tolist()


def test_the_lean_frame_of_an_empty_store_has_the_same_columns_and_dtypes(store):
    from dashboard.store.reader import read_lean

    empty = read_lean(store)
    import_file(store, EVENTS, GEODATA.aliases, chunk_rows=10_000)
    lean = read_lean(store)
    assert len(empty) == 0 and len(lean) > 0
    kinds = [{n: ("category", str(d.categories.dtype)) if d == "category" else str(d) for n, d in f.dtypes.items()}
             for f in (empty, lean)]  # fmt: skip
    assert kinds[0] == kinds[1]
    assert live._chunks(lean) == 1  # each text column whole: a merge slices it without a copy
