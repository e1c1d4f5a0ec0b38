"""The one write path (dashboard/store/write.py), on SQLite and on PostgreSQL: who may do what, nothing written
on a refusal, values judged by the files' validator, optimistic versions, withdraw and restore, the review
states, and two writers racing on one claim."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from dashboard.store import open_store, review, schema
from dashboard.store import write as w

EDITOR, REVIEWER, VIEWER, ADMIN = "ed@example.org", "rev@example.org", "view@example.org", "admin@example.org"
HAMA = {
    "date": "2024-12-05",
    "place": "Hama",
    "event_type": "capture",
    "controller": "opposition",
    "source": "Reuters",
    "source_type": "independent media",
    "claim_status": "reported",
    "reported_on": "2024-12-05",
    "description": "Reuters reports opposition fighters entered Hama.",
}


@pytest.fixture
def store(store_url):
    """An initialised store with one user of each role."""
    opened = open_store(store_url)
    opened.init()
    operator = w.Actor.operator()
    for email, role in ((EDITOR, "editor"), (REVIEWER, "reviewer"), (VIEWER, "viewer"), (ADMIN, "admin")):
        w.grant(opened, operator, email, role)
    yield opened
    opened.close()


def counts(store) -> dict[str, int]:
    """Rows in every table a write may touch: a refusal leaves them all as they were."""
    with store.engine.connect() as conn:
        return {
            table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (schema.claims, schema.revisions, schema.users)
        }


def claim(store, event_id: str) -> dict:
    with store.engine.connect() as conn:
        return dict(conn.execute(sa.select(schema.claims).where(schema.claims.c.event_id == event_id)).mappings().one())


def added(store, who: str = EDITOR, *, review: bool = False, **fields) -> w.Written:
    return w.add(store, w.Actor(who), {**HAMA, **fields}, review=review)


# ---------------------------------------------------------------- who may do what

# action -> the least role allowed it
LEAST = {"add": "editor", "edit": "editor", "withdraw": "editor", "publish": "reviewer", "grant": "admin"}
ROLE_OF = {"viewer": VIEWER, "editor": EDITOR, "reviewer": REVIEWER, "admin": ADMIN}
RANK = ["viewer", "editor", "reviewer", "admin"]


def attempt(store, who: w.Actor, action: str, event_id: str) -> w.Written:
    changes = {
        "add": w.Change("add", fields=HAMA),
        "edit": w.Change("edit", event_id, {"claim_status": "confirmed"}, None, "a second source confirms it"),
        "withdraw": w.Change("withdraw", event_id, reason="a duplicate"),
        "publish": w.Change("publish", event_id),
        "grant": w.Change("grant", email="new@example.org", role="editor"),
    }
    return w.write(store, who, changes[action], review=True)


@pytest.mark.parametrize("role", RANK)
def test_each_role_may_do_what_its_rank_allows_and_nothing_else(store, role):
    for action in LEAST:
        draft = added(store, review=True)
        w.write(store, w.Actor(EDITOR), w.Change("submit", draft.event_id))
        before = counts(store)
        if RANK.index(role) >= RANK.index(LEAST[action]):
            attempt(store, w.Actor(ROLE_OF[role]), action, draft.event_id)
            assert counts(store) != before, action
        else:
            with pytest.raises(w.NotAllowed, match=f"is {role}: to .* takes {LEAST[action]} or above"):
                attempt(store, w.Actor(ROLE_OF[role]), action, draft.event_id)
            assert counts(store) == before, action
            assert claim(store, draft.event_id)["version"] == 2


def test_signed_out_and_unknown_people_and_foreign_pages_write_nothing(store):
    existing = added(store)
    before = counts(store)
    for action in LEAST:
        with pytest.raises(w.SignedOut):
            attempt(store, w.Actor(None), action, existing.event_id)
        with pytest.raises(w.NotAllowed, match="has no role in this store"):
            attempt(store, w.Actor("stranger@example.org"), action, existing.event_id)
        with pytest.raises(w.ForeignOrigin):
            attempt(store, w.Actor(ADMIN, own_origin=False), action, existing.event_id)
    assert counts(store) == before


def test_a_role_taken_away_is_refused_at_the_next_write(store):
    """The role is read from the store in each write's transaction, not remembered from sign-in."""
    added(store)
    w.grant(store, w.Actor(ADMIN), EDITOR, "viewer")
    with pytest.raises(w.NotAllowed, match="is viewer"):
        added(store)


# ---------------------------------------------------------------- values, judged as a file's are


def test_bad_values_are_refused_field_by_field_with_the_validators_words(store):
    before = counts(store)
    with pytest.raises(w.Invalid) as refused:
        added(store, date="2024-13-40", source="", url="javascript:alert(1)", claim_status="rumoured")
    assert refused.value.problems == {
        "source": "missing source",
        "date": "unparseable date: expected YYYY-MM-DD between 1900 and 2100",
        "claim_status": "unknown claim_status: expected one of reported, claimed, confirmed, disputed, denied",
        "url": "url must be an http:// or https:// address",
    }
    assert counts(store) == before


def test_a_place_neither_in_the_gazetteer_nor_given_a_point_is_refused(store):
    with pytest.raises(w.Invalid) as refused:
        added(store, place="Atlantis")
    assert "not in the gazetteer" in refused.value.problems["place"]
    made = added(store, place="Atlantis", lat="35.0", lon="36.0")
    assert claim(store, made.event_id)["located"] == "event"


def test_a_claim_added_is_stored_as_a_file_would_load_it(store):
    made = added(store, place="hama", event_type="CAPTURE", source="Reut\u200bers")
    row = claim(store, made.event_id)
    assert (row["place"], row["gazetteer_place"], row["event_type"], row["source"]) == (
        "hama",
        "Hama",
        "capture",
        "Reuters",
    )
    assert row["lat"] == pytest.approx(35.13, abs=0.01) and row["located"] == "gazetteer"
    assert (row["version"], row["review_state"], row["withdrawn"]) == (1, "published", False)


# ---------------------------------------------------------------- corrections, versions, withdrawal


def test_an_edit_needs_a_reason_and_a_change(store):
    made = added(store)
    before = counts(store)
    with pytest.raises(w.Invalid) as refused:
        w.edit(store, w.Actor(EDITOR), made.event_id, {"claim_status": "confirmed"}, 1, "  ")
    assert list(refused.value.problems) == ["reason"]
    with pytest.raises(w.NothingChanged):
        w.edit(store, w.Actor(EDITOR), made.event_id, {"claim_status": "reported"}, 1, "no change")
    assert counts(store) == before


def test_an_edit_bumps_the_version_and_appends_old_and_new_with_who_and_why(store):
    made = added(store)
    done = w.edit(
        store, w.Actor(EDITOR), made.event_id, {"place": "Homs", "claim_status": "confirmed"}, 1, "it was Homs"
    )
    assert done.version == 2
    assert done.changes["place"] == ["Hama", "Homs"] and done.changes["claim_status"] == ["reported", "confirmed"]
    row = claim(store, made.event_id)
    assert (row["place"], row["gazetteer_place"], row["version"]) == ("Homs", "Homs", 2)
    with store.engine.connect() as conn:
        last = (
            conn.execute(sa.select(schema.revisions).where(schema.revisions.c.revision_id == row["last_revision"]))
            .mappings()
            .one()
        )
    assert (last["actor"], last["action"], last["reason"]) == (EDITOR, "update", "it was Homs")
    assert last["changes"]["place"] == ["Hama", "Homs"]


def test_a_stale_edit_is_refused_with_both_versions_and_writes_nothing(store):
    made = added(store)
    w.edit(store, w.Actor(REVIEWER), made.event_id, {"claim_status": "confirmed"}, 1, "confirmed by SOHR")
    before = counts(store)
    with pytest.raises(w.Stale) as stale:
        w.edit(store, w.Actor(EDITOR), made.event_id, {"claim_status": "disputed"}, 1, "the army denies it")
    assert (stale.value.based_on, stale.value.current) == (1, 2)
    assert stale.value.theirs["claim_status"] == "confirmed"
    assert stale.value.yours["claim_status"] == "disputed"
    assert counts(store) == before


def test_withdraw_hides_keeps_and_restores_with_history(store):
    made = added(store)
    w.withdraw(store, w.Actor(EDITOR), made.event_id, "a duplicate of Reuters' earlier report")
    assert claim(store, made.event_id)["withdrawn"] is True
    assert made.event_id not in set(review.visible_claims(store, "viewer", None)["event_id"])
    with pytest.raises(w.WrongState):
        w.withdraw(store, w.Actor(EDITOR), made.event_id, "again")
    w.restore(store, w.Actor(EDITOR), made.event_id, "not a duplicate after all")
    row = claim(store, made.event_id)
    assert (row["withdrawn"], row["version"]) == (False, 3)
    with store.engine.connect() as conn:
        actions = conn.execute(
            sa.select(schema.revisions.c.action, schema.revisions.c.reason)
            .where(schema.revisions.c.claim_id == row["claim_id"])
            .order_by(schema.revisions.c.revision_id)
        ).all()
    assert [tuple(a) for a in actions] == [
        ("create", ""),
        ("withdraw", "a duplicate of Reuters' earlier report"),
        ("restore", "not a duplicate after all"),
    ]


# ---------------------------------------------------------------- review


def test_review_off_publishes_an_editors_claim_and_on_keeps_it_a_draft(store):
    assert added(store).review_state == "published"
    assert added(store, review=True).review_state == "draft"


def test_a_draft_goes_to_review_then_is_published_or_rejected_with_a_reason(store):
    first, second = added(store, review=True), added(store, review=True)
    editor, reviewer = w.Actor(EDITOR), w.Actor(REVIEWER)
    assert w.write(store, editor, w.Change("submit", first.event_id)).review_state == "in_review"
    with pytest.raises(w.WrongState):
        w.write(store, editor, w.Change("submit", first.event_id))
    assert w.write(store, reviewer, w.Change("publish", first.event_id)).review_state == "published"
    with pytest.raises(w.Invalid, match="reason"):
        w.write(store, reviewer, w.Change("reject", second.event_id))
    done = w.write(store, reviewer, w.Change("reject", second.event_id, reason="no second source"))
    assert done.review_state == "rejected"
    with pytest.raises(w.WrongState):
        w.write(store, reviewer, w.Change("publish", second.event_id))


def test_who_sees_which_claims(store):
    mine = added(store, review=True)
    theirs = added(store, ADMIN, review=True)
    waiting = added(store, ADMIN, review=True)
    w.write(store, w.Actor(ADMIN), w.Change("submit", waiting.event_id))
    public = added(store)

    def seen(role, who):
        return set(review.visible_claims(store, role, who)["event_id"])

    everything = {mine.event_id, theirs.event_id, waiting.event_id, public.event_id}
    assert seen(None, None) == seen("viewer", VIEWER) == {public.event_id}
    assert seen("editor", EDITOR) == {mine.event_id, waiting.event_id, public.event_id}
    assert seen("reviewer", REVIEWER) == everything
    # An editor cannot reach another's draft through the write path either.
    with pytest.raises(w.NoSuchClaim):
        w.edit(store, w.Actor(EDITOR), theirs.event_id, {"claim_status": "confirmed"}, 1, "peeking")


def test_the_queue_lists_what_is_in_review_oldest_first(store):
    older, newer = added(store, review=True), added(store, review=True)
    for made in (older, newer):
        w.write(store, w.Actor(EDITOR), w.Change("submit", made.event_id))
    queue = review.queue(store)
    assert list(queue["event_id"]) == [older.event_id, newer.event_id]
    assert set(queue["author"]) == {EDITOR}


# ---------------------------------------------------------------- grants


def test_grant_takes_a_known_role_and_an_email(store):
    before = counts(store)
    with pytest.raises(w.Invalid, match="unknown role"):
        w.grant(store, w.Actor(ADMIN), "new@example.org", "owner")
    with pytest.raises(w.Invalid, match="not an email"):
        w.grant(store, w.Actor(ADMIN), "not an email", "editor")
    assert counts(store) == before
    w.grant(store, w.Actor(ADMIN), "New@Example.org", "reviewer")
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(schema.users).where(schema.users.c.email == "new@example.org")).mappings().one()
    assert (row["role"], row["granted_by"]) == ("reviewer", ADMIN)


# ---------------------------------------------------------------- the history cannot be rewritten


def test_revisions_refuse_update_and_delete_whoever_asks(store):
    added(store)
    for statement in ("UPDATE revisions SET reason = 'rewritten'", "DELETE FROM revisions"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.execute(sa.text(statement))
    assert counts(store)["revisions"] == 1


# ---------------------------------------------------------------- two writers, one claim


def test_two_concurrent_edits_of_one_version_have_exactly_one_winner(store):
    made = added(store)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def edit(who: str, status: str) -> None:
        barrier.wait()
        try:
            results.append(w.edit(store, w.Actor(who), made.event_id, {"claim_status": status}, 1, f"{who} says"))
        except w.Refused as err:
            results.append(err)

    threads = [threading.Thread(target=edit, args=args) for args in ((EDITOR, "confirmed"), (REVIEWER, "disputed"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    won = [r for r in results if isinstance(r, w.Written)]
    lost = [r for r in results if isinstance(r, w.Stale)]
    assert (len(won), len(lost)) == (1, 1), results
    row = claim(store, made.event_id)
    assert row["version"] == 2 and row["claim_status"] == won[0].changes["claim_status"][1]
    assert lost[0].current == 2 and lost[0].theirs["claim_status"] == row["claim_status"]
    assert counts(store)["revisions"] == 2


def test_five_writers_at_once_lose_nothing_and_keep_the_order(store):
    """Every write the store acknowledged is there, as the claim's version-th revision, and none is extra."""
    from tests.store.writers import check, prepare, run_writers

    tally = run_writers(store, prepare(store, 5), seconds=5)
    assert tally.errors == []
    # How many is the machine's business (about 30 on a quiet one); each writer got at least one through.
    assert {actor for _, _, actor, _ in tally.acknowledged} == {f"writer-{i}@example.org" for i in range(5)}
    assert check(store, tally) == []
