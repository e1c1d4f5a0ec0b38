"""Repeated text held as categories (dashboard/columns.py): what every stage reads is still the text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard import filters, live
from dashboard.columns import categorized, factorized, text
from dashboard.geocode import read_geodata
from dashboard.model import CATEGORICAL
from dashboard.pipeline import open_events
from tests.support import EVENTS, REPO


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return open_events(EVENTS, read_geodata(REPO / "geodata")).events


def test_a_loaded_file_holds_its_repeated_text_as_sorted_categories_with_nothing_missing(events):
    raw = pd.read_csv(EVENTS, dtype=str, keep_default_na=False)
    for name in CATEGORICAL:
        column = events[name]
        assert isinstance(column.dtype, pd.CategoricalDtype), name
        assert column.cat.categories.is_monotonic_increasing, name
        assert column.notna().all(), name
    # The text is the file's: sorting by a column orders rows as its text would.
    assert sorted(text(events["source"])) == text(events.sort_values("source", kind="stable")["source"]).tolist()
    assert sorted(set(text(events["source"]))) == sorted(set(raw["source"]))
    assert events["story_status"].cat.categories.tolist() == ["contested", "corroborated", "single-source"]


def test_categories_cost_a_byte_a_row_where_text_costs_its_length(events):
    many = pd.concat([events] * 200, ignore_index=True)  # about 5,000 rows
    as_text = many.assign(**{name: text(many[name]) for name in CATEGORICAL})
    held = many[list(CATEGORICAL)].memory_usage(deep=True, index=False).sum()
    assert held < as_text[list(CATEGORICAL)].memory_usage(deep=True, index=False).sum() / 5
    assert held <= len(many) * len(CATEGORICAL) + 200_000  # one-byte codes, and the categories once


names = st.lists(st.one_of(st.none(), st.sampled_from(["", "Reuters", "RIA Novosti", "ГУР", "a;b"])), max_size=30)


@given(names)
def test_text_and_codes_of_a_categorical_column_are_those_of_its_text(values):
    plain = pd.Series(["" if v is None else v for v in values], dtype="str")
    held = categorized(pd.DataFrame({"source": pd.Series(values, dtype=object)}))["source"]
    assert isinstance(held.dtype, pd.CategoricalDtype)
    assert text(held).tolist() == plain.tolist()
    codes, uniques = factorized(held)
    expected_codes, expected = pd.factorize(plain)
    assert codes.tolist() == expected_codes.tolist()
    assert list(uniques) == list(expected)
    assert all(isinstance(u, str) for u in uniques)


def test_a_value_no_claim_holds_any_more_is_not_listed_in_the_facets(events):
    last = events["source"].iloc[0]
    left = events.loc[events["source"].ne(last)].reset_index(drop=True)
    assert last in left["source"].cat.categories  # the category stays, unused
    assert last not in filters.facet_of(left, "source").values
    assert last not in filters.facet_counts(left, "source").index


def test_a_change_naming_a_new_source_widens_the_categories_in_order(events):
    first = events.iloc[0].to_dict()
    changed = pd.DataFrame(
        [{**first, "event_id": "new-1", "source": "Aaa Agency", "withdrawn": False, "review_state": "published"}]
    )
    out = live.merged(events, changed)
    assert out.loc[out["event_id"].eq("new-1"), "source"].tolist() == ["Aaa Agency"]
    assert out["source"].cat.categories.is_monotonic_increasing
    assert out["source"].notna().all() and len(out) == len(events) + 1
    codes, uniques = factorized(out["source"])
    assert "Aaa Agency" in set(uniques) and np.all(codes >= 0)
