"""The dashboard's settings: one table read by the command line, the app and the docs.

Each setting can be given on the command line (``--events PATH``), through an
environment variable (``DASHBOARD_EVENTS``), or left at its default. The command
line wins over the environment. Unknown settings raise.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    name: str
    default: object
    help: str

    @property
    def env(self) -> str:
        return "DASHBOARD_" + self.name.upper()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


SETTINGS: tuple[Setting, ...] = (
    Setting("events", str(REPO / "events.csv"), "Events file to open."),
    Setting("geodata", str(REPO / "geodata"), "Folder with the gazetteer, baseline and borders."),
    Setting(
        "offline",
        False,
        "Turn the online tile layer off: the page then asks no host but the app's own.",
    ),
    Setting(
        "tiles",
        "OpenStreetMap",
        "Online tile layer when not offline: OpenStreetMap or CartoDB positron.",
    ),
    Setting("play_seconds", 1.5, "Seconds per day when the play control steps through the days."),
    Setting("window_days", 3, "Default width of the 'last N days' window."),
    Setting("map_height", 600, "Height of the map in pixels."),
    Setting("rejected_shown", 200, "Rejected rows listed in the app's error panel; the rest are counted."),
    Setting(
        "upload_mb",
        50,
        "Largest file the sidebar's uploader takes, in megabytes; at most Streamlit's server.maxUploadSize "
        "(50 in .streamlit/config.toml), which the server enforces.",
    ),
    Setting(
        "max_file_mb",
        300,
        "Largest events file read from a path, in megabytes; a larger one is refused before it is read "
        "(a million rows is about 130 MB).",
    ),
    Setting(
        "draw_limit",
        600,
        "Most events drawn one by one (each costs about 1.3 kB a step); above it, the events in view are "
        "drawn as counted grid cells.",
    ),
    Setting(
        "timing",
        False,
        "Print how long each load of the events file (load_ms), run of the page (run_ms) and run of the day view "
        "(view_ms) takes, to the server's error output.",
    ),
    Setting("table_rows", 1000, "Most rows the events table lists; the counts and downloads always hold them all."),
    Setting(
        "max_columns",
        200,
        "Most columns an events file may have (a native file has 20, a UCDP GED file about 50); a file with more "
        "is refused from its header, before its rows are read. Each column costs every step and export.",
    ),
    Setting(
        "max_rows",
        2_000_000,
        "Most rows (CSV lines, or GeoJSON features) an events file may have; a file with more is refused by a count "
        "made before it is parsed. A million rows take about 1.5 GB while loading.",
    ),
    Setting(
        "rejected_kept",
        10_000,
        "Rejected rows kept in full, with line, column, value and reason; the rest are counted, and the report "
        "says how many were left out.",
    ),
    Setting(
        "upload_budget_mb",
        2000,
        "Memory the loaded uploads of all sessions may hold together, in megabytes; past it, the uploads used least "
        "recently are dropped from the cache (their sessions load them again when next needed).",
    ),
    Setting(
        "store",
        "",
        "Database URL of the shared event store (sqlite:///PATH, or postgresql://USER:PASSWORD@HOST/DATABASE with "
        "PostGIS); empty: the events file. See the README's Shared store.",
    ),
    Setting(
        "store_snapshots",
        "~/.cache/conflict-map",
        "Folder where an app server keeps a PostgreSQL store's claims as it last read them whole (from 200,000 "
        "claims), to open from at its next start, reading only what changed since; empty: none. The files hold "
        "the claims and are readable by their owner only (~ is the server's home). See the README's Shared store.",
    ),
    Setting(
        "store_chunk_rows",
        10_000,
        "Rows `store import` reads, checks and writes at a time, each chunk in one transaction: its memory is "
        "bounded by this, whatever the file's size.",
    ),
    Setting(
        "picture_width",
        1600,
        "Width in pixels of the map's picture and time-lapse (the page's and the command line's).",
    ),
    Setting("picture_height", 1000, "Height in pixels of the map's picture and time-lapse."),
    Setting(
        "timelapse_max_frames",
        31,
        "Most days the page's time-lapse holds, a frame each (under a second of the server's time a frame); "
        "a longer range is cut to its last days, and says so.",
    ),
    Setting(
        "upload_keep_minutes",
        30,
        "Minutes an uploaded file stays loaded in the cache after it was last used.",
    ),
    Setting(
        "review",
        False,
        "Review before publication, for a store: on, a claim added is a draft until a reviewer publishes it; off "
        "(one machine), an editor's claim is published as it is added.",
    ),
)


_BY_NAME = {s.name: s for s in SETTINGS}


def default(name: str) -> object:
    """The default of one setting: for the stages, whose keyword arguments default to the table's values."""
    return _BY_NAME[name].default


TILES = {
    "OpenStreetMap": (
        "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "Map tiles &copy; OpenStreetMap contributors",
    ),
    "CartoDB positron": (
        "https://{s}.basemaps.cartocdn.com/light_all/{z}/{x}/{y}.png",
        "Map tiles &copy; OpenStreetMap contributors &copy; CARTO",
    ),
}


def _coerce(setting: Setting, raw: object) -> object:
    default = setting.default
    if isinstance(default, bool):
        if isinstance(raw, bool):
            return raw
        text = str(raw).strip().lower()
        if text in {"1", "true", "yes", "on"}:
            return True
        if text in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"{setting.name}: expected true or false, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return str(raw)


def resolve(
    argv: Sequence[str] = (), environ: Mapping[str, str] | None = None, **overrides: object
) -> dict[str, object]:
    """Settings from defaults, then the environment, then ``argv``, then keyword overrides."""
    environ = os.environ if environ is None else environ
    unknown = set(overrides) - set(_BY_NAME)
    if unknown:
        raise KeyError(f"unknown setting(s): {', '.join(sorted(unknown))}")
    values = {s.name: s.default for s in SETTINGS}
    for s in SETTINGS:
        if s.env in environ:
            values[s.name] = _coerce(s, environ[s.env])
    parser = argparse.ArgumentParser(prog="dashboard", add_help=False)
    for s in SETTINGS:
        if isinstance(s.default, bool):
            parser.add_argument(s.flag, dest=s.name, action="store_const", const=True)
        else:
            parser.add_argument(s.flag, dest=s.name)
    parsed, rest = parser.parse_known_args(list(argv))
    if rest:
        raise KeyError(f"unknown setting(s): {' '.join(rest)}")
    for name, raw in vars(parsed).items():
        if raw is not None:
            values[name] = _coerce(_BY_NAME[name], raw)
    for name, raw in overrides.items():
        values[name] = _coerce(_BY_NAME[name], raw)
    if values["tiles"] not in TILES:
        raise ValueError(f"tiles: expected one of {', '.join(TILES)}, got {values['tiles']!r}")
    return values


def markdown_table() -> str:
    """The settings as a Markdown table, for the README."""
    rows = ["| setting | flag | environment | default | what it does |", "|---|---|---|---|---|"]
    for s in SETTINGS:
        default = s.default
        if s.name in {"events", "geodata"}:
            default = Path(str(default)).name
        rows.append(f"| {s.name} | `{s.flag}` | `{s.env}` | `{default}` | {s.help} |")
    return "\n".join(rows)
