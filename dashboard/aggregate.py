"""Aggregate: many events -> grid cells with counts, so a step sends little whatever the data's size.

Above ``draw_limit`` events in view, the map draws cells instead of events: a
square grid whose cells are about 48 screen pixels at the map's zoom, each drawn
at the mean position of its events, sized by its count and coloured by its most
frequent event type. Counts are exact; the numbers and the table never change
with what is drawn. Pure numpy: one pass of ``bincount`` per quantity.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import factorized
from .model import EVENT_TYPES

CELL_PIXELS = 48
TYPES = list(EVENT_TYPES)


def cell_degrees(zoom: int) -> float:
    """Degrees of longitude that ``CELL_PIXELS`` screen pixels span at ``zoom`` (256-pixel tiles)."""
    return 360.0 / (256 * 2 ** max(int(zoom), 0)) * CELL_PIXELS


def points_in_bounds(
    lat: np.ndarray, lon: np.ndarray, bounds: tuple[float, float, float, float] | None, pad: float = 0.25
) -> np.ndarray:
    """``in_bounds`` on arrays of latitudes and longitudes."""
    if bounds is None:
        return np.ones(len(lat), dtype=bool)
    south, west, north, east = bounds
    dlat, dlon = (north - south) * pad, (east - west) * pad
    return (lat >= south - dlat) & (lat <= north + dlat) & (lon >= west - dlon) & (lon <= east + dlon)


def extent(lat: np.ndarray, lon: np.ndarray) -> tuple[float, float, float, float]:
    """(south, west, north, east) around every point; an empty box for no points."""
    if len(lat) == 0:
        return (np.inf, np.inf, -np.inf, -np.inf)
    return (float(lat.min()), float(lon.min()), float(lat.max()), float(lon.max()))


def bounds_hold(
    bounds: tuple[float, float, float, float], box: tuple[float, float, float, float], pad: float = 0.25
) -> bool:
    """Whether ``bounds``, padded as ``points_in_bounds`` pads them, hold the whole of ``box``."""
    south, west, north, east = box
    if south > north:
        return True
    corners = points_in_bounds(np.array([south, north]), np.array([west, east]), bounds, pad)
    return bool(corners.all())


def type_positions(event_types: pd.Series) -> np.ndarray:
    """Each event type as its position in ``TYPES``; a type not in the model counts as other."""
    # The distinct types first (a handful), then one code per event: no hash of every event's string.
    codes, distinct = factorized(event_types)
    kinds = pd.Index(TYPES).get_indexer(distinct)
    kinds = np.where(kinds < 0, TYPES.index("other"), kinds).astype(np.int8)  # a handful of types: a byte each
    return kinds[codes]


def cell_codes(lat: np.ndarray, lon: np.ndarray, zoom: int) -> tuple[np.ndarray, int]:
    """Every event's grid cell at ``zoom`` as a small integer, and how many cells there are."""
    size = cell_degrees(zoom)
    row = np.floor(lat / size).astype("int64")
    col = np.floor(lon / size).astype("int64")
    codes, cells = pd.factorize(row * 4_000_003 + col, sort=False)
    return codes.astype(np.int32), len(cells)  # one array per zoom visited: 32 bits, not 64


def cells_from_codes(codes: np.ndarray, n: int, lat: np.ndarray, lon: np.ndarray, kinds: np.ndarray) -> pd.DataFrame:
    """``grid_cells`` from cell codes made once per zoom (``cell_codes``): counting, no hashing."""
    if len(codes) == 0:
        return pd.DataFrame(columns=["lat", "lon", "count", "event_type", *TYPES])
    count = np.bincount(codes, minlength=n)
    used = np.flatnonzero(count)
    pairs = codes.astype(np.int64) * len(TYPES) + kinds
    per_type = np.bincount(pairs, minlength=n * len(TYPES)).reshape(n, len(TYPES))[used]
    out = pd.DataFrame(
        {
            "lat": np.bincount(codes, weights=lat, minlength=n)[used] / count[used],
            "lon": np.bincount(codes, weights=lon, minlength=n)[used] / count[used],
            "count": count[used],
            "event_type": np.asarray(TYPES)[per_type.argmax(axis=1)],
        }
    )
    return pd.concat([out, pd.DataFrame(per_type, columns=TYPES)], axis=1)
