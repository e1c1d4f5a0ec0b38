"""Spoofed names: invisible characters and look-alike forms must not fake or hide a name."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import filters, names
from dashboard.pipeline import open_events

HEADER = "event_id,date,place,event_type,actor,source,source_type"


def _load(tmp_path, geodata, *rows: str):
    path = tmp_path / "events.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return open_events(path, geodata)


@pytest.mark.parametrize(
    ("given", "compared"),
    [
        ("Reut\u200bers", "Reuters"),
        ("ＲＩＡ", "RIA"),
        ("\u202eexe.live", "exe.live"),
        ("  SOHR \t\n monitor ", "SOHR monitor"),
        ("Reuters\ufeff\u2066\u200d", "Reuters"),
        ("حلب", "حلب"),
    ],
)
def test_names_are_compared_without_invisible_controls_in_nfkc(given, compared):
    assert names.normalise_one(given) == compared
    assert names.normalise(pd.Series([given, compared])).tolist() == [compared, compared]


def test_a_right_to_left_override_is_shown_as_a_visible_marker():
    assert names.visible("\u202eexe.live") == "⟨U+202E⟩exe.live"
    assert names.visible("Reut\u200bers") == "Reut⟨U+200B⟩ers"
    assert names.visible("Reuters") == "Reuters"
    assert names.hides_something(pd.Series(["\u202eexe.live", "Reuters"])).tolist() == [True, False]


def test_a_zero_width_space_does_not_make_reuters_a_second_source_in_the_facets(tmp_path, geodata):
    dataset = _load(
        tmp_path,
        geodata,
        "a,2024-12-05,Hama,capture,HTS,Reuters,independent media",
        "b,2024-12-05,Hama,capture,HTS,Reut\u200bers,independent media",
    )
    assert filters.facet_counts(dataset.events, "source").to_dict() == {"Reuters": 2}


def test_a_zero_width_space_does_not_fake_corroboration(tmp_path, geodata):
    dataset = _load(
        tmp_path,
        geodata,
        "a,2024-12-05,Hama,capture,HTS,Reuters,independent media",
        "b,2024-12-05,Hama,capture,HTS,Reut\u200bers,independent media",
    )
    assert dataset.events["story_id"].nunique() == 1
    assert set(dataset.events["story_status"]) == {"single-source"}


def test_fullwidth_letters_name_the_same_source(tmp_path, geodata):
    dataset = _load(
        tmp_path,
        geodata,
        "a,2024-12-05,Hama,clash,HTS,RIA,state media",
        "b,2024-12-05,Hama,clash,HTS,ＲＩＡ,state media",
    )
    assert set(dataset.events["source"]) == {"RIA"}
    assert set(dataset.events["story_status"]) == {"single-source"}


def test_the_name_as_given_is_kept_when_it_differs(tmp_path, geodata):
    dataset = _load(
        tmp_path,
        geodata,
        "a,2024-12-05,Hama,clash,HTS,Reuters,independent media",
        "b,2024-12-05,Hama,clash,HTS,\u202eexe.live,independent media",
    )
    events = dataset.events.set_index("event_id")
    assert events.loc["b", "source"] == "exe.live"
    assert names.visible(events.loc["b", "source_as_given"]) == "⟨U+202E⟩exe.live"
    assert events.loc["a", "source_as_given"] == ""


def test_a_place_with_a_zero_width_space_is_still_found_in_the_gazetteer(tmp_path, geodata):
    dataset = _load(tmp_path, geodata, "a,2024-12-05,Ha\u200bma,clash,HTS,Reuters,independent media")
    assert dataset.accepted == 1
    assert dataset.events["gazetteer_place"].tolist() == ["Hama"]


def test_affiliation_ignores_invisible_characters_even_on_a_frame_not_validated():
    from dashboard.stories import affiliation_of

    frame = pd.DataFrame({"source": ["Reuters", "Reut\u200bers", "ＲＩＡ"], "affiliation": ["", "", ""]})
    assert affiliation_of(frame).tolist() == ["reuters", "reuters", "ria"]
