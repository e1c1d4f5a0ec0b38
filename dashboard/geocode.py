"""Geocode: event places -> points, by a join on the gazetteer.

Names match ignoring case, accents, Arabic diacritics, apostrophes and hyphens,
and through each place's aliases and Arabic name. Coordinates given in an event
win over the gazetteer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd

from .load import rejection_frame

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


def name_key(names: pd.Series) -> pd.Series:
    """The form names are matched on: 'Ma’arrat al-Nu‘man' -> 'maarrat al numan'."""
    return (
        names.astype("str")
        .str.normalize("NFKD")
        .str.replace(_MARKS, "", regex=True)
        .str.casefold()
        .str.replace(r"[’'`ʼ‘ʿʾ]", "", regex=True)
        .str.replace(r"[-_.,/()]", " ", regex=True)
        .str.replace(r"\s+", " ", regex=True)
        .str.strip()
    )


def _read_csv(path: Path, columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except FileNotFoundError:
        raise GeodataError(f"{path}: missing; run `make geodata` or restore it from git") from None
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as err:
        raise GeodataError(f"{path}: unreadable ({str(err).splitlines()[0]})") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise GeodataError(f"{path}: missing column(s) {', '.join(missing)}")
    return frame


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
    lat = pd.to_numeric(table["lat"], errors="coerce")
    lon = pd.to_numeric(table["lon"], errors="coerce")
    broken = table.loc[lat.isna() | lon.isna(), "place"]
    if not broken.empty:
        raise GeodataError(f"{folder / GAZETTEER}: no numeric lat/lon for {', '.join(broken.head(5))}")
    baseline = _read_csv(folder / BASELINE, ("place", "controller", "basis"))
    table = table.merge(
        baseline.rename(columns={"controller": "baseline", "basis": "baseline_basis"}),
        on="place",
        how="left",
    )
    unset = table.loc[table["baseline"].isna(), "place"]
    if not unset.empty:
        raise GeodataError(f"{folder / BASELINE}: no baseline controller for {', '.join(unset.head(5))}")
    places = gpd.GeoDataFrame(table, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
    try:
        countries = gpd.read_file(folder / COUNTRIES)
    except Exception as err:  # pyogrio raises several types for missing or corrupt files
        raise GeodataError(f"{folder / COUNTRIES}: unreadable ({str(err).splitlines()[0]})") from None
    country = countries.loc[countries["name"].eq(COUNTRY), "geometry"]
    if country.empty:
        raise GeodataError(f"{folder / COUNTRIES}: has no feature named {COUNTRY}")
    return Geodata(places, alias_table(table), countries, country.union_all())


def geocode(frame: pd.DataFrame, aliases: pd.DataFrame) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Points (EPSG:4326) for every row whose place is known or whose lat/lon are given.

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
    points = gpd.points_from_xy(located["lon"], located["lat"])
    return gpd.GeoDataFrame(located, geometry=points, crs="EPSG:4326"), rejected
