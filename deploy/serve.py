"""``streamlit`` with no network of its own and an exact websocket Origin check: what ``make run`` starts.

Usage is Streamlit's own command line: ``python deploy/serve.py run dashboard/app.py [options] -- [app flags]``.

Two things in Streamlit 1.67 no setting turns off, so this module changes them, sets glibc's allocator up
to give memory back (``allocator_for_a_server``), and then hands over to Streamlit's command line unchanged:

- **The external address.** ``streamlit.net_util.get_external_ip`` asks an outside host
  (``checkip.amazonaws.com``, 1 s over http, then 1 s over https) for the machine's address, and keeps
  the answer only when there is one. ``web/bootstrap.py`` ``_print_url`` asks at start when the server
  listens on every interface, and ``web/server/server_util.py`` ``is_url_from_allowed_origins`` asks on
  every websocket handshake whose Origin is not localhost, from inside the server's event loop
  (``starlette_websocket._is_origin_allowed``, called by the websocket endpoint before ``accept``):
  offline, each such handshake froze every visitor for 2 s. Here there is no external address.
- **The websocket's Origin.** ``is_url_from_allowed_origins`` compares host names only, so a page on any
  port of localhost or 127.0.0.1, or on the machine's own network address, may open the app's websocket.
  Here a browser's handshake is accepted only when its Origin is the address it connects to (the Host
  header), or is listed in ``server.corsAllowedOrigins``. ``server.allowedHosts`` is still checked first,
  and a client that sends no Origin (not a browser) is still accepted, as Streamlit does.
"""

from __future__ import annotations

import ctypes
import sys
from urllib.parse import urlparse

from streamlit import net_util
from streamlit.web import cli
from streamlit.web.server import server_util
from streamlit.web.server.starlette import starlette_websocket


def no_external_ip() -> None:
    """The machine's external address, as far as Streamlit is told: none, and no request to find it."""
    return None


def is_origin_allowed(origin: str | None, host: str | None) -> bool:
    """Streamlit's websocket check (``_is_origin_allowed``) with an exact Origin: scheme aside, the same
    host and port as the request's Host, or one of ``server.corsAllowedOrigins``."""
    if not starlette_websocket.is_host_allowed(host):
        return False
    if origin is None:
        return True
    if host is not None and urlparse(origin).netloc.lower() == host.lower():
        return True
    return origin.strip() in server_util.allowlisted_origins()


def harden() -> None:
    """Put both changes in place; fail at start, not silently, if Streamlit's internals moved."""
    for module, name in ((net_util, "get_external_ip"), (starlette_websocket, "_is_origin_allowed")):
        if not callable(getattr(module, name, None)):
            raise SystemExit(f"deploy/serve.py: {module.__name__}.{name} is gone; check this Streamlit version")
    if not callable(getattr(starlette_websocket, "is_host_allowed", None)):
        raise SystemExit("deploy/serve.py: starlette_websocket.is_host_allowed is gone; check this Streamlit version")
    net_util.get_external_ip = no_external_ip
    starlette_websocket._is_origin_allowed = is_origin_allowed


# glibc's mallopt parameters (malloc.h): M_MMAP_THRESHOLD and M_ARENA_MAX.
M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
MMAP_THRESHOLD_BYTES, ARENAS = 1 << 20, 2


def allocator_for_a_server() -> None:
    """Let memory go back to the system when an upload is dropped. By default glibc raises its mmap threshold
    to the largest block freed so far (up to 32 MB), so after one large upload an array of a few megabytes
    is carved from the heap, and freed it stays there; and each of Streamlit's script threads may get an
    arena of its own. Measured with tests/browser/test_hostile_session.py (four 9 MB uploads, budget 20 MB):
    the server grew 205 to 242 MB before, 70 to 108 MB with this and the trim on eviction
    (``pipeline.release_memory``). Elsewhere than glibc, nothing changes."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
        libc.mallopt(M_ARENA_MAX, ARENAS)
    except (OSError, AttributeError):
        pass


def main() -> None:
    harden()
    allocator_for_a_server()
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
