"""Small helpers the sections share: text from a file shown literally in Streamlit's markdown, timings."""

from __future__ import annotations

import re
import sys
import time

from ..model import NOT_GIVEN

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# GFM turns bare addresses into links after escapes are read; a word joiner (invisible) breaks them.
_AUTOLINK = re.compile(r"(?i)(https?|www|mailto|xmpp)(?=[:.])|(@)")
WORD_JOINER = "\u2060"


def literal(text: object) -> str:
    """Text from a file or a link, to show literally inside Streamlit's markdown (alerts, captions, headings).

    Every ASCII punctuation mark gets a backslash, as CommonMark allows: no link, image, emphasis or
    heading, and none of Streamlit's own ``:red[...]``, ``:material/...:`` or ``$LaTeX$``. Bare web and
    mail addresses get an invisible word joiner, so that they are not made into links either.
    """
    unlinked = _AUTOLINK.sub(lambda m: m.group(0) + WORD_JOINER, str(text))
    return _PUNCTUATION.sub(r"\\\1", unlinked)


def label(value: str) -> str:
    """A facet value as a filter shows it: an empty value is "(not given)"."""
    return value if value else NOT_GIVEN


def print_time(timing: bool, name: str, began: float) -> None:
    """With the timing setting: how long since ``began``, to the server's error output (the benchmarks read it)."""
    if timing:
        print(f"{name}={1000 * (time.perf_counter() - began):.1f}", file=sys.stderr, flush=True)
