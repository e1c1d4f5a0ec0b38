"""Loading: unusable files get one clear message; rows the parser cannot split are reported."""

from __future__ import annotations

import pytest

from dashboard.load import UnusableFile, read_events
from tests.conftest import HEADER

GOOD = b"date,place,source\n2024-11-30,Aleppo,Reuters\n"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "the file is empty"),
        (b"   \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("date,place,source\n2024-11-30,Café,x\n".encode("cp1252"), "not UTF-8 text: byte 0xe9 at offset 32"),
        (b"just some words\nmore words\n", "not a comma-separated table"),
        (b'{"type": "FeatureCollection"}', "not a comma-separated table"),
        (b"date,place\n2024-11-30,Aleppo\n", "missing required column(s): source"),
        (b"date,date,place,source\n", "column 'date' appears twice"),
        (b"date,,place,source\n", "empty column name"),
    ],
    ids=["empty", "blank", "binary", "cp1252", "prose", "json", "no-source", "dup-header", "empty-name"],
)
def test_unusable_file_gets_one_clear_message(data, message):
    with pytest.raises(UnusableFile, match=r"^.*" + message.replace("(", r"\(").replace(")", r"\)")):
        read_events(data)


def test_missing_path_is_unusable(tmp_path):
    with pytest.raises(UnusableFile, match="no such file"):
        read_events(tmp_path / "nope.csv")


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
def test_utf8_with_or_without_bom_keeps_arabic(bom):
    raw = read_events(bom + "date,place,source\n2024-11-30,السويداء,الجزيرة\n".encode())
    assert list(raw.frame.columns) == ["date", "place", "source"]
    assert raw.frame.loc[0, "place"] == "السويداء"
    assert raw.frame.loc[0, "source"] == "الجزيرة"


def test_rows_with_wrong_field_counts_are_reported_by_line():
    raw = read_events(b"date,place,source\n1,2,3\n1,2\n4,5,6,7\n8,9,10\n")
    assert raw.rows == 4
    assert raw.lines.tolist() == [2, 5]
    assert raw.rejected["line"].tolist() == [3, 4]
    assert raw.rejected["reason"].tolist() == ["has 2 fields, the header has 3", "has 4 fields, the header has 3"]


def test_line_numbers_count_newlines_inside_quotes_and_blank_lines():
    data = b'date,place,source\n1,"two\nlines",3\n\n1,2\n5,6,7\n'
    raw = read_events(data)
    assert raw.lines.tolist() == [2, 6]
    assert raw.rejected["line"].tolist() == [5]
    assert raw.frame.loc[0, "place"] == "two\nlines"


def test_values_are_strings_with_spaces_trimmed():
    raw = read_events(b"date,place,source,lat\n 2024-11-30 , Aleppo ,Reuters, 36.2\n")
    assert raw.frame.iloc[0].tolist() == ["2024-11-30", "Aleppo", "Reuters", "36.2"]
    assert raw.lines.tolist() == [2]


def test_an_unclosed_quote_is_named_as_the_reason():
    raw = read_events(b'date,place,source\n2024-11-29,Hama,SANA\n2024-11-30,"Aleppo,Reuters\n2024-12-01,Hama,SANA\n')
    assert raw.frame["date"].tolist() == ["2024-11-29"]
    assert raw.rejected.loc[0, "line"] == 3
    assert raw.rejected.loc[0, "reason"].startswith("opens a quote it never closes")


@pytest.mark.parametrize(
    "encoding, named",
    [("cp1256", "windows-1256"), ("utf-16", "utf-16"), ("utf-16-le", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_arabic_in_windows_1256_or_utf_16_is_read_and_named(encoding, named):
    raw = read_events("date,place,source\n2024-11-30,حلب,الجزيرة\n".encode(encoding))
    assert raw.encoding == named
    assert raw.frame.loc[0, "place"] == "حلب" and raw.frame.loc[0, "source"] == "الجزيرة"


@pytest.mark.parametrize("ending", ["", "\n", "\r\n", "\r", "\n\n"], ids=["none", "lf", "crlf", "cr", "blank-line"])
def test_a_header_only_file_loads_as_no_rows_with_or_without_a_final_newline(ending):
    raw = read_events(f"{HEADER}{ending}".encode())
    assert (raw.rows, len(raw.frame), len(raw.rejected)) == (0, 0, 0)
    assert list(raw.frame.columns)[:3] == ["event_id", "date", "place"]


def test_a_last_row_without_a_final_newline_loads():
    raw = read_events(b"date,place,source\n2024-11-30,Aleppo,Reuters")
    assert raw.frame.iloc[0].tolist() == ["2024-11-30", "Aleppo", "Reuters"] and raw.lines.tolist() == [2]


def test_line_numbers_count_a_bare_cr_as_a_line_end_after_a_quoted_newline():
    # \r alone ends a line too (old Mac files, or lines pasted in from one): the next row is on line 4, not 3.
    raw = read_events(b'date,place,source\n2024-11-30,"two\nlines",R\r2024-11-31,P,R\n')
    assert raw.lines.tolist() == [2, 4]


def test_mixed_line_endings_in_one_file_keep_every_row_on_its_line():
    raw = read_events(b"date,place,source\r\n1,a,R\r2,b,R\n3,c,R,extra\r\n4,d,R")
    assert raw.lines.tolist() == [2, 3, 5] and raw.rejected["line"].tolist() == [4]
    assert raw.frame["date"].tolist() == ["1", "2", "4"]


def test_a_1_mb_line_with_too_many_fields_is_reported_as_a_short_preview():
    raw = read_events(b"date,place,source\n2024-11-30,Aleppo,R," + b"x" * 1_000_000 + b"\n")
    value = raw.rejected["value"].iloc[0]
    assert value.startswith("2024-11-30,Aleppo,R,xxx") and value.endswith("… (1,000,020 characters)")
    assert len(value) < 300


def test_a_column_name_with_the_export_s_formula_guard_reads_back_without_it():
    raw = read_events(b"date,place,source,'=HYPERLINK(1),'plain\n2024-11-30,Aleppo,R,1,2\n")
    assert list(raw.frame.columns) == ["date", "place", "source", "=HYPERLINK(1)", "'plain"]
