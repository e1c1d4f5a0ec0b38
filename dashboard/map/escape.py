"""Escaping for the two places file text meets the browser in the map: HTML and a script's JSON."""

from __future__ import annotations

import json

import pandas as pd

# Inside a <script>, "<!--" and "<script" change how the HTML parser finds the end tag, and "</" ends
# it: JSON written there must hold no "<", ">" or "&" at all. The escapes are still the same JSON.
# Chained str.replace, not str.translate: translate looks up every character in a dict, which cost 20 ms
# a step on the basemap's and the layers' megabyte of JSON; replace scans in C.
_SCRIPT_SAFE = (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def escape_text(values: pd.Series) -> pd.Series:
    """HTML-escape a whole column: & < > " ' become entities."""
    return (
        values.fillna("")
        .astype("str")
        .str.replace("&", "&amp;", regex=False)
        .str.replace("<", "&lt;", regex=False)
        .str.replace(">", "&gt;", regex=False)
        .str.replace('"', "&quot;", regex=False)
        .str.replace("'", "&#x27;", regex=False)
    )


def script_json(data: str) -> str:
    """JSON text made safe to place inside an HTML ``<script>``: no ``<``, ``>`` or ``&`` is left raw.

    ``data`` must already be JSON; every character escaped here sits inside a JSON string (the only place
    JSON can hold them), so the result parses to the same value.
    """
    for raw, escaped in _SCRIPT_SAFE:
        if raw in data:
            data = data.replace(raw, escaped)
    return data


def to_script(value: object) -> str:
    """Any JSON-able value as JSON safe inside a ``<script>``."""
    return script_json(json.dumps(value, separators=(",", ":"), ensure_ascii=False))
