"""Render: frames -> folium objects. No Streamlit here.

The map is built in two parts, because streamlit-folium remounts its frame
whenever the base map's script changes:
- ``base_map``: what never changes while the app runs (basemap, labels, legend,
  attribution, local Leaflet). Its script is the same on every rerun.
- ``*_layer`` functions: feature groups for the day, sent apart from the base
  map, so a slider step swaps layers and keeps the user's zoom.

Every text that comes from a file is HTML-escaped before it becomes a GeoJSON
property: Leaflet sets tooltip and popup texts with innerHTML. And no text from a
file ever passes through Jinja: branca compiles whatever a folium element renders
as a new template, so layers that carry file text are ``_Script`` elements, which
put their script into the page as it is.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template

from . import stories
from .geocode import Geodata
from .model import COLUMNS, CONTROLLERS, EVENT_TYPES, OTHER_CONTROLLER_COLOUR, REGION_PRECISION
from .settings import TILES

STATIC = Path(__file__).resolve().parent / "static"
VENDOR = STATIC / "vendor"
# Streamlit serves dashboard/static/ at /app/static/ (server.enableStaticServing).
SERVED = "/app/static/vendor"
# Only Leaflet: every layer is written by this module's own scripts, none of which needs jQuery, so the map
# frame loads one script before it draws rather than two in turn.
LOCAL_JS = [("leaflet", f"{SERVED}/leaflet.js")]
LOCAL_CSS = [("leaflet_css", f"{SERVED}/leaflet.css")]

CENTRE = (35.0, 38.3)
ZOOM = 7
SELECTED_ZOOM = 10
# Claims about one place on one day share a point; they are drawn on a small
# ring around it, this many degrees wide, so each can be clicked.
SPREAD_DEGREES = 0.035
ZONE_DETAIL_DEGREES = 0.01
# What each event feature carries to the browser: the popup is one prepared table, not its parts.
SENT_PROPERTIES = ["event_id", "source_text", "tooltip", "details", "colour", "radius", "opacity"]
ATTRIBUTION = (
    "Borders: Natural Earth (public domain) · Places: project gazetteer · "
    "Events: each event's own source, shown in its details"
)
POPUP_FIELDS = {
    "date_text": "Date",
    "place_text": "Place",
    "event_type_text": "Type",
    "actor_text": "Actor",
    "target_text": "Target",
    "controller_text": "Control after",
    "source_text": "Source",
    "source_type_text": "Source type",
    "claim_status_text": "Claim status",
    "reported_text": "Reported on",
    "description_text": "Description",
    "link": "Link",
    "precision_text": "Precision",
    "story_text": "Story",
    "event_id_text": "Event id",
    "other_text": "Other columns",
}
# Columns the app adds; every other column not in the contract is the file's own and shown as is.
DERIVED = (
    "line",
    "gazetteer_place",
    "located",
    "geometry",
    "story_id",
    "story_status",
    "story_size",
    "story_km",
    "story_days",
)
PRECISION_WORDS = {"1": "exact", "2": "near", "3": "region"}


def install_assets() -> Path:
    """Copy Leaflet from its PyPI package into dashboard/static/vendor."""
    from xstatic.pkg import leaflet

    VENDOR.mkdir(parents=True, exist_ok=True)
    wanted = {
        Path(leaflet.BASE_DIR) / "leaflet.js": VENDOR / "leaflet.js",
        Path(leaflet.BASE_DIR) / "leaflet.css": VENDOR / "leaflet.css",
    }
    for source, target in wanted.items():
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
    shutil.copytree(Path(leaflet.BASE_DIR) / "images", VENDOR / "images", dirs_exist_ok=True)
    return VENDOR


def escape_text(values: pd.Series) -> pd.Series:
    """HTML-escape a whole column: & < > " ' become entities."""
    return (
        values.fillna("")
        .astype("str")
        .str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
        .str.replace('"', "&quot;", regex=False)
        .str.replace("'", "&#x27;", regex=False)
    )


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM turns bare addresses into links after escapes are read; a word joiner (invisible) breaks them.
_AUTOLINK = re.compile(r"(?i)(https?|www|mailto|xmpp)(?=[:.])|(@)")
WORD_JOINER = "\u2060"


def escape_markdown(text: object) -> str:
    """Text from a file or a link, to show literally inside Streamlit's markdown (alerts, captions, headings).

    Every ASCII punctuation mark gets a backslash, as CommonMark allows: no link, image, emphasis or
    heading, and none of Streamlit's own ``:red[...]``, ``:material/...:`` or ``$LaTeX$``. Bare web and
    mail addresses get an invisible word joiner, so that they are not made into links either.
    """
    unlinked = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", unlinked)


def _days(values: pd.Series) -> pd.Series:
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
    extra = [c for c in events.columns if c not in COLUMNS and c not in DERIVED]
    text = pd.Series("", index=events.index, dtype="str")
    for column in extra:
        value = escape_text(events[column].astype(str).str.slice(0, 300))
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


def event_features(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """Events as map features: escaped text properties, colour, and a link only for http(s)."""
    drawn = spread(events[["lat", "lon", "date"]])
    text = {
        f"{c}_text": escape_text(events[c])
        for c in (
            "place",
            "event_type",
            "actor",
            "target",
            "controller",
            "source",
            "source_type",
            "claim_status",
            "description",
            "event_id",
        )
    }
    url = events["url"].where(events["url"].str.match(r"(?i)^https?://"), "")
    link = (
        '<a href="'
        + escape_text(url)
        + '" target="_blank" rel="noopener noreferrer nofollow">'
        + escape_text(url)
        + "</a>"
    ).where(url.ne(""), "")
    date_text = _days(events["date"])
    if "date_end" in events.columns:
        ends = _days(events["date_end"])
        date_text = date_text + np.where(ends.ne("") & ends.ne(date_text), " to " + ends, "")
    region = is_region(events)
    story = (
        escape_text(_optional(events, "story_status"))
        + " ("
        + _optional(events, "story_size").replace("", "1")
        + " claim(s); see the stories view)"
    ).where(_optional(events, "story_status").ne(""), "")
    features = pd.DataFrame(
        {
            "event_id": events["event_id"].to_numpy(),
            "date_text": date_text.to_numpy(),
            **{k: v.to_numpy() for k, v in text.items()},
            "reported_text": _days(events["reported_on"]).replace("", "not known").to_numpy(),
            "link": link.to_numpy(),
            "precision_text": precision_text(events).to_numpy(),
            "story_text": story.to_numpy(),
            "other_text": other_columns_text(events).to_numpy(),
            "radius": np.where(region, 16, 7),
            "opacity": np.where(region, 0.3, 0.85),
            "colour": events["event_type"]
            .map({k: c for k, (c, _) in EVENT_TYPES.items()})
            .fillna("#7f7f7f")
            .to_numpy(),
        }
    )
    features["details"] = details_html(features, POPUP_FIELDS)
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


def events_layer(events: pd.DataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Events")
    if not events.empty:
        features = event_features(events)[[*SENT_PROPERTIES, "geometry"]]
        features = features.assign(dash=np.where(features["opacity"] < 0.5, "3 3", None))
        _Points(features.to_json(drop_id=True), weight=1.5, fill_opacity=0.85, popup="details").add_to(group)
    return group


STORY_STYLE = {
    # status: (outline colour, outline weight, dash pattern)
    "corroborated": ("#1a7f37", 4, None),
    "single-source": ("#555555", 1.5, None),
    "contested": ("#d00000", 4, "5 4"),
}
STORY_POPUP_FIELDS = {"story_text": "Story", "versions": "What each source says"}


def story_features(events: pd.DataFrame) -> gpd.GeoDataFrame:
    """One feature per story among ``events``: at its first shown claim, styled by status.

    The popup lists every shown claim of the story side by side; all file text is escaped.
    """
    first = events.drop_duplicates("story_id")
    drawn = spread(first[["lat", "lon", "date"]])
    version = (
        "<div style='margin-bottom:6px'><b>"
        + escape_text(events["source"])
        + "</b> ("
        + escape_text(events["source_type"])
        + ") · "
        + escape_text(events["claim_status"])
        + " · "
        + _days(events["date"])
        + ", reported "
        + _days(events["reported_on"]).replace("", "on a day not known")
        + "<br>"
        + escape_text(events["description"])
        + "<br><i style='color:#666'>"
        + escape_text(stories.reasons(events))
        + "</i></div>"
    )
    grouped = pd.DataFrame({"story_id": events["story_id"], "version": version, "event_id": events["event_id"]})
    per_story = grouped.groupby("story_id", sort=False).agg(
        versions=("version", "".join), event_ids=("event_id", ",".join), shown=("event_id", "size")
    )
    per_story = per_story.reindex(first["story_id"])
    status = first["story_status"].to_numpy()
    style = pd.DataFrame([STORY_STYLE.get(v, STORY_STYLE["single-source"]) for v in status])
    total = first["story_size"].to_numpy()
    shown = per_story["shown"].to_numpy()
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
    features = pd.DataFrame(
        {
            "story_id": first["story_id"].to_numpy(),
            "event_ids": per_story["event_ids"].to_numpy(),
            "story_status": status,
            "story_text": head,
            "versions": per_story["versions"].to_numpy(),
            "colour": first["event_type"].map({k: c for k, (c, _) in EVENT_TYPES.items()}).fillna("#7f7f7f").to_numpy(),
            "stroke": style[0].to_numpy(),
            "weight": style[1].to_numpy(),
            "dash": style[2].to_numpy(),
            "radius": (6 + 2.5 * np.sqrt(shown)).round(1),
            "tooltip": head,
        }
    )
    return gpd.GeoDataFrame(features, geometry=gpd.points_from_xy(drawn["lon"], drawn["lat"]), crs="EPSG:4326")


def stories_layer(events: pd.DataFrame) -> folium.FeatureGroup:
    """The shown claims as stories: one marker each, its outline saying how the story stands."""
    group = folium.FeatureGroup(name="Stories")
    if not events.empty:
        features = story_features(events)
        features["details"] = details_html(features, STORY_POPUP_FIELDS)
        _Points(features.to_json(drop_id=True), weight=1.5, fill_opacity=0.85, popup="details", size=(420, 320)).add_to(
            group
        )
    return group


def cells_layer(cells: pd.DataFrame) -> folium.FeatureGroup:
    """Grid cells standing for many events: sized by count, coloured by the most frequent event type.

    Built as plain GeoJSON in one pass over the cells (a view holds hundreds to a few thousand).
    Event types are the model's own names, so nothing here comes from the file.
    """
    group = folium.FeatureGroup(name="Event cells")
    if cells.empty:
        return group
    kinds = [t for t in EVENT_TYPES if t in cells.columns]
    colours = {k: c for k, (c, _) in EVENT_TYPES.items()}
    count = cells["count"].to_numpy()
    radius = (5 + 17 * np.sqrt(count / count.max())).round(1)
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
                    "colour": colours.get(kind, "#7f7f7f"),
                    "radius": float(r),
                    "tooltip": head + " · zoom in to see them one by one",
                    "details": f"<b>{head}</b>{breakdown}",
                },
            }
        )
    data = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))
    _Points(data, weight=2, fill_opacity=0.55, popup="details").add_to(group)
    return group


def simplified(zones: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Zones with about 1 km of detail and 4 decimals: plenty for a derived zone, and a fifth of the bytes."""
    outline = shapely.set_precision(shapely.simplify(zones.geometry.to_numpy(), ZONE_DETAIL_DEGREES), 1e-4)
    return zones.assign(geometry=outline)


def control_json(control: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> tuple[str, str]:
    """The zones (pass them through ``simplified`` once) and the place dots as GeoJSON, styled and escaped.

    Made once per state of control: days on which nothing changed hands send the same text.
    """
    zones_data = ""
    if not zones.empty:
        shaded = zones.assign(
            colour=controller_colour(zones["controller"]),
            tooltip="Zone held by " + escape_text(zones["controller"]) + " (derived from place control)",
        )
        zones_data = shaded[["colour", "tooltip", "geometry"]].to_json(drop_id=True)
    dots_data = ""
    if not control.empty:
        since = _days(control["since"])
        basis = ("since " + since + ", per " + escape_text(control["source"])).where(
            since.ne(""), "baseline of 26 Nov 2024"
        )
        dots = gpd.GeoDataFrame(
            {
                "colour": controller_colour(control["controller"]).to_numpy(),
                "tooltip": (
                    escape_text(control["place"]) + ": " + escape_text(control["controller"]) + " (" + basis + ")"
                ).to_numpy(),
            },
            geometry=control.geometry.to_numpy(),
            crs=control.crs,
        )
        dots_data = dots.assign(radius=4).to_json(drop_id=True)
    return zones_data, dots_data


def control_groups(zones_data: str, dots_data: str) -> list[folium.FeatureGroup]:
    """The layers of ``control_json``: zones coloured by controller, then a dot per place."""
    zone_group = folium.FeatureGroup(name="Control zones")
    if zones_data:
        _Zones(zones_data).add_to(zone_group)
    dot_group = folium.FeatureGroup(name="Place control")
    if dots_data:
        _Points(dots_data, weight=1.5, fill_opacity=0.85).add_to(dot_group)
    return [zone_group, dot_group]


def control_layers(control: gpd.GeoDataFrame, zones: gpd.GeoDataFrame) -> list[folium.FeatureGroup]:
    """Zones coloured by controller (pass them through ``simplified`` once), then a dot per place."""
    return control_groups(*control_json(control, zones))


def selected_layer(event: pd.DataFrame) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name="Selected event")
    for lat, lon in zip(event["lat"], event["lon"], strict=True):
        folium.CircleMarker((lat, lon), radius=16, color="#000", weight=3, fill=False).add_to(group)
    return group


class _Rendered(Element):
    """Text already rendered, put into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class _Script(MacroElement):
    """An element made of one ``script`` macro whose output is never compiled again.

    branca's ``MacroElement.render`` wraps each output in ``Element(output)``, which compiles it as
    a Jinja template: file text such as ``{{ ... }}`` in a layer's JSON would run on the server when
    the page is rendered, an unclosed ``{%`` would break it, and megabytes of JSON are tokenised on
    every slider step. streamlit-folium reads the same macro for the layers it sends.
    """

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        script = self._template.module.script(self, kwargs)
        figure.script.add_child(_Rendered(script), name=self.get_name())


class _ForgetOldLayers(_Script):
    """Empty the frame's list of past layer groups before the new ones are added.

    streamlit-folium removes the previous groups from the map on each update but
    keeps them in ``window.feature_group``, which then grows by a step's layers
    on every slider move. This script runs first in the update, after the removal.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.feature_group = [];
        {% endmacro %}
        """
    )


def frame_layers(groups: list[folium.FeatureGroup]) -> list[folium.FeatureGroup]:
    """The groups to send with ``st_folium(feature_group_to_add=...)``, old ones let go."""
    if groups:
        groups[0].add_child(_ForgetOldLayers())
    return groups


class _Points(_Script):
    """Circle markers straight from GeoJSON, each styled, labelled and explained by its own properties.

    ``colour`` and ``radius`` are required; ``stroke``, ``weight``, ``dash`` and ``opacity`` fall back to the
    layer's defaults; ``tooltip`` and the ``popup`` property are escaped HTML made by this module. Written
    as plain JSON, so nothing is styled per feature in Python on each step.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJSON({{ this.data }}, {
          pointToLayer: function (f, at) {
            var p = f.properties;
            var marker = L.circleMarker(at, {
              radius: p.radius, color: p.stroke || "#222", weight: p.weight || {{ this.weight }},
              dashArray: p.dash || null, fillColor: p.colour, fill: true,
              fillOpacity: p.opacity || {{ this.fill_opacity }}
            });
            marker.bindTooltip(p.tooltip, {sticky: true});
            {% if this.popup %}
            marker.bindPopup(p[{{ this.popup | tojson }}],
                             {maxWidth: {{ this.size[0] }}, maxHeight: {{ this.size[1] }}});
            {% endif %}
            return marker;
          }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(
        self,
        data: str,
        weight: float,
        fill_opacity: float,
        popup: str | None = None,
        size: tuple[int, int] = (380, 360),
    ):
        super().__init__()
        self._name = "Points"
        self.data = data.replace("</", "<\\/")
        self.weight, self.fill_opacity, self.popup, self.size = weight, fill_opacity, popup, size


class _Zones(_Script):
    """Control zones straight from GeoJSON, coloured by their ``colour`` property (made by this module)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJSON({{ this.data }}, {
          style: function (f) {
            return {fillColor: f.properties.colour, color: f.properties.colour, weight: 0.5, fillOpacity: 0.22};
          },
          onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: str):
        super().__init__()
        self._name = "Zones"
        self.data = data.replace("</", "<\\/")


class _Basemap(_Script):
    """Borders and city labels drawn by Leaflet straight from GeoJSON made once per run.

    folium's GeoJson would restyle, re-measure and re-serialise these same features on every
    rerun; this writes them as they are. Labels are escaped gazetteer names.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          L.geoJSON({{ this.borders }}, {
            interactive: false,
            style: function (f) {
              var home = f.properties.is_home;
              return {color: "#555", weight: home ? 2 : 1, fillColor: home ? "#f7f4ec" : "#ecebe6",
                      fillOpacity: {{ "1.0" if this.filled else "0.0" }}};
            }
          }).addTo(map);
          L.geoJSON({{ this.cities }}, {
            interactive: false,
            pointToLayer: function (f, at) {
              return L.circleMarker(at, {radius: 2, color: "#333", fill: true, fillOpacity: 1, weight: 1})
                .bindTooltip(f.properties.label, {permanent: true, direction: "right", className: "city-label"});
            }
          }).addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, borders: str, cities: str, filled: bool):
        super().__init__()
        self._name = "Basemap"
        # JSON inside a <script>: no "</" may close it early.
        self.borders, self.cities = borders.replace("</", "<\\/"), cities.replace("</", "<\\/")
        self.filled = filled


class _Legend(_Script):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var legend = L.control({position: "bottomright"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "map-legend");
            div.innerHTML = {{ this.html | tojson }};
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
          {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
          {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution | tojson }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, attribution: str):
        super().__init__()
        self._name = "Legend"
        self.html = html
        self.attribution = attribution


def legend_html() -> str:
    """Legend from the model's own vocabularies (never from file text)."""

    def row(colour: str, label: str, shape: str) -> str:
        radius = "50%" if shape == "dot" else "2px"
        return (
            f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:{radius};'
            f'background:{colour};border:1px solid #333;margin-right:5px"></span>{label}</div>'
        )

    events = "".join(row(c, name, "dot") for name, (c, _) in EVENT_TYPES.items())
    held = "".join(row(c, name, "box") for name, (c, _) in CONTROLLERS.items())
    outlines = "".join(
        f'<div><span style="display:inline-block;width:9px;height:9px;border-radius:50%;background:#fff;'
        f'border:{max(weight / 2, 1):.0f}px {"dashed" if dash else "solid"} {colour};margin-right:5px"></span>'
        f"{status}</div>"
        for status, (colour, weight, dash) in STORY_STYLE.items()
    )
    return (
        '<div style="background:rgba(255,255,255,.92);padding:6px 9px;font:12px sans-serif;'
        'border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3);max-height:340px;overflow:auto">'
        f"<b>Events</b>{events}<b>Stories (outline)</b>{outlines}<b>Held by</b>{held}</div>"
    )


_BASEMAP_JSON: dict[int, tuple[str, str]] = {}


def _basemap_json(geodata: Geodata) -> tuple[str, str]:
    """Borders and city labels as GeoJSON text, made once per geodata (the map is rebuilt on every run)."""
    if id(geodata) not in _BASEMAP_JSON:
        land = geodata.countries.assign(is_home=geodata.countries["name"].eq("Syria"))[["name", "is_home", "geometry"]]
        towns = geodata.places.loc[geodata.places["kind"].isin(["capital", "city"])]
        labels = gpd.GeoDataFrame(
            {"label": escape_text(towns["place"]).to_numpy()}, geometry=towns.geometry.to_numpy(), crs=towns.crs
        )
        _BASEMAP_JSON[id(geodata)] = (land.to_json(drop_id=True), labels.to_json(drop_id=True))
    return _BASEMAP_JSON[id(geodata)]


def base_map(geodata: Geodata, offline: bool, tiles: str = "OpenStreetMap") -> folium.Map:
    """The part of the map that never changes: build anew each run, it hashes the same."""
    fmap = folium.Map(
        location=CENTRE,
        zoom_start=ZOOM,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        min_zoom=4,
        max_zoom=16,
    )
    fmap.default_js = LOCAL_JS
    fmap.default_css = LOCAL_CSS
    # Without tiles the sea and land would be the same blank: give the frame a sea colour.
    fmap.get_root().header.add_child(Element("<style>.leaflet-container{background:#dfe9f2}</style>"))
    if not offline:
        url, attribution = TILES[tiles]
        folium.TileLayer(url, attr=attribution, name=tiles, max_zoom=19).add_to(fmap)
    _Basemap(*_basemap_json(geodata), filled=offline).add_to(fmap)
    fmap.get_root().header.add_child(
        Element(
            "<style>.city-label{background:transparent;border:0;box-shadow:none;font:600 11px sans-serif;"
            "color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff;padding:0 0 0 2px}"
            ".city-label:before{display:none}</style>"
        )
    )
    _Legend(legend_html(), ATTRIBUTION).add_to(fmap)
    return fmap
