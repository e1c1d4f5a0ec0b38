"""Bugs found in the review of the page's sections, each with the behaviour that broke."""

from __future__ import annotations

import hashlib

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO


@pytest.fixture
def opened(monkeypatch):
    monkeypatch.setattr("sys.argv", ["dashboard/app.py"])
    monkeypatch.setenv("DASHBOARD_EVENTS", str(REPO / "events.csv"))
    monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
    at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
    at.run()  # the map's first report brings the sections below it
    assert not at.exception, at.exception
    return at


def _compare_notes(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown if "claim(s) by" in m.value]


def test_compare_follows_the_sidebar_filters_other_than_source(opened):
    """Found in review: the compare view ignored every filter but source, and listed claims the page had hidden."""
    opened.selectbox(key="compare_a").set_value("RIA Novosti").run()
    opened.selectbox(key="compare_b").set_value("Reuters").run()
    assert _compare_notes(opened)[0].startswith("**3 claim(s) by RIA Novosti**")
    opened.multiselect(key="f_event_type").set_value(["capture"]).run()  # RIA's three claims are of type other
    assert _compare_notes(opened)[0].startswith("**0 claim(s) by RIA Novosti**")


class _Upload:
    def __init__(self, data: bytes, file_id: str):
        self.data, self.file_id = data, file_id

    def getvalue(self) -> bytes:
        return self.data


def test_an_upload_is_hashed_once_not_on_every_run(monkeypatch):
    """Found in review: the uploaded bytes (up to 50 MB) were hashed by the cache on every full run."""
    from dashboard.page import data

    calls = []
    real = hashlib.sha256
    monkeypatch.setattr(data.hashlib, "sha256", lambda b: calls.append(len(b)) or real(b))
    monkeypatch.setattr(data.st, "session_state", {})
    upload = _Upload(b"x" * 1000, "file-1")
    digests = {data.upload_digest(upload) for _ in range(5)}
    assert digests == {real(b"x" * 1000).hexdigest()} and calls == [1000]
    data.upload_digest(_Upload(b"y", "file-2"))  # another file is hashed anew
    assert calls == [1000, 1]
