"""A session's writes are taken only from the app's own origin (dashboard/page/origin.py)."""

from __future__ import annotations

import pytest

from dashboard.page.origin import same_origin


@pytest.mark.parametrize(
    "headers, allowed",
    [
        ({"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8501"}, True),
        ({"host": "map.example.org", "origin": "https://map.example.org"}, True),
        ({"Host": "127.0.0.1:8501"}, True),  # no Origin: not a browser
        ({"Host": "127.0.0.1:8501", "Origin": "http://127.0.0.1:8502"}, False),  # another local port
        ({"Host": "localhost:8501", "Origin": "http://127.0.0.1:8501"}, False),
        ({"Host": "127.0.0.1:8501", "Origin": "http://evil.example"}, False),
        ({"Host": "127.0.0.1:8501", "Origin": "null"}, False),
        ({"Origin": "http://127.0.0.1:8501"}, False),  # an Origin with no Host to match
    ],
)
def test_only_the_app_s_own_origin_may_write(headers, allowed):
    assert same_origin(headers) is allowed
