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

import folium
import numpy as np
import pandas as pd

from .map.assets import LOCAL_CSS, LOCAL_JS, vendor_file
from .model import COLUMNS, DERIVED

_FORMULA_START = re.compile(r"^[=+\-@\t\r]")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
DATE_COLUMNS = ("date", "reported_on", "date_end")


def _columns(events: pd.DataFrame) -> list[str]:
    extra = [c for c in events.columns if c not in COLUMNS and c not in DERIVED and c != "day"]
    return [*COLUMNS, *extra]


def as_text(events: pd.DataFrame) -> pd.DataFrame:
    """The events as the strings a native file would hold: ISO days, plain numbers, no NaN."""
    out = pd.DataFrame(index=events.index)
    for column in _columns(events):
        if column not in events.columns:
            out[column] = ""
            continue
        values = events[column]
        if column in DATE_COLUMNS:
            text = pd.to_datetime(values).dt.strftime("%Y-%m-%d").fillna("")
            if column == "date_end":  # a one-day event has no end of its own
                text = text.where(text.ne(pd.to_datetime(events["date"]).dt.strftime("%Y-%m-%d")), "")
        elif column in ("lat", "lon"):
            text = values.map(lambda v: "" if pd.isna(v) else repr(float(v)))
        else:
            text = values.astype("string").fillna("").astype(str)
        out[column] = text
    return out.reset_index(drop=True)


def _guard_text(values: pd.Series) -> pd.Series:
    text = values.astype("string")  # missing values stay missing, and are written as empty cells
    risky = (text.str.match(_FORMULA_START) & ~text.str.match(_NUMBER)).fillna(False).astype(bool)
    return values.mask(risky, "'" + text) if risky.any() else values


def _text_columns(frame: pd.DataFrame) -> list:
    """The columns that may hold text: a number, a date or a flag is never a formula."""
    return [
        column
        for column in frame.columns
        if pd.api.types.is_string_dtype(frame[column]) or pd.api.types.is_object_dtype(frame[column])
    ]


def guard(frame: pd.DataFrame) -> pd.DataFrame:
    """Neutralise cells a spreadsheet would evaluate; leave numbers as they are."""
    out = frame.copy()
    for column in _text_columns(out):
        out[column] = _guard_text(out[column])
    return out


def guarded_csv(frame: pd.DataFrame) -> str:
    """``frame`` as CSV text, every formula-like cell and column name neutralised."""
    out = guard(frame)
    out.columns = _guard_text(pd.Series([str(c) for c in out.columns], dtype="object")).tolist()
    # The csv writer quotes a value holding its line end, "\n", but not a bare "\r", which readers
    # (pyarrow, spreadsheets) also take for a line end: when any value holds one, quote every value.
    bare_cr = any("\r" in name for name in out.columns) or any(
        out[column].astype("string").str.contains("\r", regex=False).any() for column in _text_columns(out)
    )
    return out.to_csv(index=False, lineterminator="\n", quoting=csv.QUOTE_ALL if bare_cr else csv.QUOTE_MINIMAL)


def to_csv(events: pd.DataFrame) -> bytes:
    return guarded_csv(as_text(events)).encode("utf-8")


def rejected_csv(rejected: pd.DataFrame) -> bytes:
    """The rejected-rows report (line, column, value, reason, other_problems) as a guarded CSV.

    Its values are the file's own bad cells, so they are exactly what a formula attack would be.
    """
    return guarded_csv(rejected).encode("utf-8")


def to_geojson(events: pd.DataFrame) -> bytes:
    """A FeatureCollection of points; properties are the native columns, as text."""
    text = as_text(events)
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
            "properties": {k: v for k, v in row.items()},
        }
        for lat, lon, row in zip(
            events["lat"].to_numpy(), events["lon"].to_numpy(), text.to_dict(orient="records"), strict=True
        )
        if np.isfinite(lat) and np.isfinite(lon)
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def standalone_html(fmap: folium.Map, layers: list[folium.FeatureGroup]) -> bytes:
    """The map with its layers as one HTML file that opens offline: Leaflet inlined."""
    for layer in layers:
        layer.add_to(fmap)
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
