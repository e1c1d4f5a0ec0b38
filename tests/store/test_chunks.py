"""The chunks an import reads: whole records, the file's own line numbers, the loader's reading."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.load import Limits, read_events
from dashboard.store.chunks import read_chunks
from tests.support import EVENTS, FIXTURES, HEADER

ROWS = [
    "a-1,2024-11-30,Aleppo,,,capture,,,,Reuters,,,,plain,,",
    'a-2,2024-11-30,Aleppo,,,capture,,,,Reuters,,,,"a value with a line break\nand ""quotes""",,',
    "",
    "a-3,2024-12-01,Hama,,,clash,,,,SOHR,,,,after a blank line,,",
    'a-4,2024-12-01,Hama,,,clash,,,,SOHR,,,,"two\nbreaks\nhere",,',
    "a-5,2024-12-02,Homs,,,clash,,,,SOHR,,,,,,,too many fields",
    "a-6,2024-12-02,Homs,,,clash,,,,SOHR,,,,last,,",
]


def _whole_and_chunked(path, rows: int):
    whole = read_events(path)
    chunks = [chunk.raw for chunk in read_chunks(path, rows, Limits())]
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    lines = np.concatenate([c.lines for c in chunks])
    rejected = pd.concat([c.rejected for c in chunks], ignore_index=True)
    return whole, chunks, frame, lines, rejected


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
@pytest.mark.parametrize("rows", [1, 2, 3, 100])
def test_chunks_hold_the_rows_and_lines_the_whole_file_gives(tmp_path, ending, rows):
    path = tmp_path / "events.csv"
    path.write_bytes(("\ufeff" + ending.join([HEADER, *ROWS]) + ending).encode("utf-8"))
    whole, chunks, frame, lines, rejected = _whole_and_chunked(path, rows)
    assert all(len(c.frame) <= rows for c in chunks)
    pd.testing.assert_frame_equal(frame, whole.frame.reset_index(drop=True))
    assert lines.tolist() == whole.lines.tolist()
    assert rejected[["line", "reason"]].values.tolist() == whole.rejected[["line", "reason"]].values.tolist()
    assert sum(c.rows for c in chunks) == whole.rows


@pytest.mark.parametrize("path", [EVENTS, FIXTURES / "acled_syria.csv", FIXTURES / "events.geojson"])
def test_every_format_chunks_as_it_reads(path):
    whole, chunks, frame, lines, _ = _whole_and_chunked(path, 4)
    assert {c.format for c in chunks} == {whole.format}
    assert lines.tolist() == whole.lines.tolist()
    assert frame["event_id"].tolist() == whole.frame["event_id"].tolist()


def test_a_header_only_file_is_one_empty_chunk(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text(HEADER + "\n")
    chunks = list(read_chunks(path, 10, Limits()))
    assert len(chunks) == 1 and chunks[0].raw.rows == 0
