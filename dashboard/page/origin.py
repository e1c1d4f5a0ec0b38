"""Whether this session came from the app's own page: checked where a session changes what the server holds.

``deploy/serve.py`` refuses a websocket from another origin before any session starts. This is the same
rule again, read from the session's own handshake headers (``st.context.headers``), so that a server
started some other way (a plain ``streamlit run``) still takes no write from a page on another origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlparse

import streamlit as st


def same_origin(headers: Mapping[str, str]) -> bool:
    """A browser's request is from its own origin when its Origin names the host and port it connected to.

    No Origin at all is not a browser (a test client, a script on the machine): allowed, as Streamlit does.
    """
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    origin, host = lowered.get("origin"), lowered.get("host")
    if origin is None:
        return True
    return host is not None and urlparse(origin.strip()).netloc.lower() == host.strip().lower()


def from_own_origin() -> bool:
    """``same_origin`` for this session's websocket handshake."""
    try:
        headers = st.context.headers
    except (AttributeError, RuntimeError):  # no session (bare mode): nobody to refuse
        return True
    return same_origin(headers)
