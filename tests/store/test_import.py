"""``store import``: counts as validate's, twice changes nothing, a newer export updates, adds and reports missing."""

from __future__ import annotations

import json

import pandas as pd
import sqlalchemy as sa

from dashboard.geocode import read_geodata
from dashboard.pipeline import open_events
from dashboard.store.schema import claims, import_rejections, imports, revisions
from tests.support import EVENTS, FIXTURES, REPO

GEODATA = read_geodata(REPO / "geodata")


def count(store, table, *where) -> int:
    with store.engine.connect() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(table).where(*where)).scalar()


def test_the_bundled_file_imports_with_validate_s_counts(imported, store):
    expected = open_events(EVENTS, GEODATA).report()
    report = imported(EVENTS)
    assert (report["rows"], report["accepted"], report["rejected"]) == (
        expected["rows"],
        expected["accepted"],
        expected["rejected_rows"],
    )
    assert report["added"] == expected["accepted"] and report["finished"]
    assert count(store, claims) == expected["accepted"]
    assert count(store, revisions, revisions.c.action == "create") == expected["accepted"]
    assert store.last_revision() == expected["accepted"]


def test_the_current_claims_read_back_as_the_app_reads_the_file(imported, store):
    imported(EVENTS)
    from_file = open_events(EVENTS, GEODATA).events
    from_store = store.read_current()
    assert sorted(from_store.columns) == sorted(from_file.columns)
    from_store = from_store[from_file.columns]
    # A column the bundled file lacks is "str" from the validator; the store gives every native column the
    # loader's type for a column a file has, which holds the same values.
    for name in from_file.columns:
        if name not in ("date_end", "location_precision", "time_precision"):
            assert from_store[name].dtype == from_file[name].dtype, name
    pd.testing.assert_frame_equal(from_store, from_file, check_dtype=False)


def test_importing_the_same_file_twice_changes_nothing(imported, store):
    first = imported(EVENTS)
    revisions_before = store.last_revision()
    with store.engine.connect() as connection:
        before = connection.execute(sa.select(claims).order_by(claims.c.claim_id)).all()
    second = imported(EVENTS)
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 0, first["accepted"])
    assert second["missing"] == 0
    assert store.last_revision() == revisions_before
    with store.engine.connect() as connection:
        after = connection.execute(sa.select(claims).order_by(claims.c.claim_id)).all()
    content = [name for name in claims.c.keys() if name not in ("seen_import",)]
    assert [[r._mapping[n] for n in content] for r in after] == [[r._mapping[n] for n in content] for r in before]


def _native(tmp_path, name: str, frame: pd.DataFrame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_a_newer_export_updates_what_changed_adds_what_is_new_and_reports_what_is_missing(imported, store, tmp_path):
    rows = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    imported(_native(tmp_path, "claims.csv", rows), "--origin", "team file")
    newer = rows.copy()
    newer.loc[3, "description"] = "Corrected: " + newer.loc[3, "description"]
    newer.loc[7, "claim_status"] = "disputed"
    dropped = newer["event_id"].iloc[[10, 11, 12]].tolist()
    newer = newer.drop(index=[10, 11, 12])
    added = pd.DataFrame(
        [rows.iloc[0].to_dict() | {"event_id": "new-1"}, rows.iloc[1].to_dict() | {"event_id": "new-2"}]
    )
    newer = pd.concat([newer, added], ignore_index=True)
    report = imported(_native(tmp_path, "claims-2.csv", newer), "--origin", "team file")

    assert (report["added"], report["updated"], report["missing"]) == (2, 2, 3)
    assert report["unchanged"] == len(rows) - 3 - 2
    assert sorted(report["missing_listed"]) == sorted(dropped)
    assert count(store, claims) == len(rows) + 2  # nothing deleted
    with store.engine.connect() as connection:
        updates = connection.execute(
            sa.select(revisions.c.changes, revisions.c.import_id, claims.c.event_id, claims.c.version)
            .join(claims, claims.c.claim_id == revisions.c.claim_id)
            .where(revisions.c.action == "update")
            .order_by(claims.c.event_id)
        ).all()
        missing = connection.execute(sa.select(imports.c.missing).where(imports.c.import_id == report["import_id"]))
        assert missing.scalar() == 3
    assert [(u.event_id, u.import_id, u.version) for u in updates] == [
        (rows.loc[3, "event_id"], report["import_id"], 2),
        (rows.loc[7, "event_id"], report["import_id"], 2),
    ]
    assert updates[0].changes == {"description": [rows.loc[3, "description"], newer.loc[3, "description"]]}
    assert updates[1].changes == {"claim_status": [rows.loc[7, "claim_status"], "disputed"]}
    current = store.read_current().set_index("event_id")
    assert current.loc[rows.loc[7, "event_id"], "claim_status"] == "disputed"
    assert set(dropped) <= set(current.index)  # missing rows stay shown: reported, never dropped


def test_missing_rows_are_counted_against_the_same_origin_only(imported, tmp_path):
    rows = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    imported(_native(tmp_path, "a.csv", rows.iloc[:50]))
    report = imported(_native(tmp_path, "b.csv", rows.iloc[50:]))
    assert report["missing"] == 0  # another file, another origin
    again = imported(_native(tmp_path, "a.csv", rows.iloc[:40]))
    assert again["missing"] == 10


def test_rejected_rows_are_stored_as_validate_reports_them(imported, store, cli):
    code, out, _ = cli("validate", FIXTURES / "broken.csv", "--json")
    expected = json.loads(out)
    # Two rows a chunk: the duplicate event_id is in another chunk than its first line, as in a large file.
    report = imported(FIXTURES / "broken.csv", "--chunk-rows", "2")
    assert (report["rows"], report["accepted"], report["rejected"]) == (
        expected["rows"],
        expected["accepted"],
        expected["rejected_rows"],
    )
    assert report["rejected_rows"] == expected["rejected"]
    assert count(store, import_rejections) == expected["rejected_rows"]


def test_the_import_prints_rejected_rows_as_validate_does(store, cli):
    url = store.engine.url.render_as_string(hide_password=False)
    _, validated, _ = cli("validate", FIXTURES / "broken.csv")
    code, out, _ = cli("store", "import", url, FIXTURES / "broken.csv")
    assert code == 1
    listed = [line for line in validated.splitlines() if line.startswith("  line ")]
    assert listed and [line for line in out.splitlines() if line.startswith("  line ")] == listed


def test_acled_ucdp_and_geojson_files_import_as_the_app_reads_them(imported, store):
    for name in ("acled_syria.csv", "ucdp_ged.csv", "events.geojson"):
        expected = open_events(FIXTURES / name, GEODATA)
        report = imported(FIXTURES / name, "--chunk-rows", "3")
        assert report["format"] == expected.format
        assert (report["accepted"], report["rejected"]) == (expected.accepted, expected.rejected_rows), name
    current = store.read_current()
    acled = open_events(FIXTURES / "acled_syria.csv", GEODATA).events
    mine = current.loc[current["event_id"].isin(acled["event_id"])].sort_values("event_id").reset_index(drop=True)
    theirs = acled.sort_values("event_id").reset_index(drop=True)
    for name in ("date", "place", "lat", "lon", "event_type", "description", "fatalities", "admin1"):
        assert mine[name].astype(str).tolist() == theirs[name].astype(str).tolist(), name


def test_an_unusable_file_is_one_line_and_exit_2(store, cli, tmp_path):
    url = store.engine.url.render_as_string(hide_password=False)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    code, out, err = cli("store", "import", url, empty)
    assert code == 2 and "unusable: the file is empty" in err and "Traceback" not in err
    assert count(store, imports) == 0


def test_on_postgresql_an_import_leaves_every_page_of_claims_all_visible(imported, store):
    """The app reads claims_lean by an index-only scan; it reads only the index when the visibility map says
    every page is all-visible, which a vacuum after the import makes so (else the read fetched each row)."""
    if store.dialect != "postgresql":
        return  # SQLite has no visibility map: nothing to do
    for _ in range(2):  # a first import, then one that makes a new version of every row
        imported(EVENTS)
        with store.engine.connect() as connection:
            pages, visible = connection.execute(
                sa.text("SELECT relpages, relallvisible FROM pg_class WHERE oid = 'claims'::regclass")
            ).one()
        assert pages > 0 and visible == pages


def test_on_postgresql_an_import_of_a_few_claims_into_many_leaves_the_vacuum_to_autovacuum(imported, store):
    """A vacuum of every claim for one new claim took a core for seconds while every open map reran."""
    if store.dialect != "postgresql":
        return  # SQLite is never vacuumed
    from dashboard.store.importer import VACUUM_SHARE, _worth_a_vacuum

    assert _worth_a_vacuum(store, 1)  # an empty store: its first import is vacuumed
    imported(EVENTS)
    with store.engine.connect() as connection:
        counted = connection.execute(sa.text("SELECT reltuples FROM pg_class WHERE oid = 'claims'::regclass")).scalar()
    assert counted * VACUUM_SHARE > 1  # the bundled file's claims: one new claim is under the share
    assert not _worth_a_vacuum(store, 1)
    assert _worth_a_vacuum(store, int(counted * VACUUM_SHARE) + 1)


def test_a_vacuum_that_fails_after_an_import_is_a_warning_not_a_failed_import(caplog):
    from dashboard.store import Store
    from dashboard.store.importer import _vacuum, _worth_a_vacuum

    gone = Store(sa.create_engine("postgresql+psycopg://dashboard:dashboard@127.0.0.1:9/none?connect_timeout=2"))
    assert not _worth_a_vacuum(gone, 1)  # nothing asked of a store that does not answer
    _vacuum(gone)  # the store stopped answering after the import's last commit: the import is whole and done
    assert "VACUUM (ANALYZE) claims failed" in caplog.text
