"""Geocode: event places -> points, by a join on the gazetteer.

Names match ignoring case, accents, Arabic diacritics, apostrophes and hyphens,
and through each place's aliases and Arabic name. Coordinates given in an event
win over the gazetteer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from .load import rejection_frame
from .names import INVISIBLE

GAZETTEER = "gazetteer.csv"
BASELINE = "control_baseline.csv"
COUNTRIES = "countries.geojson"
COUNTRY = "Syria"
# Latin combining accents, Arabic harakat, the superscript alef and the tatweel.
_MARKS = r"[\u0300-\u036f\u064b-\u065f\u0670\u0640]"


class GeodataError(Exception):
    """A file under geodata/ is missing or broken. The message says which and how."""


@dataclass(frozen=True)
class Geodata:
    places: gpd.GeoDataFrame  # place, name_ar, aliases, kind, governorate, baseline, geometry
    aliases: pd.DataFrame  # key -> place, glat, glon
    countries: gpd.GeoDataFrame  # name, geometry; the country itself and its neighbours
    outline: object  # the country's polygon, for clipping control zones
    registry: object = None  # the outlets (registry.Registry, from sources.csv); None: no registry


def name_key(names: pd.Series) -> pd.Series:
    """The form names are matched on: 'Ma’arrat al-Nu‘man' -> 'maarrat al numan'.

    Zero-width and bidirectional controls are dropped first: "Hom\u200bs" is Homs, not an unknown place.
    Worked out once per distinct name: a million events name a few thousand places.
    """
    codes, uniques = pd.factorize(names.astype("str"), use_na_sentinel=False)
    keys = (
        pd.Series(uniques, dtype="str")
        .str.replace(f"[{INVISIBLE}]", "", regex=True)
        .str.normalize("NFKD")
        .str.replace(_MARKS, "", regex=True)
        .str.casefold()
        .str.replace(r"[’'`ʼ‘ʿʾ]", "", regex=True)
        .str.replace(r"[-_.,/()]", " ", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )
    return pd.Series(keys.to_numpy()[codes], index=names.index, dtype="str")


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise GeodataError(f"{path}: is a folder, not a file")
    if not path.exists():
        raise GeodataError(f"{path}: missing; run `make geodata` or restore it from git")


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    _check_file(path)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except OSError as err:  # gone or locked since the check above
        raise GeodataError(f"{path}: unreadable ({err.strerror or err})") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise GeodataError(f"{path}: unreadable ({str(err).splitlines()[0]})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GeodataError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


def _check_places(path: Path, frame: pd.DataFrame) -> None:
    """Each row names a place, and no place twice: a second row would be joined to every event twice."""
    nameless = np.flatnonzero(frame["place"].str.strip().eq("").to_numpy())
    if len(nameless):
        raise GeodataError(f"{path}: a row has no place name (data row {nameless[0] + 1})")
    twice = frame.loc[frame["place"].duplicated(), "place"].unique()
    if len(twice):
        raise GeodataError(f"{path}: a place is listed more than once: {', '.join(twice[:5])}")


def _check_coordinates(path: Path, places: pd.Series, lat: pd.Series, lon: pd.Series) -> None:
    broken = places[lat.isna() | lon.isna()]
    if not broken.empty:
        raise GeodataError(f"{path}: no numeric lat/lon for {', '.join(broken.head(5))}")
    # inf is a number to pandas, but not a place on the earth
    outside = places[~(lat.abs().le(90) & lon.abs().le(180))]
    if not outside.empty:
        raise GeodataError(
            f"{path}: lat/lon out of range for {', '.join(outside.head(5))} (lat must be within ±90, lon within ±180)"
        )


def _read_outline(path: Path) -> tuple[gpd.GeoDataFrame, object]:
    """The countries, and the one country's outline: a (Multi)Polygon, for clipping control zones."""
    _check_file(path)
    try:
        countries = gpd.read_file(path)
    except Exception as err:  # pyogrio raises several types for missing or corrupt files
        raise GeodataError(f"{path}: unreadable ({str(err).splitlines()[0]})") from None
    if countries.empty:
        raise GeodataError(f"{path}: has no features; expected {COUNTRY} and its neighbours")
    if "name" not in countries.columns:
        raise GeodataError(f"{path}: its features have no 'name' property; expected one named {COUNTRY}")
    country = countries.loc[countries["name"].eq(COUNTRY), "geometry"]
    if country.empty:
        raise GeodataError(f"{path}: has no feature named {COUNTRY}")
    for shape in country:
        if shape is None:
            found = "no geometry"
        elif shape.geom_type not in ("Polygon", "MultiPolygon"):
            found = f"a {shape.geom_type}"
        elif shape.is_empty:
            found = "an empty geometry"
        else:
            continue
        raise GeodataError(f"{path}: {COUNTRY} has {found}; expected a Polygon or MultiPolygon")
    return countries, country.union_all()


def alias_table(places: pd.DataFrame) -> pd.DataFrame:
    """Every name a place goes by, as a match key, -> the place's canonical name and point."""
    places = places.assign(glat=pd.to_numeric(places["lat"]), glon=pd.to_numeric(places["lon"]))
    names = pd.concat(
        [
            places[["place"]].assign(name=places["place"]),
            places[["place"]].assign(name=places["name_ar"]),
            places[["place"]].assign(name=places["aliases"].str.split("|")).explode("name"),
        ]
    )
    names["key"] = name_key(names["name"].fillna(""))
    names = names.loc[names["key"].ne("")].drop_duplicates(["key", "place"])
    clash = names.loc[names["key"].duplicated(keep=False)]
    if not clash.empty:
        pairs = clash.groupby("key")["place"].agg(" / ".join).head(5)
        raise GeodataError(
            "gazetteer: a name stands for two places: " + "; ".join(f"{k!r} -> {v}" for k, v in pairs.items())
        )
    return names[["key", "place"]].merge(places[["place", "glat", "glon"]], on="place")


def read_geodata(folder: str | Path) -> Geodata:
    """The gazetteer with its baseline control, and the borders. Fails loudly."""
    folder = Path(folder)
    table = _read_csv(folder / GAZETTEER, ("place", "name_ar", "aliases", "kind", "governorate", "lat", "lon"))
    _check_places(folder / GAZETTEER, table)
    lat = pd.to_numeric(table["lat"], errors="coerce")
    lon = pd.to_numeric(table["lon"], errors="coerce")
    _check_coordinates(folder / GAZETTEER, table["place"], lat, lon)
    baseline = _read_csv(folder / BASELINE, ("place", "controller", "basis"))
    _check_places(folder / BASELINE, baseline)
    table = table.merge(
        baseline.rename(columns={"controller": "baseline", "basis": "baseline_basis"}),
        on="place",
        how="left",
    )
    unset = table.loc[table["baseline"].isna(), "place"]
    if not unset.empty:
        raise GeodataError(f"{folder / BASELINE}: no baseline controller for {', '.join(unset.head(5))}")
    places = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    countries, outline = _read_outline(folder / COUNTRIES)
    from .registry import REGISTRY, read_registry  # the registry matches names as this module does

    return Geodata(places, alias_table(table), countries, outline, read_registry(folder / REGISTRY))


def geocode(frame: pd.DataFrame, aliases: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coordinates (WGS84 ``lat``, ``lon``) for every row whose place is known or whose lat/lon are given.

    No shapely point per event: a million of them take 200 MB; layers and exports make points for what they show.

    Adds ``gazetteer_place`` (the canonical name, empty when the place is not in
    the gazetteer) and ``located`` (``event`` when the row's own coordinates were
    used, ``gazetteer`` otherwise). Rows with neither are rejected.
    """
    keyed = frame.assign(key=name_key(frame["place"]))
    joined = keyed.merge(aliases, on="key", how="left", suffixes=("", "_gz")).drop(columns="key")
    gazetteer_place = joined.pop("place_gz")
    has_own = joined["lat"].notna() & joined["lon"].notna()
    unknown = gazetteer_place.isna() & ~has_own
    rejected = rejection_frame(
        joined.loc[unknown, "line"],
        ["place"] * int(unknown.sum()),
        joined.loc[unknown, "place"],
        ["unknown place with no lat/lon: not in the gazetteer"] * int(unknown.sum()),
    )
    located = joined.loc[~unknown]
    located["gazetteer_place"] = gazetteer_place[~unknown].fillna("")
    located["located"] = has_own[~unknown].map({True: "event", False: "gazetteer"})
    located["lat"] = located["lat"].fillna(located.pop("glat"))
    located["lon"] = located["lon"].fillna(located.pop("glon"))
    return located, rejected
