"""GeoJSON: a FeatureCollection of points into rows of strings, one per Point feature. No Streamlit here.

Each feature's properties become the row's columns (the native ones, or any other, kept as the file's
own); its point gives ``lat`` and ``lon``. A feature that is not a usable point is a rejected row, named
by its feature number. Raises ``formats.FormatError`` for a document that is not a FeatureCollection.
"""

from __future__ import annotations

import json
import math
import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .formats import FormatError
from .model import REQUIRED, preview

# A longer integer cannot become a Python int without raising (Python's limit on converting digits).
_LONGEST_INT = sys.int_info.str_digits_check_threshold


@dataclass(frozen=True)
class Features:
    """A GeoJSON FeatureCollection as rows of strings, one per Point feature."""

    frame: pd.DataFrame
    numbers: np.ndarray  # the feature number (1-based) of each row of ``frame``
    rejected: list[tuple[int, str, str, str]]  # feature number, column, value, reason
    count: int  # features in the collection
    rejected_more: int = 0  # rejected features past those listed in ``rejected``


class _LongInteger(str):
    """A JSON integer too long to be a Python int, kept as its digits: a property keeps its text,
    and as a coordinate it is a number far past any float, so not a finite one."""


def _integer(digits: str) -> int | _LongInteger:
    return int(digits) if len(digits) <= _LONGEST_INT else _LongInteger(digits)


def _text(value: object) -> str:
    """A property value as the string a CSV cell would hold.

    Raises RecursionError for a list or object nested about as deep as the interpreter's
    recursion limit: json.loads read it, but writing it back takes a few frames more.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def _shown(value: object) -> str:
    """A value's text for a rejection report, which load.rejection_frame shortens with ``model.preview``."""
    try:
        return _text(value)
    except RecursionError:
        return "(nested too deeply to show)"


def _finite(value: int | float | _LongInteger) -> bool:
    if isinstance(value, _LongInteger):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int past float's range, such as a 400-digit coordinate
        return False


def _point(number: int, feature: object) -> tuple[tuple[str, str] | None, tuple[str, str, str] | None]:
    """((lat, lon), None) of a Point feature as strings, or (None, (column, value, reason)) rejecting it."""
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return None, ("", _shown(feature), f"feature {number} is not a GeoJSON Feature")
    geometry = feature.get("geometry")
    if geometry is None:
        return None, ("geometry", "", f"feature {number} has no geometry; expected a Point")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    shown = _shown(geometry)
    if kind != "Point":
        # The type goes into the reason, so only a short text one is named.
        named = kind if isinstance(kind, str) and 0 < len(kind) <= 40 else "malformed"
        return None, ("geometry", shown, f"feature {number} has a {named} geometry; expected a Point")
    coordinates = geometry.get("coordinates")
    if not isinstance(coordinates, list) or len(coordinates) not in (2, 3):
        return None, ("geometry", shown, f"feature {number} has bad Point coordinates; expected [lon, lat]")
    for axis, value in zip(("lon", "lat", "altitude"), coordinates, strict=False):
        if not isinstance(value, int | float | _LongInteger) or isinstance(value, bool):
            problem = "is not a number"
        elif not _finite(value):
            problem = "is not a finite number"
        else:
            continue
        return None, ("geometry", shown, f"feature {number} has bad Point coordinates: {axis} {problem}")
    lon, lat = coordinates[:2]
    return (repr(lat), repr(lon)), None


# The json module's messages, in our words (the first words of its message -> ours).
_JSON_PROBLEMS = {
    "Expecting value": "a value is missing, or is not JSON",
    "Expecting ',' delimiter": "a comma is missing between two values",
    "Expecting ':' delimiter": "a colon is missing after a name",
    "Expecting property name": "a name is not in double quotes, or a comma comes before a closing brace",
    "Unterminated string": "a string never closes",
    "Extra data": "more follows the end of the JSON document",
    "Invalid control character": "a string holds a raw control character (a line break or tab must be escaped)",
    "Invalid \\": "a string holds a backslash escape JSON does not have",
}


def json_problem(err: json.JSONDecodeError) -> str:
    """What is wrong at ``err``'s place, in our words rather than the json module's."""
    problem = next((ours for theirs, ours in _JSON_PROBLEMS.items() if err.msg.startswith(theirs)), "it breaks off")
    return f"{problem}, at line {err.lineno}, column {err.colno}"


def read_geojson(
    text: str, max_rows: int | None = None, max_columns: int | None = None, kept: int = 10_000
) -> Features:
    """A FeatureCollection of Point features with native columns as properties.

    The Point gives lat/lon (over any lat/lon properties); every property is kept
    as a column. A feature that is not a Point is a rejected row, not an error;
    the first ``kept`` of them are reported in full and the rest counted. More than
    ``max_rows`` features or ``max_columns`` property names is an error.
    """
    try:
        document = json.loads(text, parse_int=_integer)
    except json.JSONDecodeError as err:
        raise FormatError(f"not a comma-separated table, and not valid JSON: {json_problem(err)}") from None
    except RecursionError:
        # GeoJSON needs a dozen levels; this is a file of brackets, not of events.
        raise FormatError(
            f"not a comma-separated table, and not readable JSON: nested too deeply (more than about "
            f"{sys.getrecursionlimit()} levels of lists or objects)"
        ) from None
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        kind = document.get("type") if isinstance(document, dict) else type(document).__name__
        raise FormatError(
            f"not a comma-separated table, and not a GeoJSON FeatureCollection: its type is {preview(_shown(kind))!r}"
        )
    features = document.get("features")
    if not isinstance(features, list):
        raise FormatError('not a comma-separated table, and not a GeoJSON FeatureCollection: it has no "features" list')
    if max_rows is not None and len(features) > max_rows:
        raise FormatError(
            f"the collection has {len(features):,} features, more than this server reads ({max_rows:,}, the max_rows "
            "setting); split the file, or raise the setting on a machine with the memory"
        )
    return _features(features, max_columns, kept)


def _features(features: list, max_columns: int | None, kept: int) -> Features:
    """The rows of a parsed collection's features: see ``read_geojson``."""

    records: list[dict[str, str]] = []
    numbers: list[int] = []
    rejected: list[tuple[int, str, str, str]] = []
    names: dict[str, None] = {}  # every property name, in the order first seen
    more = 0  # rejected features past the first ``kept``
    for number, feature in enumerate(features, 1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        # Names trimmed as a CSV header's are; a property with an empty name is dropped.
        properties = {k.strip(): v for k, v in properties.items() if k.strip()} if isinstance(properties, dict) else {}
        names.update(dict.fromkeys(properties))
        if max_columns is not None and len(names) + 2 > max_columns:
            raise FormatError(
                f"the features have more than {max_columns:,} properties in all, more than this server reads (the "
                "max_columns setting); keep the properties you need, or raise the setting"
            )
        point, why = _point(number, feature)
        if point is None:
            more += len(rejected) >= kept
            if len(rejected) < kept:
                rejected.append((number, *why))
            continue
        record: dict[str, str] = {}
        for name, value in properties.items():
            try:
                record[name] = _text(value)
            except RecursionError:
                reason = f"feature {number} has a property nested too deeply to read: {preview(name)!r}"
                more += len(rejected) >= kept
                if len(rejected) < kept:
                    rejected.append((number, name, "", reason))
                break
        else:
            record["lat"], record["lon"] = point
            records.append(record)
            numbers.append(number)

    missing = [column for column in REQUIRED if column not in names]
    if features and missing:
        shown = ", ".join(repr(preview(name)) for name in list(names)[:20]) or "none"
        raise FormatError(f"missing required propert(ies): {', '.join(missing)}; the features have: {shown}")
    columns = list(dict.fromkeys([*names, "lat", "lon"])) if features else [*REQUIRED, "lat", "lon"]
    # object, not the float64 pandas gives a column no accepted feature has, so that "" can fill it
    frame = pd.DataFrame.from_records(records, columns=columns).astype(object).fillna("")
    frame = frame.astype(pd.StringDtype("pyarrow"))
    return Features(frame, np.asarray(numbers, dtype="int64"), rejected, len(features), more)
