"""Faults: an import killed midway and rerun, hostile names, a database that does not answer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pandas as pd
import sqlalchemy as sa

from dashboard.store import open_store
from dashboard.store.schema import claims, imports, metadata, revisions
from tests.serving import free_port
from tests.support import EVENTS, REPO

INJECTION = "'); DROP TABLE claims; --"


def _big_file(tmp_path, rows: int):
    """``rows`` claims made from the bundled ones, each with its own event id."""
    base = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    frame = base.sample(rows, replace=True, random_state=1).reset_index(drop=True)
    frame["event_id"] = [f"big-{i:06d}" for i in range(rows)]
    path = tmp_path / "big.csv"
    frame.to_csv(path, index=False)
    return path


def _import_process(url: str, path, chunk_rows: int) -> subprocess.Popen:
    env = os.environ | {"PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "dashboard", "store", "import", url, str(path), "--chunk-rows", str(chunk_rows)]
    return subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_an_import_killed_after_a_chunk_is_completed_by_a_rerun(store, tmp_path):
    rows, chunk = 6000, 200
    path = _big_file(tmp_path, rows)
    url = store.engine.url.render_as_string(hide_password=False)
    child = _import_process(url, path, chunk)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and child.poll() is None:
            with store.engine.connect() as connection:
                if connection.execute(sa.select(sa.func.max(imports.c.accepted))).scalar():
                    break
            time.sleep(0.01)
        child.send_signal(signal.SIGKILL)
    finally:
        child.wait()
    with store.engine.connect() as connection:
        stopped = connection.execute(sa.select(imports)).one()
        kept = connection.execute(sa.select(sa.func.count()).select_from(claims)).scalar()
    assert stopped.finished_at is None, "the import ended before it was killed: the test proves nothing"
    assert 0 < kept < rows and kept % chunk == 0  # whole chunks only
    assert kept == stopped.accepted  # the counts went with their chunk

    rerun = _import_process(url, path, chunk)
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err.decode()
    assert f"added: {rows - kept}" in out.decode() and f"unchanged: {kept}" in out.decode()
    with store.engine.connect() as connection:
        ids = connection.execute(sa.select(claims.c.event_id)).scalars().all()
        made = connection.execute(sa.select(sa.func.count()).where(revisions.c.action == "create")).scalar()
    assert sorted(ids) == [f"big-{i:06d}" for i in range(rows)]  # no duplicate, none lost
    assert made == rows


def test_hostile_names_are_stored_as_text_and_every_table_stays(store, imported, tmp_path):
    base = pd.read_csv(EVENTS, dtype=str, keep_default_na=False).head(3)
    base["event_id"] = [INJECTION, "x'; DELETE FROM revisions; --", 'a"b\\c']
    base["source"] = INJECTION
    base["actor"] = "Robert'); DROP TABLE revisions;--"
    base["lat"], base["lon"] = "35.1", "36.7"
    base["place"] = "'; UPDATE claims SET withdrawn = true; --"
    base[INJECTION] = "extra column named like an injection"
    path = tmp_path / "hostile.csv"
    base.to_csv(path, index=False)
    report = imported(path, "--origin", INJECTION)
    assert report["accepted"] == 3 and report["origin"] == INJECTION
    current = store.read_current().set_index("event_id")
    assert sorted(current.index) == sorted(base["event_id"])
    assert set(current["source"]) == {INJECTION}
    assert set(current["place"]) == {base.loc[0, "place"]}
    assert set(current[INJECTION]) == {"extra column named like an injection"}
    with store.engine.connect() as connection:
        assert set(metadata.tables) <= set(sa.inspect(connection).get_table_names())
        assert connection.execute(sa.select(sa.func.count()).where(claims.c.withdrawn)).scalar() == 0
    again = imported(path, "--origin", INJECTION)
    assert again["unchanged"] == 3


def test_a_database_that_does_not_answer_is_one_line_without_the_password(cli):
    url = f"postgresql://analyst:s3cret-pw@127.0.0.1:{free_port()}/claims"
    for command in (("init", url), ("status", url), ("import", url, EVENTS), ("export", url)):
        code, out, err = cli("store", *command)
        assert code == 2
        assert "s3cret-pw" not in out + err and "Traceback" not in err
        assert "analyst:***@127.0.0.1" in err and "does not answer" in err
        assert len(err.strip().splitlines()) == 1


def test_open_store_hides_the_password_in_its_error():
    from dashboard.store import StoreError

    try:
        open_store(f"postgresql://analyst:s3cret-pw@127.0.0.1:{free_port()}/claims")
    except StoreError as err:
        assert "s3cret-pw" not in str(err) and "***" in str(err)
    else:
        raise AssertionError("no error for a closed port")


def test_a_store_not_initialised_says_so(cli, store_url):
    if store_url.startswith("sqlite"):
        open_store(store_url).close()  # an empty SQLite file
    code, _, err = cli("store", "status", store_url)
    assert code == 2 and "not a store yet" in err and "store init" in err


def test_a_sqlite_path_that_is_not_there_is_named_not_made(cli, tmp_path):
    missing = tmp_path / "typo.db"
    for command in (("status",), ("import", EVENTS), ("export",)):
        code, _, err = cli("store", command[0], f"sqlite:///{missing}", *command[1:])
        assert code == 2 and "no such file" in err and "store init" in err
    assert not missing.exists()
