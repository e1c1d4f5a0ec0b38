"""The editing section (dashboard/page/editing.py) through Streamlit's AppTest, on a SQLite store: add a claim,
correct one, a stale correction, withdraw, the history, the review queue, and what each role is shown.

Who is at the page is ``identity.current``: the loopback rule gives the person at the keyboard (AppTest's
server address is the config's 127.0.0.1 and there is no handshake); the other roles are given by replacing
it, as sign-in would. The write path checks each write against the store whatever the page shows.
"""

from __future__ import annotations

import html
import json
import re

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from dashboard import live
from dashboard.page import identity
from dashboard.store import open_store, schema
from dashboard.store import write as w
from tests.conftest import REPO, as_read

EDITOR, REVIEWER, VIEWER = "ed@example.org", "rev@example.org", "view@example.org"
HAMA = {"date": "2024-12-05", "place": "Hama", "source": "Reuters", "event_type": "capture", "controller": "opposition"}


@pytest.fixture
def store(tmp_path):
    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    opened.init()
    operator = w.Actor.operator()
    for email, role in ((EDITOR, "editor"), (REVIEWER, "reviewer"), (VIEWER, "viewer")):
        w.grant(opened, operator, email, role)
    w.add(opened, operator, {**HAMA, "event_id": "hama-1"})
    yield opened
    opened.close()


@pytest.fixture
def page(store, monkeypatch):
    """``page(who=None, review=False)``: the app on the store, run twice (the map's report brings the rest);
    ``who`` an email to be signed in as, else the loopback rule's person at the keyboard."""

    def start(who: str | None = None, review: bool = False) -> AppTest:
        monkeypatch.setattr("sys.argv", ["dashboard/app.py"])
        monkeypatch.setenv("DASHBOARD_STORE", store.engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("DASHBOARD_OFFLINE", "1")
        monkeypatch.setenv("DASHBOARD_REVIEW", "on" if review else "off")
        if who is not None:
            monkeypatch.setattr(identity, "current", lambda: identity.Identity(w.Actor(who), True))
        at = AppTest.from_file(str(REPO / "dashboard" / "app.py"), default_timeout=60).run()
        at.run()
        assert not at.exception, at.exception
        return at

    return start


def claims(store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(schema.claims).order_by(schema.claims.c.claim_id)).mappings()]


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def errors(at: AppTest) -> list[str]:
    return [as_read(e.value) for e in at.error]


def fill(at: AppTest, prefix: str, **values) -> None:
    for name, value in values.items():
        widget = at.selectbox(key=prefix + name) if name in ("place", "event_type", "controller",
                                                            "source_type", "claim_status") else None  # fmt: skip
        (widget or at.text_input(key=prefix + name)).set_value(value)


def test_without_a_store_there_is_no_editing_section(app):
    at = app()
    assert "Editing the store" not in [h.value for h in at.subheader]


def test_a_refused_claim_keeps_what_was_typed_with_a_message_at_each_field(page, store):
    at = page()
    fill(at, "add_", place="Homs", date="2024-13-01", url="javascript:alert(1)")
    button(at, "Add the claim").click().run()
    assert errors(at) == [
        "unparseable date: expected YYYY-MM-DD between 1900 and 2100",
        "missing source",
        "url must be an http:// or https:// address",
    ]
    assert (at.selectbox(key="add_place").value, at.text_input(key="add_date").value) == ("Homs", "2024-13-01")
    assert len(claims(store)) == 1


def test_a_claim_added_is_in_the_store_and_the_form_is_emptied(page, store):
    at = page()
    fill(at, "add_", place="Homs", date="2024-12-07", source="SOHR", event_type="capture", controller="opposition")
    button(at, "Add the claim").click().run()
    assert not at.exception and not errors(at)
    assert [s.value for s in at.success][0].startswith("Added team")
    added = claims(store)[-1]
    assert (added["place"], added["source"], added["review_state"]) == ("Homs", "SOHR", "published")
    assert at.selectbox(key="add_place").value is None  # the form holds nothing now


def test_with_review_on_an_added_claim_waits_in_the_queue(page, store):
    at = page(review=True)
    fill(at, "add_", place="Homs", date="2024-12-07", source="SOHR", controller="opposition")
    button(at, "Add the claim").click().run()
    assert claims(store)[-1]["review_state"] == "draft"
    assert "a draft, waiting for review" in as_read(at.success[0].value)


def test_a_correction_needs_a_reason_and_is_kept_in_the_history(page, store):
    at = page()
    at.text_input(key="fix_claim").set_value("hama-1").run()
    assert at.selectbox(key="fix_place").value == "Hama"
    at.selectbox(key="fix_claim_status").set_value("confirmed")
    button(at, "Save the correction").click().run()
    assert errors(at) == ["a reason is required to correct a claim's fields"]
    assert at.selectbox(key="fix_claim_status").value == "confirmed"
    at.text_input(key="fix_reason").set_value("SOHR and Reuters agree")
    button(at, "Save the correction").click().run()
    assert not errors(at)
    assert (claims(store)[0]["claim_status"], claims(store)[0]["version"]) == ("confirmed", 2)
    at.text_input(key="history_claim").set_value("hama-1").run()
    history = at.dataframe[-1].value
    assert list(history["action"]) == ["create"] * 10 + ["update"]  # ten fields were given at creation
    last = history.iloc[-1]
    assert (last["field"], last["old"], last["new"], last["reason"]) == (
        "claim_status",
        "",
        "confirmed",
        "SOHR and Reuters agree",
    )


def test_the_history_of_a_claim_s_story_lists_every_claim_s_revisions_in_time_order(page, store):
    w.add(store, w.Actor.operator(), {**HAMA, "source": "SOHR", "date": "2024-12-06", "event_id": "hama-2"})
    w.add(store, w.Actor.operator(), {**HAMA, "place": "Aleppo", "event_id": "aleppo-1"})
    w.write(store, w.Actor(REVIEWER), w.Change("edit", "hama-1", {"claim_status": "confirmed"}, reason="both agree"))
    at = page()
    at.text_input(key="history_claim").set_value("hama-2").run()
    at.toggle(key="history_story").set_value(True).run()
    assert not at.exception, at.exception
    history = at.dataframe[-1].value
    revisions = history.drop_duplicates(["at", "event_id", "action"])
    assert list(zip(revisions["event_id"], revisions["action"], strict=True)) == [
        ("hama-1", "create"),
        ("hama-2", "create"),
        ("hama-1", "update"),
    ]
    assert list(history["at"]) == sorted(history["at"])
    last = history.iloc[-1]
    assert (last["actor"], last["field"], last["new"], last["reason"]) == (
        REVIEWER,
        "claim_status",
        "confirmed",
        "both agree",
    )
    assert any("of the 2 claim(s) of the story of hama-2" in as_read(c.value) for c in at.caption)


def test_a_stale_correction_shows_both_versions_and_keeps_the_typed_values(page, store):
    at = page()
    at.text_input(key="fix_claim").set_value("hama-1").run()
    w.edit(store, w.Actor(REVIEWER), "hama-1", {"claim_status": "disputed"}, 1, "the army denies it")
    at.selectbox(key="fix_claim_status").set_value("confirmed")
    at.text_input(key="fix_reason").set_value("confirmed by SOHR")
    button(at, "Save the correction").click().run()
    assert "you started from version 1, it is at version 2 now" in as_read(at.warning[0].value)
    both = next(d.value for d in at.dataframe if "theirs (saved)" in d.value.columns)
    assert list(both.loc["claim_status"]) == ["disputed", "confirmed"]
    assert at.selectbox(key="fix_claim_status").value == "confirmed"
    assert claims(store)[0]["claim_status"] == "disputed"
    button(at, "Start again from their version").click().run()
    assert at.selectbox(key="fix_claim_status").value == "disputed"


def test_a_click_in_the_run_that_hears_the_stores_news_is_not_lost(page, store, monkeypatch):
    """The store's news heard during a full run no longer asks for another: that rerun dropped the click which
    started the run (a Save pressed as a colleague's claim arrived did nothing, and a CI run failed so)."""
    at = page()
    at.text_input(key="fix_claim").set_value("hama-1").run()
    at.selectbox(key="fix_claim_status").set_value("confirmed")
    at.text_input(key="fix_reason").set_value("confirmed by SOHR")
    heard = iter([True])  # the next look at the store has news, then none
    monkeypatch.setattr(live.Feed, "news", lambda feed, generation, down_since: next(heard, False))
    button(at, "Save the correction").click().run()
    assert claims(store)[0]["claim_status"] == "confirmed"


def test_withdraw_and_restore_from_the_page(page, store):
    at = page()
    at.text_input(key="fix_claim").set_value("hama-1").run()
    at.text_input(key="fix_reason").set_value("a duplicate")
    button(at, "Withdraw it").click().run()
    assert claims(store)[0]["withdrawn"] is True
    at.text_input(key="fix_reason").set_value("not a duplicate")
    button(at, "Restore it").click().run()
    assert claims(store)[0]["withdrawn"] is False


def test_the_review_queue_flags_a_place_changing_hands_and_a_reviewer_publishes(page, store):
    draft = w.add(store, w.Actor(EDITOR), {**HAMA, "place": "Homs", "date": "2024-12-06"}, review=True)
    w.write(store, w.Actor(EDITOR), w.Change("submit", draft.event_id))
    at = page(REVIEWER)
    queue = next(d.value for d in at.dataframe if "changes_hands" in d.value.columns)
    assert list(queue["event_id"]) == [draft.event_id]
    assert (queue["held_by"].iloc[0], bool(queue["changes_hands"].iloc[0])) == ("government", True)
    at.selectbox(key="review_claim").set_value(draft.event_id)
    button(at, "Publish").click().run()
    assert claims(store)[-1]["review_state"] == "published"


def test_the_review_queue_says_which_story_a_claim_would_join_and_how_it_would_stand(page, store):
    draft = w.add(store, w.Actor(EDITOR), {**HAMA, "source": "SOHR", "date": "2024-12-06"}, review=True)
    w.write(store, w.Actor(EDITOR), w.Change("submit", draft.event_id))
    at = page(REVIEWER)
    queue = next(d.value for d in at.dataframe if "story_agreed" in d.value.columns).iloc[0]
    assert (queue["story_joins"], queue["story_status_now"], queue["story_status"]) == (
        "hama-1",
        "single-source",
        "corroborated",
    )
    assert queue["story_agreed"] == "capture of Hama by opposition: 2 sources of 2 affiliations"


@pytest.mark.parametrize(
    "who, sections",
    [
        (VIEWER, ["A claim's history"]),
        (EDITOR, ["Add a claim", "Correct a claim", "A claim's history", "Review queue"]),
        (REVIEWER, ["Add a claim", "Correct a claim", "A claim's history", "Review queue"]),
        ("stranger@example.org", ["A claim's history"]),
    ],
)
def test_each_role_is_shown_what_it_may_do(page, who, sections):
    at = page(who)
    assert [e.label for e in at.expander] == sections
    if who == EDITOR:
        assert not [b for b in at.button if b.label == "Publish"]


def test_signed_out_sees_a_sign_in_button_and_nothing_to_edit(page, monkeypatch):
    monkeypatch.setattr(identity, "current", lambda: identity.Identity(w.Actor(None), True))
    at = page()
    assert [b.label for b in at.button if b.label.startswith("Sign")] == ["Sign in"]
    assert [e.label for e in at.expander] == []


def test_editing_is_off_off_the_loopback_address_without_sign_in(page, monkeypatch):
    """The loopback rule itself: the server's address read as Streamlit has it, here every interface."""
    real = identity.st.get_option
    monkeypatch.setattr(identity.st, "get_option", lambda name: "0.0.0.0" if name == "server.address" else real(name))
    at = page()
    said = [as_read(i.value) for i in at.info]
    assert any(m.startswith("Editing is off: no sign-in is configured") and "0.0.0.0" in m for m in said), said
    assert [e.label for e in at.expander] == []


def test_a_claim_s_popup_says_its_revision_last_change_and_how_to_open_its_history(page, store):
    w.write(store, w.Actor(REVIEWER), w.Change("edit", "hama-1", {"claim_status": "confirmed"}, reason="both agree"))
    at = page()
    element = next(e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium"))
    group = json.loads(element.proto.json_args)["feature_group"]
    popups = [json.loads(f'"{text}"') for text in re.findall(r'"details": "([^"]*)"', group)]
    said = html.unescape(re.search(r"<b>History:</b> ([^<]*)<br>", popups[0]).group(1))
    assert re.fullmatch(
        r"revision 2, 20\d\d-\d\d-\d\dT[\d:]+\+00:00 by rev@example\.org; select it in the events table to see "
        r"its history \(Editing the store, A claim's history\)",
        said,
    ), said
