"""Names as they are compared, and as they are shown: no invisible character may fake or hide a name.

A right-to-left override shows "\u202eexe.live" as "evil.exe"; "Reut\u200bers" (a zero-width space) looks
like Reuters but would count as another, independent source and fake corroboration; fullwidth "ＲＩＡ" is
"RIA". So source, actor, place and the other name columns are compared in one form (``normalise``:
Unicode NFKC, zero-width and bidirectional controls removed, whitespace collapsed), and wherever a
name is shown as the file gave it, ``visible`` turns each such control into a marker one can see.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

from .columns import factorized

# The columns that name someone or somewhere: compared, grouped and judged independent by their names.
NAME_COLUMNS = ("place", "actor", "target", "controller", "source", "affiliation")
# Zero-width and bidirectional format characters: they change how a name looks, or nothing, never what it says.
# Soft hyphen, Arabic letter mark, Mongolian vowel separator, zero-width space/joiners, LRM/RLM,
# LRE/RLE/PDF/LRO/RLO, word joiner and invisible operators, LRI/RLI/FSI/PDI, BOM, and the tag characters.
INVISIBLE = "\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f"
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# Other control characters (tabs, line ends, C1 controls) separate words: they become one space.
_SPACES = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")


def normalise_one(text: str) -> str:
    """The form a name is compared in: NFKC, no invisible controls, single spaces, no ends."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    return _SPACES.sub(" ", text).strip()


def normalise(names: pd.Series) -> pd.Series:
    """``normalise_one`` of each name, computed once per distinct name: a million rows hold few names."""
    codes, uniques = factorized(names)
    clean = pd.Index(uniques).map(normalise_one)
    dtype = "str" if isinstance(names.dtype, pd.CategoricalDtype) else names.dtype
    return pd.Series(clean.to_numpy(dtype=object)[codes], index=names.index, dtype=dtype)


def visible(text: str) -> str:
    """``text`` with every invisible control shown as a marker, ``⟨U+202E⟩``: what a spoof hides is seen.

    For the page, wherever it shows a name as the file gave it (filters, legend, captions, popups).
    """
    return _INVISIBLE.sub(lambda hit: f"⟨U+{ord(hit.group()):04X}⟩", text)


def hides_something(names: pd.Series) -> pd.Series:
    """Whether each name holds an invisible control: such a name is to be shown through ``visible``."""
    codes, uniques = factorized(names)  # looked for once per distinct name
    found = pd.Series(uniques, dtype=object).str.contains(_INVISIBLE.pattern, regex=True).to_numpy(dtype=bool)
    return pd.Series(found[codes], index=names.index)
