"""Snapshots of a PostgreSQL store (``dashboard.snapshot``): a server's next start reads the file it left and
the claims changed since, and gets the frame a whole read gives; the file is not used once the store no
longer has its mark. Against a real PostgreSQL (the store fixtures)."""

from __future__ import annotations

import os
import re
import stat
import time

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard import live, snapshot
from dashboard.geocode import read_geodata
from dashboard.store import open_store
from dashboard.store.importer import import_file
from dashboard.store.reader import DETAILS, AppReader
from tests.store.conftest import pg_schema_url
from tests.support import EVENTS, REPO

pytestmark = pytest.mark.store

GEODATA = read_geodata(REPO / "geodata")


@pytest.fixture
def pg_url(pg_database) -> str:
    """A PostgreSQL store holding the bundled file."""
    url = pg_schema_url(pg_database)
    store = open_store(url)
    store.init()
    import_file(store, EVENTS, GEODATA.aliases, chunk_rows=10_000)
    store.close()
    return url


def feed(url: str, folder) -> live.Feed:
    """A server's feed with snapshots in ``folder``, from any number of claims (the app's: 200,000)."""
    return live.Feed(url, lambda at: AppReader(open_store(at)), snapshots=folder, snapshot_from=0)


def whole(url: str) -> pd.DataFrame:
    """The frame a server without snapshots reads."""
    return live.Feed(url, lambda at: AppReader(open_store(at))).reading().dataset.events


def same_claims(caught_up: pd.DataFrame, read_whole: pd.DataFrame) -> None:
    """The same frame but for the details, which a claim merged after a read keeps (``live.merged``) and the
    whole read leaves to be fetched (``store.reader.DETAILS``)."""
    pd.testing.assert_frame_equal(caught_up.drop(columns=list(DETAILS)), read_whole.drop(columns=list(DETAILS)))


def import_more(url: str, tmp_path, rows: list[str], name: str = "more.csv") -> None:
    lines = EVENTS.read_text(encoding="utf-8").splitlines()
    path = tmp_path / name
    path.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    store = open_store(url)
    import_file(store, path, GEODATA.aliases, chunk_rows=10_000)
    store.close()


NEW = "snap-001,2024-12-07,Homs,,,clash,HTS,Syrian Arab Army,,Snapshot test,other,claimed,,A new claim.,,,"


def test_the_next_start_opens_from_the_snapshot_and_reads_only_what_changed(pg_url, tmp_path):
    first = feed(pg_url, tmp_path)
    first.reading()
    assert first.opened_from == "store"
    (written,) = tmp_path.iterdir()
    assert stat.S_IMODE(written.stat().st_mode) == 0o600  # it holds the claims
    again = feed(pg_url, tmp_path)
    pd.testing.assert_frame_equal(again.reading().dataset.events, first.reading().dataset.events)
    assert again.opened_from == "snapshot"
    # A claim added and one changed after the snapshot: the next start has both, as a whole read does.
    changed = EVENTS.read_text(encoding="utf-8").splitlines()[1].replace(",Aleppo,", ",Hama,", 1)
    import_more(pg_url, tmp_path, [NEW, changed])
    later = feed(pg_url, tmp_path)
    events = later.reading().dataset.events
    assert later.opened_from == "snapshot"
    same_claims(events, whole(pg_url))
    assert "snap-001" in set(events["event_id"])
    assert set(events.loc[events["event_id"] == "syr24-001", "place"]) == {"Hama"}


def test_a_change_committed_below_the_snapshots_revision_makes_it_unused(pg_url, tmp_path):
    # A writer takes its revision, another commits a later one, the snapshot is read, then the first commits.
    store = open_store(pg_url)
    late = store.engine.connect()
    held = late.begin()
    revision = late.execute(
        sa.text("INSERT INTO revisions (claim_id, at, action, reason) SELECT min(claim_id), now(), 'update', 'late' "
                "FROM claims RETURNING revision_id")
    ).scalar()  # fmt: skip
    late.execute(
        sa.text("UPDATE claims SET place = 'Late Place', last_revision = :r WHERE claim_id = "
                "(SELECT min(claim_id) FROM claims)"),
        {"r": revision},
    )  # fmt: skip
    import_more(pg_url, tmp_path, [NEW])  # committed, with a later revision
    first = feed(pg_url, tmp_path)
    assert "Late Place" not in set(first.reading().dataset.events["place"]) and (tmp_path / "more.csv").exists()
    held.commit()
    late.close()
    store.close()
    later = feed(pg_url, tmp_path)
    events = later.reading().dataset.events
    assert later.opened_from == "store"
    assert "Late Place" in set(events["place"])


def test_a_store_made_again_at_the_same_address_does_not_use_the_old_snapshot(pg_url, tmp_path):
    feed(pg_url, tmp_path).reading()
    schema = re.search(r"search_path%3D(\w+)", pg_url).group(1)
    store = open_store(pg_url)
    with store.engine.begin() as connection:  # the same revision numbers again, made at other times
        connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    store.close()
    store = open_store(pg_url)
    store.init()
    import_file(store, EVENTS, GEODATA.aliases, chunk_rows=10_000)
    store.close()
    later = feed(pg_url, tmp_path)
    later.reading()
    assert later.opened_from == "store"


def test_a_snapshot_from_other_code_or_too_far_behind_is_not_used(pg_url, tmp_path, monkeypatch):
    feed(pg_url, tmp_path).reading()
    monkeypatch.setattr(snapshot, "code_version", lambda: "another")
    other = feed(pg_url, tmp_path)
    other.reading()
    assert other.opened_from == "store"  # and it wrote one of its own
    monkeypatch.undo()
    import_more(pg_url, tmp_path, [NEW])
    monkeypatch.setattr(live, "SNAPSHOT_CATCH_UP", 0)
    behind = feed(pg_url, tmp_path)
    same_claims(behind.reading().dataset.events, whole(pg_url))
    assert behind.opened_from == "store"
    monkeypatch.undo()
    newest = feed(pg_url, tmp_path)  # the whole read left a snapshot with the new claim
    assert "snap-001" in set(newest.reading().dataset.events["event_id"])
    assert newest.opened_from == "snapshot"


def test_a_damaged_snapshot_is_read_past(pg_url, tmp_path):
    feed(pg_url, tmp_path).reading()
    (written,) = tmp_path.iterdir()
    written.write_bytes(written.read_bytes()[:1000])
    later = feed(pg_url, tmp_path)
    later.reading()
    assert later.opened_from == "store"


def test_sqlite_stores_are_read_whole(tmp_path):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    store.init()
    import_file(store, EVENTS, GEODATA.aliases, chunk_rows=10_000)
    store.close()
    folder = tmp_path / "snapshots"
    for _ in range(2):
        one = feed(url, folder)
        one.reading()
        assert one.opened_from == "store"
    assert not folder.exists()


def test_a_snapshot_keeps_every_dtype_and_names_the_store_without_its_password(tmp_path):
    events = live.with_stories(whole_file())
    path = snapshot.path_for(tmp_path, "postgresql://app:secret@db/map")
    assert path == snapshot.path_for(tmp_path, "postgresql://app:other@db/map")
    assert "secret" not in str(path) and path != snapshot.path_for(tmp_path, "postgresql://app:secret@db/other")
    snapshot.write(path, events, {"revision": 7}, {"syr24-001": 7})
    assert snapshot.mark_of(path) == {"revision": 7}
    frame, seen = snapshot.read(path)
    pd.testing.assert_frame_equal(frame, events)
    assert seen == {"syr24-001": 7}
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left
    assert os.stat(path).st_mode & 0o077 == 0


def whole_file() -> pd.DataFrame:
    from dashboard.pipeline import open_events

    return open_events(EVENTS, GEODATA).events


def test_a_snapshot_waits_for_the_stories_and_keeps_claims_merged_before_them(pg_url, tmp_path):
    # A large store's stories are made in a thread after the read (here from any size, in 0.5 s): the
    # snapshot waits for them, and a claim merged meanwhile is in it with the read's mark.
    first = live.Feed(
        pg_url, lambda at: AppReader(open_store(at)), inline=0, after_s=0.5, snapshots=tmp_path, snapshot_from=0
    )
    assert first.reading().stories_pending
    assert not list(tmp_path.glob("*.arrow"))
    import_more(pg_url, tmp_path, [NEW])
    assert "snap-001" in set(first.reading().dataset.events["event_id"])
    deadline = time.monotonic() + 60
    while first.reading().stories_pending and time.monotonic() < deadline:
        time.sleep(0.1)
    (written,) = tmp_path.glob("*.arrow")
    later = feed(pg_url, tmp_path)
    events = later.reading().dataset.events
    assert later.opened_from == "snapshot"
    assert "snap-001" in set(events["event_id"])
    same_claims(events, whole(pg_url))


def test_the_claims_a_read_already_holds_are_not_merged_again_on_the_next_change(pg_url, tmp_path, monkeypatch):
    # The look back over the last revisions (live.LOOKBACK) hands back the bundled file's claims, all in it:
    # a server that read them whole, or from its snapshot, merges only the claim that is new.
    monkeypatch.setattr(live, "POLL_S", 0.0)
    merges, real = [], live.merged
    monkeypatch.setattr(
        live, "merged", lambda frame, changed: merges.append(sorted(changed["event_id"])) or real(frame, changed)
    )
    read_whole = feed(pg_url, tmp_path)
    read_whole.reading()
    opened = feed(pg_url, tmp_path)
    opened.reading()
    assert (read_whole.opened_from, opened.opened_from, merges) == ("store", "snapshot", [])
    import_more(pg_url, tmp_path, [NEW])
    for one in (read_whole, opened):
        assert "snap-001" in set(one.reading().dataset.events["event_id"])
    assert merges == [["snap-001"], ["snap-001"]]
