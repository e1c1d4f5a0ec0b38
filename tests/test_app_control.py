"""Honest control in the page: control follows all sources unless asked, and says its basis (AppTest)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import REPO

GUR = "Ukraine's Main Intelligence Directorate (GUR)"


@pytest.fixture
def app(monkeypatch):
    def start(params: dict | None = None) -> AppTest:
        monkeypatch.setattr("sys.argv", ["dashboard/app.py"])
        monkeypatch.setenv("DASHBOARD_EVENTS", str(REPO / "events.csv"))
        monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60)
        at.query_params.update(params or {})
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def map_payload(at: AppTest) -> dict:
    element = next(e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium"))
    return json.loads(element.proto.json_args)


def changed_hands(at: AppTest) -> int:
    return int(next(m for m in at.metric if m.label == "Places changed hands").value)


def test_filtering_to_one_source_keeps_control_as_all_sources_claim_it(app):
    at = app({"day": "2024-12-02"})
    everyone = changed_hands(at)
    at.multiselect(key="f_source").set_value([GUR]).run()
    layers = map_payload(at)["feature_group"]
    assert "Aleppo: opposition (claimed by" in layers and "Aleppo: government" not in layers
    assert changed_hands(at) == everyone > 0


def test_control_as_the_selected_sources_claim_it_shows_no_claim_not_the_baseline(app):
    at = app({"day": "2024-12-02"})
    at.multiselect(key="f_source").set_value([GUR]).run()
    at.toggle(key="control_selected").set_value(True).run()
    layers = map_payload(at)["feature_group"]
    assert "Aleppo: no claim by these sources" in layers and "Aleppo: government" not in layers
    assert changed_hands(at) == 0
    assert at.query_params["control"] in ("selected", ["selected"])


def test_a_link_asks_for_control_as_the_selected_sources_claim_it(app):
    at = app({"day": "2024-12-02", "control": "selected", "f_source": ["Reuters"]})
    assert at.toggle(key="control_selected").value is True
    layers = map_payload(at)["feature_group"]
    assert "Aleppo: opposition (claimed by Reuters;" in layers and "Homs: no claim by these sources" in layers


def test_on_9_december_baseline_only_places_say_so_and_the_legend_names_them(app):
    at = app({"day": "2024-12-09"})
    payload = map_payload(at)
    assert at.slider(key="day").value == dt.date(2024, 12, 9)
    assert "Douma: government (baseline of 26 Nov 2024 only: no claim since then)" in payload["feature_group"]
    assert "Baniyas: government (baseline of 26 Nov 2024 only" in payload["feature_group"]
    assert "baseline only: no claim since 26 Nov 2024" in json.dumps(payload)


def test_a_place_s_history_says_when_it_fell_and_every_source_that_says_so(app):
    """ "When did Hama fall, and who says so?" in one panel: one change, with all four sources."""
    at = app().run()  # the map's first report brings the panels below it
    at.selectbox(key="history_place").set_value("Hama").run()
    assert not at.exception
    changes, claims = [
        t.value for t in at.dataframe if "sources" in t.value.columns or "claim_status" in t.value.columns
    ][-2:]
    assert changes[["from", "to"]].values.tolist() == [["government", "opposition"]]
    assert str(changes["date"].iloc[0])[:10] == "2024-12-05"
    assert len(changes["sources"].iloc[0].split("; ")) == 4
    assert claims["date"].is_monotonic_increasing and len(claims) >= 4


def test_what_changed_hands_between_two_days_lists_the_places_and_who_claims_them(app):
    at = app({"day": "2024-12-08"}).run()
    at.selectbox(key="diff_from").set_value(dt.date(2024, 12, 5)).run()
    assert not at.exception
    moved = next(t.value for t in at.dataframe if list(t.value.columns) == ["place", "from", "to", "date", "sources"])
    assert {"Daraa", "Deir ez-Zor", "Rastan"} <= set(moved["place"])
    assert moved["sources"].str.len().gt(0).all()
    assert any("changed hands between 05 Dec and 08 Dec 2024" in c.value for c in at.caption)


def test_the_places_that_changed_hands_are_ringed_on_the_map_when_asked(app):
    at = app({"day": "2024-12-08"}).run()
    at.selectbox(key="diff_from").set_value(dt.date(2024, 12, 5)).run()
    assert "changed hands: " not in map_payload(at)["feature_group"]
    at.toggle(key="diff_on_map").set_value(True).run()
    assert not at.exception
    moved = next(t.value for t in at.dataframe if list(t.value.columns) == ["place", "from", "to", "date", "sources"])
    payload = map_payload(at)["feature_group"]
    # The tooltips sit in the page's script as JSON, with <, > and → escaped (\u003c, \u2192).
    assert payload.count("\\u003c/b\\u003e changed hands: ") == len(moved)
    first = moved.iloc[0]
    assert f"{first['place']}\\u003c/b\\u003e changed hands: {first['from']} \\u2192 {first['to']}" in payload
