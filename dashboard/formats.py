"""Import formats: ACLED exports and UCDP GED CSVs turned into the native columns (GeoJSON: geojson.py).

Which format a CSV is comes from its header alone. A foreign file becomes a table
of native columns (strings, as the native CSV would give) followed by every column
of the file, so nothing it held is lost. A file column whose name is a native
column's but whose meaning differs (ACLED's ``event_type``) is kept under the
format's prefix (``acled_event_type``). Values are not judged here: a value that
cannot be converted is passed on as it is, for validation to reject and report.

Pure functions on data frames and parsed JSON; load.py reads the bytes and turns
``FormatError`` into ``UnusableFile``.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .model import COLUMNS, REQUIRED

# ACLED sub_event_type -> native event_type (matched ignoring case); any other sub-event is "other".
ACLED_EVENT_TYPES: dict[str, str] = {
    "Armed clash": "clash",
    "Attack": "clash",
    "Government regains territory": "capture",
    "Non-state actor overtakes territory": "capture",
    "Non-violent transfer of territory": "capture",
    "Air/drone strike": "airstrike",
    "Shelling/artillery/missile attack": "shelling",
    "Remote explosive/landmine/IED": "shelling",
    "Agreement": "statement",
    "Change to group/activity": "statement",
    "Headquarters or base established": "other",
}
# These sub-events change who holds the place: actor1 becomes its controller.
ACLED_CONTROL_EVENTS = (
    "Government regains territory",
    "Non-state actor overtakes territory",
    "Non-violent transfer of territory",
)
# UCDP type_of_violence -> native event_type: 1 state-based, 2 non-state, 3 one-sided violence.
UCDP_EVENT_TYPES: dict[str, str] = {"1": "clash", "2": "clash", "3": "other"}

# The columns of an ACLED export (some exports add population columns after these).
ACLED_COLUMNS = (
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
)

# Columns only that format has: two or more of them in a header name the format.
MARKERS: dict[str, tuple[str, ...]] = {
    "acled": (
        "event_id_cnty",
        "event_date",
        "disorder_type",
        "sub_event_type",
        "actor1",
        "assoc_actor_1",
        "inter1",
        "interaction",
        "civilian_targeting",
        "admin1",
        "geo_precision",
        "source_scale",
    ),
    "ucdp": (
        "relid",
        "date_start",
        "side_a",
        "side_b",
        "type_of_violence",
        "conflict_name",
        "dyad_name",
        "where_prec",
        "where_coordinates",
        "adm_1",
        "date_prec",
        "source_office",
        "source_headline",
    ),
}
# What each format needs to be read; a tuple means any one of its columns will do.
NEEDS: dict[str, tuple[str | tuple[str, ...], ...]] = {
    "native": REQUIRED,
    "acled": ("event_id_cnty", "event_date", "location", "latitude", "longitude", "sub_event_type", "source"),
    "ucdp": (
        "id",
        "date_start",
        "date_end",
        "side_a",
        "side_b",
        "latitude",
        "longitude",
        "type_of_violence",
        ("where_coordinates", "adm_1"),
    ),
}
NAMES = {"native": "a native events file", "acled": "an ACLED export", "ucdp": "a UCDP GED file", "geojson": "GeoJSON"}
# Prefix for a file column that shares a native column's name but not its meaning.
PREFIX = {"acled": "acled_", "ucdp": "ucdp_"}

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
MONTH_NUMBERS = {name: i for i, name in enumerate(_MONTHS, 1)} | {n[:3]: i for i, n in enumerate(_MONTHS, 1)}
MONTH_NUMBERS["sept"] = 9
# JSON integers longer than this stay text: Python refuses to convert an int of more digits than
# sys.int_max_str_digits either way, and 640 is the least that limit may be set to.


def identity_columns() -> dict[str, str]:
    """Every native column mapped to itself: where a native file's columns come from."""
    return dict(zip(COLUMNS, COLUMNS, strict=True))


class FormatError(ValueError):
    """The file is in a known format but cannot be read as events. The message says why."""


def detect(names: Sequence[str]) -> str:
    """The format a CSV header names: "native", "acled" or "ucdp".

    A header with every required native column is native, whatever else it has
    (so a converted file written back out reads as native). Otherwise the format
    with the most of its own columns, two or more, wins; failing that, native.
    """
    present = set(names)
    if all(column in present for column in REQUIRED):
        return "native"
    hits = {fmt: sum(c in present for c in markers) for fmt, markers in MARKERS.items()}
    best = max(hits, key=hits.__getitem__)
    return best if hits[best] >= 2 else "native"


def missing_columns(fmt: str, names: Sequence[str]) -> list[str]:
    """The columns ``fmt`` needs that the header lacks, as they are to be named to the user."""
    present = set(names)
    missing = []
    for need in NEEDS[fmt]:
        options = need if isinstance(need, tuple) else (need,)
        if not any(option in present for option in options):
            missing.append(" or ".join(options))
    return missing


def convert(fmt: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """Native columns first, then the file's own; and native column -> the file column it came from."""
    if fmt == "native":
        return frame, identity_columns()
    native, sources = (_acled if fmt == "acled" else _ucdp)(frame)
    return _assemble(native, sources, frame, PREFIX[fmt]), identity_columns() | sources


def _assemble(native: dict[str, pd.Series], sources: dict[str, str], frame: pd.DataFrame, prefix: str) -> pd.DataFrame:
    """Every native column, then every other column of the file, in its order.

    A file column named like a native column is that native column when the format
    derives nothing for it (an ``affiliation`` added to an export) or derives it from
    that very column (ACLED's ``source``); when the format derives it from another
    column (ACLED's ``event_type`` from ``sub_event_type``) it is kept as ``prefix + name``.
    """
    dtype = pd.StringDtype("pyarrow")
    empty = pd.Series("", index=frame.index, dtype=dtype)
    parts = {column: native.get(column, empty).astype(dtype) for column in COLUMNS}
    extras: dict[str, pd.Series] = {}
    for column in frame.columns:
        if column not in COLUMNS:
            extras[column] = frame[column]
        elif column not in sources:
            parts[column] = frame[column]
        elif sources[column] != column:
            name = prefix + column
            if name in frame.columns:
                raise FormatError(f"column {column!r} is to be kept as {name!r}, but the file already has {name!r}")
            extras[name] = frame[column]
    return pd.DataFrame(parts | extras, index=frame.index)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series("", index=frame.index, dtype=pd.StringDtype("pyarrow"))


def _constant(frame: pd.DataFrame, value: str) -> pd.Series:
    return pd.Series(value, index=frame.index, dtype=pd.StringDtype("pyarrow"))


def acled_dates(values: pd.Series) -> pd.Series:
    """ACLED's date forms -> YYYY-MM-DD; anything else, or a day that does not exist, as it was.

    Accepted: "29 November 2024" (or "29 Nov 2024", "29-November-2024"), "2024-11-29",
    and day-first numbers "29/11/2024", "29-11-2024", "29.11.2024".
    """
    text = values.astype(str).str.strip()
    codes, distinct = pd.factorize(text)  # an export has few distinct days: each is read once
    days = _acled_days(pd.Series(distinct, dtype=object))
    return pd.Series(days.to_numpy()[codes], index=values.index, dtype=pd.StringDtype("pyarrow"))


def _acled_days(text: pd.Series) -> pd.Series:
    iso = text.str.extract(r"^(?P<year>\d{4})-(?P<month>\d{1,2})-(?P<day>\d{1,2})$")
    numeric = text.str.extract(r"^(?P<day>\d{1,2})(?P<sep>[/.\-])(?P<month>\d{1,2})(?P=sep)(?P<year>\d{4})$")
    named = text.str.extract(r"^(?P<day>\d{1,2})[ \-](?P<month>[A-Za-z]{3,9})\.?,?[ \-](?P<year>\d{4})$")
    named["month"] = named["month"].str.lower().map(MONTH_NUMBERS)
    parts = {}
    for unit in ("year", "month", "day"):
        # The three forms exclude each other: at most one of them has found each value.
        found = [pd.to_numeric(form[unit], errors="coerce").astype("float64") for form in (iso, numeric, named)]
        parts[unit] = found[0].fillna(found[1]).fillna(found[2])
    days = pd.to_datetime(pd.DataFrame(parts), errors="coerce")
    return days.dt.strftime("%Y-%m-%d").where(days.notna(), text).astype(object)


def _acled(frame: pd.DataFrame) -> tuple[dict[str, pd.Series], dict[str, str]]:
    sub_event = _column(frame, "sub_event_type").str.casefold()
    types = {name.casefold(): kind for name, kind in ACLED_EVENT_TYPES.items()}
    changes_control = sub_event.isin([name.casefold() for name in ACLED_CONTROL_EVENTS])
    native = {
        "event_id": frame["event_id_cnty"],
        "date": acled_dates(frame["event_date"]),
        "place": frame["location"],
        "lat": frame["latitude"],
        "lon": frame["longitude"],
        "event_type": sub_event.map(types).fillna("other"),
        "actor": _column(frame, "actor1"),
        "target": _column(frame, "actor2"),
        "controller": _column(frame, "actor1").where(changes_control, ""),
        "source": frame["source"],
        "claim_status": _constant(frame, "reported"),
        "description": _column(frame, "notes"),
        "via": _constant(frame, "ACLED"),
        "location_precision": _column(frame, "geo_precision"),
        "time_precision": _column(frame, "time_precision"),
    }
    sources = {
        "event_id": "event_id_cnty",
        "date": "event_date",
        "place": "location",
        "lat": "latitude",
        "lon": "longitude",
        "event_type": "sub_event_type",
        "actor": "actor1",
        "target": "actor2",
        "controller": "actor1",
        "source": "source",
        "description": "notes",
        "location_precision": "geo_precision",
        "time_precision": "time_precision",
    }
    return native, {n: f for n, f in sources.items() if f in frame.columns}


def _day(values: pd.Series) -> pd.Series:
    """ "2024-11-29 00:00:00.000" -> "2024-11-29"; anything else as it was."""
    return values.str.replace(r"^(\d{4}-\d{2}-\d{2})[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$", r"\1", regex=True)


def _ucdp(frame: pd.DataFrame) -> tuple[dict[str, pd.Series], dict[str, str]]:
    where = _column(frame, "where_coordinates")
    place = where.where(where.ne(""), _column(frame, "adm_1"))
    violence = frame["type_of_violence"]
    office = _column(frame, "source_office")
    native = {
        "event_id": frame["id"],
        "date": _day(frame["date_start"]),
        "date_end": _day(frame["date_end"]),
        "place": place,
        "lat": frame["latitude"],
        "lon": frame["longitude"],
        # An unknown type is passed on as it is, for validation to reject.
        "event_type": violence.map(UCDP_EVENT_TYPES).fillna(violence),
        "actor": frame["side_a"],
        "target": frame["side_b"],
        "source": office.where(office.ne(""), "UCDP GED"),
        "claim_status": _constant(frame, "reported"),
        "description": _column(frame, "source_headline"),
        "via": _constant(frame, "UCDP GED"),
        "location_precision": _column(frame, "where_prec"),
        "time_precision": _column(frame, "date_prec"),
    }
    sources = {
        "event_id": "id",
        "date": "date_start",
        "date_end": "date_end",
        "place": "where_coordinates" if "where_coordinates" in frame.columns else "adm_1",
        "lat": "latitude",
        "lon": "longitude",
        "event_type": "type_of_violence",
        "actor": "side_a",
        "target": "side_b",
        "source": "source_office",
        "description": "source_headline",
        "location_precision": "where_prec",
        "time_precision": "date_prec",
    }
    return native, {n: f for n, f in sources.items() if f in frame.columns}
