"""Stories: claims grouped across sources, and how each story stands."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import stories

COLUMNS = ["line", "event_id", "date", "place", "lat", "lon", "event_type", "actor", "controller", "source"]


def reference_compare(events: pd.DataFrame, first: str, second: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims of ``first`` in stories where ``second`` says nothing, and the reverse: the plain pandas
    rule that ``step.compare`` computes on codes, kept here as the reference it is checked against."""
    by_first = events.loc[events["source"].eq(first), "story_id"].unique()
    by_second = events.loc[events["source"].eq(second), "story_id"].unique()
    only_first = events.loc[events["source"].eq(first) & ~events["story_id"].isin(by_second)]
    only_second = events.loc[events["source"].eq(second) & ~events["story_id"].isin(by_first)]
    return only_first, only_second


def claims(*rows, source_types=None, affiliations=None) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=COLUMNS[1:]).assign(line=lambda f: range(2, len(f) + 2))
    frame["date"] = pd.to_datetime(frame["date"])
    frame["claim_status"] = frame.pop("status") if "status" in frame else "reported"
    frame["source_type"] = source_types or "independent media"
    if affiliations is not None:
        frame["affiliation"] = affiliations
    return stories.add_stories(frame.sort_values(["date", "line"]).reset_index(drop=True))


def test_one_capture_reported_by_two_sources_a_day_apart_is_one_corroborated_story():
    out = claims(
        ("a", "2024-12-05", "Hama", 35.13, 36.75, "capture", "HTS", "opposition", "Reuters"),
        ("b", "2024-12-06", "Hama", 35.14, 36.76, "capture", "HTS", "opposition", "SOHR"),
    )
    assert out["story_id"].tolist() == ["a", "a"]
    assert set(out["story_status"]) == {"corroborated"}
    assert stories.reasons(out).tolist()[1].startswith("joined a: 1 km and 1 day(s)")
    assert stories.reasons(out).tolist()[0] == "first claim of its story"


def test_a_claim_and_its_denial_make_a_contested_story():
    out = claims(
        ("a", "2024-12-07", "Homs", 34.73, 36.71, "capture", "HTS", "opposition", "MOC"),
        ("b", "2024-12-07", "Homs", 34.73, 36.71, "withdrawal", "army", "opposition", "Syrian MoD"),
    ).assign()
    assert out["story_id"].nunique() == 1
    frame = out.assign(claim_status=["claimed", "denied"])
    assert set(stories.status(frame, frame["story_id"])) == {"contested"}


def test_two_controllers_claimed_for_one_place_and_day_are_contested():
    out = claims(
        ("a", "2024-12-03", "A", 35.0, 37.0, "capture", "x", "SNA", "One"),
        ("b", "2024-12-03", "A", 35.0, 37.0, "capture", "y", "government", "Two"),
    )
    assert set(out["story_status"]) == {"contested"}


def test_events_50_km_apart_are_two_stories():
    out = claims(
        ("a", "2024-12-03", "A", 35.0, 37.0, "clash", "x", "", "Reuters"),
        ("b", "2024-12-03", "B", 35.45, 37.0, "clash", "x", "", "AP"),
    )
    assert out["story_id"].tolist() == ["a", "b"]
    assert set(out["story_status"]) == {"single-source"}


def test_claims_more_than_a_day_after_the_first_start_a_new_story():
    out = claims(
        ("a", "2024-12-01", "A", 35.0, 37.0, "clash", "x", "", "Reuters"),
        ("b", "2024-12-03", "A", 35.0, 37.0, "clash", "x", "", "AP"),
    )
    assert out["story_id"].nunique() == 2


def test_different_statements_at_one_place_stay_apart():
    out = claims(
        ("a", "2024-12-02", "Base", 35.4, 35.9, "statement", "General One", "", "GUR"),
        ("b", "2024-12-02", "Base", 35.4, 35.9, "statement", "General Two", "", "Arab media"),
    )
    assert out["story_id"].nunique() == 2


def test_sources_of_one_affiliation_do_not_corroborate_each_other():
    out = claims(
        ("a", "2024-12-08", "D", 33.5, 36.3, "statement", "Russia", "", "TASS"),
        ("b", "2024-12-08", "D", 33.5, 36.3, "statement", "Russia", "", "Russian Foreign Ministry"),
        affiliations=["Russian state", "russian state "],
    )
    assert set(out["story_status"]) == {"single-source"}


def test_unattributed_claims_corroborate_nothing():
    out = claims(
        ("a", "2024-12-02", "D", 33.5, 36.3, "clash", "x", "", "Arab media (unnamed)"),
        ("b", "2024-12-02", "D", 33.5, 36.3, "clash", "x", "", "GUR"),
        source_types=["unattributed", "intelligence service"],
    )
    assert set(out["story_status"]) == {"single-source"}


def test_the_seed_claims_stand_as_the_dataset_holds_them(loaded):
    gur_homs = loaded.loc[loaded["source"].str.contains("GUR") & loaded["place"].eq("Homs")]
    assert gur_homs["story_status"].tolist() == ["single-source"]
    ria = loaded.loc[loaded["source"].eq("RIA Novosti")]
    assert ria["story_id"].nunique() == 1 and set(ria["story_status"]) == {"single-source"}
    # GUR's clashes in Hama on 2 Dec are backed by the Syrian army's and SOHR's reports of fighting there.
    gur_hama = loaded.loc[loaded["source"].str.contains("GUR") & loaded["place"].eq("Hama")]
    assert set(gur_hama.loc[gur_hama["event_type"].eq("clash"), "story_status"]) == {"corroborated"}


def test_homs_on_7_december_is_contested_and_every_claim_has_one_story(loaded):
    homs = loaded.loc[loaded["place"].eq("Homs") & loaded["date"].eq("2024-12-07")]
    assert set(homs["story_status"]) == {"contested"}
    assert loaded["story_id"].ne("").all() and loaded["story_status"].isin(list(stories.STATUSES)).all()


def test_grouping_is_deterministic(loaded):
    again = stories.add_stories(
        loaded.drop(columns=["story_id", "story_status", "story_agreed", "story_size", "story_km", "story_days"])
    )
    pd.testing.assert_frame_equal(again, loaded)


def test_source_profiles_and_compare(loaded):
    profile = stories.source_profiles(loaded).set_index("source")
    assert profile["claims"].sum() == len(loaded)
    assert profile.loc["RIA Novosti", "claims"] == 3 and profile.loc["RIA Novosti", "corroborated"] == 0
    only_ria, only_reuters = reference_compare(loaded, "RIA Novosti", "Reuters")
    assert len(only_ria) == 3 and len(only_reuters) == loaded["source"].eq("Reuters").sum()
    sohr = "Syrian Observatory for Human Rights (SOHR)"
    only_sohr, only_reuters = reference_compare(loaded, sohr, "Reuters")
    with_sohr = set(loaded.loc[loaded["source"].eq(sohr), "story_id"])
    with_reuters = set(loaded.loc[loaded["source"].eq("Reuters"), "story_id"])
    assert set(only_reuters["story_id"]) == with_reuters - with_sohr and with_reuters & with_sohr
    assert set(only_sohr["story_id"]) == with_sohr - with_reuters


def test_claims_14_km_apart_east_west_are_one_story_far_from_the_equator():
    # At 60 degrees north, 14 km east is 0.25 degrees of longitude: two grid cells of latitude-size away.
    out = claims(
        ("a", "2024-12-03", "A", 60.0, 30.0, "clash", "x", "", "Reuters"),
        ("b", "2024-12-03", "B", 60.0, 30.25, "clash", "x", "", "AP"),
    )
    assert out["story_id"].tolist() == ["a", "a"]


def test_compare_on_codes_matches_compare_on_frames(loaded):
    from dashboard import step

    indexed = step.index_events(loaded)
    at = np.arange(len(loaded))
    for first, second in [("RIA Novosti", "Reuters"), ("Reuters", "Syrian Observatory for Human Rights (SOHR)")]:
        fast = step.compare(indexed, at, first, second)
        slow = reference_compare(loaded, first, second)
        assert [loaded.iloc[f]["event_id"].tolist() for f in fast] == [s["event_id"].tolist() for s in slow]


def test_a_story_says_what_its_sources_agree_on_and_how_many_stand_behind_it():
    out = claims(
        ("a", "2024-12-05", "Hama", 35.13, 36.75, "capture", "HTS", "opposition", "Reuters"),
        ("b", "2024-12-05", "Hama", 35.13, 36.75, "capture", "HTS", "opposition", "AFP"),
        ("c", "2024-12-05", "Hama", 35.13, 36.75, "withdrawal", "army", "opposition", "Syrian MoD"),
        affiliations=["", "", "Syrian government"],
    )
    assert set(out["story_agreed"]) == {"capture of Hama by opposition: 3 sources of 3 affiliations"}


def test_a_repelled_attack_that_names_who_holds_the_town_contests_its_capture():
    out = claims(
        ("a", "2024-12-05", "Hama", 35.13, 36.75, "capture", "HTS", "opposition", "Reuters"),
        ("b", "2024-12-05", "Hama", 35.13, 36.75, "statement", "army", "government", "SANA"),
    )
    assert set(out["story_status"]) == {"contested"}
    assert set(out["story_agreed"]) == {
        "contested: capture of Hama by opposition (1 source) against government (1 source)"
    }


def test_fighting_and_a_capture_at_one_place_do_not_corroborate_each_other():
    out = claims(
        ("a", "2024-12-05", "Hama", 35.13, 36.75, "clash", "HTS", "", "AP"),
        ("b", "2024-12-05", "Hama", 35.13, 36.75, "capture", "HTS", "opposition", "Reuters"),
    )
    assert out["story_id"].nunique() == 2 and set(out["story_status"]) == {"single-source"}
    assert sorted(out["story_agreed"]) == ["capture of Hama by opposition: 1 source", "fighting around Hama: 1 source"]


def test_a_story_of_denials_alone_says_who_denies():
    out = claims(("a", "2024-12-07", "Damascus", 33.5, 36.3, "withdrawal", "Assad", "", "Presidency")).assign(
        claim_status="denied"
    )
    assert stories.agreed(out, out["story_status"]).tolist() == [
        "withdrawal of Assad around Damascus: denied or disputed by 1 source"
    ]


def test_sources_of_one_affiliation_are_counted_as_one_affiliation_in_what_is_agreed():
    out = claims(
        ("a", "2024-12-05", "Hama", 35.13, 36.75, "clash", "x", "", "RIA Novosti"),
        ("b", "2024-12-05", "Hama", 35.13, 36.75, "clash", "x", "", "TASS"),
        affiliations=["Russian state", "Russian state"],
    )
    assert set(out["story_agreed"]) == {"fighting around Hama: 2 sources of 1 affiliation"}
