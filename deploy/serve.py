"""``streamlit`` with no network of its own and an exact websocket Origin check: what ``make run`` starts.

Usage is Streamlit's own command line: ``python deploy/serve.py run dashboard/app.py [options] -- [app flags]``.

Two things in Streamlit 1.67 no setting turns off, so this module changes them and then hands over to
Streamlit's command line unchanged:

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


def main() -> None:
    harden()
    sys.exit(cli.main(prog_name="streamlit"))


if __name__ == "__main__":
    main()
