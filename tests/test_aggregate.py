"""Aggregation: counted grid cells hold every event, exactly once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import aggregate
from tests.support import grid_cells, in_bounds


@pytest.fixture(scope="module")
def many():
    rng = np.random.default_rng(3)
    n = 20_000
    return pd.DataFrame(
        {
            "lat": 35 + rng.normal(0, 0.5, n),
            "lon": 37 + rng.normal(0, 0.5, n),
            "event_type": rng.choice(["clash", "airstrike", "capture", "nonsense"], n, p=[0.6, 0.2, 0.15, 0.05]),
        }
    )


@pytest.mark.parametrize("zoom", [4, 7, 10, 14])
def test_cells_count_every_event_once(many, zoom):
    cells = grid_cells(many, zoom)
    assert cells["count"].sum() == len(many)
    assert (cells[aggregate.TYPES].sum(axis=1) == cells["count"]).all()
    assert cells["event_type"].isin(aggregate.TYPES).all()


def test_cells_get_finer_as_the_map_zooms_in(many):
    assert len(grid_cells(many, 5)) < len(grid_cells(many, 9))


def test_a_cell_sits_at_its_events_mean_and_takes_their_most_frequent_type():
    events = pd.DataFrame(
        {"lat": [35.0, 35.01, 35.02], "lon": [37.0, 37.0, 37.03], "event_type": ["a", "clash", "clash"]}
    )
    cells = grid_cells(events, 6)
    assert len(cells) == 1 and cells.loc[0, "count"] == 3
    assert cells.loc[0, "event_type"] == "clash" and cells.loc[0, "other"] == 1
    assert cells.loc[0, "lat"] == pytest.approx(35.01)


def test_bounds_keep_the_events_in_view_with_a_margin(many):
    inside = in_bounds(many, (35.0, 37.0, 35.4, 37.4), pad=0.0)
    expected = many["lat"].between(35.0, 35.4) & many["lon"].between(37.0, 37.4)
    assert inside.tolist() == expected.tolist()
    assert in_bounds(many, None).all()


@pytest.mark.parametrize("zoom", [5, 9])
def test_cells_from_codes_made_once_are_the_cells_made_now(many, zoom):
    kinds = aggregate.type_positions(many["event_type"])
    codes, n = aggregate.cell_codes(many["lat"].to_numpy(), many["lon"].to_numpy(), zoom)
    part = np.arange(0, len(many), 3)
    fast = aggregate.cells_from_codes(
        codes[part], n, many["lat"].to_numpy()[part], many["lon"].to_numpy()[part], kinds[part]
    )
    slow = grid_cells(many.iloc[part], zoom)
    order = ["lat", "lon"]
    pd.testing.assert_frame_equal(
        fast.sort_values(order).reset_index(drop=True), slow.sort_values(order).reset_index(drop=True)
    )


def test_a_view_holds_a_box_only_when_all_of_it_is_inside_the_padded_bounds():
    box = (34.0, 36.0, 36.0, 40.0)
    assert aggregate.bounds_hold((33.0, 35.0, 37.0, 41.0), box, pad=0.0)
    assert aggregate.bounds_hold((34.5, 36.5, 35.5, 39.5), box, pad=1.0)  # the margin reaches the box
    assert not aggregate.bounds_hold((34.5, 36.5, 35.5, 39.5), box, pad=0.0)
    assert aggregate.bounds_hold((0.0, 0.0, 1.0, 1.0), aggregate.extent(np.array([]), np.array([])))
