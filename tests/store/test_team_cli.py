"""The team's command-line twins, on SQLite and PostgreSQL: ``store add``, ``edit``, ``history`` (imports included),
``grant``, ``users``, and the review's ``submit``, ``publish``, ``reject``, ``review``, ``withdraw``, ``restore``."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pytest

from dashboard.__main__ import main
from tests.conftest import HEADER

EDITOR, REVIEWER = "ed@example.org", "rev@example.org"


def run(*argv, env=None):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def url(store_url):
    """A store made by ``store init``, with an editor and a reviewer granted by ``store grant``."""
    assert run("store", "init", store_url)[0] == 0
    for email, role in ((EDITOR, "editor"), (REVIEWER, "reviewer")):
        code, out, err = run("store", "grant", store_url, email, role)
        assert code == 0, err
    return store_url


def added(url, *fields, who=EDITOR) -> dict:
    code, out, err = run("store", "add", url, "--as", who, *fields)
    assert code == 0, err
    return json.loads(out)


def history(url, event_id) -> list[dict]:
    code, out, err = run("store", "history", url, event_id)
    assert code == 0, err
    return list(csv.DictReader(io.StringIO(out)))


HAMA = ("--date", "2024-12-05", "--place", "Hama", "source=Reuters", "--event-type", "capture", "controller=opposition")


def test_users_lists_who_has_which_role(url):
    code, out, _ = run("store", "users", url)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0
    assert [(r["email"], r["role"], r["granted_by"].startswith("local:")) for r in rows] == [
        (EDITOR, "editor", True),
        (REVIEWER, "reviewer", True),
    ]
    code, out, _ = run("store", "users", url, "--format", "json")
    assert {r["email"] for r in json.loads(out)} == {EDITOR, REVIEWER}


def test_add_takes_both_field_forms_and_edit_says_old_and_new_with_who_when_why(url):
    made = added(url, *HAMA, "--event-id", "team-1")
    assert (made["event_id"], made["version"], made["review_state"]) == ("team-1", 1, "published")
    code, out, err = run(
        "store", "edit", url, "team-1", "--as", REVIEWER, "--reason", "SOHR confirms it", "claim_status=confirmed"
    )
    assert code == 0, err
    assert json.loads(out)["changes"] == {"claim_status": [None, "confirmed"]}
    rows = history(url, "team-1")
    assert {r["action"] for r in rows} == {"create", "update"}
    update = [r for r in rows if r["action"] == "update"]
    assert [(r["field"], r["old"], r["new"], r["actor"], r["reason"]) for r in update] == [
        ("claim_status", "", "confirmed", REVIEWER, "SOHR confirms it")
    ]
    assert update[0]["at"].endswith("+00:00")
    created = {r["field"]: r["new"] for r in rows if r["action"] == "create"}
    assert (created["place"], created["source"], created["actor"] if "actor" in created else EDITOR) == (
        "Hama",
        "Reuters",
        EDITOR,
    )


def test_history_as_json_is_one_object_per_revision(url):
    added(url, *HAMA, "--event-id", "team-1")
    run("store", "withdraw", url, "team-1", "--as", EDITOR, "--reason", "a duplicate")
    run("store", "restore", url, "team-1", "--as", EDITOR, "--reason", "not a duplicate")
    code, out, _ = run("store", "history", url, "team-1", "--format", "json")
    revisions = json.loads(out)
    assert code == 0
    assert [(r["action"], r["reason"]) for r in revisions] == [
        ("create", ""),
        ("withdraw", "a duplicate"),
        ("restore", "not a duplicate"),
    ]
    assert revisions[1]["changes"] == {"withdrawn": [False, True]}


def test_history_includes_the_imports(url, tmp_path):
    path = tmp_path / "events.csv"
    row = "imp-1,2024-12-05,Hama,,,capture,,,opposition,Reuters,independent media,reported,,Hama falls,,"
    path.write_text(f"{HEADER}\n{row}\n", encoding="utf-8")
    assert run("store", "import", url, path)[0] == 0
    code, _, err = run("store", "edit", url, "imp-1", "--as", EDITOR, "--reason", "the army admits it",
                       "claim_status=confirmed")  # fmt: skip
    assert code == 0, err
    path.write_text(f"{HEADER}\n{row.replace('Hama falls', 'Hama fell')}\n", encoding="utf-8")
    assert run("store", "import", url, path)[0] == 0
    rows = history(url, "imp-1")
    assert [(r["action"], r["actor"], r["import_file"] != "") for r in rows if r["field"] in ("", "description")] == [
        ("create", "import 1", True),
        ("update", "import 2", True),
    ]
    assert [(r["old"], r["new"]) for r in rows if r["field"] == "description"] == [("Hama falls", "Hama fell")]
    # A newer file's row replaces the claim's content, the team's correction too; the history says so, and by whom.
    assert [(r["actor"], r["old"], r["new"]) for r in rows if r["field"] == "claim_status"] == [
        (EDITOR, "reported", "confirmed"),
        ("import 2", "confirmed", "reported"),
    ]


def test_refusals_exit_1_and_say_why_field_by_field(url):
    code, out, err = run("store", "add", url, "--as", EDITOR, "date=2024-13-01", "place=Hama", "source=")
    assert (code, out) == (1, "")
    assert "  date: unparseable date" in err and "  source: missing source" in err
    code, _, err = run("store", "add", url, "--as", "stranger@example.org", *HAMA)
    assert code == 1 and "has no role in this store" in err
    added(url, *HAMA, "--event-id", "team-1")
    run("store", "edit", url, "team-1", "--as", EDITOR, "--reason", "first", "claim_status=confirmed")
    code, _, err = run("store", "edit", url, "team-1", "--as", EDITOR, "--reason", "late", "--version", "1",
                       "claim_status=denied")  # fmt: skip
    assert code == 1
    both = json.loads(err[err.index("{") :])
    assert (both["based_on"], both["current"]) == (1, 2)
    assert (both["theirs"]["claim_status"], both["yours"]["claim_status"]) == ("confirmed", "denied")


@pytest.mark.parametrize(
    "argv, named",
    [
        (("add", "--as", EDITOR, "--colour", "red"), "unknown field 'colour'"),
        (("add", "--as", EDITOR, "Hama"), "'Hama' is not a field"),
        (("edit", "nope", "--as", EDITOR, "--reason", "x", "claim_status=confirmed"), "no claim 'nope'"),
        (("history", "nope"), "no claim 'nope'"),
        (("grant", "someone@example.org", "owner"), "unknown role 'owner'"),
    ],
)
def test_unknown_inputs_are_named_with_exit_2_or_1(url, argv, named):
    code, _, err = run("store", argv[0], url, *argv[1:])
    assert code in (1, 2) and named in err
    assert "Traceback" not in err


def test_review_publishes_only_through_a_reviewer(url, monkeypatch):
    monkeypatch.setenv("DASHBOARD_REVIEW", "on")
    made = added(url, *HAMA, "--event-id", "team-1")
    assert made["review_state"] == "draft"
    assert run("store", "submit", url, "team-1", "--as", EDITOR)[0] == 0
    code, out, _ = run("store", "review", url)
    assert code == 0 and [r["event_id"] for r in csv.DictReader(io.StringIO(out))] == ["team-1"]
    queued = next(csv.DictReader(io.StringIO(out)))
    assert (queued["held_by"], queued["changes_hands"], queued["story_joins"], queued["story_status"]) == (
        "government",
        "True",
        "",
        "single-source",
    )
    assert queued["story_agreed"] == "capture of Hama by opposition: 1 source"
    code, _, err = run("store", "publish", url, "team-1", "--as", EDITOR)
    assert code == 1 and "takes reviewer or above" in err
    code, out, _ = run("store", "publish", url, "team-1", "--as", REVIEWER)
    assert code == 0 and json.loads(out)["review_state"] == "published"
    code, _, err = run("store", "reject", url, "team-1", "--as", REVIEWER, "--reason", "too late")
    assert code == 1 and "published" in err


def test_history_of_a_story_lists_every_revision_of_its_claims_in_time_order(url, monkeypatch):
    added(url, *HAMA, "--event-id", "hama-a")
    added(url, *HAMA, "--event-id", "hama-b", "source=SOHR", "--date", "2024-12-06")
    added(url, "--date", "2024-12-05", "--place", "Aleppo", "source=SOHR", "--event-type", "clash", "--event-id", "far")
    for event_id, reason in (("hama-a", "Reuters confirms"), ("hama-b", "SOHR confirms")):
        code, _, err = run(
            "store", "edit", url, event_id, "--as", REVIEWER, "--reason", reason, "claim_status=confirmed"
        )
        assert code == 0, err
    code, out, err = run("store", "history", url, "hama-b", "--story")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    revisions = list(dict.fromkeys((r["revision_id"], r["event_id"], r["action"]) for r in rows))
    assert [(e, a) for _, e, a in revisions] == [
        ("hama-a", "create"),
        ("hama-b", "create"),
        ("hama-a", "update"),
        ("hama-b", "update"),
    ]
    assert [r["at"] for r in rows] == sorted(r["at"] for r in rows)
    update = rows[-1]
    assert (update["actor"], update["field"], update["old"], update["new"], update["reason"]) == (
        REVIEWER,
        "claim_status",
        "",
        "confirmed",
        "SOHR confirms",
    )
    code, out, _ = run("store", "history", url, "hama-a", "--story", "--format", "json")
    assert code == 0 and [(r["event_id"], r["action"]) for r in json.loads(out)] == [(e, a) for _, e, a in revisions]
    code, out, _ = run("store", "history", url, "far", "--story")
    assert {r["event_id"] for r in csv.DictReader(io.StringIO(out))} == {"far"}


def test_history_of_a_draft_s_story_shows_the_story_it_would_join(url, monkeypatch):
    added(url, *HAMA, "--event-id", "hama-a")
    monkeypatch.setenv("DASHBOARD_REVIEW", "on")
    assert added(url, *HAMA, "--event-id", "draft", "source=SOHR")["review_state"] == "draft"
    code, out, err = run("store", "history", url, "draft", "--story")
    assert code == 0, err
    assert list(dict.fromkeys(r["event_id"] for r in csv.DictReader(io.StringIO(out)))) == ["hama-a", "draft"]
    code, _, err = run("store", "history", url, "nobody", "--story")
    assert code == 2 and "no claim 'nobody'" in err and "Traceback" not in err
