"""A store's claims as an app server last read them whole, kept on its disk: the next start reads this file
and then only what changed since, instead of the whole store.

A snapshot is the feed's frame (``live.Feed``: the lean claims with their stories) as one Arrow IPC file,
with the store's *mark* in its metadata: the newest revision when the frame was read, that revision's
time and claim, and how many revisions there are up to it, all read in the one transaction the frame was
read in (``store.reader.read_marked``). Every change to a claim is written with a revision in the same
transaction, and revisions are never removed, so at the next start, if the store still has that mark,
no change landed at or below the revision since: the file and the claims changed after it are the store
as it is. If not (the store was made again, a migration ran, a transaction that took its revision before
the read committed after it), or the file was written by other code, it is not used, and the store is
read whole, as without snapshots.

The file is named by the store's address without its password, written whole to a temporary name and then
renamed over the old one (two servers on one machine may share the folder), readable by its owner only:
it holds the claims. Nothing here imports Streamlit.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

import pandas as pd
import pyarrow as pa

# The code whose output a snapshot holds: a change to any of these files makes older snapshots unused.
MADE_BY = ("snapshot.py", "live.py", "stories.py", "columns.py", "model.py", "store/reader.py", "store/schema.py")
KEY = b"conflict-map.snapshot"


def code_version() -> str:
    """A digest of the files that make the frame a snapshot holds."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for name in MADE_BY:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    return digest.hexdigest()[:16]


def path_for(folder: Path, url: str) -> Path:
    """The snapshot file of the store at ``url`` in ``folder``: named by a digest of the address without its
    password (a password changed is the same store)."""
    from .live import shown_url  # live imports this module: the address as a page shows it, password masked

    return Path(folder) / f"store-{hashlib.sha256(shown_url(url).encode()).hexdigest()[:24]}.arrow"


def write(path: Path, events: pd.DataFrame, mark: dict, seen: dict[str, int] | None = None) -> int:
    """``events`` and ``mark`` to ``path``, whole or not at all, with the claims of the revisions just before
    the mark's (``seen``: event_id -> revision, ``store.reader.read_marked``); the bytes written."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".snapshot-", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            write_frame(out, events, {"code": code_version(), "mark": mark, "seen": seen or {}})
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path.stat().st_size


def write_frame(out: BinaryIO, frame: pd.DataFrame, about: dict) -> None:
    """``frame`` as one Arrow IPC file to ``out``, with ``about`` in its metadata: its columns' own buffers
    are written, none copied first (``read_frame`` gives it back in its dtypes)."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    # pandas gives back categories of text as its own text dtype: those that were Python objects are named.
    about = {**about, "object_categories": [c for c in frame.columns if _object_categories(frame[c])]}
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), KEY: json.dumps(about).encode()})
    with pa.ipc.new_file(out, table.schema) as writer:
        writer.write_table(table)


def mark_of(path: Path) -> dict | None:
    """The mark a snapshot at ``path`` was written with, read from its schema alone; None without a usable
    one (no file, another format, or written by other code)."""
    try:
        with pa.memory_map(str(path)) as source:
            metadata = pa.ipc.open_file(source).schema.metadata or {}
        about = json.loads(metadata[KEY])
    except (OSError, KeyError, ValueError, pa.ArrowException):
        return None
    if about.get("code") != code_version() or not isinstance(about.get("mark"), dict):
        return None
    return about["mark"]


def read(path: Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """The frame a snapshot at ``path`` holds, in the dtypes it was written with, and its ``seen``."""
    frame, about = read_frame(path)
    return frame, {str(event_id): int(revision) for event_id, revision in about.get("seen", {}).items()}


def read_frame(path: Path) -> tuple[pd.DataFrame, dict]:
    """The frame ``write_frame`` wrote to ``path``, in its dtypes, and its ``about``."""
    # Read into memory in one go, not mapped: the frame must not depend on a file another server may replace.
    # (Arrow's own file reader took 0.15 to 1.1 s for 337 MB, this 0.22 s; the columns then point into it.)
    table = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(Path(path).read_bytes()))).read_all()
    about = json.loads(table.schema.metadata[KEY])
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    for name in about["object_categories"]:
        values = frame[name].array
        categories = pd.Index(values.categories.to_numpy(dtype=object), dtype=object)
        frame[name] = pd.Categorical.from_codes(values.codes, categories=categories, ordered=values.ordered)
    return frame, about


def _object_categories(column: pd.Series) -> bool:
    return isinstance(column.dtype, pd.CategoricalDtype) and column.dtype.categories.dtype == object
