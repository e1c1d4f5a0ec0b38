"""``python -m dashboard store init URL | import URL FILE | export URL | status URL``.

Every failure is one line on standard error and exit 2 (the database unreachable, not a store, a file
that cannot be read); an import with rejected rows exits 1, as ``validate`` does. URLs are shown with
their password hidden.
"""

from __future__ import annotations

import argparse
import json
import sys

import sqlalchemy as sa

from ..load import Limits, UnusableFile
from ..settings import resolve
from . import StoreError, database_problem, open_store, team_cli

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2


def add_parser(commands: argparse._SubParsersAction) -> None:
    """The ``store`` command and its four subcommands, under the main parser's ``commands``."""
    defaults = resolve()
    store = commands.add_parser("store", help="the shared event store: init, import, export, status")
    actions = store.add_subparsers(dest="store_command", required=True)
    init = actions.add_parser("init", help="create or upgrade the store's tables (harmless when up to date)")
    init.add_argument("url", help="sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DATABASE")
    load = actions.add_parser("import", help="import an events file (native, ACLED, UCDP or GeoJSON)")
    load.add_argument("url")
    load.add_argument("file")
    load.add_argument(
        "--chunk-rows",
        type=int,
        default=defaults["store_chunk_rows"],
        help="rows per chunk and transaction (the store_chunk_rows setting)",
    )
    load.add_argument(
        "--origin", default=None, help="what missing rows are counted against (default: acled, ucdp, or the file name)"
    )
    load.add_argument("--json", action="store_true", help="print the report as one JSON object")
    out = actions.add_parser("export", help="write the current claims (claims_current) as CSV or GeoJSON")
    out.add_argument("url")
    out.add_argument(
        "--format",
        choices=("csv", "geojson", "vrt"),
        default="csv",
        help="csv or geojson: the claims, as the app exports them; vrt: a GDAL layer file for QGIS over a SQLite store",
    )
    out.add_argument("--out", default=None, help="file to write (default: standard output)")
    state = actions.add_parser("status", help="claims, sources, the last import and the last revision")
    state.add_argument("url")
    state.add_argument("--json", action="store_true", help="print as one JSON object")
    team_cli.add_commands(actions)


def _progress():
    """A tqdm bar on standard error, shown only when it is a terminal; and the callback that moves it."""
    from tqdm import tqdm

    bar = tqdm(total=0, unit="B", unit_scale=True, desc="import", disable=None, file=sys.stderr)

    def moved(done: int, size: int) -> None:
        bar.total = size
        bar.update(done - bar.n)

    return bar, moved


def _import(store, args: argparse.Namespace) -> int:
    from ..geocode import read_geodata
    from .importer import import_file
    from .status import rejections

    if args.chunk_rows < 1:
        print(f"--chunk-rows: expected a whole number of at least 1, got {args.chunk_rows}", file=sys.stderr)
        return EXIT_UNUSABLE
    aliases = read_geodata(args.geodata).aliases
    bar, moved = _progress()
    try:
        report = import_file(
            store,
            args.file,
            aliases,
            chunk_rows=args.chunk_rows,
            limits=Limits.of(resolve()),
            max_bytes=args.max_file_mb * 1_000_000,
            origin=args.origin,
            progress=moved,
        )
    except UnusableFile as err:
        print(f"{args.file}: unusable: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        bar.close()
    rejected = rejections(store, report.import_id)
    _print_import(report, rejected, args.json)
    return EXIT_REJECTED if report.rejected else EXIT_OK


def _print_import(report, rejected: list[dict], as_json: bool) -> None:
    from ..pipeline import rejection_line

    if as_json:
        print(json.dumps(report.as_dict() | {"rejected_rows": rejected}, ensure_ascii=False, indent=1))
        return
    for name in ("import_id", "format", "origin", "rows", "accepted", "rejected", "added", "updated", "unchanged"):
        print(f"{name}: {getattr(report, name)}")
    print(f"missing: {report.missing}")
    for event_id in report.missing_listed:
        print(f"  missing event_id: {event_id!r}")
    if report.missing > len(report.missing_listed):
        print(f"  (the first {len(report.missing_listed)} are listed)")
    if report.rejected > len(rejected):
        print(f"  (the first {len(rejected):,} rejected rows are listed; the rejected_kept setting says how many)")
    for row in rejected:
        print(rejection_line(row, report.format))


def _export(store, args: argparse.Namespace) -> int:
    from .exporter import export

    if args.out:
        with open(args.out, "wb") as handle:
            export(store, args.format, handle)
    else:
        export(store, args.format, sys.stdout.buffer)
        sys.stdout.flush()
    return EXIT_OK


def _status(store, args: argparse.Namespace) -> int:
    from .status import status

    facts = status(store)
    if args.json:
        print(json.dumps(facts, ensure_ascii=False, indent=1, default=str))
    else:
        for name, value in facts.items():
            print(f"{name}: {'' if value is None else value}")
    return EXIT_OK


def run(args: argparse.Namespace) -> int:
    """Run one ``store`` subcommand; the exit status."""
    try:
        store = open_store(args.url, create=args.store_command == "init")
    except StoreError as err:
        print(f"store: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    try:
        if args.store_command == "init":
            print(f"store: {store.url}: schema at revision {store.init()}")
            return EXIT_OK
        store.check_initialised()
        if args.store_command in team_cli.COMMANDS:
            return team_cli.run(args, store)
        return {"import": _import, "export": _export, "status": _status}[args.store_command](store, args)
    except StoreError as err:
        print(f"store: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    except sa.exc.SQLAlchemyError as err:
        # The database went away, or refused a write (another import of the same rows at the same moment):
        # the chunk's transaction was rolled back, what was committed stays, a rerun completes it.
        print(f"store: {store.url}: {database_problem(err, store.engine.url.password)}", file=sys.stderr)
        return EXIT_UNUSABLE
    finally:
        store.close()
