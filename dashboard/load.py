"""Load: bytes on disk -> a table of strings, with the line each row starts on.

Nothing here judges values; that is validate.py's job. This module only refuses
a file it cannot read at all (``UnusableFile``, one clear message), and reports
rows the CSV parser could not split into the header's columns.

Besides the native CSV it reads ACLED exports, UCDP GED CSVs (told apart by their
header) and GeoJSON (a file whose text starts with ``{``); formats.py turns them
into native columns.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from array import array
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from . import formats, geojson, settings
from .model import GUARDED, REQUIRED, VALUE_PREVIEW, preview

# A NUL byte in the first block means binary data: CSV text never holds one.
_SNIFF_BYTES = 8192
# The longest header line read: 200 columns of names up to 300 characters. A longer one is not a header
# but a file of columns, whose every name would be held and shown.
MAX_HEADER_BYTES = 65_536
# pyarrow reads the CSV in blocks this large; a row longer than one block cannot be read.
_BLOCK_BYTES = 1 << 24
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """What one file may cost: checked by counts made before the file is parsed, so a hostile file fails fast.

    The defaults are the settings table's; the page and the command line pass the settings they resolved.
    """

    max_columns: int = settings.default("max_columns")
    max_rows: int = settings.default("max_rows")
    rejected_kept: int = settings.default("rejected_kept")

    @classmethod
    def of(cls, values: dict[str, object]) -> Limits:
        """The limits among resolved settings (``settings.resolve()``)."""
        return cls(int(values["max_columns"]), int(values["max_rows"]), int(values["rejected_kept"]))


class UnusableFile(Exception):
    """The file cannot be read as an events table. The message says why, in one line."""


@dataclass(frozen=True)
class RawTable:
    """What a file held, every value a string, before any value is judged."""

    frame: pd.DataFrame
    # the line each row of ``frame`` starts on (the header is line 1); for GeoJSON, its feature number
    lines: np.ndarray
    rejected: pd.DataFrame  # rows the parser could not split: line, column, value, reason
    rows: int  # rows read, not counting the header
    format: str = "native"  # "native", "acled", "ucdp" or "geojson"
    # native column -> the file's column it came from, so reports name the user's columns;
    # a column not listed is its own (for GeoJSON, lat and lon come from "geometry").
    columns: dict[str, str] = field(default_factory=formats.identity_columns)
    encoding: str = "utf-8"  # "utf-8", "utf-16", "utf-16-le", "utf-16-be" or "windows-1256"
    rejected_more: int = 0  # rows the parser could not split beyond those kept in ``rejected`` (Limits.rejected_kept)


def rejection_frame(
    lines: object = (), column: object = (), value: object = (), reason: object = (), others: object = 0
) -> pd.DataFrame:
    """The one shape every rejection report has: a row per rejected row of the file.

    ``column`` and ``value`` are shown as ``model.preview`` shows them, whoever built the report: a 1 MB
    cell or column name is not sent whole to the page. ``other_problems`` counts what else is wrong
    with that row beyond ``reason``.
    """
    frame = pd.DataFrame(
        {
            "line": np.asarray(lines, dtype="int64"),
            "column": _previewed(column),
            "value": _previewed(value),
            "reason": pd.array(list(reason), dtype="str"),
        }
    )
    frame["other_problems"] = np.broadcast_to(np.asarray(others, dtype="int64"), len(frame))
    return frame


def _previewed(texts: object) -> pd.Series:
    values = pd.Series(list(texts), dtype="str")
    long = values.str.len() > VALUE_PREVIEW
    if long.any():  # rare, so only the long values pay for a call each
        values = values.mask(long, values[long].map(preview))
    return values


def _read_bytes(source: str | Path | bytes, max_bytes: int | None = None) -> bytes:
    if isinstance(source, bytes):
        data = source
    else:
        path = Path(source)
        if not path.exists():
            raise UnusableFile(f"{path}: no such file")
        if path.is_dir():
            raise UnusableFile(f"{path}: is a folder, not a file")
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise UnusableFile(
                f"{path.stat().st_size / 1e6:,.0f} MB is more than this server reads ({max_bytes / 1e6:,.0f} MB, "
                "the max_file_mb setting); split the file, or raise the setting on a machine with the memory"
            )
        data = path.read_bytes()
    if max_bytes is not None and len(data) > max_bytes:
        raise UnusableFile(f"{len(data) / 1e6:,.0f} MB is more than this server reads ({max_bytes / 1e6:,.0f} MB)")
    return data


def _utf16(data: bytes) -> str | None:
    """The name of the UTF-16 form ``data`` is in, by its byte-order mark or its NUL bytes; else None."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16"
    head = data[:_SNIFF_BYTES]
    even, odd = head[0::2].count(0), head[1::2].count(0)
    if len(head) >= 4 and max(even, odd) > 0.3 * len(head) / 2 and min(even, odd) == 0:
        return "utf-16-le" if odd > even else "utf-16-be"
    return None


# Which bytes Windows-1256 reads as Arabic letters (U+0600 to U+06FF).
_CP1256_ARABIC = np.asarray(
    [b >= 128 and "\u0600" <= bytes([b]).decode("cp1256", errors="replace") <= "\u06ff" for b in range(256)]
)


def _cp1256_letters(data: bytes) -> tuple[int, int]:
    """(non-ASCII bytes, of them Arabic letters in Windows-1256), counted on the bytes.

    A single-byte code page has a character per byte, so no text is built to count: building one object
    per character of a 45 MB file cost 4 GB.
    """
    counts = np.bincount(np.frombuffer(data, dtype=np.uint8), minlength=256)
    return int(counts[128:].sum()), int(counts[_CP1256_ARABIC].sum())


def _decode(data: bytes) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8 (with or without BOM), UTF-16, or Windows-1256.

    Windows-1256 is taken only when the text is not UTF-8 and most of its non-ASCII characters then
    read as Arabic letters; any other encoding is refused with the offending byte named.
    """
    if not data.strip():
        raise UnusableFile("the file is empty")
    encoding = _utf16(data)
    if encoding:
        try:
            text = data.decode(encoding).removeprefix("\ufeff")
        except UnicodeDecodeError as err:
            _log.info("UTF-16 decoding failed: %s", err)
            raise UnusableFile(
                f"looks like UTF-16 text but is not: it breaks off, or holds a broken character, at byte {err.start}"
            ) from None
    elif b"\x00" in data[:_SNIFF_BYTES]:
        raise UnusableFile("not a text file: it holds binary data (NUL bytes)")
    else:
        try:
            text, encoding = data.decode("utf-8-sig"), "utf-8"
        except UnicodeDecodeError as err:
            wide, arabic = _cp1256_letters(data)
            if not wide or arabic < 0.6 * wide:
                raise UnusableFile(
                    f"not UTF-8 text: byte 0x{data[err.start]:02x} at offset {err.start} is not UTF-8, and the "
                    "text is not Windows-1256 Arabic either; save the file as UTF-8"
                ) from None
            text, encoding = data.decode("cp1256", errors="replace"), "windows-1256"
    if "\x00" in text:
        raise UnusableFile("not a text file: it holds binary data (NUL characters)")
    if not text.strip():
        raise UnusableFile("the file is empty")
    return text, encoding


def _header(text: str, max_columns: int) -> list[str]:
    """The header's column names, refused before any row is read when there are too many or it is too long."""
    end = re.search(r"[\r\n]", text[: MAX_HEADER_BYTES + 1])
    if (end.start() if end else len(text)) > MAX_HEADER_BYTES:
        raise UnusableFile(
            f"the header (the first line) is longer than {MAX_HEADER_BYTES:,} characters: not an events table "
            "a server can show; a header names each column once"
        )
    try:
        first = next(csv.reader(io.StringIO(text[:MAX_HEADER_BYTES], newline="")), [])
    except csv.Error:  # the csv module's words are not the user's
        raise UnusableFile("the header opens a quote it never closes") from None
    if len(first) > max_columns:
        raise UnusableFile(_too_many_columns(len(first), max_columns))
    # Our CSV export guards a formula-like column name as it guards a cell; read it back as it was.
    names = [re.sub(GUARDED, "", name.strip()) for name in first]
    if len(names) < 2:
        raise UnusableFile(
            "not a comma-separated table: the first line has no commas; "
            f"expected a header naming at least {', '.join(REQUIRED)}"
        )
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise UnusableFile(f"column {preview(name)!r} appears twice in the header")
        seen.add(name)
    if "" in seen:
        raise UnusableFile(f"the header has an empty column name (column {names.index('') + 1})")
    return names


def _too_many_columns(count: int, max_columns: int) -> str:
    return (
        f"the header has {count:,} columns, more than this server reads ({max_columns:,}, the max_columns "
        "setting); keep the columns you need, or raise the setting"
    )


def _check_columns(fmt: str, names: list[str]) -> None:
    missing = formats.missing_columns(fmt, names)
    if not missing:
        return
    what = "missing required column(s)" if fmt == "native" else f"read as {formats.NAMES[fmt]}, it lacks column(s)"
    raise UnusableFile(
        f"{what}: {', '.join(missing)}; the header has: "
        + ", ".join(preview(name) for name in names[:20])
        + (" …" if len(names) > 20 else "")
    )


def _record_start_lines(text: str) -> np.ndarray:
    """The line each non-blank record starts on, header included (1-based).

    Quoted values may hold newlines, so a record's number and its line in the file
    can differ; only then is the slower walk through the csv module needed.
    """
    starts = []
    reader = csv.reader(io.StringIO(text, newline=""))
    previous = 0
    for record in reader:
        if record:
            starts.append(previous + 1)
        previous = reader.line_num
    return np.asarray(starts, dtype="int64")


def _split_reason(text: str, fields: int, expected: int) -> str:
    if text.count('"') % 2:
        return "opens a quote it never closes: every line after it is swallowed into one value"
    return f"has {fields} fields, the header has {expected}"


def _read_geojson(text: str, limits: Limits) -> RawTable:
    # Counted on the text before it is parsed: 22 million bare features parse into 6 GB of dicts.
    # Every feature is an object and names its type, so neither count can be less than the features.
    objects, typed = text.count("{"), text.count('"Feature"')
    if typed > limits.max_rows:
        raise UnusableFile(_too_many_rows(typed, "features", limits.max_rows))
    if objects > 4 * limits.max_rows:  # a feature with its geometry and properties is three objects
        raise UnusableFile(_too_many_rows(objects, "JSON objects, more than features", limits.max_rows))
    try:
        features = geojson.read_geojson(text, limits.max_rows, limits.max_columns, limits.rejected_kept)
    except formats.FormatError as err:
        raise UnusableFile(str(err)) from None
    lines, columns, values, reasons = zip(*features.rejected, strict=True) if features.rejected else ((),) * 4
    return RawTable(
        frame=features.frame,
        lines=features.numbers,
        rejected=rejection_frame(lines, columns, values, reasons),
        rows=features.count,
        format="geojson",
        rejected_more=features.rejected_more,
        columns=formats.identity_columns() | {"lat": "geometry", "lon": "geometry"},
    )


def _too_many_rows(count: int, what: str, max_rows: int) -> str:
    return (
        f"the file has {count:,} {what}, more than this server reads ({max_rows:,}, the max_rows setting); "
        "split the file, or raise the setting on a machine with the memory"
    )


def _unreadable_csv(err: pa.ArrowInvalid) -> str:
    """The parser's failure in our words; its own (\"straddling object\", \"block size\") goes to the log."""
    _log.info("pyarrow could not read the CSV: %s", err)
    if "straddl" in str(err) or "block size" in str(err):
        return (
            f"a row is too long to read: it runs over more than {_BLOCK_BYTES // 1_000_000} MB, far more than an "
            "events row; often a quote that never closes has swallowed the lines after it"
        )
    return "not readable as CSV: its rows cannot be split into the header's columns"


def _parse_csv(text: str, names: list[str], kept: int) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, str, int]]]:
    """The rows pyarrow can split, as strings; the record number of every row it cannot, and the first
    ``kept`` of those in full (number, text, fields found)."""
    unsplittable: list[tuple[int, str, int]] = []  # the first ``kept`` in full
    bad_records = array("q")  # the number of every row the parser could not split: 8 bytes each

    def keep_apart(row: pacsv.InvalidRow) -> str:
        bad_records.append(row.number)
        if len(unsplittable) < kept:
            unsplittable.append((row.number, row.text, row.actual_columns))
        return "skip"

    # pyarrow cannot skip a header that no line break ends ("header is larger than block size"):
    # give the last line its end, which changes no value, so a header-only file is 0 rows.
    ended = text if text.endswith(("\n", "\r")) else text + "\n"
    try:
        table = pacsv.read_csv(
            io.BytesIO(ended.encode("utf-8")),
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1, use_threads=False, block_size=_BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, invalid_row_handler=keep_apart),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as err:
        raise UnusableFile(_unreadable_csv(err)) from None
    del ended

    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype("pyarrow")}.get)
    for name in frame.columns:
        frame[name] = frame[name].str.strip()
    bad = np.frombuffer(bad_records, dtype="int64") if bad_records else np.empty(0, dtype="int64")
    return frame, bad, unsplittable


def read_events(source: str | Path | bytes, max_bytes: int | None = None, limits: Limits | None = None) -> RawTable:
    """Read an events file (UTF-8, with or without a BOM) into strings, in native columns.

    A CSV is native, an ACLED export or a UCDP GED file, by its header; a file
    whose text starts with ``{`` is GeoJSON. Raises ``UnusableFile`` when the file
    is missing, empty, binary, not UTF-8, not CSV or GeoJSON, lacks a column
    its format needs, or is past one of ``limits`` (columns, rows).
    """
    limits = limits or Limits()
    text, encoding = _decode(_read_bytes(source, max_bytes))
    if re.match(r"\s*\{", text):
        return replace(_read_geojson(text, limits), encoding=encoding)
    names = _header(text, limits.max_columns)
    fmt = formats.detect(names)
    _check_columns(fmt, names)
    # A line ends at \r\n, \n or a bare \r, as it does for the parser and the csv module.
    physical_lines = (
        text.count("\n") + text.count("\r") - text.count("\r\n") + (0 if text.endswith(("\n", "\r")) else 1)
    )
    if physical_lines - 1 > limits.max_rows:
        raise UnusableFile(_too_many_rows(physical_lines - 1, "lines after the header", limits.max_rows))
    frame, bad, unsplittable = _parse_csv(text, names, limits.rejected_kept)
    # The parser numbers records from the header, which is record 1, and skips blank lines.
    total = len(frame) + len(bad)
    record_numbers = np.setdiff1d(np.arange(2, total + 2, dtype="int64"), bad)
    if physical_lines == total + 1:
        to_line = np.arange(0, total + 2, dtype="int64")
    else:
        to_line = np.concatenate([[0], _record_start_lines(text)])
    rejected = rejection_frame(
        to_line[bad[: len(unsplittable)]],
        [""] * len(unsplittable),
        [t for _, t, _ in unsplittable],
        [_split_reason(t, n, len(names)) for _, t, n in unsplittable],
    )
    try:
        frame, columns = formats.convert(fmt, frame)
    except formats.FormatError as err:
        raise UnusableFile(str(err)) from None
    return RawTable(
        frame=frame,
        lines=to_line[record_numbers],
        rejected=rejected,
        rows=total,
        format=fmt,
        columns=columns,
        encoding=encoding,
        rejected_more=len(bad) - len(unsplittable),
    )
