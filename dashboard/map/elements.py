"""The app's own Leaflet elements, one class each, in folium's shape (an element and its one template).

Each is a ``Script``: its template's ``script`` macro is rendered once and put into the page as it
is. branca's ``MacroElement.render`` would wrap the output in ``Element(output)``, which compiles it
as a Jinja template again: file text such as ``{{ ... }}`` in a layer's JSON would run on the server,
an unclosed ``{%`` would break the page, and megabytes of JSON would be tokenised on every step.
streamlit-folium reads the same macro for the layers it sends. Every JSON an element holds goes
through ``escape.script_json``.
"""

from __future__ import annotations

from branca.element import Element, MacroElement
from jinja2 import Template

from .escape import script_json, to_script


class Rendered(Element):
    """Text already rendered, put into the page as it is."""

    def __init__(self, text: str):
        super().__init__()
        self.text = text

    def render(self, **kwargs) -> str:
        return self.text


class Script(MacroElement):
    """An element made of one ``script`` macro whose output is never compiled again."""

    def render(self, **kwargs) -> None:
        figure = self.get_root()
        script = self._template.module.script(self, kwargs)
        figure.script.add_child(Rendered(script), name=self.get_name())


class ForgetOldLayers(Script):
    """Empty the frame's list of past layer groups before the new ones are added.

    streamlit-folium removes the previous groups from the map on each update but keeps them in
    ``window.feature_group``, which then grows by a step's layers on every slider move. This script
    runs first in the update, after the removal.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.feature_group = [];
        {% endmacro %}
        """
    )


class Points(Script):
    """Circle markers straight from GeoJSON, each styled, labelled and explained by its own properties.

    Parameters
    ----------
    data : str
        A GeoJSON FeatureCollection of points. ``colour`` and ``radius`` are required properties;
        ``stroke``, ``weight``, ``dash`` and ``opacity`` fall back to the layer's defaults; ``tooltip``
        and the ``popup`` property are escaped HTML made by ``features``.
    weight : float
        Outline width when a feature has no ``weight``.
    fill_opacity : float
        Fill opacity when a feature has no ``opacity``.
    popup : str, optional
        The property that holds each feature's popup; no popup when None.
    size : (int, int)
        The popup's largest width and height in pixels.
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
            marker.bindPopup(p[{{ this.popup_key }}], {maxWidth: {{ this.size[0] }}, maxHeight: {{ this.size[1] }}});
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
        self.data = script_json(data)
        self.weight, self.fill_opacity, self.size = float(weight), float(fill_opacity), size
        self.popup, self.popup_key = popup, to_script(popup)


class Zones(Script):
    """Control zones straight from GeoJSON.

    Parameters
    ----------
    data : str
        A GeoJSON FeatureCollection of polygons with ``colour`` and ``tooltip`` properties (made by
        ``features.control_json``); ``opacity``, ``weight`` and ``dash`` fall back to a solid zone.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        L.geoJSON({{ this.data }}, {
          style: function (f) {
            var p = f.properties;
            return {fillColor: p.colour, color: p.colour, weight: p.weight || 0.5, fillOpacity: p.opacity || 0.22,
                    dashArray: p.dash || null};
          },
          onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }
        }).addTo({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, data: str):
        super().__init__()
        self._name = "Zones"
        self.data = script_json(data)


class Basemap(Script):
    """Borders and city labels drawn by Leaflet straight from GeoJSON made once per geodata.

    folium's GeoJson would restyle, re-measure and re-serialise these same features on every rerun;
    this writes them as they are.

    Parameters
    ----------
    borders : str
        Countries as GeoJSON, with ``is_home`` true for the country the map is about.
    cities : str
        City points as GeoJSON, with an escaped ``label``.
    filled : bool
        Fill the land (when there are no tiles to show it).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          // Panes under the layers' (overlayPane, 400), above the tiles (200): the borders, then the city
          // labels, so that a label is never drawn over a marker (the tooltips' own pane, 650, is above them all).
          [["borders", 300], ["cityLabels", 350]].forEach(function (pane) {
            var made = map.getPane(pane[0]) || map.createPane(pane[0]);
            made.style.zIndex = pane[1];
            made.style.pointerEvents = "none";
          });
          L.geoJSON({{ this.borders }}, {
            interactive: false,
            pane: "borders",
            style: function (f) {
              var home = f.properties.is_home;
              return {color: "#555", weight: home ? 2 : 1, fillColor: home ? "#f7f4ec" : "#ecebe6",
                      fillOpacity: {{ "1.0" if this.filled else "0.0" }}};
            }
          }).addTo(map);
          L.geoJSON({{ this.cities }}, {
            interactive: false,
            pointToLayer: function (f, at) {
              return L.circleMarker(at, {radius: 2, color: "#333", fill: true, fillOpacity: 1, weight: 1,
                                         pane: "cityLabels"})
                .bindTooltip(f.properties.label, {permanent: true, direction: "right", className: "city-label",
                                                  pane: "cityLabels"});
            }
          }).addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, borders: str, cities: str, filled: bool):
        super().__init__()
        self._name = "Basemap"
        self.borders, self.cities = script_json(borders), script_json(cities)
        self.filled = bool(filled)


class Legend(Script):
    """The legend, bottom right, and the attribution line.

    Parameters
    ----------
    html : str
        The legend's HTML, made from the model's own vocabularies (never from file text).
    attribution : str
        Plain text added to the map's attribution.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var legend = L.control({position: "bottomright"});
          legend.onAdd = function () {
            var div = L.DomUtil.create("div", "map-legend");
            div.innerHTML = {{ this.html }};
            L.DomEvent.disableClickPropagation(div);
            return div;
          };
          legend.addTo({{ this._parent.get_name() }});
          {{ this._parent.get_name() }}.attributionControl.setPrefix("Leaflet");
          {{ this._parent.get_name() }}.attributionControl.addAttribution({{ this.attribution }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, attribution: str):
        super().__init__()
        self._name = "Legend"
        self.html, self.attribution = to_script(html), to_script(attribution)


class Caption(Script):
    """The caption of a downloaded map, top left under the zoom buttons (the legend keeps the right): what it
    shows, its filters and sources, its attributions.

    Parameters
    ----------
    lines : list of str
        Plain text (``publish.caption_lines``), file text included: each line is set as ``textContent``,
        so nothing in it is read as HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var caption = L.control({position: "topleft"});
          caption.onAdd = function () {
            var div = L.DomUtil.create("details", "map-caption");
            div.open = true;  // a click on its title folds it away from the map
            div.style.cssText = "background:rgba(255,255,255,.93);padding:6px 9px;font:12px/1.35 sans-serif;" +
              "max-width:440px;border-radius:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)";
            {{ this.lines }}.forEach(function (line, i) {
              var p = L.DomUtil.create(i ? "div" : "summary", i ? "map-caption-line" : "map-caption-title", div);
              p.textContent = line;
              if (!i) { p.style.fontWeight = "bold"; p.style.fontSize = "14px"; p.style.cursor = "pointer"; }
            });
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            return div;
          };
          caption.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, lines: list[str]):
        super().__init__()
        self._name = "Caption"
        self.lines = to_script([str(line) for line in lines])
