"""Who is at the page: the signed-in person (Streamlit's ``st.login``), the machine's own operator, or nobody.

``st.login`` says who someone is, never what they may do: the role comes from the store, read by the write
path (``store/write.py``) in each write's transaction. This module only says who is asking:

- sign-in configured (an ``[auth]`` section in ``.streamlit/secrets.toml``): the signed-in email, or nobody
  (signed out: published claims only, no writes);
- no sign-in configured, and the server listening on the loopback address only, with the session reaching it
  directly (its Host a loopback name, no proxy's forwarding headers): the person at the keyboard, who is admin;
- no sign-in configured on any other address: editing is off, and the page says why.

Every identity also carries whether the session came from the app's own origin (``origin.from_own_origin``):
the write path refuses a session that did not, whoever it says it is.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

import streamlit as st

from ..store.write import Actor
from .origin import from_own_origin

LOOPBACK_NAMES = ("localhost",)
# Headers a proxy adds: a session that carries one did not come from this machine's keyboard.
FORWARDED = ("x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host")


@dataclass(frozen=True)
class Identity:
    """The session's actor, or None with the reason editing is off."""

    actor: Actor | None
    sign_in: bool  # whether sign-in is configured
    why_off: str = ""


def is_loopback(address: str) -> bool:
    """Whether ``address`` (server.address) is the loopback interface; empty means every interface: no."""
    host = address.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def direct_local(headers: Mapping[str, str]) -> bool:
    """A session from a browser on this machine straight to the server: a loopback Host, no proxy headers."""
    lowered = {str(k).lower(): str(v) for k, v in headers.items()}
    if any(name in lowered for name in FORWARDED):
        return False
    host = lowered.get("host", "")
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
    return is_loopback(name)


def sign_in_configured() -> bool:
    """Whether ``.streamlit/secrets.toml`` has an ``[auth]`` section with a provider (what ``st.login`` reads)."""
    try:
        auth = st.secrets.get("auth")
    except (FileNotFoundError, KeyError, AttributeError):  # no secrets file at all
        return False
    return bool(auth) and ("client_id" in auth or any(isinstance(v, Mapping) for v in auth.values()))


def _headers() -> Mapping[str, str]:
    try:
        return st.context.headers
    except (AttributeError, RuntimeError):  # bare mode, AppTest: no handshake
        return {}


def current() -> Identity:
    """Who this session is, by the rules in the module's docstring."""
    own = from_own_origin()
    if sign_in_configured():
        email = st.user.get("email") if st.user.is_logged_in else None
        return Identity(Actor(str(email).lower() if email else None, own_origin=own), True)
    address = str(st.get_option("server.address") or "")
    headers = _headers()
    if is_loopback(address) and (not headers or direct_local(headers)):
        return Identity(Actor(None, local=True, own_origin=own), False)
    where = address or "every interface"
    return Identity(
        None,
        False,
        f"Editing is off: no sign-in is configured (an [auth] section in .streamlit/secrets.toml), and this "
        f"server listens on {where}, not on the loopback address only, so the person at the keyboard cannot be "
        "told from anyone else who reaches it.",
    )
