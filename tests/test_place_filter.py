"""The place filter: a gazetteer place by any of its names, or a governorate, and the events it keeps."""

from __future__ import annotations

import pytest

from dashboard import place_filter


@pytest.mark.parametrize(
    "name, label",
    [
        ("Hama", "Hama"),
        ("hamah", "Hama"),
        ("حماة", "Hama"),
        ("Hmeimim", "Khmeimim Air Base"),
        ("Aleppo", "Aleppo"),  # the city, not the governorate
        ("Aleppo governorate", "Aleppo governorate"),
        ("Idlib province", "Idlib governorate"),
        ("Rif Dimashq", "Rif Dimashq governorate"),  # a name that is only a governorate's
        ("Atlantis", None),
        ("Atlantis governorate", None),
    ],
)
def test_resolve(geodata, name, label):
    pick = place_filter.resolve(name, geodata.places, geodata.aliases)
    assert (pick.label if pick else None) == label


def test_a_governorate_keeps_the_events_at_its_places_and_the_claims_about_it(geodata, loaded):
    pick = place_filter.resolve("Hama governorate", geodata.places, geodata.aliases)
    kept = loaded.loc[place_filter.place_mask(loaded, pick, 25, geodata.places)]
    inside = set(geodata.places.loc[geodata.places["governorate"].eq("Hama"), "place"])
    assert len(kept) and set(kept["gazetteer_place"]) <= inside


def test_a_radius_keeps_what_is_within_it(geodata, loaded):
    hama = place_filter.resolve("Hama", geodata.places, geodata.aliases)
    near = loaded.loc[place_filter.place_mask(loaded, hama, 2, geodata.places)]
    wide = loaded.loc[place_filter.place_mask(loaded, hama, 60, geodata.places)]
    assert set(near["gazetteer_place"]) == {"Hama"} and len(wide) > len(near)
    assert hama.describe(60) == "Place 'Hama' within 60 km"


@pytest.mark.parametrize(
    "sent, km", [(10, 10), (10.7, 10), (0, 1), (-5, 1), (1e308, 500), (float("nan"), 25), ("x", 25), (None, 25)]
)
def test_the_radius_from_the_browser_is_a_whole_number_of_km_within_range(sent, km):
    from dashboard.page.sidebar import km_within

    assert km_within(sent) == km
