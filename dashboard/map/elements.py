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
    ``window.feature_group``, which then grows by a step's layers on every slider move. The legend's
    list of layers (``window.legendLayers``) would grow the same way. This script runs first in the
    update, after the removal.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        window.feature_group = [];
        window.legendLayers = [];
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
        The popup's largest width and height in pixels (the map makes them smaller to fit its size).
    kind : str
        What the legend calls these markers: "events" (hidden by event type, keyed by ``colour``) or
        "places" (hidden all together); any other kind is never hidden.
    opened : bool
        Open each marker's popup as soon as it is on the map (the event picked in the table).
    shape, stroke : str
        The markers' shape ("circle", or "square" for places) and outline colour when a feature has none:
        given once for the layer, not repeated in every feature.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          if (!L.SquareMarker) {
            // A circle marker drawn as a square on the canvas: a place's dot, never taken for an event's circle.
            L.Canvas.include({
              _updateSquare: function (layer) {
                if (!this._drawing || layer._empty()) return;
                var p = layer._point, r = Math.max(Math.round(layer._radius), 1), ctx = this._ctx;
                ctx.beginPath();
                ctx.rect(p.x - r, p.y - r, 2 * r, 2 * r);
                this._fillStroke(ctx, layer);
              }
            });
            L.SquareMarker = L.CircleMarker.extend({
              _updatePath: function () {
                if (this._renderer._updateSquare) this._renderer._updateSquare(this);
                else L.CircleMarker.prototype._updatePath.call(this);
              }
            });
          }
          var geo = L.geoJSON({{ this.data }}, {
            pointToLayer: function (f, at) {
              var p = f.properties;
              var square = (p.shape || {{ this.shape_key }}) === "square";
              var make = square ? function (a, o) { return new L.SquareMarker(a, o); } : L.circleMarker;
              var marker = make(at, {
                radius: p.radius, color: p.stroke || {{ this.stroke_key }}, weight: p.weight || {{ this.weight }},
                dashArray: p.dash || null, fillColor: p.colour, fill: true,
                fillOpacity: p.opacity || {{ this.fill_opacity }}
              });
              marker.bindTooltip(p.tooltip, {sticky: true});
              {% if this.popup %}
              marker.bindPopup(p[{{ this.popup_key }}], {maxWidth: {{ this.size[0] }}, maxHeight: {{ this.size[1] }}});
              {% if this.opened %}
              marker.on("add", function () { setTimeout(function () { marker.openPopup(); }, 0); });
              {% endif %}
              {% endif %}
              return marker;
            }
          }).addTo({{ this._parent.get_name() }});
          // The legend hides and shows this layer's markers by event type, or the whole layer of place dots.
          (window.legendLayers = window.legendLayers || []).push(
            {kind: {{ this.kind_key }}, geo: geo, group: {{ this._parent.get_name() }}, all: geo.getLayers()});
          if (window.applyLegend) window.applyLegend();
        })();
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
        kind: str = "events",
        opened: bool = False,
        shape: str = "circle",
        stroke: str = "#222",
    ):
        super().__init__()
        self._name = "Points"
        self.kind_key, self.opened = to_script(kind), bool(opened)
        self.shape_key, self.stroke_key = to_script(shape), to_script(stroke)
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
        (function () {
          var geo = L.geoJSON({{ this.data }}, {
            style: function (f) {
              var p = f.properties;
              return {fillColor: p.colour, color: p.colour, weight: p.weight || 0.5, fillOpacity: p.opacity || 0.22,
                      dashArray: p.dash || null};
            },
            onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.tooltip, {sticky: true}); }
          }).addTo({{ this._parent.get_name() }});
          (window.legendLayers = window.legendLayers || []).push(
            {kind: "zones", geo: geo, group: {{ this._parent.get_name() }}, all: []});
          if (window.applyLegend) window.applyLegend();
        })();
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
    """The legend, top right, collapsible, whose rows hide and show what they name; and the attribution line.

    Top right, clear of the attribution (bottom right) and the scale (bottom left), and at most the map's
    height less a margin, so no entry ever sits under either. It starts collapsed on a map narrower than
    ``narrow`` pixels (a phone), and collapses there when a popup opens, or anywhere when it covers the
    open popup. A row that is a button
    (``data-key``) hides or shows: ``type:<colour>`` the event markers of that colour, ``zones`` the
    control zones, ``places`` the place dots. Which are hidden is kept in the frame, so it lasts across
    slider steps (each step's layers apply it as they are added).

    Popups are fitted to the map when they open: no wider than the map less 100 px (its frame adds about
    40), no taller than it less 150 px, and panned clear of the zoom buttons.

    Parameters
    ----------
    html : str
        The legend's HTML, made from the model's own vocabularies (never from file text).
    attribution : str
        Plain text added to the map's attribution.
    css : str
        The legend's and the popups' style sheet (the app's own text).
    narrow : int
        Map width in pixels below which the legend starts collapsed.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
          var map = {{ this._parent.get_name() }};
          var style = document.createElement("style");
          style.textContent = {{ this.css }};
          document.head.appendChild(style);
          var hidden = window.legendHidden = window.legendHidden || {};
          window.applyLegend = function () {
            window.legendLayers = (window.legendLayers || []).filter(function (e) {
              if (e.group._map) e.seen = true;
              return !(e.seen && !e.group._map);  // a group a step has removed: forget it
            });
            window.legendLayers.forEach(function (e) {
              if (e.kind === "events") {
                e.all.forEach(function (m) {
                  var show = !hidden["type:" + m.feature.properties.colour];
                  if (show !== e.geo.hasLayer(m)) { if (show) e.geo.addLayer(m); else e.geo.removeLayer(m); }
                });
              } else {
                var show = !hidden[e.kind];
                if (show !== e.group.hasLayer(e.geo)) {
                  if (show) e.group.addLayer(e.geo); else e.group.removeLayer(e.geo);
                }
              }
            });
          };
          var div;
          function collapse(shut) {
            div.classList.toggle("collapsed", shut);
            div.querySelector(".legend-toggle").setAttribute("aria-expanded", shut ? "false" : "true");
          }
          var legend = L.control({position: "topright"});
          legend.onAdd = function () {
            div = L.DomUtil.create("div", "map-legend");
            div.setAttribute("role", "region");
            div.setAttribute("aria-label", "Map legend");
            div.innerHTML = {{ this.html }};
            L.DomEvent.disableClickPropagation(div);
            L.DomEvent.disableScrollPropagation(div);
            div.querySelector(".legend-toggle").addEventListener("click", function () {
              collapse(!div.classList.contains("collapsed"));
            });
            div.querySelectorAll("button[data-key]").forEach(function (b) {
              var key = b.getAttribute("data-key");
              b.setAttribute("aria-pressed", hidden[key] ? "false" : "true");
              b.classList.toggle("off", !!hidden[key]);
              b.addEventListener("click", function () {
                hidden[key] = !hidden[key];
                b.setAttribute("aria-pressed", hidden[key] ? "false" : "true");
                b.classList.toggle("off", hidden[key]);
                window.applyLegend();
              });
            });
            return div;
          };
          legend.addTo(map);
          var fit = function () {
            // Above the attribution, whatever its height: no entry ever sits under it.
            var below = map.attributionControl.getContainer().offsetHeight + 30;
            div.querySelector(".legend-body").style.maxHeight = Math.max(map.getSize().y - below - 40, 120) + "px";
          };
          map.whenReady(fit);
          map.on("resize", fit);
          collapse(map.getSize().x < {{ this.narrow }});
          map.on("popupopen", function (e) {
            var p = e.popup, size = map.getSize();
            if (p.options.wantedWidth === undefined) {
              p.options.wantedWidth = p.options.maxWidth;
              p.options.wantedHeight = p.options.maxHeight || size.y;
            }
            p.options.maxWidth = Math.max(Math.min(p.options.wantedWidth, size.x - 100), 100);
            p.options.minWidth = Math.min(p.options.minWidth || 50, p.options.maxWidth);
            p.options.maxHeight = Math.max(Math.min(p.options.wantedHeight, size.y - 150), 100);
            p.options.autoPanPaddingTopLeft = L.point(10, 85);  // clear of the zoom buttons
            p.options.autoPanPaddingBottomRight = L.point(10, 30);
            if (size.x < {{ this.narrow }}) collapse(true);
            p.update();
            // Once the popup has panned into view: fold the legend if it still covers the popup.
            setTimeout(function () {
              var a = p.getElement() && p.getElement().getBoundingClientRect(), b = div.getBoundingClientRect();
              if (a && a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) collapse(true);
            }, 400);
          });
          map.attributionControl.setPrefix("Leaflet");
          map.attributionControl.addAttribution({{ this.attribution }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, html: str, attribution: str, css: str, narrow: int = 600):
        super().__init__()
        self._name = "Legend"
        self.html, self.attribution, self.css = to_script(html), to_script(attribution), to_script(css)
        self.narrow = int(narrow)


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
