"""Who is at the page (dashboard/page/identity.py): the loopback rule, proxies, and sign-in's configuration."""

from __future__ import annotations

import pytest

from dashboard.page import identity


@pytest.mark.parametrize(
    "address, loopback",
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("", False),  # every interface
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("map.example.org", False),
    ],
)
def test_only_the_loopback_address_is_loopback(address, loopback):
    assert identity.is_loopback(address) is loopback


@pytest.mark.parametrize(
    "headers, local",
    [
        ({"Host": "127.0.0.1:8501"}, True),
        ({"host": "localhost:8501", "Origin": "http://localhost:8501"}, True),
        ({"Host": "[::1]:8501"}, True),
        ({"Host": "map.example.org"}, False),  # through a proxy that passes the public name
        ({"Host": "127.0.0.1:8501", "X-Forwarded-For": "203.0.113.9"}, False),  # a proxy that keeps the Host
        ({"Host": "127.0.0.1:8501", "Forwarded": "for=203.0.113.9"}, False),
        ({"Host": "127.0.0.1:8501", "X-Real-IP": "203.0.113.9"}, False),
        ({}, False),
    ],
)
def test_a_session_is_from_this_machine_only_straight_to_a_loopback_host(headers, local):
    assert identity.direct_local(headers) is local
