"""The part of the map that never changes while the app runs: borders, city labels, legend, tiles or none."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import Element

from ..geocode import Geodata
from ..model import BASELINE_TEXT, CONTROLLERS, COUNTRY, EVENT_TYPES, MAX_ZOOM, MIN_ZOOM
from ..settings import TILES
from .assets import LOCAL_CSS, LOCAL_JS
from .elements import Basemap, Legend
from .escape import escape_text
from .features import BASIS_STYLE, NO_CLAIM_COLOUR, STORY_STYLE
from .palette import EVENT_MARK, PLACE_MARK

CENTRE = (35.0, 38.3)
ZOOM = 7
SELECTED_ZOOM = 10
ATTRIBUTION = (
    "Borders: Natural Earth (public domain) · Places: project gazetteer · "
    "Events: each event's own source, shown in its details"
)
# Without tiles the sea and land would be the same blank: give the frame a sea colour.
SEA = "<style>.leaflet-container{background:#dfe9f2}</style>"
CITY_LABEL = (
    # Two classes, so that it wins over Leaflet's own .leaflet-tooltip wherever the two stylesheets fall.
    "<style>.leaflet-tooltip.city-label{background:transparent;border:0;box-shadow:none;font:600 11px sans-serif;"
    "color:#222;text-shadow:0 0 3px #fff,0 0 3px #fff;padding:0 0 0 2px}"
    ".leaflet-tooltip.city-label:before{display:none}</style>"
)


@dataclass(frozen=True)
class BasemapData:
    """Borders and city labels as GeoJSON text: made once per geodata (the map is rebuilt on every run)."""

    borders: str
    cities: str


def basemap_data(geodata: Geodata) -> BasemapData:
    land = geodata.countries.assign(is_home=geodata.countries["name"].eq(COUNTRY))[["name", "is_home", "geometry"]]
    towns = geodata.places.loc[geodata.places["kind"].isin(["capital", "city"])]
    labels = gpd.GeoDataFrame(
        {"label": escape_text(towns["place"]).to_numpy()}, geometry=towns.geometry.to_numpy(), crs=towns.crs
    )
    return BasemapData(land.to_json(drop_id=True), labels.to_json(drop_id=True))


LEGEND_CSS = """
.map-legend{background:rgba(255,255,255,.95);font:12px/1.3 sans-serif;color:#222;border-radius:4px;
  box-shadow:0 1px 4px rgba(0,0,0,.35);max-width:calc(100vw - 70px)}
.map-legend .legend-toggle{display:block;width:100%;text-align:left;font:600 12px sans-serif;background:none;
  border:0;padding:5px 9px;cursor:pointer;color:#222}
.map-legend .legend-toggle:after{content:" \\25BE"}
.map-legend.collapsed .legend-toggle:after{content:" \\25B8"}
.map-legend.collapsed .legend-body{display:none}
.map-legend .legend-body{display:flex;flex-wrap:wrap;gap:0 12px;padding:0 9px 6px;overflow:auto}
.map-legend .legend-col{min-width:140px}
.map-legend b{display:block;margin-top:4px}
.map-legend .row,.map-legend button.row{display:flex;align-items:center;gap:5px;margin:0;padding:1px 2px;
  font:12px sans-serif;color:#222;background:none;border:0;text-align:left;width:100%;cursor:default}
.map-legend button.row{cursor:pointer;border-radius:3px}
.map-legend button.row:hover{background:#eef}
.map-legend button.row.off{color:#888;text-decoration:line-through}
.map-legend button.row.off .swatch{opacity:.25}
.map-legend .swatch{display:inline-block;flex:none;width:11px;height:11px}
.map-legend button:focus-visible,.leaflet-container a:focus-visible,.leaflet-container:focus-visible{
  outline:3px solid #1a5fb4;outline-offset:1px}
.leaflet-control-attribution{max-width:calc(100vw - 150px);white-space:normal;line-height:1.25}
.leaflet-popup-content{overflow-wrap:anywhere}
@media (max-width:440px){.map-legend{font-size:11px;max-width:calc(100vw - 60px)}
  .map-legend .legend-col{min-width:0;flex:1 1 45%}.map-legend .legend-body{gap:0 6px;padding:0 5px 5px}
  .map-legend .row,.map-legend button.row{font-size:11px;padding:1px 0}.map-legend .hint{display:none}
  .leaflet-control-attribution{font-size:10px}}
"""
LEGEND_HINT = "press a row to hide or show it"


def _swatch(style: str) -> str:
    return f'<span class="swatch" style="{style}" aria-hidden="true"></span>'


def _row(swatch: str, label: str, key: str | None = None) -> str:
    """A legend row; with a key, a button that hides and shows what it names (``Legend`` reads the key)."""
    if key is None:
        return f'<div class="row">{swatch}{label}</div>'
    return f'<button type="button" class="row" data-key="{key}" aria-pressed="true">{swatch}{label}</button>'


def legend_html() -> str:
    """Legend from the model's own vocabularies and the palette (never from file text).

    Event types are round with a dark outline, controllers square with a white one, as drawn on the map.
    """
    circle = "border-radius:50%;border:1.5px solid " + EVENT_MARK["outline"]
    events = "".join(
        _row(_swatch(f"background:{c};{circle}"), name, f"type:{c}") for name, (c, _) in EVENT_TYPES.items()
    )
    square = f"border:1.5px solid {PLACE_MARK['outline']};box-shadow:0 0 0 1px #777"
    held = "".join(_row(_swatch(f"background:{c};{square}"), name) for name, (c, _) in CONTROLLERS.items())
    outlines = "".join(
        _row(
            _swatch(
                f"border-radius:50%;background:#fff;width:9px;height:9px;"
                f"border:{max(weight / 2, 1):.0f}px {'dashed' if dash else 'solid'} {colour}"
            ),
            status,
        )
        for status, (colour, weight, dash) in STORY_STYLE.items()
    )
    shown = _row(_swatch("background:#8fbf3f;opacity:.4;border:1px solid #8fbf3f"), "control zones", "zones") + _row(
        _swatch(f"background:#555;{square}"), "place dots", "places"
    )
    return (
        '<button type="button" class="legend-toggle" aria-expanded="true">Legend</button>'
        '<div class="legend-body">'
        '<div class="legend-col"><b>Events '
        f'<span class="hint" style="font-weight:normal;color:#555">({LEGEND_HINT})</span></b>'
        f"{events}<b>Stories (outline)</b>{outlines}</div>"
        f'<div class="legend-col"><b>Held by (zones, squares)</b>{held}<b>Basis of control</b>{basis_rows()}'
        f"<b>Layers</b>{shown}</div></div>"
    )


BASIS_LABELS = {
    "claimed": "claimed since the baseline",
    "baseline": "baseline only: no claim since " + BASELINE_TEXT,
    "no claim": "no claim by these sources",
}


def basis_rows() -> str:
    """One legend row per basis, drawn as its zones are: solid, faded and dashed, grey and dashed."""
    rows = []
    for basis, label in BASIS_LABELS.items():
        opacity, _, dash, _ = BASIS_STYLE[basis]
        colour = NO_CLAIM_COLOUR if basis == "no claim" else "#555555"
        border = "dashed" if dash else "solid"
        rows.append(
            _row(_swatch(f"background:{colour};opacity:{max(opacity * 3, 0.25):.2f};border:1px {border} #333"), label)
        )
    return "".join(rows)


def base_map(basemap: BasemapData, offline: bool, tiles: str = "OpenStreetMap") -> folium.Map:
    """The part of the map that never changes: built anew each run, it hashes the same."""
    fmap = folium.Map(
        location=CENTRE,
        zoom_start=ZOOM,
        tiles=None,
        prefer_canvas=True,
        control_scale=True,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
    )
    fmap.default_js = LOCAL_JS
    fmap.default_css = LOCAL_CSS
    fmap.get_root().header.add_child(Element(SEA))
    if not offline:
        url, attribution = TILES[tiles]
        folium.TileLayer(url, attr=attribution, name=tiles, max_zoom=19).add_to(fmap)
    Basemap(basemap.borders, basemap.cities, filled=offline).add_to(fmap)
    fmap.get_root().header.add_child(Element(CITY_LABEL))
    Legend(legend_html(), ATTRIBUTION, LEGEND_CSS).add_to(fmap)
    return fmap
