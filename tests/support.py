"""What the tests share besides fixtures: the repo's paths, the native header, and readers of an AppTest run.

The AppTest factory and the bundled-dataset fixtures are in tests/conftest.py; the browser's helpers in
tests/browser/helpers.py; starting a server and Chromium (for the benchmarks too) in tests/serving.py.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
EVENTS = REPO / "events.csv"  # the bundled dataset
APP_SCRIPT = REPO / "dashboard" / "app.py"  # what `streamlit run` and AppTest start
HEADER = (
    "event_id,date,place,lat,lon,event_type,actor,target,controller,"
    "source,source_type,claim_status,reported_on,description,url,via"
)


def evaluated(text: str, result: str = "23331") -> bool:
    """Whether ``result`` (what ``{{ 7777*3 }}`` evaluates to) is in ``text`` outside folium's element names,
    which end in 32 random hex digits (``group_74e923331a3d...``: one held 23331 once, by chance)."""
    return result in re.sub(r"\b[A-Za-z_]+_[0-9a-f]{32}\b", "", text)


def as_read(markdown: str) -> str:
    """What a reader sees of a Streamlit markdown text that the app escaped: backslashes and word joiners go."""
    return re.sub(r"\\(.)", r"\1", markdown, flags=re.S).replace("\u2060", "")


def shown(at) -> int:
    """The "Events shown" metric of an AppTest run."""
    return int(next(m for m in at.metric if m.label == "Events shown").value.replace(",", ""))


def grid_cells(events, zoom: int):
    """``aggregate``'s cells straight from a frame: the reference the step's cached cell codes are checked against."""
    from dashboard import aggregate

    lat, lon = events["lat"].to_numpy(float), events["lon"].to_numpy(float)
    codes, n = aggregate.cell_codes(lat, lon, zoom)
    return aggregate.cells_from_codes(codes, n, lat, lon, aggregate.type_positions(events["event_type"]))


def in_bounds(events, bounds, pad: float = 0.25):
    """``aggregate.points_in_bounds`` of a frame's events."""
    from dashboard import aggregate

    return aggregate.points_in_bounds(events["lat"].to_numpy(float), events["lon"].to_numpy(float), bounds, pad)
