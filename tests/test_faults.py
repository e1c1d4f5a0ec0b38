"""Faults: files that change, vanish, are half written, too big, or badly wrong; geodata that is missing."""

from __future__ import annotations

import os
import threading
import time

import pytest

from dashboard import pipeline
from tests.support import EVENTS, as_read, shown

ROW = "e{n},2024-12-0{d},Hama,,,clash,,,,Reuters,monitor,reported,,d,,v"


@pytest.fixture
def run(app):
    """The page on a file, run once; an exception is for the test to look at."""
    return lambda events, **env: app(events, check=False, **env)


def aged(path, seconds: float = 5) -> None:
    """As if written ``seconds`` ago: the app waits for a file written this instant to settle."""
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_a_changed_file_is_picked_up_on_the_next_interaction(run, write_csv):
    path = write_csv(ROW.format(n=1, d=1))
    aged(path)
    at = run(path)
    assert shown(at) == 1
    write_csv(ROW.format(n=1, d=1), ROW.format(n=2, d=2))
    aged(path, 2)
    at.run()
    assert shown(at) == 2 and not at.exception


def test_a_file_that_disappears_keeps_the_last_good_data_with_a_warning(run, write_csv):
    path = write_csv(ROW.format(n=1, d=1), ROW.format(n=2, d=2))
    aged(path)
    at = run(path)
    path.unlink()
    at.run()
    assert shown(at) == 2 and not at.exception
    assert any("no longer there" in w.value for w in at.warning)


def test_a_file_being_written_is_not_shown_half_loaded(run, write_csv, monkeypatch):
    path = write_csv(ROW.format(n=1, d=1), ROW.format(n=2, d=2))
    aged(path)
    at = run(path)
    path.write_text(path.read_text()[:-30])  # cut mid-row, as a writer would leave it
    monkeypatch.setattr(pipeline, "settled_stamp", lambda p, **_: ((time.time_ns(), 1), False))
    at.run()
    assert shown(at) == 2 and not at.exception and not at.warning
    assert any("being written" in i.value for i in at.info)


def test_a_file_still_being_written_when_first_opened_is_not_shown_half_loaded(run, write_csv, monkeypatch):
    """Found in review: with no earlier version to fall back on, the first open read the half file."""
    path = write_csv(ROW.format(n=1, d=1), ROW.format(n=2, d=2))
    path.write_text(path.read_text()[:-30])  # cut mid-row, as a writer would leave it
    monkeypatch.setattr(pipeline, "settled_stamp", lambda p, **_: ((time.time_ns(), 1), False))
    at = run(path)
    assert not at.exception and not at.error
    assert any("being written" in as_read(i.value) for i in at.info)
    assert not [m for m in at.metric if m.label == "Events shown"], "the half file was shown"


def test_settled_stamp_waits_for_a_writer_to_finish(tmp_path):
    path = tmp_path / "growing.csv"
    path.write_text("a\n")

    def write() -> None:
        for _ in range(4):
            time.sleep(0.2)
            with path.open("a") as f:
                f.write("more\n")

    writer = threading.Thread(target=write)
    writer.start()
    stamp, settled = pipeline.settled_stamp(path, quiet=0.5, patience=5)
    writer.join()
    assert settled and stamp[1] == path.stat().st_size == len("a\n") + 4 * len("more\n")
    assert pipeline.settled_stamp(tmp_path / "gone.csv") == (None, True)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(run, write_csv):
    path = write_csv(*[ROW.format(n=n, d=1) for n in range(20_000)])
    aged(path)
    at = run(path, DASHBOARD_MAX_FILE_MB=1)
    assert at.error and "more than this server reads" in as_read(at.error[0].value)
    assert "max_file_mb" in as_read(at.error[0].value)
    assert not at.exception


def test_thousands_of_rejected_rows_are_summarised_not_listed(run, write_csv):
    path = write_csv(ROW.format(n=0, d=1), *[ROW.format(n=n, d=9).replace("2024-12-09", "bad") for n in range(1, 3001)])
    aged(path)
    at = run(path)
    assert shown(at) == 1
    assert any("3,000 of 3,001 rows were rejected" in w.value for w in at.warning)
    assert any("Showing the first 200" in c.value for c in at.caption)
    assert len(at.dataframe[0].value) == 200


def test_missing_geodata_gives_one_message(run, tmp_path):
    at = run(EVENTS, DASHBOARD_GEODATA=tmp_path)
    assert not at.exception and len(at.error) == 1
    assert as_read(at.error[0].value).startswith("The map's geodata cannot be read")
