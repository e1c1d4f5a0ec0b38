"""The place filter: events within a radius of a gazetteer place, or in a governorate. No Streamlit here.

A place is named by any of its gazetteer names (its name, Arabic name or an alias, matched as
places are); a governorate by its name with "governorate" or "province" ("Hama governorate",
"Idlib province"), or by a name that is only a governorate's ("Rif Dimashq"). "Aleppo" alone is
the city. An event is in a governorate when its gazetteer place is, or when it is a claim about
the governorate itself (see ``control.area_of``); an event outside the gazetteer, placed only by
its own coordinates, is in no governorate, but is found by a radius.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import control, filters
from .geocode import name_key

GOVERNORATE = "governorate"


@dataclass(frozen=True)
class PlacePick:
    label: str  # what the page lists and the link holds: "Hama", or "Hama governorate"
    governorate: str | None  # the governorate picked, or None for a place
    lat: float = float("nan")
    lon: float = float("nan")

    def describe(self, radius_km: float) -> str:
        return f"Place '{self.label}'" if self.governorate else f"Place '{self.label}' within {radius_km:g} km"


def choices(places: pd.DataFrame) -> dict[str, PlacePick]:
    """Every place, then every governorate, by label."""
    picks = {
        str(p): PlacePick(str(p), None, float(lat), float(lon))
        for p, lat, lon in zip(places["place"], places.geometry.y, places.geometry.x, strict=True)
    }
    for governorate in sorted(places["governorate"].unique()):
        picks[f"{governorate} {GOVERNORATE}"] = PlacePick(f"{governorate} {GOVERNORATE}", str(governorate))
    return picks


def other_names(places: pd.DataFrame) -> dict[str, str]:
    """Label -> the place's Arabic name and aliases, for a picker that finds a place by any of its names."""
    names = places["name_ar"].fillna("") + "|" + places["aliases"].fillna("")
    return {str(p): ", ".join(n for n in str(a).split("|") if n) for p, a in zip(places["place"], names, strict=True)}


def resolve(name: str, places: pd.DataFrame, aliases: pd.DataFrame) -> PlacePick | None:
    """The place or governorate ``name`` stands for; None when it is neither."""
    picks = choices(places)
    if name in picks:
        return picks[name]
    key = name_key(pd.Series([name])).iloc[0]
    bare = " ".join(w for w in key.split() if w not in ("governorate", "province", "muhafazat", "muhafazah"))
    governorates = control.governorate_names(places)
    if bare != key:
        found = governorates.get(bare)
        return picks[f"{found} {GOVERNORATE}"] if found is not None else None
    place = aliases.loc[aliases["key"].eq(key), "place"]
    if len(place):
        return picks[str(place.iloc[0])]
    found = governorates.get(key)
    return picks[f"{found} {GOVERNORATE}"] if found is not None else None


def place_mask(events: pd.DataFrame, pick: PlacePick, radius_km: float, places: pd.DataFrame) -> np.ndarray:
    """The events the place filter keeps."""
    if pick.governorate is None:
        return filters.within_km(events, pick.lat, pick.lon, radius_km)
    inside = places.loc[places["governorate"].eq(pick.governorate), "place"]
    area = control.area_of(events, control.governorate_names(places))
    return (events["gazetteer_place"].isin(inside) | area.eq(pick.governorate)).to_numpy()
