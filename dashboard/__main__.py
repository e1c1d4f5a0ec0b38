"""Command line: ``python -m dashboard validate PATH`` and ``python -m dashboard snapshot``."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from . import control, export, filters
from .geocode import GeodataError, read_geodata
from .load import Limits, UnusableFile
from .model import COLUMNS
from .pipeline import open_events
from .settings import resolve

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2
CONTROL_COLUMNS = [
    "place",
    "controller",
    "since",
    "baseline",
    "changed",
    "event_id",
    "source",
    "kind",
    "governorate",
    "lat",
    "lon",
]


def _iso_day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    defaults = resolve(environ={})
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__)
    parser.add_argument("--geodata", default=defaults["geodata"], help="folder with gazetteer and borders")
    parser.add_argument(
        "--max-file-mb",
        type=int,
        default=resolve()["max_file_mb"],
        help="refuse an events file larger than this many megabytes before reading it (the max_file_mb setting)",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    check = commands.add_parser("validate", help="check an events file and report every rejected row")
    check.add_argument("path")
    check.add_argument("--json", action="store_true", help="print the report as one JSON object")

    snap = commands.add_parser("snapshot", help="write what the map shows on a day")
    snap.add_argument("--date", required=True, type=_iso_day, help="the day, YYYY-MM-DD")
    snap.add_argument("--events", default=None, help="events file (default: the events setting)")
    snap.add_argument("--layer", choices=("events", "control"), default="events")
    snap.add_argument("--format", choices=("csv", "geojson"), default="csv")
    snap.add_argument("--mode", choices=tuple(filters.MODES), default="until")
    snap.add_argument("--window", type=int, default=defaults["window_days"], help="days, with --mode window")
    return parser


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, so CSV and GeoJSON say days, not timestamps."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d").fillna("")
    return out


def _write(frame: pd.DataFrame, columns: list[str], fmt: str) -> None:
    plain = _plain(frame)
    if fmt == "geojson":
        points = (
            frame.geometry if isinstance(frame, gpd.GeoDataFrame) else gpd.points_from_xy(frame["lon"], frame["lat"])
        )
        sys.stdout.write(gpd.GeoDataFrame(plain[columns], geometry=points).to_json(drop_id=True) + "\n")
    else:
        # The same spreadsheet guard as the app's downloads: event text is whatever the file held.
        sys.stdout.write(export.guarded_csv(plain[columns]))


def _validate(args: argparse.Namespace) -> int:
    geodata = read_geodata(args.geodata)
    try:
        dataset = open_events(args.path, geodata, max_bytes=args.max_file_mb * 1_000_000, limits=Limits.of(resolve()))
    except UnusableFile as err:
        if args.json:
            print(json.dumps({"format": None, "error": str(err)}, ensure_ascii=False))
        else:
            print(f"{args.path}: unusable: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.json:
        print(json.dumps(dataset.report(), ensure_ascii=False, indent=1))
    else:
        print(f"format: {dataset.format}")
        print(f"encoding: {dataset.encoding}")
        print(f"rows read: {dataset.rows}")
        print(f"accepted: {dataset.accepted}")
        print(f"rejected: {dataset.rejected_rows}")
        if dataset.rejected_rows > len(dataset.rejected):
            print(f"  (the first {len(dataset.rejected):,} are listed; the rejected_kept setting says how many)")
        for row in dataset.rejected.to_dict(orient="records"):
            more = f" (+{row['other_problems']} more)" if row["other_problems"] else ""
            where = f", column {row['column']}" if row["column"] else ""
            unit = "feature" if dataset.format == "geojson" else "line"
            print(f"  {unit} {row['line']}{where}: {row['reason']}: {row['value']!r}{more}")
    return EXIT_REJECTED if dataset.rejected_rows else EXIT_OK


def _snapshot(args: argparse.Namespace) -> int:
    geodata = read_geodata(args.geodata)
    path = args.events or resolve()["events"]
    try:
        dataset = open_events(path, geodata, max_bytes=args.max_file_mb * 1_000_000, limits=Limits.of(resolve()))
    except UnusableFile as err:
        print(f"{path}: unusable: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    if args.layer == "events":
        shown = filters.events_on(dataset.events, args.date, args.mode, args.window)
        columns = ["line", *COLUMNS, "gazetteer_place", "located"]
        _write(shown, [c for c in columns if c != "line"], args.format)
    else:
        held = control.control_at(args.date, geodata.places, control.control_changes(dataset.events))
        held = held.assign(lat=held.geometry.y.round(4), lon=held.geometry.x.round(4))
        _write(held, CONTROL_COLUMNS, args.format)
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _validate(args) if args.command == "validate" else _snapshot(args)
    except GeodataError as err:
        print(f"geodata: {err}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
