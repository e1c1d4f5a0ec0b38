"""Export the current view: CSV, GeoJSON and a standalone HTML map. No Streamlit here.

Every export holds the contract's columns, then the file's own extra columns, so
that opening an export gives the same events back.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading apostrophe, the usual
guard; plain numbers such as ``-3.5`` are left alone. Column names get the same
guard, since a file's own columns are exported too. The loader removes exactly
that guard again (``model.GUARDED``), so a round trip is exact. Every CSV this project
writes (the view, the rejected rows, the command line's snapshot) goes through
``guarded_csv``.
"""

from __future__ import annotations

import csv
import json
import re
from html import escape as html_escape

import folium
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .map.assets import LOCAL_CSS, LOCAL_JS, vendor_file
from .map.elements import Caption
from .model import COLUMNS, DERIVED

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DATE_COLUMNS = ("date", "reported_on", "date_end")


def _columns(events: pd.DataFrame) -> list[str]:
    extra = [c for c in events.columns if c not in COLUMNS and c not in DERIVED and c != "day"]
    return [*COLUMNS, *extra]


def as_text(events: pd.DataFrame) -> pd.DataFrame:
    """The events as the strings a native file would hold: ISO days, plain numbers, no NaN.

    The dates and coordinates are written one by one; every other column in one conversion of the
    whole block, and the frame is made once: a frame grown a column at a time costs the square of the
    column count (5,000 columns took 21 s).
    """
    events = events.reset_index(drop=True)
    order = _columns(events)
    special = [c for c in order if c in DATE_COLUMNS or c in ("lat", "lon")]
    plain = [c for c in order if c not in special and c in events.columns]
    parts: dict[str, object] = {}
    for column in special:
        if column not in events.columns:
            parts[column] = pd.Series("", index=events.index, dtype=object)
        elif column in DATE_COLUMNS:
            text = pd.to_datetime(events[column]).dt.strftime("%Y-%m-%d").fillna("")
            if column == "date_end":  # a one-day event has no end of its own
                text = text.where(text.ne(pd.to_datetime(events["date"]).dt.strftime("%Y-%m-%d")), "")
            parts[column] = text
        else:
            parts[column] = events[column].map(lambda v: "" if pd.isna(v) else repr(float(v)))
    rest = _plain_text(events, plain)
    # native columns the events do not have: empty, as a native file would give them
    missing = [c for c in order if c not in special and c not in events.columns]
    empty = pd.DataFrame(dict.fromkeys(missing, ""), index=events.index, dtype=object)
    return pd.concat([pd.DataFrame(parts, index=events.index), rest, empty], axis=1)[order]


def _plain_text(events: pd.DataFrame, plain: list[str]) -> pd.DataFrame:
    """The ``plain`` columns of ``events`` as strings, missing as "", in one object block.

    Filled column by column into one array, since pandas' frame-wide conversions cost more than linear
    time in the number of blocks, and a wide file has one block per column.
    """
    wanted = set(plain)
    block = np.empty((len(events), len(plain)), dtype=object)
    at = {name: i for i, name in enumerate(plain)}
    for name, values in events.items():
        if name in wanted:
            if not pd.api.types.is_string_dtype(values):
                values = values.astype("string")
            block[:, at[name]] = values.to_numpy(dtype=object, na_value="")
    return pd.DataFrame(block, columns=plain, index=events.index)


def _guard_text(values: pd.Series) -> pd.Series:
    text = values.astype("string")  # missing values stay missing, and are written as empty cells
    risky = (text.str.match(_FORMULA_START) & ~text.str.match(_NUMBER)).fillna(False).astype(bool)
    return values.mask(risky, "'" + text) if risky.any() else values


def _is_text(values: pd.Series) -> bool:
    """Whether a column may hold text: a number, a date or a flag is never a formula."""
    return pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values)


def _guarded(frame: pd.DataFrame) -> tuple[pd.DataFrame, bool]:
    """``frame`` with formula-like cells neutralised, and whether any text cell holds a carriage return.

    Every text cell is checked in one pass over one array, not column by column: linear in the cells,
    with no per-column cost that 5,000 columns would multiply.
    """
    text = [i for i, (_, values) in enumerate(frame.items()) if _is_text(values)]
    if not text or frame.empty:
        return frame.copy(), False
    block = frame.iloc[:, text].to_numpy(dtype=object)
    cells = pd.Series(block.ravel(order="F"), dtype=pd.StringDtype("pyarrow"))
    guarded = _guard_text(cells).astype(object).where(cells.notna(), None).to_numpy()
    out = frame.copy()
    rows = len(frame)
    replaced = pd.DataFrame(
        {i: guarded[k * rows : (k + 1) * rows] for k, i in enumerate(text)}, index=frame.index, dtype=object
    )
    out = pd.concat([frame.iloc[:, i] if i not in replaced else replaced[i] for i in range(frame.shape[1])], axis=1)
    out.columns = frame.columns
    return out, bool(cells.str.contains("\r", regex=False).fillna(False).any())


def guard(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise cells a spreadsheet would evaluate; leave numbers as they are."""
    return _guarded(frame)[0]


def guarded_csv(frame: pd.DataFrame, header: bool = True) -> str:
    """``frame`` as CSV text, every formula-like cell and column name neutralised; without its header line
    when ``header`` is false (the chunks after the first of a streamed export)."""
    out, cell_cr = _guarded(frame)
    out.columns = _guard_text(pd.Series([str(c) for c in out.columns], dtype="object")).tolist()
    # The csv writer quotes a value holding its line end, "\n", but not a bare "\r", which readers
    # (pyarrow, spreadsheets) also take for a line end: when any value holds one, quote every value.
    bare_cr = cell_cr or any("\r" in name for name in out.columns)
    quoting = csv.QUOTE_ALL if bare_cr else csv.QUOTE_MINIMAL
    return out.to_csv(index=False, header=header, lineterminator="\n", quoting=quoting)


def to_csv(events: pd.DataFrame) -> bytes:
    return guarded_csv(as_text(events)).encode("utf-8")


def rejected_csv(rejected: pd.DataFrame) -> bytes:
    """The rejected-rows report (line, column, value, reason, other_problems) as a guarded CSV.

    Its values are the file's own bad cells, so they are exactly what a formula attack would be.
    """
    return guarded_csv(rejected).encode("utf-8")


# JSON's escapes for the characters a string may not hold as they are; other controls go as \u00XX.
_JSON_ESCAPES = (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t"))
_OTHER_CONTROLS = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"
_NEEDS_ESCAPE = r'[\\"\x00-\x1f]'  # a backslash, a quote or any control
_GEOJSON_CHUNK = 50_000  # features written at a time: the text of one chunk is what is held besides the output


def _json_strings(values: pa.Array) -> pa.Array:
    """Each string as a JSON string literal, quotes included, for whole columns at once."""
    if pc.any(pc.match_substring_regex(values, _NEEDS_ESCAPE)).as_py() is not True:  # most columns: one pass
        return pc.binary_join_element_wise('"', values, '"', "")
    for plain, escaped in _JSON_ESCAPES:
        values = pc.replace_substring(values, plain, escaped)
    if pc.any(pc.match_substring_regex(values, _OTHER_CONTROLS)).as_py():  # rare: a cell at a time
        values = pa.array(
            [re.sub(_OTHER_CONTROLS, lambda c: f"\\u{ord(c.group()):04x}", v) for v in values.to_pylist()]
        )
    return pc.binary_join_element_wise('"', values, '"', "")


def json_members(text: pd.DataFrame) -> pa.Array:
    """Each row of a frame of strings as the members of a JSON object (``"name":"value",...``, no braces),
    built for whole columns at once: no dict and no ``json.dumps`` per row."""
    members = [
        pc.binary_join_element_wise(json.dumps(str(name), ensure_ascii=False) + ":", _json_strings(values), "")
        for name, values in ((n, pa.array(v.to_numpy(dtype=object), type=pa.string())) for n, v in text.items())
    ]
    return pc.binary_join_element_wise(*members, ",") if members else pa.array([""] * len(text), type=pa.string())


def _features(text: pd.DataFrame, lat: np.ndarray, lon: np.ndarray) -> str:
    """The features of one chunk, as JSON text joined by commas."""
    coordinates = [pc.cast(pa.array(axis), pa.string()) for axis in (lon, lat)]
    features = pc.binary_join_element_wise(
        '{"type":"Feature","geometry":{"type":"Point","coordinates":[',
        coordinates[0],
        ",",
        coordinates[1],
        ']},"properties":{',
        json_members(text),
        "}}",
        "",
    )
    return ",".join(features.to_pylist())


def to_geojson(events: pd.DataFrame) -> bytes:
    """A FeatureCollection of points; properties are the native columns, as text.

    Written column by column and a chunk of features at a time, with no dict per feature: a million
    events took 38 s and 3.2 GB that way.
    """
    return b'{"type":"FeatureCollection","features":[' + geojson_features(events) + b"]}"


def geojson_features(events: pd.DataFrame) -> bytes:
    """The features of ``to_geojson``, joined by commas, without the collection around them: what a streamed
    export (dashboard/store/exporter.py) writes a chunk at a time."""
    lat, lon = events["lat"].to_numpy(dtype=float), events["lon"].to_numpy(dtype=float)
    shown = np.isfinite(lat) & np.isfinite(lon)
    text = as_text(events.loc[shown])
    lat, lon = lat[shown], lon[shown]
    parts = []
    for start in range(0, len(text), _GEOJSON_CHUNK):
        end = start + _GEOJSON_CHUNK
        parts.append(_features(text.iloc[start:end], lat[start:end], lon[start:end]).encode())
    return b",".join(parts)


def standalone_html(fmap: folium.Map, layers: list[folium.FeatureGroup], caption: list[str] | None = None) -> bytes:
    """The map with its layers as one HTML file that opens offline: Leaflet inlined.

    With ``caption`` (``publish.caption_lines``), the page shows it top right as text and is titled by its
    first line's day: a saved file says what it is.
    """
    for layer in layers:
        layer.add_to(fmap)
    if caption:
        Caption(caption).add_to(fmap)
        fmap.get_root().title = html_escape(caption[0])
    html = fmap.get_root().render()
    for _, url in LOCAL_JS:
        code = vendor_file(url)
        html = html.replace(
            f'<script src="{url}"></script>', "<script>" + code.replace("</script", "<\\/script") + "</script>"
        )
    for _, url in LOCAL_CSS:
        css = vendor_file(url)
        html = html.replace(f'<link rel="stylesheet" href="{url}"/>', "<style>" + css + "</style>")
    return html.encode("utf-8")
