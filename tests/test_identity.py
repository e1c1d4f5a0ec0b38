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


def test_a_sign_in_asked_for_is_asked_again_by_every_later_run(monkeypatch):
    """Streamlit drops a redirect that has not gone out when a new run starts (the map's first report reran
    the page as the Sign in button was clicked, once in CI): each run asks again until the browser leaves."""
    from dashboard.page import state

    asked: list[str] = []
    monkeypatch.setattr(state.st, "session_state", {})
    monkeypatch.setattr(state.st, "login", lambda: asked.append("login"))
    monkeypatch.setattr(state.st, "logout", lambda: asked.append("logout"))
    state.keep_leaving()
    assert asked == []  # nobody clicked
    state.leave_for("login")  # the button's callback
    state.keep_leaving()  # the run it started, cut short by a rerun
    state.keep_leaving()  # the rerun
    assert asked == ["login", "login"]
    state.leave_for("logout")
    state.keep_leaving()
    assert asked[-1] == "logout"
