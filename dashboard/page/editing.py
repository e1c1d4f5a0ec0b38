"""The editing section, shown only with a store: add a claim, correct one, a claim's history, the review queue.

Every button here calls the one write path (``store/write.py``), which reads the person's role from the store
and refuses what it does not allow; what this section hides is only for clarity, never the guard. A refused
form keeps what was typed (the fields are keyed widgets in a ``st.form``, kept in session state) and shows the
validator's message next to each field. A correction carries the version it was loaded at: if someone else
saved first, both versions are shown side by side and the typed values stay.
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from ..columns import factorized
from ..model import CLAIM_STATUSES, CONTROLLERS, EVENT_TYPES, SOURCE_TYPES
from ..store import StoreError, claim_history, review, roles, write
from . import caches, identity, state
from .context import Opened
from .text import literal

# field -> (label, widget kind); the order is the form's.
FORM_FIELDS: dict[str, tuple[str, str]] = {
    "place": ("Place (a gazetteer name or alias; any name with lat and lon)", "place"),
    "date": ("Date (YYYY-MM-DD)", "text"),
    "date_end": ("End date (YYYY-MM-DD; empty for one day)", "text"),
    "event_type": ("Event type", "event_type"),
    "actor": ("Actor", "text"),
    "target": ("Target", "text"),
    "controller": ("Control after (who holds the place after it)", "controller"),
    "source": ("Source (its type and affiliation come from the registry when left empty)", "text"),
    "source_type": ("Source type (empty: the source registry's)", "source_type"),
    "affiliation": ("Affiliation (empty: the source registry's)", "text"),
    "claim_status": ("Claim status", "claim_status"),
    "reported_on": ("Date reported (YYYY-MM-DD)", "text"),
    "description": ("Description: who claims what", "area"),
    "url": ("URL (http or https)", "text"),
    "lat": ("Latitude (empty: the gazetteer's)", "text"),
    "lon": ("Longitude (empty: the gazetteer's)", "text"),
    "via": ("Via (how the claim reached you)", "text"),
    "location_precision": ("Location precision (1-9)", "text"),
    "time_precision": ("Time precision (1-9)", "text"),
}
CHOICES = {
    "event_type": list(EVENT_TYPES),
    "controller": [c for c in CONTROLLERS],
    "source_type": list(SOURCE_TYPES),
    "claim_status": list(CLAIM_STATUSES),
}
HISTORY_COLUMNS = ["at", "actor", "action", "field", "old", "new", "reason", "import_file"]
STORY_HISTORY_COLUMNS = ["at", "event_id", "actor", "action", "field", "old", "new", "reason", "import_file"]


def section(url: str, opened: Opened | None, places: pd.DataFrame, review_on: bool) -> None:
    """The section on the store at ``url``; while the store does not answer, a notice instead (the map stays)."""
    try:
        show(caches.store_at(url), opened, places, review_on)
    except (StoreError, sa.exc.OperationalError, sa.exc.InterfaceError) as err:
        caches.store_at.clear()  # a new engine once it answers again
        why = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        password = sa.make_url(url).password
        if password:
            why = why.replace(password, "***")
        st.warning(
            f"Editing is unavailable: the event store does not answer ({literal(why)}). Nothing was written; "
            "try again once it is back."
        )


def show(store, opened: Opened | None, places: pd.DataFrame, review_on: bool) -> None:
    """The section: who is here, then what their role lets them do."""
    st.subheader("Editing the store")
    who = identity.current()
    if who.actor is None:
        st.info(who.why_off)
        return
    role = _sign_in_bar(store, who)
    if who.actor.email is None and not who.actor.local:
        return
    if roles.allowed(role, "add"):
        with st.expander("Add a claim", expanded=bool(st.session_state.get(state.ADD_PROBLEMS))):
            add_form(store, who.actor, places, _known_sources(opened), review_on)
        with st.expander("Correct a claim", expanded=bool(st.session_state.get(state.FIX_CLAIM))):
            fix_form(store, who.actor, role, places, _known_sources(opened))
    with st.expander("A claim's history"):
        history_panel(store, who.actor, role, opened)
    if roles.allowed(role, "submit"):
        with st.expander("Review queue", expanded=roles.can_see_all(role)):
            review_queue(store, who.actor, role, opened, places)


def _sign_in_bar(store, who: identity.Identity) -> str | None:
    """Who is signed in and their role, with the sign-in or sign-out button; the role (None: none)."""
    actor = who.actor
    role = write.role(store, actor) if (actor.email or actor.local) else None
    if who.sign_in and actor.email is None:
        st.caption("Signed out: you see the published claims. Sign in to add or correct claims.")
        st.button("Sign in", on_click=state.leave_for, args=("login",), key=state.SIGN_IN)
        return None
    if actor.local:
        st.caption(
            "No sign-in is configured and this server listens on the loopback address only: you are the person "
            "at the keyboard, and admin."
        )
    else:
        st.caption(f"Signed in as {literal(actor.email)}: {role or 'no role in this store'}.")
        st.button("Sign out", on_click=state.leave_for, args=("logout",), key=state.SIGN_OUT)
    if role in (None, "viewer"):
        st.caption("You can read the published claims and their histories; an admin can give you a role.")
    return role


def _known_sources(opened: Opened | None) -> list[str]:
    """The sources the claims name, for the forms' choices: once per version of the claims (65 ms a run at 1M)."""
    if opened is None or opened.events.empty:
        return []
    events = opened.events
    return caches.derived(
        caches.content_key(opened.key), "known sources", lambda: sorted(set(factorized(events["source"])[1]))
    )


def _place_labels(places: pd.DataFrame) -> dict[str, str]:
    aliases = places["aliases"].fillna("").str.replace("|", ", ", regex=False)
    extra = (places["name_ar"].fillna("") + ", " + aliases).str.strip(", ")
    labels = places["place"] + (" (" + extra + ")").where(extra.ne(""), "")
    return dict(zip(places["place"], labels, strict=True))


def _widget(prefix: str, name: str, places: pd.DataFrame, sources: list[str]) -> None:
    """One field's widget, keyed ``prefix + name``; a choice can take a value not listed (accept_new_options)."""
    label, kind = FORM_FIELDS[name]
    key = prefix + name
    current = st.session_state.get(key)
    if kind in ("text", "area"):
        (st.text_area if kind == "area" else st.text_input)(label, key=key)
        return
    if kind == "place":
        labels = _place_labels(places.sort_values("place"))
        options, shown = list(labels), labels.get
    else:
        options, shown = list(sources if kind == "source" else CHOICES[kind]), str
    if current and current not in options:
        options = [current, *options]
    st.selectbox(label, options, index=None, key=key, format_func=lambda v: shown(v) or v, accept_new_options=True)


def _fields(prefix: str, places: pd.DataFrame, sources: list[str], problems: dict[str, str]) -> None:
    """Every field in two columns, each with the validator's message under it when refused."""
    for name, message in problems.items():  # what no field of the form shows (the event id)
        if name not in FORM_FIELDS and name != "reason":
            st.error(f"{literal(name)}: {literal(message)}", icon="⚠️")
    columns = st.columns(2)
    for i, name in enumerate(FORM_FIELDS):
        with columns[i % 2]:
            _widget(prefix, name, places, sources)
            if name in problems:
                st.error(literal(problems[name]), icon="⚠️")


def _typed(prefix: str) -> dict[str, str]:
    return {name: str(st.session_state.get(prefix + name) or "").strip() for name in FORM_FIELDS}


def _clear(prefix: str) -> None:
    for name in FORM_FIELDS:
        st.session_state.pop(prefix + name, None)


def add_form(store, actor: write.Actor, places: pd.DataFrame, sources: list[str], review_on: bool) -> None:
    """A new claim; refused, it keeps every value typed, with a message at each field at fault."""
    done = st.session_state.pop(state.ADD_DONE, None)
    if done:
        _clear(state.ADD_PREFIX)  # emptied only now: a widget's value cannot change once it is drawn
        st.success(f"Added {literal(done[0])}: {done[1]}.")
    problems = st.session_state.get(state.ADD_PROBLEMS) or {}
    with st.form("add_claim", clear_on_submit=False):
        _fields(state.ADD_PREFIX, places, sources, problems)
        reason = st.text_input("Note (optional): where this comes from", key=state.ADD_PREFIX + "reason")
        sent = st.form_submit_button("Add the claim")
    if not sent:
        return
    try:
        written = write.write(
            store, actor, write.Change("add", fields=_typed(state.ADD_PREFIX), reason=reason), review=review_on
        )
    except write.Invalid as err:
        st.session_state[state.ADD_PROBLEMS] = err.problems
        st.rerun()
    except write.Refused as err:
        st.error(f"Not added: {literal(err)}")
        return
    st.session_state[state.ADD_PROBLEMS] = {}
    st.session_state[state.ADD_DONE] = (
        written.event_id,
        "published" if written.review_state == "published" else "a draft, waiting for review",
    )
    st.rerun()


def _picked_claim(key: str) -> str:
    """The event id typed in, or the one selected in the events table."""
    selected = st.session_state.get(state.SELECTED_IDS) or []
    if selected and not st.session_state.get(key):
        st.session_state[key] = selected[0]
    return st.text_input("Event id (or select the claim in the events table)", key=key).strip()


def _load(store, actor: write.Actor, role: str | None, event_id: str) -> dict | None:
    """The claim as this person may see it, loaded into the correction form when it is not there yet."""
    row = write.claim_as_seen(store, role, actor.name, event_id)
    if row is None:
        st.caption(f"No claim {literal(event_id)} that you can see.")
        return None
    loaded = st.session_state.get(state.FIX_LOADED)
    # Loaded once per claim, not per version: a version saved by someone else while this person types must not
    # replace what they typed (their save is then refused as stale, with both versions shown).
    if loaded is None or loaded[0] != event_id:
        for name, value in write.form_texts(row).items():
            if name in FORM_FIELDS:
                st.session_state[state.FIX_PREFIX + name] = value or None
        st.session_state[state.FIX_LOADED] = (event_id, row["version"])
        st.session_state[state.FIX_PROBLEMS] = {}
    return row


def fix_form(store, actor: write.Actor, role: str | None, places: pd.DataFrame, sources: list[str]) -> None:
    """Correct any field with a reason; change its status; withdraw or restore it; submit a draft for review."""
    event_id = _picked_claim(state.FIX_CLAIM)
    if not event_id:
        return
    row = _load(store, actor, role, event_id)
    if row is None:
        return
    loaded = st.session_state[state.FIX_LOADED][1]
    st.caption(
        f"Version {loaded}; review state {row['review_state']}" + ("; withdrawn" if row["withdrawn"] else "") + "."
    )
    _show_stale()
    with st.form("fix_claim", clear_on_submit=False):
        _fields(state.FIX_PREFIX, places, sources, st.session_state.get(state.FIX_PROBLEMS) or {})
        reason = st.text_input("Reason for the change (required)", key=state.FIX_REASON)
        if "reason" in (st.session_state.get(state.FIX_PROBLEMS) or {}):
            st.error(literal(st.session_state[state.FIX_PROBLEMS]["reason"]), icon="⚠️")
        buttons = st.columns(3)
        save = buttons[0].form_submit_button("Save the correction")
        toggle = buttons[1].form_submit_button("Restore it" if row["withdrawn"] else "Withdraw it")
        submit = buttons[2].form_submit_button(
            "Submit for review", disabled=row["review_state"] not in ("draft", "rejected")
        )
    if save:
        fields = {k: v for k, v in _typed(state.FIX_PREFIX).items()}
        _fix(store, actor, write.Change("edit", event_id, fields, loaded, reason))
    elif toggle:
        _fix(
            store,
            actor,
            write.Change("restore" if row["withdrawn"] else "withdraw", event_id, based_on=loaded, reason=reason),
        )
    elif submit:
        _fix(store, actor, write.Change("submit", event_id, based_on=loaded))


def _fix(store, actor: write.Actor, change: write.Change) -> None:
    try:
        done = write.write(store, actor, change)
    except write.Invalid as err:
        st.session_state[state.FIX_PROBLEMS] = err.problems
        st.rerun()
    except write.Stale as err:
        st.session_state[state.FIX_STALE] = {
            "theirs": err.theirs,
            "yours": err.yours,
            "current": err.current,
            "based_on": err.based_on,
        }
        st.rerun()
    except write.Refused as err:
        st.error(f"Not saved: {literal(err)}")
        return
    st.session_state[state.FIX_STALE] = None
    st.session_state[state.FIX_PROBLEMS] = {}
    st.session_state[state.FIX_LOADED] = None  # load the saved version afresh
    st.session_state.pop(state.FIX_REASON, None)
    st.toast(f"{done.event_id}: {done.action} saved, now version {done.version}.")
    st.rerun()


def _show_stale() -> None:
    """Someone saved first: their version beside the typed one, and a way to take theirs up."""
    stale = st.session_state.get(state.FIX_STALE)
    if not stale:
        return
    st.warning(
        f"Someone saved this claim while you edited it: you started from version {stale['based_on']}, it is at "
        f"version {stale['current']} now. Your values are kept below; compare, then start again from theirs."
    )
    both = pd.DataFrame({"theirs (saved)": stale["theirs"], "yours (typed)": stale["yours"]})
    differs = both["theirs (saved)"].fillna("") != both["yours (typed)"].fillna("")
    st.dataframe(both.loc[differs] if differs.any() else both, width="stretch")
    st.button("Start again from their version", key=state.FIX_RELOAD, on_click=state.take_theirs)


def history_panel(store, actor: write.Actor, role: str | None, opened: Opened | None = None) -> None:
    """Every revision of one claim: who, when, what changed (old -> new) and why; imports included. Or, ticked,
    of every claim of its story together, in time order: how the story came to say what it says."""
    event_id = _picked_claim(state.HISTORY_CLAIM)
    whole = st.toggle("History of this claim's story (every claim of it, in time order)", key=state.HISTORY_STORY)
    if not event_id:
        return
    claim = write.claim_as_seen(store, role, actor.name, event_id)
    if claim is None:
        st.caption(f"No claim {literal(event_id)} that you can see.")
        return
    if whole and opened is not None:
        members = claim_history.story_of(opened.events, claim, event_id)
        table = claim_history.story_history(store, members)
        st.caption(
            f"{table['revision_id'].nunique()} revision(s) of the {len(members)} claim(s) of the story of "
            f"{literal(event_id)} ({literal(', '.join(members))}), oldest first."
        )
        st.dataframe(table[STORY_HISTORY_COLUMNS], hide_index=True, width="stretch")
        return
    table = claim_history.history(store, event_id)
    st.caption(f"{table['revision_id'].nunique()} revision(s) of {literal(event_id)}, oldest first.")
    st.dataframe(table[HISTORY_COLUMNS], hide_index=True, width="stretch")


def review_queue(store, actor: write.Actor, role: str | None, opened: Opened | None, places: pd.DataFrame) -> None:
    """The claims waiting, oldest first, with what each would change on the map; a reviewer publishes or rejects."""
    waiting = review.queue(store)
    if waiting.empty:
        st.caption("Nothing is waiting for review.")
        return
    if opened is not None:
        waiting = review.with_stories(review.with_effect(waiting, opened.events, places), opened.events)
    moving = int(waiting.get("changes_hands", pd.Series(dtype=bool)).sum())
    st.caption(
        f"{len(waiting)} claim(s) waiting, oldest first; {moving} would make a place change hands on the map "
        "(changes_hands). story_joins: the published claims of the story each would join (empty: a new story); "
        "story_status_now, and story_status and story_agreed as they would be once it is published."
    )
    shown = [c for c in review.QUEUE_COLUMNS if c in waiting.columns]
    st.dataframe(waiting[shown], hide_index=True, width="stretch")
    if not roles.can_see_all(role):
        return
    with st.form("review_claim"):
        picked = st.selectbox("Claim", list(waiting["event_id"]), key=state.REVIEW_CLAIM)
        reason = st.text_input("Reason (required to reject)", key=state.REVIEW_REASON)
        left, right = st.columns(2)
        publish = left.form_submit_button("Publish")
        reject = right.form_submit_button("Reject")
    if publish or reject:
        change = write.Change("publish" if publish else "reject", picked, reason=reason)
        try:
            done = write.write(store, actor, change)
        except write.Refused as err:
            st.error(f"Not done: {literal(err)}")
            return
        st.toast(f"{done.event_id}: {done.review_state}.")
        st.rerun()
