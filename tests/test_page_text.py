"""Text from a file shown in Streamlit's markdown stays literal (dashboard/page/text.py)."""

from __future__ import annotations

import re

import pytest

from dashboard.page import text as page_text

MARKDOWN = [
    "![x](http://127.0.0.1:9/pixel.png)",
    "[Log in](https://evil.example/login)",
    ":red[alarm] $x^2$ :material/warning:",
    "**bold** _it_ `code` ~~gone~~\n# heading\n- item | cell |",
    "back\\slash & <b>tag</b> 1. 2) +",
    "see https://evil.example, www.evil.example or me@evil.example",
]


@pytest.mark.parametrize("text", MARKDOWN)
def test_escape_markdown_leaves_every_mark_literal(text):
    escaped = page_text.literal(text)
    read = re.sub(r"\\(.)", r"\1", escaped, flags=re.S)
    assert read.replace(page_text.WORD_JOINER, "") == text  # only backslashes and word joiners were added
    assert not re.search(r"(?i)https?:|www\.|@\w", read), "an address GFM would make into a link"
    bare = re.sub(r"\\.", "", escaped, flags=re.S)  # what is left outside the escapes
    assert not re.search(r"[!-/:-@\[-`{-~]", bare), bare
