"""Shared fixtures: the repo's own geodata and small files written per test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.geocode import read_geodata

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = (
    "event_id,date,place,lat,lon,event_type,actor,target,controller,"
    "source,source_type,claim_status,reported_on,description,url,via"
)


def as_read(markdown: str) -> str:
    """What a reader sees of a Streamlit markdown text that the app escaped: backslashes and word joiners go."""
    return re.sub(r"\\(.)", r"\1", markdown, flags=re.S).replace("\u2060", "")


@pytest.fixture(scope="session")
def geodata():
    return read_geodata(REPO / "geodata")


@pytest.fixture
def write_csv(tmp_path):
    """Write rows under the native header and return the path."""

    def write(*rows: str, header: str = HEADER) -> Path:
        path = tmp_path / "events.csv"
        path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
        return path

    return write
