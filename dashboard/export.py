"""Export the current view: CSV, GeoJSON and a standalone HTML map. No Streamlit here.

Every export holds the contract's columns, then the file's own extra columns, so
that opening an export gives the same events back.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return) get a leading apostrophe, the usual
guard; plain numbers such as ``-3.5`` are left alone. The loader removes exactly
that guard again (``unguard``), so a round trip is exact.
"""

from __future__ import annotations

import json
import re

import folium
import numpy as np
import pandas as pd

from .model import COLUMNS
from .render import DERIVED, LOCAL_CSS, LOCAL_JS, SERVED, VENDOR
from .validate import GUARDED

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


def guard(text: pd.DataFrame) -> pd.DataFrame:
    """Neutralise cells a spreadsheet would evaluate; leave numbers as they are."""
    out = text.copy()
    for column in out.columns:
        values = out[column].astype(str)
        risky = values.str.match(_FORMULA_START) & ~values.str.match(_NUMBER)
        if risky.any():
            out[column] = values.mask(risky, "'" + values)
    return out


def unguard(values: pd.Series) -> pd.Series:
    """Remove the apostrophe ``guard`` added in front of a formula-like cell."""
    return values.str.replace(GUARDED, "", regex=True)


def to_csv(events: pd.DataFrame) -> bytes:
    return guard(as_text(events)).to_csv(index=False).encode("utf-8")


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
    """The map with its layers as one HTML file that opens offline: Leaflet and jQuery inlined."""
    for layer in layers:
        layer.add_to(fmap)
    html = fmap.get_root().render()
    for _, url in LOCAL_JS:
        code = (VENDOR / url.removeprefix(SERVED + "/")).read_text(encoding="utf-8")
        html = html.replace(
            f'<script src="{url}"></script>', "<script>" + code.replace("</script", "<\\/script") + "</script>"
        )
    for _, url in LOCAL_CSS:
        css = (VENDOR / url.removeprefix(SERVED + "/")).read_text(encoding="utf-8")
        html = html.replace(f'<link rel="stylesheet" href="{url}"/>', "<style>" + css + "</style>")
    return html.encode("utf-8")
