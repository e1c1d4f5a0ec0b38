"""The part of the map that never changes while the app runs: borders, city labels, legend, tiles or none."""

from __future__ import annotations

from dataclasses import dataclass

import folium
import geopandas as gpd
from branca.element import Element

from ..geocode import Geodata
from ..model import CONTROLLERS, COUNTRY, EVENT_TYPES, MAX_ZOOM, MIN_ZOOM
from ..settings import TILES
from .assets import LOCAL_CSS, LOCAL_JS
from .elements import Basemap, Legend
from .escape import escape_text
from .features import BASIS_STYLE, NO_CLAIM_COLOUR, STORY_STYLE

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
        f"<b>Events</b>{events}<b>Stories (outline)</b>{outlines}<b>Held by</b>{held}"
        f"<b>Basis of control</b>{basis_rows()}</div>"
    )


BASIS_LABELS = {
    "claimed": "claimed since the baseline",
    "baseline": "baseline only: no claim since",
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
            f'<div><span style="display:inline-block;width:11px;height:11px;border-radius:2px;'
            f"background:{colour};opacity:{max(opacity * 3, 0.25):.2f};border:1px {border} #333;"
            f'margin-right:5px"></span>{label}</div>'
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
    Legend(legend_html(), ATTRIBUTION).add_to(fmap)
    return fmap
