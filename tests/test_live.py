"""The store as one server reads it (dashboard/live.py): URLs shown without passwords, changes merged by event_id."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import live
from dashboard.geocode import read_geodata
from dashboard.pipeline import open_events
from tests.support import EVENTS, REPO


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://app:s3cr3t@db.example:5432/map", "postgresql://app:***@db.example:5432/map"),
        ("postgresql+psycopg://app:p%40ss:w@db/map", "postgresql+psycopg://app:***@db/map"),
        ("postgresql://app@db/map", "postgresql://app@db/map"),
        ("sqlite:///tmp/store.db", "sqlite:///tmp/store.db"),
    ],
)
def test_a_url_is_shown_without_its_password(url, shown):
    assert live.shown_url(url) == shown


def test_a_driver_message_naming_a_url_hides_its_password():
    err = OSError('connection to "postgresql://app:s3cr3t@db/map" failed\nDETAIL: more')
    assert live.reason(err) == 'connection to "postgresql://app:***@db/map" failed'


def test_psycopg_address_drops_the_driver_name():
    assert live.psycopg_dsn("postgresql+psycopg://a:b@h:1/d") == "postgresql://a:b@h:1/d"
    assert live.psycopg_dsn("sqlite:///x.db") is None


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return open_events(EVENTS, read_geodata(REPO / "geodata")).events


def test_a_changed_claim_replaces_its_row_and_a_withdrawn_one_leaves(events):
    first, second = events.iloc[0], events.iloc[1]
    changed = pd.DataFrame(
        [
            {**first.to_dict(), "description": "corrected", "withdrawn": False, "review_state": "published"},
            {**second.to_dict(), "withdrawn": True, "review_state": "published"},
            {**first.to_dict(), "event_id": "new-1", "line": 10**6, "withdrawn": False, "review_state": "draft"},
            {
                **first.to_dict(),
                "event_id": "new-2",
                "line": 10**6 + 1,
                "withdrawn": False,
                "review_state": "published",
            },
        ]
    )
    out = live.merged(events, changed)
    assert len(out) == len(events)  # one withdrawn, one new published, one draft not shown
    assert out.loc[out["event_id"].eq(first["event_id"]), "description"].tolist() == ["corrected"]
    assert second["event_id"] not in set(out["event_id"])
    assert "new-1" not in set(out["event_id"]) and "new-2" in set(out["event_id"])
    assert list(out.columns) == list(events.columns)
    assert out.dtypes.to_dict() == events.dtypes.to_dict()
    assert out["date"].is_monotonic_increasing


def test_stories_made_again_after_a_merge_equal_those_of_a_fresh_load(events):
    out = live.with_stories(live.merged(events, events.iloc[:0].assign(withdrawn=False)))
    pd.testing.assert_frame_equal(out, events, check_like=False)
