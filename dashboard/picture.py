"""The map as a picture, made on the server with matplotlib (no browser): PNG, SVG, PDF and frames.

``Painter`` draws what never changes once (land, borders, the legend, the attributions) and keeps an
artist for each part a day changes (zones, place dots, events or cells, city labels above the zones,
the date, the caption); ``frame`` updates those artists' data and draws only them over the saved
background (matplotlib's blitting), so a time-lapse costs a fraction of a full draw per day.

The figure is ``WIDTH_INCHES`` wide whatever its pixels (the pixels set the dpi): printed at that
width, every text is its point size, and none is under ``MIN_FONT_PT``. Mathtext and TeX are off and
every text is made with ``parse_math=False``, so a source called ``$x$`` is drawn as written; the SVG
keeps text as text (``svg.fonttype: none``), XML-escaped by matplotlib.

The colours and shapes come from the map's own tables (``model``, ``map.features``), read in
``STYLE`` below only: when the map's colours change there, the picture follows; its marker shapes
follow the map's marks (``palette``): events round, a place's control dot square with a white outline.
"""

from __future__ import annotations

import io
import math
import textwrap
from dataclasses import dataclass

import matplotlib
import numpy as np
import pandas as pd
import shapely
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path

from .geocode import Geodata
from .map import features, palette
from .map.basemap import BASIS_LABELS
from .model import CONTROLLERS, COUNTRY, EVENT_TYPES, MAX_ZOOM, MIN_ZOOM
from .publish import Scene

WIDTH_INCHES = 8.0  # a landscape page's printable width: text prints at its point size
MIN_FONT_PT = 7.0
CAPTION_LINES = 5  # a caption line (a long list of sources) wraps to at most this many
FONTS = {"date": 20.0, "title": 10.0, "legend": 7.5, "caption": 7.5, "label": 7.5, "head": 8.0}
PX_TO_PT = 0.75  # the map's sizes are CSS pixels (96 per inch); the picture's are points (72 per inch)
PAD_DEGREES = 0.35
MAP_SHARE = 0.6  # at most this much of the width is map; the rest is the date, the legend and the caption
RC = {
    "text.usetex": False,
    "text.parse_math": False,
    "svg.fonttype": "none",  # text stays text in the SVG
    "svg.hashsalt": "conflict-map",  # the same picture gives the same SVG
    "pdf.fonttype": 42,
    "font.family": "DejaVu Sans",
}

# ---------------------------------------------------------------- STYLE: every colour and shape, from the map's
TYPE_COLOURS = features.TYPE_COLOURS
MARKERS = dict.fromkeys(EVENT_TYPES, "o")  # event type -> marker: circles, as on the map
# A place's control dot, as the map draws it: a square, outlined in white, never read as an event.
PLACE_MARKER = {"square": "s", "round": "o"}[palette.PLACE_MARK["shape"]]
PLACE_OUTLINE = palette.PLACE_MARK["outline"]
CONTROLLER_COLOURS = {name: colour for name, (colour, _) in CONTROLLERS.items()}
OTHER = "#7f7f7f"
STROKE = "#222222"
SEA, LAND, HOME, BORDER = "#dfe9f2", "#ecebe6", "#f7f4ec", "#555555"
LABEL = "#222222"


def _dash(pattern: str | None, width: float):
    """A map dash pattern ("4 4", CSS pixels) as matplotlib's, which scales dashes by the line width."""
    if not isinstance(pattern, str) or not pattern.strip():  # None, or NaN from a frame's column
        return "solid"
    steps = [float(p) * PX_TO_PT / max(width, 0.1) for p in str(pattern).split()]
    return (0, tuple(steps))


def _rgba(colours, alpha) -> np.ndarray:
    rgba = matplotlib.colors.to_rgba_array(list(colours)) if len(colours) else np.zeros((0, 4))
    rgba[:, 3] = alpha
    return rgba


@dataclass(frozen=True)
class Marks:
    """Circle markers ready for a scatter: positions, areas (pt²), fills, outlines, widths, dashes."""

    xy: np.ndarray
    sizes: np.ndarray
    fill: np.ndarray
    edge: np.ndarray
    widths: np.ndarray
    dashes: list

    @staticmethod
    def of(lon, lat, radius_px, fill, edge, width_px, dashes) -> Marks:
        widths = np.asarray(width_px, dtype=float) * PX_TO_PT
        return Marks(
            np.column_stack([np.asarray(lon, float), np.asarray(lat, float)]).reshape(-1, 2),
            (2 * np.asarray(radius_px, dtype=float) * PX_TO_PT) ** 2,
            fill,
            edge,
            widths,
            [_dash(d, w) for d, w in zip(dashes, widths, strict=True)],
        )


def event_marks(drawn) -> Marks:
    """What ``step.draw`` chose, styled as ``map.layers`` styles it: events, stories or counted cells."""
    rows = drawn.rows
    if rows.empty:
        return Marks.of([], [], [], np.zeros((0, 4)), np.zeros((0, 4)), [], [])
    n = len(rows)
    if drawn.kind == "cells":
        rows = rows.sort_values("count", ascending=False, kind="stable")  # small cells over large ones
        count = rows["count"].to_numpy(float)
        fill = _rgba(rows["event_type"].map(TYPE_COLOURS).fillna(OTHER), 0.55)
        radius = 5 + 17 * np.sqrt(count / count.max())
        return Marks.of(rows["lon"], rows["lat"], radius, fill, _rgba([STROKE] * n, 1.0), [2.0] * n, [None] * n)
    if drawn.kind == "stories":
        story = features.story_features(rows)
        fill = _rgba(story["colour"], 0.85)
        edge = _rgba(story["stroke"], 1.0)
        return Marks.of(story.geometry.x, story.geometry.y, story["radius"], fill, edge, story["weight"], story["dash"])
    spread = features.spread(rows[["lat", "lon", "date"]])
    region = features.is_region(rows)
    fill = _rgba(rows["event_type"].map(TYPE_COLOURS).fillna(OTHER), np.where(region, 0.3, 0.85))
    dashes = np.where(region, "3 3", None)
    return Marks.of(
        spread["lon"], spread["lat"], np.where(region, 16, 7), fill, _rgba([STROKE] * n, 1.0), [1.5] * n, dashes
    )


def dot_marks(held: pd.DataFrame) -> Marks:
    """A dot per place, by controller and basis, as ``features.control_json`` draws them."""
    style = features._basis_style(held["basis"], held["controller"])
    n = len(held)
    geometry = held.geometry
    fill = _rgba(style["colour"], style["dot_opacity"].to_numpy(float))
    return Marks.of(geometry.x, geometry.y, [4] * n, fill, _rgba([PLACE_OUTLINE] * n, 1.0), [1.5] * n, style["dash"])


def _path(geometry) -> Path:
    """A (multi)polygon as one compound path, holes included; lines and points in it are left out."""
    vertices, codes = [], []
    for part in shapely.get_parts(geometry):
        if not isinstance(part, shapely.Polygon) or part.is_empty:
            continue
        for ring in (part.exterior, *part.interiors):
            xy = np.asarray(ring.coords)
            kind = np.full(len(xy), Path.LINETO, dtype=np.uint8)
            kind[0], kind[-1] = Path.MOVETO, Path.CLOSEPOLY
            vertices.append(xy)
            codes.append(kind)
    if not vertices:
        return Path(np.zeros((0, 2)))
    return Path(np.concatenate(vertices), np.concatenate(codes))


def _extent(geodata: Geodata) -> tuple[float, float, float, float]:
    """(west, south, east, north): the country and its places, with a margin."""
    west, south, east, north = shapely.bounds(geodata.outline)
    places = geodata.places.geometry
    west, east = min(west, places.x.min()), max(east, places.x.max())
    south, north = min(south, places.y.min()), max(north, places.y.max())
    return west - PAD_DEGREES, south - PAD_DEGREES, east + PAD_DEGREES, north + PAD_DEGREES


def layout(geodata: Geodata, width: int, height: int) -> tuple[float, float, float, float, float]:
    """(west, south, east, north, share): the map's limits and the share of the width it takes, at the left.

    The limits are widened (never cut) to the box's shape, with degrees drawn as geopandas draws them
    (a degree of longitude shorter by the cosine of the latitude).
    """
    west, south, east, north = _extent(geodata)
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    wide, tall = east - west, (north - south) * stretch
    share = min(wide / tall * height / width, MAP_SHARE)
    box = share * width / height  # the box's width over its height
    if wide / tall < box:
        west, east = (west + east - tall * box) / 2, (west + east + tall * box) / 2
    else:
        grow = (wide / box / stretch - (north - south)) / 2
        south, north = south - grow, north + grow
    return west, south, east, north, share


def zoom_for(geodata: Geodata, width: int, height: int) -> int:
    """The map zoom whose scale the picture has: cells are then about as many pixels wide as on screen."""
    west, _, east, _, share = layout(geodata, width, height)
    pixels_per_degree = width * share / (east - west)
    return min(max(round(math.log2(pixels_per_degree * 360 / 256)), MIN_ZOOM), MAX_ZOOM)


def _legend_handles() -> tuple[list, list[str], set[int]]:
    """The legend's rows from the model's vocabularies, and which are headings: events in the first column,
    control in the second (``ncols=2`` fills a column before the next, so the first is padded)."""
    handles, labels, heads = [], [], set()

    def row(handle, label: str, heading: bool = False) -> None:
        if heading:
            heads.add(len(labels))
        handles.append(handle)
        labels.append(label)

    blank = Line2D([], [], linestyle="none")
    row(blank, "Events", heading=True)
    for name, colour in TYPE_COLOURS.items():
        row(Line2D([], [], linestyle="none", marker=MARKERS[name], markersize=6, mfc=colour, mec=STROKE), name)
    row(Line2D([], [], linestyle="none", marker="o", markersize=10, mfc="#cccccc", mec=STROKE), "counted cell")
    second = [(blank, "Held by", True)]
    second += [
        (Patch(facecolor=c, edgecolor=STROKE, linewidth=0.5), name, False) for name, c in CONTROLLER_COLOURS.items()
    ]
    second.append((blank, "Basis of control", True))
    for basis, label in BASIS_LABELS.items():
        opacity, _, dash, _ = features.BASIS_STYLE[basis]
        colour = features.NO_CLAIM_COLOUR if basis == "no claim" else "#555555"
        fill = matplotlib.colors.to_rgba(colour, max(opacity * 3, 0.25))
        second.append((Patch(facecolor=fill, edgecolor=STROKE, linestyle="--" if dash else "-"), label, False))
    while len(labels) < len(second):
        row(blank, "")
    for handle, label, heading in second:
        row(handle, label, heading)
    return handles, labels, heads


class Painter:
    """One figure for many days: the static layers drawn once, the day's layers drawn over them.

    Parameters
    ----------
    geodata : Geodata
        Borders (``countries``), the country's outline and the gazetteer's cities, for labels.
    width, height : int
        The picture's size in pixels.
    animated : bool
        Keep the day's artists out of full draws and blit them over a saved background (frames of a
        time-lapse); False for a picture saved whole (PNG, SVG, PDF).
    """

    def __init__(self, geodata: Geodata, width: int = 1600, height: int = 1000, animated: bool = False):
        self.width, self.height, self.animated = int(width), int(height), animated
        with matplotlib.rc_context(RC):
            self.figure = Figure(figsize=(WIDTH_INCHES, WIDTH_INCHES * height / width), dpi=width / WIDTH_INCHES)
            self.canvas = FigureCanvasAgg(self.figure)
            self.figure.patch.set_facecolor("white")
            self.map = self._map_axes(geodata)
            self._static_layers(geodata)
            self._day_artists(geodata)
            self._panel()
        self.background = None

    # ------------------------------------------------------------ layout
    def _map_axes(self, geodata: Geodata):
        west, south, east, north, share = layout(geodata, self.width, self.height)
        axes = self.figure.add_axes((0.0, 0.0, share, 1.0))
        axes.set_xlim(west, east)
        axes.set_ylim(south, north)
        axes.set_facecolor(SEA)
        axes.set_xticks([])
        axes.set_yticks([])
        for spine in axes.spines.values():
            spine.set_edgecolor(BORDER)
        self.share = share
        return axes

    def _static_layers(self, geodata: Geodata) -> None:
        countries = geodata.countries
        home = countries["name"].eq(COUNTRY).to_numpy()
        paths = [_path(g) for g in countries.geometry]
        land = PathCollection(
            paths, facecolors=np.where(home, HOME, LAND), edgecolors=BORDER, linewidths=np.where(home, 1.5, 0.75)
        )
        land.set_zorder(1)
        self.map.add_collection(land, autolim=False)

    def _day_artists(self, geodata: Geodata) -> None:
        """The artists a day changes, empty until ``frame``; city labels sit above the zones, under every dot."""
        animated = self.animated
        self.zones = PathCollection([], zorder=2, animated=animated)
        self.map.add_collection(self.zones, autolim=False)
        towns = geodata.places.loc[geodata.places["kind"].isin(["capital", "city"])]
        halo = [patheffects.withStroke(linewidth=2.2, foreground="white")]
        self.labels = [
            self.map.annotate(
                str(name),
                (x, y),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=FONTS["label"],
                fontweight="bold",
                color=LABEL,
                zorder=3,
                path_effects=halo,
                animated=animated,
                parse_math=False,
                annotation_clip=True,
            )
            for name, x, y in zip(towns["place"], towns.geometry.x, towns.geometry.y, strict=True)
        ]
        self.dots = self.map.scatter([], [], marker=PLACE_MARKER, zorder=4, animated=animated)
        self.events = self.map.scatter([], [], zorder=5, animated=animated)

    def _panel(self) -> None:
        """The right-hand panel: the date large, the title, the legend, the caption, the attributions."""
        left = self.share + 0.015
        self.panel_left = left
        self.date = self.figure.text(
            left, 0.975, "", fontsize=FONTS["date"], fontweight="bold", va="top", animated=self.animated
        )
        self.date.set_parse_math(False)
        legend_axes = self.figure.add_axes((left, 0.47, 0.99 - left, 0.41))
        legend_axes.set_axis_off()
        handles, labels, heads = _legend_handles()
        legend = legend_axes.legend(
            handles,
            labels,
            loc="upper left",
            ncols=2,
            fontsize=FONTS["legend"],
            frameon=False,
            borderaxespad=0,
            handlelength=1.3,
            columnspacing=1.0,
            labelspacing=0.35,
        )
        for i, text in enumerate(legend.get_texts()):
            text.set_parse_math(False)
            if i in heads:
                text.set_fontweight("bold")
                text.set_fontsize(FONTS["head"])
        self.caption = self.figure.text(
            left, 0.475, "", fontsize=FONTS["caption"], va="top", linespacing=1.35, animated=self.animated
        )
        self.caption.set_parse_math(False)
        fig_w = self.figure.get_size_inches()[0]
        self.wrap = int((0.99 - left) * fig_w * 72 / (FONTS["caption"] * 0.52))

    # ------------------------------------------------------------ a day
    def _set(self, scene: Scene) -> None:
        zones = scene.zones
        style = features._basis_style(zones["basis"], zones["controller"])
        widths = style["weight"].to_numpy(float) * PX_TO_PT
        self.zones.set_paths([_path(g) for g in zones.geometry])
        self.zones.set_facecolor(_rgba(style["colour"], style["opacity"].to_numpy(float)))
        self.zones.set_edgecolor(_rgba(style["colour"], 1.0))
        self.zones.set_linewidth(widths)
        self.zones.set_linestyle([_dash(d, w) for d, w in zip(style["dash"], widths, strict=True)])
        for artist, marks in ((self.dots, dot_marks(scene.held)), (self.events, event_marks(scene.drawn))):
            artist.set_offsets(marks.xy)
            artist.set_sizes(marks.sizes)
            artist.set_facecolor(marks.fill)
            artist.set_edgecolor(marks.edge)
            artist.set_linewidth(marks.widths)
            artist.set_linestyle(marks.dashes or "solid")
        self.date.set_text(f"{scene.day:%-d %b %Y}")
        self._caption(scene.caption)

    def _caption(self, lines: list[str]) -> None:
        """The caption wrapped to the panel; the lists (filters, sources: lines 2 and 3) cut shorter until the
        whole caption fits above the picture's bottom edge. The other lines are never cut."""
        renderer = self.canvas.get_renderer()
        for most in range(CAPTION_LINES, 0, -1):
            wrapped = (
                textwrap.fill(line, self.wrap, max_lines=most if i in (1, 2) else None, placeholder=" …")
                for i, line in enumerate(lines)
            )
            self.caption.set_text("\n".join(wrapped))
            if self.caption.get_window_extent(renderer).y0 >= 0:
                return

    def texts(self) -> list:
        """Every text object of the figure: what a test reads the caption and the font sizes from."""
        return [t for t in self.figure.findobj(matplotlib.text.Text) if t.get_text()]

    def frame(self, scene: Scene) -> np.ndarray:
        """The day as an RGB array (height, width, 3): blitted over the static layers when animated."""
        with matplotlib.rc_context(RC):
            self._set(scene)
            if not self.animated:
                self.canvas.draw()
            else:
                if self.background is None:
                    self.canvas.draw()
                    self.background = self.canvas.copy_from_bbox(self.figure.bbox)
                self.canvas.restore_region(self.background)
                for artist in (self.zones, *self.labels, self.dots, self.events, self.date, self.caption):
                    self.figure.draw_artist(artist)
            return np.asarray(self.canvas.buffer_rgba())[:, :, :3].copy()

    def save(self, scene: Scene, fmt: str) -> bytes:
        """The day as a whole file: ``png``, ``svg`` or ``pdf``."""
        if self.animated:
            raise ValueError("an animated painter makes frames; save with animated=False")
        if fmt not in FORMATS:
            raise ValueError(f"format: expected one of {', '.join(FORMATS)}, got {fmt!r}")
        out = io.BytesIO()
        halo = self.labels[0].get_path_effects() if self.labels else []
        with matplotlib.rc_context(RC):
            self._set(scene)
            if fmt == "svg":  # a halo draws text as outlines: in the SVG the city names stay text, unhaloed
                for label in self.labels:
                    label.set_path_effects([])
            self.figure.savefig(out, format=fmt, dpi=self.figure.dpi, metadata={"Date": None} if fmt == "svg" else {})
            for label in self.labels:
                label.set_path_effects(halo)
        return out.getvalue()


FORMATS = ("png", "svg", "pdf")


def picture(geodata: Geodata, scene: Scene, fmt: str = "png", width: int = 1600, height: int = 1000) -> bytes:
    """One day's map as a PNG, SVG or PDF file."""
    return Painter(geodata, width, height).save(scene, fmt)
