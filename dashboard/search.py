"""Text search over descriptions, places, actors and sources: case-, accent- and diacritic-insensitive.

Both the events and the query are folded the same way (``fold``): Unicode NFKD, every combining mark
removed (Latin accents, Arabic harakat and the hamza written above or below a letter), format controls
(zero-width, bidirectional) dropped, tatweel removed, the alef forms (أ إ آ ٱ) read as ا, ى as ي, ة as ه,
Persian ی and ک as Arabic ي and ك, lower case, apostrophes dropped (Ma'arrat is Maarrat), and
anything else that is not a letter or a digit a space.
So "Hama" finds "HAMA" and "Ḥamā", "حماة" finds "حَمَاه", and "Maarat" finds "Ma'arat".

The events' text is folded once per file (``search_text``), with pyarrow's string kernels, once per
distinct value of each column; a query is then one substring test per word and distinct value, spread
to the events by their codes: every word must occur.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import factorized

# The columns searched; the event's gazetteer place also brings its Arabic name and its aliases.
SEARCHED = ("description", "place", "gazetteer_place", "actor", "target", "source", "affiliation")
_DROPPED = r"[\p{Mn}\p{Me}\p{Cf}\x{0640}]"  # combining marks, format controls, tatweel
_LETTERS = {"ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"}
MAX_QUERY = 200  # characters of a query used: a search box is not a place for a file


def fold_array(values: pa.Array) -> pa.Array:
    """``fold`` on an arrow array of strings, in arrow's kernels (no Python per value)."""
    values = pc.utf8_normalize(values, form="NFKD")
    values = pc.replace_substring_regex(values, pattern=_DROPPED, replacement="")
    for old, new in _LETTERS.items():
        values = pc.replace_substring(values, pattern=old, replacement=new)
    values = pc.utf8_lower(values)
    values = pc.replace_substring_regex(values, pattern="[’'`ʼ‘ʿʾ]", replacement="")  # Ma'arrat is Maarrat
    values = pc.replace_substring_regex(values, pattern=r"[^\p{L}\p{N}]+", replacement=" ")
    return pc.utf8_trim_whitespace(values)


def fold(text: str) -> str:
    """The form text is searched in: "Ḥamāh" -> "hamah", "حَمَاة" -> "حماه", "Reut\u200bers" -> "reuters"."""
    return fold_array(pa.array([text], type=pa.string()))[0].as_py()


@dataclass(frozen=True)
class SearchText:
    """The searched columns, each as its distinct values folded and every event's code into them: a
    word is looked for once per distinct value (a million events name a few thousand places)."""

    columns: list[tuple[np.ndarray, pa.Array]]  # (codes, folded distinct values) per column
    size: int


def _folded(values: pd.Series) -> tuple[np.ndarray, pa.Array]:
    codes, uniques = factorized(values)
    return codes.astype("int64"), fold_array(pa.array(np.asarray(uniques, dtype=object), type=pa.string()))


def search_text(events: pd.DataFrame, places: pd.DataFrame | None = None) -> SearchText:
    """Each event's searched text, folded: its columns (``SEARCHED``) and its gazetteer place's Arabic
    name and aliases. A word must occur within one column: none runs from one into the next."""
    columns = [_folded(events[c]) for c in SEARCHED if c in events.columns]
    if places is not None and "gazetteer_place" in events.columns:
        names = places["name_ar"].fillna("") + "\t" + places["aliases"].fillna("").str.replace("|", "\t")
        other = events["gazetteer_place"].map(dict(zip(places["place"], names, strict=True)))
        columns.append(_folded(other.fillna("")))
    return SearchText(columns, len(events))


def words(query: str) -> list[str]:
    """The query's words, folded; none for a query of spaces or punctuation."""
    return [w for w in fold(query[:MAX_QUERY]).split(" ") if w]


def matches(text: SearchText, query: str) -> np.ndarray | None:
    """Events whose folded text holds every word of ``query``; None for an empty query (no filter)."""
    wanted = words(query)
    if not wanted:
        return None
    mask = np.ones(text.size, dtype=bool)
    for word in wanted:
        hit = np.zeros(text.size, dtype=bool)
        for codes, uniques in text.columns:
            hit |= pc.match_substring(uniques, word).to_numpy(zero_copy_only=False)[codes]
        mask &= hit
    return mask
