"""The team's ``store`` commands: the command-line twins of the page's editing section.

``store add URL --as USER [--field value | field=value ...]``, ``store edit URL EVENT_ID --as USER --reason TEXT
field=value ...``, ``store history URL EVENT_ID [--format csv|json]``, ``store grant URL EMAIL ROLE``,
``store users URL``, and the review's: ``store review URL`` (the queue), ``store submit|publish URL EVENT_ID --as
USER``, ``store reject|withdraw|restore URL EVENT_ID --as USER --reason TEXT``. Every write goes through
``write.write``, as the page's do, with ``--as``'s role read from the store; ``grant`` is the machine's operator's
(who holds the store's URL, credentials and all), so that a new store can get its first admin.

Exit status: 0 done; 1 the write was refused (the reason on standard error, a field's message per line, both
versions of a stale edit as JSON); 2 the command cannot be run (an unknown field, no such claim, a store that
does not answer).
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd
import sqlalchemy as sa

from .. import export, settings
from ..geocode import read_geodata
from ..model import COLUMNS
from . import claim_history, review, roles, schema, write

EXIT_OK, EXIT_REFUSED, EXIT_UNUSABLE = 0, 1, 2
FIELD_HELP = "the claim's fields, as --name value or name=value: " + ", ".join(write.EDITABLE)
USER_COLUMNS = ["email", "role", "granted_by", "granted_at"]


def add_commands(commands: argparse._SubParsersAction) -> None:
    """The team's commands, as sub-commands of ``store`` (``commands`` is its sub-parsers)."""
    add = commands.add_parser("add", help="add a claim as USER", description=FIELD_HELP, allow_abbrev=False)
    _url_as(add)
    add.set_defaults(takes_fields=True)
    add.add_argument("--reason", default="", help="why it is added (optional)")
    edit = commands.add_parser(
        "edit", help="correct a claim's fields as USER, with a reason", description=FIELD_HELP, allow_abbrev=False
    )
    _url_as(edit, event=True)
    edit.set_defaults(takes_fields=True)
    edit.add_argument("--reason", required=True, help="why: kept in the claim's history")
    edit.add_argument("--version", type=int, default=None, help="the version the edit is based on (refused if stale)")
    past = commands.add_parser("history", help="every revision of a claim: who, when, old -> new, why")
    past.add_argument("url")
    past.add_argument("event_id")
    past.add_argument("--format", choices=("csv", "json"), default="csv")
    past.add_argument(
        "--story", action="store_true", help="every revision of every claim of the claim's story, in time order"
    )
    give = commands.add_parser("grant", help="give EMAIL a role (viewer, editor, reviewer, admin)")
    give.add_argument("url")
    give.add_argument("email")
    give.add_argument("role", help=", ".join(f"{k}: {v}" for k, v in roles.ROLES.items()))
    users = commands.add_parser("users", help="who has which role")
    users.add_argument("url")
    users.add_argument("--format", choices=("csv", "json"), default="csv")
    waiting = commands.add_parser("review", help="the claims waiting for review, oldest first")
    waiting.add_argument("url")
    waiting.add_argument("--format", choices=("csv", "json"), default="csv")
    for action in ("submit", "publish", "reject", "withdraw", "restore"):
        one = commands.add_parser(action, help=roles.ACTIONS[action][1] + " as USER")
        _url_as(one, event=True)
        one.add_argument("--reason", required=action in write.NEEDS_REASON, default="", help="why")
        one.add_argument("--version", type=int, default=None, help="the version this is based on")


def _url_as(parser: argparse.ArgumentParser, event: bool = False) -> None:
    parser.add_argument("url")
    if event:
        parser.add_argument("event_id")
    parser.add_argument("--as", dest="actor", required=True, metavar="USER", help="the email whose role applies")


def fields_of(words: list[str]) -> dict[str, str]:
    """``--name value`` and ``name=value`` words -> {field: value}; ValueError naming what is not a field."""
    fields: dict[str, str] = {}
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word.startswith("--"):
            name, _, value = word[2:].partition("=")
            if not _:
                if not rest:
                    raise ValueError(f"{word} needs a value")
                value = rest.pop(0)
        elif "=" in word:
            name, _, value = word.partition("=")
        else:
            raise ValueError(f"{word!r} is not a field: expected name=value or --name value")
        name = name.replace("-", "_")
        if name not in COLUMNS:
            raise ValueError(f"unknown field {name!r}: expected one of {', '.join(write.EDITABLE)}")
        fields[name] = value
    return fields


def run(args: argparse.Namespace, store) -> int:
    """Run the team command ``args.store_command`` on ``store``; ``args.field_words`` are the claim's fields."""
    command = args.store_command
    try:
        fields = fields_of(getattr(args, "field_words", []) or [])
    except ValueError as err:
        print(f"store {command}: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    if command in READERS:
        return READERS[command](args, store)
    change = _change(args, fields)
    actor = write.Actor.operator() if command == "grant" else write.Actor(args.actor.strip().lower())
    aliases = read_geodata(args.geodata).aliases if command in ("add", "edit") else None
    try:
        done = write.write(store, actor, change, review=bool(settings.resolve()["review"]), aliases=aliases)
    except write.NoSuchClaim as err:
        print(f"store {command}: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    except write.Refused as err:
        _say_refused(command, err)
        return EXIT_REFUSED
    print(json.dumps(_written(done), ensure_ascii=False, default=str))
    return EXIT_OK


def _change(args: argparse.Namespace, fields: dict[str, str]) -> write.Change:
    if args.store_command == "grant":
        return write.Change("grant", email=args.email, role=args.role)
    return write.Change(
        args.store_command,
        getattr(args, "event_id", None),
        fields,
        getattr(args, "version", None),
        getattr(args, "reason", "") or "",
    )


def _written(done: write.Written) -> dict:
    return {
        "action": done.action,
        "event_id": done.event_id,
        "version": done.version,
        "review_state": done.review_state,
        "changes": done.changes,
    }


def _say_refused(command: str, err: write.Refused) -> None:
    print(f"store {command}: refused: {err}", file=sys.stderr)
    if isinstance(err, write.Invalid):
        for name, message in err.problems.items():
            print(f"  {name}: {message}", file=sys.stderr)
    if isinstance(err, write.Stale):
        both = {"based_on": err.based_on, "current": err.current, "theirs": err.theirs, "yours": err.yours}
        print(json.dumps(both, ensure_ascii=False, indent=1), file=sys.stderr)


def _table(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=1, date_format="iso") + "\n")
    else:
        sys.stdout.write(export.guarded_csv(frame))


def _history(args: argparse.Namespace, store) -> int:
    try:
        if args.story:
            return _story_history(args, store)
        if args.format == "json":
            revisions = claim_history.revisions(store, args.event_id)
            sys.stdout.write(json.dumps(revisions, ensure_ascii=False, indent=1, default=str) + "\n")
        else:
            _table(claim_history.history(store, args.event_id), "csv")
    except claim_history.UnknownClaim as err:
        print(f"store history: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK


def _story_history(args: argparse.Namespace, store) -> int:
    """``store history --story``: the claim's story (as the map groups the published claims) and every revision
    of each of its claims, in time order, each row naming its claim."""
    from .reader import read_current

    claim = write.claim_as_seen(store, "admin", "", args.event_id)
    if claim is None:
        raise claim_history.UnknownClaim(f"no claim {args.event_id!r} in the store")
    members = claim_history.story_of(read_current(store), claim, args.event_id)
    if args.format == "json":
        rows = claim_history.story_revisions(store, members)
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=1, default=str) + "\n")
    else:
        _table(claim_history.story_history(store, members), "csv")
    return EXIT_OK


def _users(args: argparse.Namespace, store) -> int:
    users = schema.users
    with store.engine.connect() as conn:
        rows = conn.execute(sa.select(users).order_by(users.c.email)).mappings().all()
    frame = pd.DataFrame(rows, columns=USER_COLUMNS)
    frame["granted_at"] = frame["granted_at"].map(lambda at: at.isoformat() if at is not None else "")
    _table(frame, args.format)
    return EXIT_OK


def _review(args: argparse.Namespace, store) -> int:
    """The queue as the page shows it: what each claim would do to the map and to the stories it would join."""
    from .reader import read_current

    waiting = review.queue(store)
    if len(waiting):
        published = read_current(store)
        waiting = review.with_effect(waiting, published, read_geodata(args.geodata).places)
        waiting = review.with_stories(waiting, published)
    shown = [c for c in review.QUEUE_COLUMNS if c in waiting.columns]
    frame = waiting[shown] if len(waiting) else pd.DataFrame(columns=shown)
    for column in frame.columns:
        frame[column] = frame[column].map(lambda v: v.isoformat() if hasattr(v, "isoformat") else v)
    _table(frame, args.format)
    return EXIT_OK


READERS = {"history": _history, "users": _users, "review": _review}
COMMANDS = ("add", "edit", "history", "grant", "users", "review", "submit", "publish", "reject", "withdraw", "restore")
