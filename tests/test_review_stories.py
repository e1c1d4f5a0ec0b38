"""The review queue's stories (``review.with_stories``): for each waiting claim, the story it would join among
the published claims, its status now and the status and agreed text it would have once the claim is published."""

from __future__ import annotations

import pandas as pd

from dashboard.store import review
from tests.test_stories import claims

HAMA = ("2024-12-05", "Hama", 35.13, 36.75, "capture", "HTS", "opposition")


def waiting(*rows) -> pd.DataFrame:
    """Waiting claims as the store's queue gives them: dates as days, no stories."""
    frame = pd.DataFrame(
        rows, columns=["event_id", "date", "place", "lat", "lon", "event_type", "actor", "controller", "source"]
    )
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame.assign(claim_status="reported", source_type="independent media", gazetteer_place="", line=0)


def test_a_second_source_would_make_a_single_source_story_corroborated():
    published = claims(("a", *HAMA, "Reuters"))
    out = review.with_stories(waiting(("w", "2024-12-06", *HAMA[1:], "SOHR")), published)
    row = out.iloc[0]
    assert (row["story_joins"], row["story_status_now"], row["story_status"]) == ("a", "single-source", "corroborated")
    assert row["story_agreed"] == "capture of Hama by opposition: 2 sources of 2 affiliations"


def test_a_rival_controller_would_make_the_story_contested():
    published = claims(("a", *HAMA, "Reuters"), ("b", *HAMA, "SOHR"))
    rival = waiting(("w", "2024-12-05", "Hama", 35.13, 36.75, "capture", "army", "government", "SANA"))
    row = review.with_stories(rival, published).iloc[0]
    assert (set(row["story_joins"].split()), row["story_status_now"], row["story_status"]) == (
        {"a", "b"},
        "corroborated",
        "contested",
    )
    assert row["story_agreed"].startswith("contested: capture of Hama by opposition (2 sources of 2 affiliations)")
    assert "government (1 source)" in row["story_agreed"]


def test_a_claim_far_away_or_days_later_starts_a_story_of_its_own():
    published = claims(("a", *HAMA, "Reuters"))
    far = waiting(
        ("far", "2024-12-05", "Aleppo", 36.2, 37.16, "capture", "HTS", "opposition", "SOHR"),
        ("late", "2024-12-08", *HAMA[1:], "SOHR"),
    )
    out = review.with_stories(far, published)
    assert out["story_joins"].tolist() == ["", ""]
    assert out["story_status"].tolist() == ["single-source", "single-source"]
    assert out["story_agreed"].tolist()[0] == "capture of Aleppo by opposition: 1 source"


def test_an_empty_queue_or_a_claim_without_a_point_says_nothing():
    assert list(review.with_stories(waiting(), claims(("a", *HAMA, "Reuters"))).columns)[-4:] == review.STORY_EFFECT
    lost = waiting(("w", "2024-12-05", "Nowhere", None, None, "clash", "HTS", "", "SOHR"))
    assert review.with_stories(lost, claims(("a", *HAMA, "Reuters"))).iloc[0]["story_joins"] == ""
