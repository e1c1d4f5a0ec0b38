"""Command line: ``python -m dashboard validate PATH``, ``snapshot``, ``history --place NAME``, ``diff``, ``picture``,
``timelapse``, ``sources``, and ``store init|import|export|status`` with the team's ``store`` commands
(dashboard/store/cli.py)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import pandas as pd

from . import control, export, filters, history, place_filter, publish, registry, search, step
from .geocode import GeodataError, read_geodata
from .load import Limits, UnusableFile
from .model import BASELINE_DAY, COLUMNS
from .pipeline import open_events, rejection_line
from .settings import resolve
from .store import cli as store_cli
from .view import MAX_RADIUS_KM, RADIUS_KM, View

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2
MIN_SIDE, MAX_SIDE = 64, 8000  # a picture's sides in pixels: x264 needs at least 2, and 8000 is a poster
CONTROL_COLUMNS = [
    "place",
    "controller",
    "basis",
    "sources",
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


def _days_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of days, 1 or more, got {text!r}")
    return value


def _view_options(defaults: dict) -> argparse.ArgumentParser:
    """The options that pick what a day's map shows, shared by ``snapshot``, ``picture`` and ``timelapse``."""
    view = argparse.ArgumentParser(add_help=False)
    view.add_argument("--events", default=None, help="events file (default: the events setting)")
    view.add_argument("--mode", choices=tuple(filters.MODES), default="until")
    view.add_argument("--window", type=_days_count, default=defaults["window_days"], help="days, with --mode window")
    view.add_argument(
        "--source",
        action="append",
        default=[],
        metavar="NAME",
        help="only this source's claims (repeatable: any of them), and control as they claim it with "
        "--layer control; a picture shows both",
    )
    view.add_argument(
        "--affiliation",
        action="append",
        default=[],
        metavar="NAME",
        help="only the claims of sources of this affiliation (repeatable); with --source, claims matching both",
    )
    return view


# The formats by file ending, as dashboard.picture and dashboard.timelapse name them (a test checks): those
# modules are imported only when a picture is asked for, since matplotlib takes a second to import.
PICTURE_FORMATS = ("png", "svg", "pdf")
TIMELAPSE_FORMATS = ("gif", "mp4")


def _output_options(command: argparse.ArgumentParser, formats: tuple[str, ...], defaults: dict) -> None:
    command.add_argument("--out", required=True, help=f"the file to write, ending .{' or .'.join(formats)}")
    command.add_argument("--width", type=int, default=defaults["picture_width"], help="pixels (picture_width)")
    command.add_argument("--height", type=int, default=defaults["picture_height"], help="pixels (picture_height)")


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

    view = _view_options(defaults)
    snap = commands.add_parser("snapshot", parents=[view], help="write what the map shows on a day")
    snap.add_argument("--date", required=True, type=_iso_day, help="the day, YYYY-MM-DD")
    snap.add_argument("--layer", choices=("events", "control"), default="events")
    snap.add_argument("--format", choices=("csv", "geojson"), default="csv")
    snap.add_argument("--search", default="", metavar="TEXT", help="events whose text holds every word, as the page")
    snap.add_argument("--place", default=None, metavar="NAME", help="a gazetteer place or alias, or 'NAME governorate'")
    snap.add_argument(
        "--radius-km", type=float, default=None, metavar="N", help=f"km around --place (default {RADIUS_KM})"
    )

    shot = commands.add_parser("picture", parents=[view], help="the map of a day as a PNG, SVG or PDF picture")
    shot.add_argument("--date", required=True, type=_iso_day, help="the day, YYYY-MM-DD")
    _output_options(shot, PICTURE_FORMATS, defaults)

    lapse = commands.add_parser("timelapse", parents=[view], help="the map day by day as an animated GIF or MP4")
    lapse.add_argument("--from", dest="start", required=True, type=_iso_day, help="the first day, YYYY-MM-DD")
    lapse.add_argument("--to", dest="end", required=True, type=_iso_day, help="the last day, YYYY-MM-DD")
    _output_options(lapse, TIMELAPSE_FORMATS, defaults)

    past = commands.add_parser("history", help="a place's control changes, then every claim about it")
    past.add_argument("--place", required=True, help="a gazetteer name or alias, or a place an event names")
    past.add_argument("--events", default=None, help="events file (default: the events setting)")
    past.add_argument("--format", choices=("csv", "json"), default="csv")

    diff = commands.add_parser("diff", help="the places that changed hands between two days")
    diff.add_argument("--from", dest="start", required=True, type=_iso_day, help="the first day, YYYY-MM-DD")
    diff.add_argument("--to", dest="end", required=True, type=_iso_day, help="the second day, YYYY-MM-DD")
    diff.add_argument("--events", default=None, help="events file (default: the events setting)")
    diff.add_argument("--format", choices=("csv", "json"), default="csv")

    listed = commands.add_parser("sources", help="each source with its type, affiliation, their origin and claims")
    listed.add_argument("--events", default=None, help="events file (default: the events setting)")
    listed.add_argument("--format", choices=("csv", "json"), default="csv")
    store_cli.add_parser(commands)
    return parser


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates as YYYY-MM-DD text, so CSV and GeoJSON say days, not timestamps."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[column]):
            out[column] = out[column].dt.strftime("%Y-%m-%d").fillna("")
    return out


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict]:
    return _plain(frame[columns]).to_dict(orient="records")


def _write(frame: pd.DataFrame, columns: list[str], fmt: str) -> None:
    plain = _plain(frame)
    if fmt == "json":
        sys.stdout.write(json.dumps(_records(frame, columns), ensure_ascii=False, indent=1) + "\n")
    elif fmt == "geojson":
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
            print(rejection_line(row, dataset.format))
    return EXIT_REJECTED if dataset.rejected_rows else EXIT_OK


def _opened(args: argparse.Namespace):
    """The geodata and the events file, or None after saying why the file cannot be used."""
    geodata = read_geodata(args.geodata)
    path = args.events or resolve()["events"]
    try:
        return geodata, open_events(path, geodata, max_bytes=args.max_file_mb * 1_000_000, limits=Limits.of(resolve()))
    except UnusableFile as err:
        print(f"{path}: unusable: {err}", file=sys.stderr)
        return None


def _chosen_claims(args: argparse.Namespace, events: pd.DataFrame, registry_of=None) -> pd.DataFrame | None:
    """The claims of ``--source`` and ``--affiliation`` as the page's filters take them (any of the sources,
    and any of the affiliations; a cell naming two outlets is a claim of each); None (after naming it) for a
    name the file lacks."""
    chosen = {"source": list(args.source), "affiliation": list(args.affiliation)}
    outlets = registry.EMPTY if registry_of is None else registry_of
    for what, names in chosen.items():
        known = list(dict.fromkeys(filters.facet_values(events, what)))
        for name in list(names):
            # A registry alias names the file's own spelling of the outlet: GUR is "Ukraine's Main ... (GUR)".
            same = outlets.same_outlet(name, known) if what == "source" and name not in known else [name]
            if not set(same) & set(known):
                print(f"{what} {name!r} is not in the events file", file=sys.stderr)
                return None
            names.extend(same)
    return events.loc[filters.facet_mask(events, chosen)]


def _found(args: argparse.Namespace, events: pd.DataFrame, geodata) -> pd.DataFrame | None:
    """``events`` narrowed by ``--search`` and ``--place`` as the page narrows them; None after naming a place
    or radius that cannot be used."""
    found = search.matches(search.search_text(events, geodata.places), args.search)
    if found is not None:
        events = events.loc[found]
    if args.place is None:
        if args.radius_km is not None:
            print("--radius-km needs --place", file=sys.stderr)
            return None
        return events
    pick = place_filter.resolve(args.place, geodata.places, geodata.aliases)
    if pick is None:
        print(f"place {args.place!r} is neither a gazetteer place nor a governorate", file=sys.stderr)
        return None
    km = RADIUS_KM if args.radius_km is None else args.radius_km
    if not 0 < km <= MAX_RADIUS_KM:
        print(f"--radius-km {km:g} is not between 0 and {MAX_RADIUS_KM}", file=sys.stderr)
        return None
    return events.loc[place_filter.place_mask(events, pick, km, geodata.places)]


def _snapshot(args: argparse.Namespace) -> int:
    opened = _opened(args)
    if opened is None:
        return EXIT_UNUSABLE
    geodata, dataset = opened
    chosen = dataset.events
    if args.source or args.affiliation:
        chosen = _chosen_claims(args, dataset.events, geodata.registry)
        if chosen is None:
            return EXIT_UNUSABLE
    if args.layer == "events":
        found = _found(args, chosen, geodata)
        if found is None:
            return EXIT_UNUSABLE
        shown = filters.events_on(found, args.date, args.mode, args.window)
        columns = ["line", *COLUMNS, "gazetteer_place", "located"]
        _write(shown, [c for c in columns if c != "line"], args.format)
        return EXIT_OK
    if args.search or args.place is not None or args.radius_km is not None:
        print(
            "--search and --place narrow the events layer; control follows --source and --affiliation, as the "
            "page's control does",
            file=sys.stderr,
        )
        return EXIT_UNUSABLE
    changes = control.control_changes(chosen, geodata.places)
    held = control.control_at(args.date, geodata.places, changes, claims_only=chosen is not dataset.events)
    held = held.assign(lat=held.geometry.y.round(4), lon=held.geometry.x.round(4))
    _write(held, CONTROL_COLUMNS, args.format)
    return EXIT_OK


def _history(args: argparse.Namespace) -> int:
    opened = _opened(args)
    if opened is None:
        return EXIT_UNUSABLE
    geodata, dataset = opened
    place = history.place_named(args.place, geodata.aliases, dataset.events)
    if place is None:
        print(f"place {args.place!r} is neither in the gazetteer nor named by an event", file=sys.stderr)
        return EXIT_UNUSABLE
    changes = control.control_changes(dataset.events, geodata.places)
    baseline = geodata.places.set_index("place")["baseline"].get(place, "")
    moved = history.place_changes(changes, place, baseline)
    claims = history.place_claims(dataset.events, changes, place)
    if args.format == "json":
        both = {
            "place": place,
            "baseline": baseline,
            "changes": _records(moved, history.CHANGE_COLUMNS),
            "claims": _records(claims, history.CLAIM_COLUMNS),
        }
        print(json.dumps(both, ensure_ascii=False, indent=1))
    else:
        # Two tables, the changes first, a blank line between: each with its own header.
        _write(moved, history.CHANGE_COLUMNS, "csv")
        sys.stdout.write("\n")
        _write(claims, history.CLAIM_COLUMNS, "csv")
    return EXIT_OK


def _outside(events: pd.DataFrame, *days: dt.date, before_baseline: bool = False) -> bool:
    """Whether a day is outside the data, after saying which: from the baseline day (or, for a map, the first
    event's day if earlier: the page's slider has those days) to the last day."""
    known = filters.days_of(events)
    first, last = BASELINE_DAY, max(known, default=BASELINE_DAY)
    if before_baseline and known:
        first = min(first, known[0])
    for day in days:
        if not first <= day <= last:
            said = ", the baseline," if first == BASELINE_DAY else ""
            print(f"day {day} is outside the data ({first}{said} to {last})", file=sys.stderr)
            return True
    return False


def _diff(args: argparse.Namespace) -> int:
    opened = _opened(args)
    if opened is None:
        return EXIT_UNUSABLE
    geodata, dataset = opened
    if _outside(dataset.events, args.start, args.end):
        return EXIT_UNUSABLE
    changes = control.control_changes(dataset.events, geodata.places)
    _write(history.changed_between(args.start, args.end, geodata.places, changes), history.DIFF_COLUMNS, args.format)
    return EXIT_OK


def _format_of(args: argparse.Namespace, formats: tuple[str, ...]) -> str | None:
    """The format ``--out``'s ending names, checked with its folder and the size before anything is drawn;
    None after saying why not."""
    ending = Path(args.out).suffix.lower().lstrip(".")
    if ending not in formats:
        print(f"--out {args.out!r}: expected a file ending .{' or .'.join(formats)}", file=sys.stderr)
        return None
    if not Path(args.out).resolve().parent.is_dir():
        print(f"--out {args.out!r}: cannot write (no such folder)", file=sys.stderr)
        return None
    if not (MIN_SIDE <= args.width <= MAX_SIDE and MIN_SIDE <= args.height <= MAX_SIDE):
        print(f"--width and --height: expected {MIN_SIDE} to {MAX_SIDE} pixels", file=sys.stderr)
        return None
    return ending


def _scenes_of(args: argparse.Namespace, days: list[dt.date]):
    """(geodata, the day's scenes) for ``picture`` and ``timelapse``, or an exit code after saying why not."""
    opened = _opened(args)
    if opened is None:
        return EXIT_UNUSABLE
    geodata, dataset = opened
    if _outside(dataset.events, *days, before_baseline=True):
        return EXIT_UNUSABLE
    chosen = dataset.events
    if args.source or args.affiliation:
        chosen = _chosen_claims(args, dataset.events, geodata.registry)
        if chosen is None:
            return EXIT_UNUSABLE
    from . import picture

    narrowed = chosen is not dataset.events
    facets = dataset.events.index.isin(chosen.index) if narrowed else None
    cells = control.zone_cells(geodata.places, geodata.outline)
    control_on = publish.control_from(control.control_changes(chosen, geodata.places), geodata.places, cells, narrowed)
    named = {"source": args.source, "affiliation": args.affiliation}
    view = View(
        days[0], args.mode, args.window, filters={k: v for k, v in named.items() if v}, control_selected=narrowed
    )
    limit, zoom = int(resolve()["draw_limit"]), picture.zoom_for(geodata, args.width, args.height)
    indexed = step.index_events(dataset.events)
    return geodata, publish.scenes(indexed, facets, control_on, days, view, limit, zoom)


def _write_out(args: argparse.Namespace, data: bytes) -> int:
    try:
        Path(args.out).write_bytes(data)
    except OSError as err:
        print(f"--out {args.out!r}: cannot write ({err.strerror or err})", file=sys.stderr)
        return EXIT_UNUSABLE
    return EXIT_OK


def _picture(args: argparse.Namespace) -> int:
    fmt = _format_of(args, PICTURE_FORMATS)
    made = None if fmt is None else _scenes_of(args, [args.date])
    if not isinstance(made, tuple):
        return EXIT_UNUSABLE
    from . import picture

    geodata, scenes = made
    return _write_out(args, picture.picture(geodata, next(scenes), fmt, args.width, args.height))


def _timelapse(args: argparse.Namespace) -> int:
    fmt = _format_of(args, TIMELAPSE_FORMATS)
    if fmt is None:
        return EXIT_UNUSABLE
    if args.start > args.end:
        print(f"--from {args.start} is after --to {args.end}", file=sys.stderr)
        return EXIT_UNUSABLE
    days = [args.start + dt.timedelta(days=d) for d in range((args.end - args.start).days + 1)]
    made = _scenes_of(args, days)
    if not isinstance(made, tuple):
        return EXIT_UNUSABLE
    from . import timelapse

    geodata, scenes = made
    return _write_out(args, timelapse.timelapse(geodata, scenes, fmt, args.width, args.height))


def _sources(args: argparse.Namespace) -> int:
    opened = _opened(args)
    if opened is None:
        return EXIT_UNUSABLE
    geodata, dataset = opened
    table = registry.source_table(dataset.events, geodata.registry or registry.EMPTY)
    _write(table, registry.ORIGIN_COLUMNS, args.format)
    return EXIT_OK


COMMANDS = {
    "validate": _validate,
    "snapshot": _snapshot,
    "history": _history,
    "diff": _diff,
    "picture": _picture,
    "timelapse": _timelapse,
    "sources": _sources,
    "store": store_cli.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args, rest = parser.parse_known_args(argv)
    # Only `store add` and `store edit` take words of their own: a claim's fields (--name value, name=value).
    if rest and not getattr(args, "takes_fields", False):
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    args.field_words = rest
    try:
        return COMMANDS[args.command](args)
    except GeodataError as err:
        print(f"geodata: {err}", file=sys.stderr)
        return EXIT_UNUSABLE


if __name__ == "__main__":
    sys.exit(main())
