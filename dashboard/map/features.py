"""Events, stories, counted cells and control as GeoJSON features, with their escaped tooltips and popups.

Whole columns throughout: a popup is one prepared HTML text per feature, built from escaped columns,
so that nothing is formatted per feature on a step.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import stories
from ..model import (
    BASELINE_TEXT,
    COLUMNS,
    CONTROLLERS,
    DERIVED,
    EVENT_TYPES,
    FIELDS,
    OTHER_CONTROLLER_COLOUR,
    PRECISION_WORDS,
    REGION_PRECISION,
)
from ..names import visible
from .escape import escape_text
from .palette import NO_CLAIM_COLOUR, OTHER_EVENT_COLOUR, STORY_OUTLINES

# Claims about one place on one day share a point; they are drawn on a small ring around it, this many
# degrees wide, so each can be clicked.
SPREAD_DEGREES = 0.035
ZONE_DETAIL_DEGREES = 0.01
# What each event feature carries to the browser: the popup is one prepared table, not its parts.
SENT_PROPERTIES = ["event_id", "source_text", "tooltip", "details", "colour", "radius", "opacity"]
# Popup lines: a field's escaped text is its ``<field>_text`` column, the link is ``link``.
POPUP_FIELDS = {("link" if f == "url" else f"{f}_text"): field.label for f, field in FIELDS.items() if field.popup}
STORY_STYLE = STORY_OUTLINES  # status: (outline colour, outline weight, dash pattern)
# On a store, each claim's version and last change (``claim_history.last_changes``), last in its popup.
REVISION_FIELD = {"revision_text": "History"}
REVISION_COLUMNS = ("revision_number", "changed_at", "changed_by")
STORY_POPUP_FIELDS = {"story_text": "Story", "versions": "What each source says"}
TYPE_COLOURS = {name: colour for name, (colour, _) in EVENT_TYPES.items()}


def days_text(values: pd.Series) -> pd.Series:
    return values.dt.strftime("%-d %b %Y").fillna("")


def controller_colour(controllers: pd.Series) -> pd.Series:
    known = {name: colour for name, (colour, _) in CONTROLLERS.items()}
    return controllers.map(known).fillna(OTHER_CONTROLLER_COLOUR)


def spread(points: pd.DataFrame) -> pd.DataFrame:
    """lat/lon moved onto a small ring where several rows share one point and day."""
    group = points.groupby(["lat", "lon", "date"], sort=False)
    k = group.cumcount().to_numpy()
    n = group["lat"].transform("size").to_numpy()
    angle = 2 * np.pi * k / n
    radius = np.where(n > 1, SPREAD_DEGREES, 0.0)
    return points.assign(lat=points["lat"] + radius * np.cos(angle), lon=points["lon"] + radius * np.sin(angle))


def _optional(events: pd.DataFrame, column: str) -> pd.Series:
    if column in events.columns:
        return events[column].fillna("").astype(str)
    return pd.Series("", index=events.index, dtype="str")


def precision_text(events: pd.DataFrame) -> pd.Series:
    """Where and when the event is only approximately known, in words; empty when exact."""
    place, time = _optional(events, "location_precision"), _optional(events, "time_precision")
    words = ("location to the " + place.map(PRECISION_WORDS).fillna("wider area") + " (precision " + place + ")").where(
        place.ne("") & place.ne("1"), ""
    )
    when = ("date to precision " + time).where(time.ne("") & time.ne("1"), "")
    return (words + np.where(words.ne("") & when.ne(""), "; ", "") + when).str.strip()


def other_columns_text(events: pd.DataFrame) -> pd.Series:
    """The file's own columns beyond the contract, escaped, one "name: value" per line."""
    extra = [c for c in events.columns if c not in COLUMNS and c not in DERIVED and c not in REVISION_COLUMNS]
    text = pd.Series("", index=events.index, dtype="str")
    for column in extra:
        value = events[column].astype(str).str.slice(0, 300)
        if column.endswith("_as_given"):  # a name as the file wrote it, with its hidden controls made visible
            value = value.map(visible)
        value = escape_text(value)
        text = text + np.where(
            value.ne(""), "<br><b>" + escape_text(pd.Series([column])).iloc[0] + "</b>: " + value, ""
        )
    return text.str.removeprefix("<br>")


def details_html(features: pd.DataFrame, fields: dict[str, str]) -> np.ndarray:
    """One popup text per feature from already-escaped properties, a line per field, empty ones left out.

    Few tags on purpose: the map's JSON writes each < and > as six characters.
    """
    html = np.full(len(features), "", dtype=object)
    for field, label in fields.items():
        value = features[field].astype(str).to_numpy()
        html = html + np.where(value != "", "<b>" + label + ":</b> " + value.astype(object) + "<br>", "")
    return html


def is_region(events: pd.DataFrame) -> np.ndarray:
    """Events known only to a region (location_precision of 3 or more)."""
    level = pd.to_numeric(_optional(events, "location_precision"), errors="coerce")
    return (level >= REGION_PRECISION).to_numpy()


def _link(url: pd.Series) -> pd.Series:
    """An anchor for an http(s) address; nothing for any other scheme."""
    url = url.where(url.str.match(r"(?i)^https?://"), "")
    anchor = '<a href="' + escape_text(url) + '" target="_blank" rel="noopener noreferrer nofollow">'
    return (anchor + escape_text(url) + "</a>").where(url.ne(""), "")


def _date_span(events: pd.DataFrame) -> pd.Series:
    text = days_text(events["date"])
    if "date_end" in events.columns:
        ends = days_text(events["date_end"])
        text = text + np.where(ends.ne("") & ends.ne(text), " to " + ends, "")
    return text


def revision_text(events: pd.DataFrame) -> pd.Series:
    """ "revision 3, 2024-12-05T10:00:00+00:00 by ed@example.org; select it in the events table to see its
    history", escaped, when the claims come from a store (``revision_number`` given); else empty. Text only:
    the popup names the way to the history rather than adding a script to open it."""
    if "revision_number" not in events.columns:
        return pd.Series("", index=events.index, dtype="str")
    number = pd.to_numeric(events["revision_number"], errors="coerce")
    when, who = _optional(events, "changed_at"), _optional(events, "changed_by")
    text = (
        "revision "
        + number.astype("Int64").astype(str)
        + np.where(when.ne(""), ", " + when, "")
        + np.where(who.ne(""), " by " + who, "")
        + "; select it in the events table to see its history (Editing the store, A claim's history)"
    )
    return escape_text(text.where(number.notna(), ""))


def event_features(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """Events as map features: escaped text properties, colour, and a link only for http(s)."""
    drawn = spread(events[["lat", "lon", "date"]])
    text = {f"{f}_text": escape_text(events[f]).to_numpy() for f, field in FIELDS.items() if field.text}
    region = is_region(events)
    status = _optional(events, "story_status")
    story = (
        escape_text(status)
        + " ("
        + _optional(events, "story_size").replace("", "1")
        + " claim(s); see the stories view)"
    ).where(status.ne(""), "")
    features = pd.DataFrame(
        {
            **text,
            "event_id": events["event_id"].to_numpy(),
            "date_text": _date_span(events).to_numpy(),
            "reported_on_text": days_text(events["reported_on"]).replace("", "not known").to_numpy(),
            "link": _link(events["url"]).to_numpy(),
            "precision_text": precision_text(events).to_numpy(),
            "story_status_text": story.to_numpy(),
            "other_text": other_columns_text(events).to_numpy(),
            "revision_text": revision_text(events).to_numpy(),
            "radius": np.where(region, 16, 7),
            "opacity": np.where(region, 0.3, 0.85),
            "colour": events["event_type"].map(TYPE_COLOURS).fillna(OTHER_EVENT_COLOUR).to_numpy(),
        }
    )
    features["details"] = details_html(features, {**POPUP_FIELDS, **REVISION_FIELD})
    features["tooltip"] = (
        features["date_text"]
        + " · "
        + features["place_text"]
        + " · "
        + features["event_type_text"]
        + " — "
        + features["source_text"]
        + " ("
        + features["claim_status_text"]
        + ")"
    )
    return gpd.GeoDataFrame(features, geometry=gpd.points_from_xy(drawn["lon"], drawn["lat"]), crs="EPSG:4326")


def _versions(events: pd.DataFrame) -> pd.Series:
    """Each claim's version for its story's popup: source, type, status, dates, wording, why it joined."""
    return (
        "<div style='margin-bottom:6px'><b>"
        + escape_text(events["source"])
        + "</b> ("
        + escape_text(events["source_type"])
        + ") · "
        + escape_text(events["claim_status"])
        + " · "
        + days_text(events["date"])
        + ", reported "
        + days_text(events["reported_on"]).replace("", "on a day not known")
        + "<br>"
        + escape_text(events["description"])
        + "<br><i style='color:#666'>"
        + escape_text(stories.reasons(events))
        + "</i></div>"
    )


def story_features(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """One feature per story among ``events``: at its first shown claim, styled by status.

    The popup lists every shown claim of the story side by side; all file text is escaped.
    """
    first = events.drop_duplicates("story_id")
    drawn = spread(first[["lat", "lon", "date"]])
    grouped = pd.DataFrame(
        {"story_id": events["story_id"], "version": _versions(events), "event_id": events["event_id"]}
    )
    per_story = grouped.groupby("story_id", sort=False).agg(
        versions=("version", "".join), event_ids=("event_id", ",".join), shown=("event_id", "size")
    )
    per_story = per_story.reindex(first["story_id"])
    status = first["story_status"].to_numpy()
    style = pd.DataFrame([STORY_STYLE.get(v, STORY_STYLE["single-source"]) for v in status])
    total, shown = first["story_size"].to_numpy(), per_story["shown"].to_numpy()
    head = (
        "<b>"
        + escape_text(first["place"]).to_numpy()
        + "</b> · "
        + escape_text(first["story_status"]).to_numpy()
        + " · "
        + pd.Series(shown).astype(str).to_numpy()
        + np.where(shown < total, " of " + pd.Series(total).astype(str).to_numpy(), "")
        + " claim(s) shown"
    )
    if "story_agreed" in first.columns:
        head = head + "<br>" + escape_text(first["story_agreed"].astype(str)).to_numpy()
    features = pd.DataFrame(
        {
            "story_id": first["story_id"].to_numpy(),
            "event_ids": per_story["event_ids"].to_numpy(),
            "story_status": status,
            "story_text": head,
            "versions": per_story["versions"].to_numpy(),
            "colour": first["event_type"].map(TYPE_COLOURS).fillna(OTHER_EVENT_COLOUR).to_numpy(),
            "stroke": style[0].to_numpy(),
            "weight": style[1].to_numpy(),
            "dash": style[2].to_numpy(),
            "radius": (6 + 2.5 * np.sqrt(shown)).round(1),
            "tooltip": head,
        }
    )
    features["details"] = details_html(features, STORY_POPUP_FIELDS)
    return gpd.GeoDataFrame(features, geometry=gpd.points_from_xy(drawn["lon"], drawn["lat"]), crs="EPSG:4326")


def cells_json(cells: pd.DataFrame) -> str:
    """Grid cells standing for many events as GeoJSON: sized by count, coloured by the most frequent type.

    Built as plain GeoJSON in one pass over the cells (a view holds hundreds to a few thousand).
    Event types are the model's own names, so nothing here comes from the file.
    """
    kinds = [t for t in EVENT_TYPES if t in cells.columns]
    count = cells["count"].to_numpy()
    radius = (5 + 17 * np.sqrt(count / count.max())).round(1) if len(count) else count
    per_type = cells[kinds].to_numpy()
    features = []
    for lat, lon, n, kind, r, split in zip(
        cells["lat"].round(4), cells["lon"].round(4), count, cells["event_type"], radius, per_type, strict=True
    ):
        head = f"{n:,} events, mostly {kind}"
        breakdown = "".join(f"<br>{k}: {m:,}" for k, m in zip(kinds, split, strict=True) if m)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(lon), float(lat)]},
                "properties": {
                    "count": int(n),
                    "colour": TYPE_COLOURS.get(kind, OTHER_EVENT_COLOUR),
                    "radius": float(r),
                    "tooltip": head + " · zoom in to see them one by one",
                    "details": f"<b>{head}</b>{breakdown}",
                },
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def simplified(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zones with about 1 km of detail and 4 decimals: plenty for a derived zone, and a fifth of the bytes."""
    outline = shapely.set_precision(shapely.simplify(zones.geometry.to_numpy(), ZONE_DETAIL_DEGREES), 1e-4)
    return zones.assign(geometry=outline)


# How each basis of control is drawn: (zone fill opacity, zone outline weight, outline dash, dot fill opacity).
# A baseline-only place is faded and dashed: the map repeats the baseline there, no source has claimed it since.
BASIS_STYLE = {
    "claimed": (0.22, 0.5, None, 0.85),
    "contested": (0.22, 0.5, None, 0.85),
    "baseline": (0.07, 1.5, "4 4", 0.3),
    "no claim": (0.05, 1.5, "2 5", 0.15),
}


def _basis_style(basis: pd.Series, controllers: pd.Series) -> pd.DataFrame:
    style = pd.DataFrame([BASIS_STYLE.get(b, BASIS_STYLE["claimed"]) for b in basis], index=basis.index)
    colour = controller_colour(controllers).mask(basis.eq("no claim"), NO_CLAIM_COLOUR)
    return style.set_axis(["opacity", "weight", "dash", "dot_opacity"], axis=1).assign(colour=colour)


def _zone_tooltip(zones: gpd.GeoDataFrame) -> pd.Series:
    who = escape_text(zones["controller"])
    words = {
        "baseline": " (baseline of " + BASELINE_TEXT + " only: no claim since then; derived from place control)",
        "no claim": "",
    }
    held = "Zone held by " + who + zones["basis"].map(words).fillna(" (derived from place control)")
    return held.mask(zones["basis"].eq("no claim"), "No claim by these sources")


def control_tooltip(control: pd.DataFrame) -> pd.Series:
    """What a place's dot says: its controller, the basis, the sources of the current controller, the latest date."""
    since, sources, basis = days_text(control["since"]), escape_text(control["sources"]), control["basis"]
    why = np.select(
        [basis.eq("claimed"), basis.eq("contested"), basis.eq("baseline")],
        [
            " (claimed by " + sources + "; latest claim " + since + ")",
            " (sources disagree: " + sources + "; since " + since + ")",
            pd.Series(f" (baseline of {BASELINE_TEXT} only: no claim since then)", index=control.index),
        ],
        "",
    )
    place = escape_text(control["place"]) + ": "
    said = place + escape_text(control["controller"]) + why
    return said.mask(basis.eq("no claim"), place + "no claim by these sources")


def control_json(control: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> tuple[str, str]:
    """The zones (pass them through ``simplified`` once) and the place dots as GeoJSON, styled and escaped.

    Made once per state of control: days on which nothing changed hands send the same text.
    """
    zones_data = ""
    if not zones.empty:
        style = _basis_style(zones["basis"], zones["controller"])
        shaded = zones.assign(tooltip=_zone_tooltip(zones), **style[["colour", "opacity", "weight", "dash"]])
        zones_data = shaded[["colour", "opacity", "weight", "dash", "tooltip", "geometry"]].to_json(drop_id=True)
    dots_data = ""
    if not control.empty:
        style = _basis_style(control["basis"], control["controller"])
        dots = gpd.GeoDataFrame(
            {
                "colour": style["colour"].to_numpy(),
                "opacity": style["dot_opacity"].to_numpy(),
                "dash": style["dash"].to_numpy(),
                "basis": control["basis"].to_numpy(),
                "tooltip": control_tooltip(control).to_numpy(),
            },
            geometry=control.geometry.to_numpy(),
            crs=control.crs,
        )
        dots_data = dots.assign(radius=4).to_json(drop_id=True)
    return zones_data, dots_data


def changed_json(moved: pd.DataFrame, places: gpd.GeoDataFrame) -> str:
    """The places that changed hands between two days (``history.changed_between``) as rings for the map,
    each saying from whom to whom, since when and by whose claims; all file text escaped."""
    at = places.drop_duplicates("place").set_index("place").geometry.reindex(moved["place"])
    found = at.notna().to_numpy()
    moved, at = moved.loc[found], at[found]
    tooltip = (
        "<b>"
        + escape_text(moved["place"])
        + "</b> changed hands: "
        + escape_text(moved["from"].astype(str).replace("", "nobody"))
        + " → "
        + escape_text(moved["to"].astype(str))
        + ", claimed from "
        + days_text(moved["date"])
        + " by "
        + escape_text(moved["sources"].astype(str))
    )
    rings = gpd.GeoDataFrame(
        {
            "colour": "#ffffff",
            "opacity": 0.01,
            "stroke": "#e6007e",
            "weight": 3,
            "radius": 13,
            "tooltip": tooltip.to_numpy(),
        },
        geometry=at.to_numpy(),
        crs=places.crs,
    )
    return rings.to_json(drop_id=True)
