"""Shared fixtures: the tiers, Hypothesis's profiles, the AppTest factory, the bundled dataset, the geodata.

Tiers (markers, given here by file, see ``pytest_collection_modifyitems``):

- ``pure``: functions on data, no Streamlit session, no browser;
- ``app``: the page run by Streamlit's AppTest (tests/test_app.py, tests/test_faults.py);
- ``fuzz``: Hypothesis over every loader (tests/test_fuzz.py); its examples per test come from the
  profile in ``HYPOTHESIS_PROFILE``: ``full`` (the default, `make test`) or ``fast`` (`make test-fast`);
- ``browser``: Debian's Chromium against `streamlit run` (tests/browser/);
- ``store``: the event store on SQLite and on a real PostgreSQL with PostGIS (tests/store/; `make postgres`).
"""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from dashboard.geocode import read_geodata
from tests.support import APP_SCRIPT, EVENTS, FIXTURES, HEADER, REPO, as_read, shown

__all__ = ["APP_SCRIPT", "EVENTS", "FIXTURES", "HEADER", "REPO", "as_read", "shown"]  # what tests import from here

# The full profile is the examples the fuzzers always ran (150 each, 40 for those run once per loader: see
# test_fuzz.FEW); the fast one is a smoke run of every fuzzer, for `make test-fast`.
FUZZ_DEFAULTS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture]}
settings.register_profile("full", max_examples=150, **FUZZ_DEFAULTS)
settings.register_profile("fast", max_examples=15, **FUZZ_DEFAULTS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "full"))

TIERS = {"test_app.py": "app", "test_faults.py": "app", "test_fuzz.py": "fuzz"}


FOLDER_TIERS = ("browser", "store")


def tier(path: Path) -> str:
    return path.parent.name if path.parent.name in FOLDER_TIERS else TIERS.get(path.name, "pure")


def pytest_collection_modifyitems(config, items) -> None:
    """Mark every test with its tier, from its file."""
    for item in items:
        item.add_marker(getattr(pytest.mark, tier(Path(str(item.path)))))


@pytest.fixture(autouse=True, scope="module")
def frozen_heap():
    """``open_events`` ends with a full ``gc.collect()``, which scanned every object of the session (modules,
    what AppTest's runs and Streamlit's caches keep) on each of its thousands of calls here: several tenths of
    a second a call late in a run. Each file first freezes what is there, so its collections scan only what it
    makes; the same code runs, and the frozen objects stay (in a process that ends anyway)."""
    gc.collect()
    gc.freeze()
    yield


# ---------------------------------------------------------------- data


@pytest.fixture(scope="session")
def geodata():
    return read_geodata(REPO / "geodata")


@pytest.fixture(scope="session")
def bundled() -> pd.DataFrame:
    """The bundled events.csv as text, with each row's day: what expected counts come from."""
    if not EVENTS.is_file():
        pytest.fail(f"{EVENTS} is missing: the tests run on the bundled dataset", pytrace=False)
    frame = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    frame["day"] = pd.to_datetime(frame["date"], format="ISO8601").dt.date
    return frame


@pytest.fixture(scope="session")
def loaded(geodata) -> pd.DataFrame:
    """The bundled events.csv as the app reads it (``open_events``): geocoded, with each claim's story."""
    from dashboard.pipeline import open_events

    return open_events(EVENTS, geodata).events


@pytest.fixture
def write_csv(tmp_path):
    """Write rows under the native header and return the path."""

    def write(*rows: str, header: str = HEADER) -> Path:
        path = tmp_path / "events.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return write


# ---------------------------------------------------------------- the page, through AppTest


@pytest.fixture
def app(monkeypatch):
    """``app(events=bundled, query=None, run=True, check=True, **env)``: the page on an events file, offline,
    with argv as `streamlit run` gives it, ``DASHBOARD_*`` settings from ``env`` and the link's ``query``
    parameters; run once unless ``run=False``, and checked for an exception unless ``check=False``."""
    from streamlit.testing.v1 import AppTest

    def start(events=EVENTS, *, query: dict | None = None, run: bool = True, check: bool = True, **env):
        monkeypatch.setattr("sys.argv", ["dashboard/app.py"])
        monkeypatch.setenv("DASHBOARD_EVENTS", str(events))
        monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
        for name, value in env.items():
            monkeypatch.setenv(name, str(value))
        at = AppTest.from_file(str(APP_SCRIPT), default_timeout=60)
        if query:
            at.query_params.update(query)
        if run:
            at.run()
            if check:
                assert not at.exception, at.exception
        return at

    return start
