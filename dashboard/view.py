"""The view in the URL: day, mode, window, filters, stories, map centre and zoom. No Streamlit here.

``from_params`` reads query parameters into a view and a notice for every value
it could not use (that part falls back to its default); ``to_params`` writes a
view back, leaving out what is at its default so links stay short.

Parameters: ``day=YYYY-MM-DD``, ``mode=until|window``, ``window=N``,
``stories=1``, ``control=selected`` (control as the selected sources claim it; absent: as all
sources claim it), ``lat``, ``lon``, ``zoom``, ``f_<facet>`` once per chosen
value of a filter (absent: every value; ``f_<facet>=-``, from older links, is read as no filter),
``q`` (the text search), ``place`` (a gazetteer place, or "<name> governorate") and ``radius`` (km
around the place).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .filters import FACETS, MODES
from .model import MAX_ZOOM, MIN_ZOOM, preview

log = logging.getLogger(__name__)

NONE = "-"
CONTROL_CHOICES = ("all", "selected")
RADIUS_KM, MAX_RADIUS_KM = 25, 500  # the place filter's default and largest radius
MAX_SEARCH = 200  # characters of a search kept from a link


@dataclass
class View:
    day: dt.date
    mode: str = "until"
    window: int = 3
    stories: bool = False
    filters: dict[str, list[str]] = field(default_factory=dict)  # facet -> chosen values; absent = all
    centre: tuple[float, float] | None = None
    zoom: int | None = None
    control_selected: bool = False  # control as the selected sources claim it, not as all sources do
    search: str = ""  # the text search; empty: none
    place: str | None = None  # a place filter's label (a gazetteer place, or "<name> governorate")
    radius: int = RADIUS_KM  # km around the place


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name) or []
    return values[-1] if values else None


def _whole(raw: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high`` written in a link, or None (a 60,000-digit one too)."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 6 and low <= int(raw) <= high:
        return int(raw)
    return None


def _read_day(view: View, raw: str, days: Sequence[dt.date]) -> str | None:
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return f"day {preview(raw)!r} is not a date (YYYY-MM-DD): showing the last day"
    if not days[0] <= day <= days[-1]:
        return f"day {raw} is outside the data ({days[0]} to {days[-1]}): showing the last day"
    view.day = day
    return None


def _read_choices(view: View, raw: str, days: Sequence[dt.date], name: str) -> str | None:
    """The link's mode, window, stories or control into ``view``; a notice when it cannot be used."""
    if name == "mode":
        if raw not in MODES:
            return f"mode {preview(raw)!r} is not one of {', '.join(MODES)}: showing 'up to this day'"
        view.mode = raw
    elif name == "window":
        window = _whole(raw, 1, len(days))
        if window is None:
            return f"window {preview(raw)!r} is not a number of days from 1 to {len(days)}: using {view.window}"
        view.window = window
    elif name == "stories":
        if raw not in ("0", "1"):
            return f"stories {preview(raw)!r} is not 0 or 1: showing claims"
        view.stories = raw == "1"
    elif name == "control":
        if raw not in CONTROL_CHOICES:
            return (
                f"control {preview(raw)!r} is not one of {', '.join(CONTROL_CHOICES)}: control as all sources claim it"
            )
        view.control_selected = raw == "selected"
    return None


def _read_filters(view: View, params: Mapping[str, Sequence[str]], options: Mapping[str, Sequence[str]]) -> list[str]:
    notices = []
    for facet, title in FACETS.items():
        wanted = [v for v in params.get(f"f_{facet}") or [] if v != NONE]
        known = set(options.get(facet, ()))
        kept = [v for v in dict.fromkeys(wanted) if v in known]
        dropped = [v for v in dict.fromkeys(wanted) if v not in known]
        if dropped:
            named = ", ".join(repr(preview(v)) for v in dropped[:20]) + (" and more" if len(dropped) > 20 else "")
            notices.append(f"{title} {named} not in this file: left out of the filter")
        if kept:
            view.filters[facet] = kept
    return notices


def _read_map(view: View, lat: str | None, lon: str | None, zoom: str | None) -> list[str]:
    notices = []
    if lat is not None or lon is not None:
        try:
            centre = (float(lat or "nan"), float(lon or "nan"))
        except ValueError:
            centre = (math.nan, math.nan)
        if all(math.isfinite(c) for c in centre) and abs(centre[0]) <= 90 and abs(centre[1]) <= 180:
            view.centre = centre
        else:
            where = f"{preview(lat or '')!r}, {preview(lon or '')!r}"
            notices.append(f"map centre {where} is not a latitude and longitude: default view")
    if zoom is not None:
        view.zoom = _whole(zoom, MIN_ZOOM, MAX_ZOOM)
        if view.zoom is None:
            notices.append(f"zoom {preview(zoom)!r} is not a whole number from {MIN_ZOOM} to {MAX_ZOOM}: default zoom")
    return notices


def _read_finding(view: View, params: Mapping[str, Sequence[str]], places: Sequence[str]) -> list[str]:
    """The link's search, place and radius into ``view``; a notice for a place or radius it cannot use."""
    notices = []
    if (search := _one(params, "q")) is not None:
        view.search = search[:MAX_SEARCH]
    if (place := _one(params, "place")) is not None:
        if place in places:
            view.place = place
        else:
            notices.append(f"place {preview(place)!r} is not a gazetteer place or governorate: no place filter")
    if (radius := _one(params, "radius")) is not None:
        km = _whole(radius, 1, MAX_RADIUS_KM)
        if km is None:
            notices.append(f"radius {preview(radius)!r} is not a whole number of km from 1 to {MAX_RADIUS_KM}")
        else:
            view.radius = km
    return notices


def from_params(
    params: Mapping[str, Sequence[str]],
    days: Sequence[dt.date],
    options: Mapping[str, Sequence[str]],
    default_window: int,
    places: Sequence[str] = (),
) -> tuple[View, list[str]]:
    """The view a link asks for, within what the data holds, and what had to be left out.

    ``places`` are the place filter's labels a link may name."""
    view = View(day=days[-1], window=min(default_window, len(days)))
    notices: list[str | None] = []
    if (raw := _one(params, "day")) is not None:
        notices.append(_read_day(view, raw, days))
    for name in ("mode", "window", "stories", "control"):
        if (raw := _one(params, name)) is not None:
            notices.append(_read_choices(view, raw, days, name))
    notices += _read_filters(view, params, options)
    notices += _read_finding(view, params, places)
    notices += _read_map(view, _one(params, "lat"), _one(params, "lon"), _one(params, "zoom"))
    return view, [n for n in notices if n]


def to_params(view: View, days: Sequence[dt.date], options: Mapping[str, Sequence[str]], default_window: int) -> dict:
    """Query parameters for ``view``; values at their default are left out."""
    params: dict[str, str | list[str]] = {}
    if view.day != days[-1]:
        params["day"] = view.day.isoformat()
    if view.mode != "until":
        params["mode"] = view.mode
    if view.window != min(default_window, len(days)):
        params["window"] = str(view.window)
    if view.stories:
        params["stories"] = "1"
    if view.control_selected:
        params["control"] = "selected"
    for facet in FACETS:
        chosen = view.filters.get(facet)
        if not chosen or set(chosen) == set(options.get(facet, ())):
            continue
        params[f"f_{facet}"] = list(chosen)
    if view.search.strip():
        params["q"] = view.search
    if view.place is not None:
        params["place"] = view.place
        if view.radius != RADIUS_KM:
            params["radius"] = str(view.radius)
    if view.centre is not None:
        params["lat"], params["lon"] = f"{view.centre[0]:.4f}", f"{view.centre[1]:.4f}"
    if view.zoom is not None:
        params["zoom"] = str(view.zoom)
    return params


@dataclass(frozen=True)
class MapReport:
    """What the map component last said of its view, checked: the browser may send anything."""

    centre: tuple[float, float] | None
    zoom: int
    bounds: tuple[float, float, float, float] | None  # south, west, north, east


def _number(value: object) -> float | None:
    """A finite float from a JSON value, or None (bools, strings, huge ints and NaN are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def _point(value: object) -> tuple[float, float] | None:
    if not isinstance(value, Mapping):
        return None
    lat, lng = _number(value.get("lat")), _number(value.get("lng"))
    if lat is None or lng is None:
        return None
    return min(max(lat, -90.0), 90.0), min(max(lng, -180.0), 180.0)


def map_report(value: object, default_zoom: int) -> MapReport:
    """The map's report (``{"center", "zoom", "bounds"}``) within the map's own limits.

    A zoom must be a whole number; it is clamped to MIN_ZOOM..MAX_ZOOM. Coordinates must be finite and are
    clamped to the globe; bounds whose south is above their north are dropped. A value that is not what the
    component sends is left out with a log line, as a file's bad cell is: nothing from the browser reaches
    a computation unchecked (``2 ** zoom`` with a zoom of 4e9 froze the server).
    """
    report = value if isinstance(value, Mapping) else {}
    if value is not None and not isinstance(value, Mapping):
        log.warning("map report ignored: not an object (%s)", type(value).__name__)
    zoom_value = _number(report.get("zoom"))
    zoom = default_zoom
    if zoom_value is not None and zoom_value == int(zoom_value):
        zoom = min(max(int(zoom_value), MIN_ZOOM), MAX_ZOOM)
    elif report.get("zoom") is not None:
        log.warning("map report's zoom ignored: %s", preview(repr(report.get("zoom"))))
    centre = _point(report.get("center"))
    bounds_value = report.get("bounds")
    bounds = None
    if isinstance(bounds_value, Mapping):
        south_west, north_east = _point(bounds_value.get("_southWest")), _point(bounds_value.get("_northEast"))
        if south_west and north_east and south_west[0] <= north_east[0]:
            bounds = (south_west[0], south_west[1], north_east[0], north_east[1])
    if bounds is None and _has_values(bounds_value):
        log.warning("map report's bounds ignored: %s", preview(repr(bounds_value)))
    return MapReport(centre, zoom, bounds)


def _has_values(value: object) -> bool:
    """Whether a report's part holds anything but nulls (the component's first report is all nulls)."""
    if isinstance(value, Mapping):
        return any(_has_values(v) for v in value.values())
    return value is not None
