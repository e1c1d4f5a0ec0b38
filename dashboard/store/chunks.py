"""An events file as a sequence of small tables, each read by the app's own loader (dashboard/load.py).

A CSV in UTF-8 is cut into pieces of whole records (a quoted value may hold line breaks: a record ends
only where the quotes seen so far are balanced); each piece, with the header in front, goes through
``load.read_events`` as if it were a file, and its line numbers are moved to where the piece starts. So
the formats are detected, converted and reported exactly as the app does, and only one piece is in
memory at a time. A GeoJSON file, or a CSV in UTF-16 or Windows-1256, is read whole (within the
max_file_mb setting) and then cut: its reader needs the whole text.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from ..load import Limits, RawTable, UnusableFile, read_events

# A piece is cut early when it grows past this many bytes: a quote that never closes must not hold the file.
PIECE_BYTES = 64 << 20
_SNIFF = 8192


@dataclass(frozen=True)
class Chunk:
    raw: RawTable  # the rows of one piece, their lines those of the file
    done: int  # bytes of the file read so far, for the progress bar
    size: int  # bytes of the whole file


def _streamable(path: Path) -> bool:
    """Whether ``path`` is a CSV in UTF-8 throughout (checked block by block, nothing kept)."""
    with path.open("rb") as handle:
        head = handle.read(_SNIFF)
        text = head.removeprefix(codecs.BOM_UTF8).lstrip()
        if not text or text.startswith(b"{") or head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
            return False
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            decoder.decode(head)
            while block := handle.read(16 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def _line_ends(piece: bytes) -> int:
    return piece.count(b"\n") + piece.count(b"\r") - piece.count(b"\r\n")


def _pieces(path: Path, rows: int) -> Iterator[tuple[bytes, int, int, int]]:
    """(header, the records of one piece, the line its first record starts on, bytes read so far)."""
    with path.open("rb") as handle:
        header, quoted = b"", False
        for physical in handle:
            header += physical
            quoted ^= physical.count(b'"') % 2 == 1
            if not quoted:
                break
        header = header.removeprefix(codecs.BOM_UTF8)
        line = 1 + _line_ends(header)
        start, kept, records, size, quoted, yielded = line, [], 0, 0, False, False
        for physical in handle:
            kept.append(physical)
            size += len(physical)
            line += _line_ends(physical)
            quoted ^= physical.count(b'"') % 2 == 1
            if not quoted:
                records += 1
            if (records >= rows and not quoted) or size > PIECE_BYTES:
                yield header, b"".join(kept), start, handle.tell()
                start, kept, records, size, quoted, yielded = line, [], 0, 0, False, True
        if kept and (any(piece.strip() for piece in kept) or not yielded):
            yield header, b"".join(kept), start, handle.tell()
        elif not yielded:
            yield header, b"", start, handle.tell()


def _shifted(raw: RawTable, offset: int) -> RawTable:
    if not offset:
        return raw
    return replace(raw, lines=raw.lines + offset, rejected=raw.rejected.assign(line=raw.rejected["line"] + offset))


def _slices(raw: RawTable, rows: int, size: int) -> Iterator[Chunk]:
    """A table read whole, as chunks; the rows the parser could not split go with the first."""
    total = len(raw.frame)
    for start in range(0, max(total, 1), rows):
        end = min(start + rows, total)
        first = start == 0
        part = replace(
            raw,
            frame=raw.frame.iloc[start:end].reset_index(drop=True),
            lines=raw.lines[start:end],
            rejected=raw.rejected if first else raw.rejected.iloc[0:0],
            rows=(end - start) + (raw.rows - total if first else 0),
            rejected_more=raw.rejected_more if first else 0,
        )
        yield Chunk(part, size if end == total else int(size * end / max(total, 1)), size)


def read_chunks(path: str | Path, rows: int, limits: Limits, max_bytes: int | None = None) -> Iterator[Chunk]:
    """The file's rows, ``rows`` at a time, each chunk as ``load.read_events`` reads it; ``UnusableFile`` as it."""
    path = Path(path)
    if not path.is_file():
        raise UnusableFile(f"{path}: {'is a folder, not a file' if path.is_dir() else 'no such file'}")
    size = path.stat().st_size
    if not _streamable(path):
        yield from _slices(read_events(path, max_bytes, limits), rows, size)
        return
    # Each piece is small: the row limit is the piece's, the file may have any number of rows.
    piece_limits = replace(limits, max_rows=max(limits.max_rows, rows + 1))
    first_line = None
    for header, records, start, done in _pieces(path, rows):
        first_line = first_line or start
        raw = read_events(header + records, None, piece_limits)
        yield Chunk(_shifted(raw, start - first_line), done, size)
