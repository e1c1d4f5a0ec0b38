"""Finding things fast, through AppTest: the source picker, groups by affiliation, Clear all, faceted counts,
the text search and the place filter, each checked against pandas on the bundled file."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import filters
from tests.support import shown

GUR = "Ukraine's Main Intelligence Directorate (GUR)"


def outlets(frame: pd.DataFrame, column: str) -> pd.Series:
    """Each row's values of a column, one per row (a source cell may name several outlets)."""
    return frame[column].str.split(";").explode().str.strip()


def labels(counts: pd.Series, every: pd.Index) -> list[str]:
    """The options a picker should list: every value with its count (zero when none is left)."""
    return sorted(f"{name} ({int(counts.get(name, 0)):,})" for name in every)


def test_the_filters_start_empty_and_show_everything(app, bundled):
    at = app()
    for facet in filters.FACETS:
        assert at.multiselect(key=f"f_{facet}").value == []
    assert shown(at) == len(bundled)


def test_one_source_picked_in_one_action(app, bundled):
    at = app()
    at.multiselect(key="f_source").select(GUR).run()
    assert shown(at) == int(bundled["source"].eq(GUR).sum()) == 10
    assert at.query_params["f_source"] in (GUR, [GUR])


def test_a_group_picked_by_affiliation_in_one_action(app, bundled):
    at = app()
    pills = at.button_group(key="source_group")
    pills.set_value("Russian state").run()
    russian = bundled.loc[bundled["affiliation"].eq("Russian state")]
    assert sorted(at.multiselect(key="f_source").value) == sorted(russian["source"].unique())
    assert shown(at) == len(russian)
    assert at.button_group(key="source_group").value is None  # the pills act as buttons: ready for the next pick


def test_all_sources_but_one(app, bundled):
    at = app()
    at.selectbox(key="source_all_but").select(GUR).run()
    assert shown(at) == int(bundled["source"].ne(GUR).sum())
    assert GUR not in at.multiselect(key="f_source").value
    assert at.selectbox(key="source_all_but").value is None


def test_the_source_picker_finds_picked_and_unpicked_sources_alike(app):
    at = app()
    at.multiselect(key="f_source").select("Reuters").run()
    # "All sources but" lists every source, the picked one too, and the multiselect lists every one.
    assert any(o.startswith("Reuters (") for o in at.selectbox(key="source_all_but").options)
    assert any(o.startswith(f"{GUR} (") for o in at.multiselect(key="f_source").options)


def test_clear_all_then_one_value_shows_that_values_events(app, bundled):
    at = app()
    at.multiselect(key="f_event_type").select("capture").run()
    at.text_input(key="f_search").input("Hama").run()
    next(b for b in at.button if b.label == "Clear all").click().run()
    assert shown(at) == len(bundled)
    assert all(at.multiselect(key=f"f_{f}").value == [] for f in filters.FACETS)
    assert at.text_input(key="f_search").value == ""
    at.multiselect(key="f_source").select(GUR).run()
    assert shown(at) == int(bundled["source"].eq(GUR).sum())


def test_an_empty_result_names_the_filter_that_left_nothing(app, bundled):
    at = app()
    at.multiselect(key="f_source").select("TASS").run()
    at.multiselect(key="f_event_type").select("capture").run()
    assert not len(bundled.loc[bundled["source"].eq("TASS") & bundled["event_type"].eq("capture")])
    assert shown(at) == 0
    said = " ".join(i.value for i in at.info)
    assert "Nothing shown" in said and ("Source 'TASS'" in said or "Event type 'capture'" in said)


def test_an_empty_search_names_the_search(app):
    at = app()
    at.text_input(key="f_search").input("zebra crossing").run()
    assert shown(at) == 0
    assert any("Search 'zebra crossing' has no events" in i.value for i in at.info)


@pytest.mark.parametrize(("facet", "value"), [("event_type", "capture"), ("claim_status", "claimed")])
def test_faceted_counts_are_counts_under_the_other_filters(app, bundled, facet, value):
    at = app()
    at.multiselect(key=f"f_{facet}").select(value).run()
    picked = bundled.loc[bundled[facet].eq(value)]
    every = pd.Index(outlets(bundled, "source").unique())
    expected = outlets(picked, "source").value_counts()
    assert sorted(at.multiselect(key="f_source").options) == labels(expected, every)
    # The picked facet itself still counts every value under the other filters (none here): all of the file.
    own = bundled[facet].value_counts()
    assert sorted(at.multiselect(key=f"f_{facet}").options) == labels(own, own.index)


def test_faceted_counts_with_two_filters_and_a_search(app, bundled):
    at = app()
    at.multiselect(key="f_event_type").select("capture").run()
    at.multiselect(key="f_source").select("Reuters").run()
    at.text_input(key="f_search").input("aleppo").run()
    text = bundled[["description", "place", "actor", "target", "source", "affiliation"]].agg(" ".join, axis=1)
    hit = text.str.casefold().str.contains("aleppo")
    expected = bundled.loc[bundled["source"].eq("Reuters") & hit, "event_type"].value_counts()
    every = pd.Index(bundled["event_type"].unique())
    assert sorted(at.multiselect(key="f_event_type").options) == labels(expected, every)
    assert shown(at) == int((bundled["source"].eq("Reuters") & bundled["event_type"].eq("capture") & hit).sum())


@pytest.mark.parametrize("query", ["HAMA", "Ḥamā", "hamá"])
def test_search_ignores_case_and_accents(app, bundled, query):
    at = app()
    at.text_input(key="f_search").input(query).run()
    text = bundled[["description", "place", "actor", "target", "source", "affiliation"]].agg(" ".join, axis=1)
    assert shown(at) == int(text.str.casefold().str.contains("hama").sum()) > 0
    assert at.query_params["q"] in (query, [query])


@pytest.mark.parametrize("query", ["حماة", "حَمَاة", "حمـــاة", "حماه"])
def test_search_in_arabic_finds_a_place_by_its_arabic_name(app, loaded, geodata, query):
    """Harakat, tatweel and ta marbuta do not matter: each finds the events at places whose Arabic name holds
    حماة (Hama, Hama's airport)."""
    at = app()
    at.text_input(key="f_search").input(query).run()
    named = geodata.places.loc[geodata.places["name_ar"].str.contains("حماة"), "place"]
    assert len(named) >= 2
    assert shown(at) == int(loaded["gazetteer_place"].isin(named).sum()) > 0


def test_search_folds_hamza_forms_of_alef(app, loaded, geodata):
    at = app()
    at.text_input(key="f_search").input("ادلب").run()  # the gazetteer writes إدلب
    named = geodata.places.loc[geodata.places["name_ar"].str.contains("إدلب"), "place"]
    assert shown(at) == int(loaded["gazetteer_place"].isin(named).sum()) > 0


def test_search_filters_the_table_and_the_timeline_too(app, bundled):
    at = app()
    at.text_input(key="f_search").input("Khmeimim").run()
    expected = bundled.loc[bundled["description"].str.contains("Khmeimim") | bundled["place"].str.contains("Khmeimim")]
    assert shown(at) == len(expected) > 0
    table = next(d for d in at.dataframe if "Description" in d.value.columns)
    assert len(table.value) == len(expected)


def test_a_link_restores_search_place_and_affiliation(app, bundled):
    at = app(query={"q": "Hama", "place": "Hama", "radius": "10", "f_affiliation": "Ukrainian state"})
    assert at.text_input(key="f_search").value == "Hama"
    assert at.selectbox(key="f_place").value == "Hama"
    assert at.number_input(key="f_radius").value == 10
    assert at.multiselect(key="f_affiliation").value == ["Ukrainian state"]
    assert 0 < shown(at) <= int(bundled["affiliation"].eq("Ukrainian state").sum())


def test_a_governorate_keeps_its_places_events(app, loaded, geodata):
    at = app()
    at.selectbox(key="f_place").select("Idlib governorate").run()
    idlib = set(geodata.places.loc[geodata.places["governorate"].eq("Idlib"), "place"])
    assert shown(at) == int(loaded["gazetteer_place"].isin(idlib).sum()) > 0


def test_an_unknown_place_in_a_link_is_named(app, bundled):
    at = app(query={"place": "Atlantis"})
    assert any("Atlantis" in w.value for w in at.warning)
    assert shown(at) == len(bundled)
