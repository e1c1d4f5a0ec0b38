"""The README's deployment: the app behind Debian's nginx with the shipped configuration (deploy/nginx/).

The test's nginx runs the shipped site file itself, with only what a test machine must change: the
snippets' directory, a free port on 127.0.0.1 instead of 443, a self-signed certificate, a password
file, and the app's port. The app runs as ``make run`` starts it. When nginx is missing the tests fail
(not skip): ``make nginx`` installs it.
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import MAP_IFRAME, metric, open_app
from tests.serving import REPO, free_port, handshake, start_app, stop, tail

pytestmark = pytest.mark.browser

DEPLOY = REPO / "deploy" / "nginx"
SITE = DEPLOY / "conflict-map.conf"
USER, PASSWORD = "analyst", "correct horse battery staple"
HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
UNVERIFIED = ssl.create_default_context()
UNVERIFIED.check_hostname = False
UNVERIFIED.verify_mode = ssl.CERT_NONE


@dataclass
class Proxied:
    url: str
    port: int
    auth: str  # the Authorization header's value


def _nginx() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None)
    if not found:
        pytest.fail("nginx is missing: the deployment test needs Debian's nginx. Install it with `make nginx`.")
    return found


def _runnable_config(site: str, tmp: Path, port: int, app_ports: list[int]) -> str:
    """The shipped site file, made runnable here; everything it includes is the shipped snippets. The site's
    app servers (127.0.0.1:8501, 8502, ...) become ``app_ports``; the access log names each request's upstream."""
    replacements = [
        ("include snippets/", f"include {DEPLOY}/"),
        *((f"server 127.0.0.1:{8501 + i};", f"server 127.0.0.1:{app};") for i, app in enumerate(app_ports)),
        ("listen 443 ssl;", f"listen 127.0.0.1:{port} ssl;"),
        ("/etc/ssl/map.crt", str(tmp / "map.crt")),
        ("/etc/ssl/map.key", str(tmp / "map.key")),
        ("/etc/nginx/conflict-map.htpasswd", str(tmp / "htpasswd")),
    ]
    for old, new in replacements:
        assert site.count(old) == (2 if old.startswith("include") else 1), f"site file changed around {old!r}"
        site = site.replace(old, new)
    temp = "\n".join(
        f"    {kind}_temp_path {tmp / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    user = "user root;\n" if os.geteuid() == 0 else ""
    return (
        f"{user}worker_processes 1;\nevents {{ worker_connections 256; }}\nhttp {{\n"
        f"    log_format upstreams '$upstream_addr $cookie__streamlit_xsrf $request_method $uri $status';\n"
        f"    access_log {tmp / 'access.log'} upstreams;\n{temp}\n{site}\n}}\n"
    )


@contextlib.contextmanager
def nginx_in_front(site: Path, app_ports: list[int], tmp: Path) -> Iterator[Proxied]:
    """Debian's nginx running ``site`` (a shipped site file) on a free port, in front of ``app_ports``."""
    nginx = _nginx()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
        + ["-keyout", str(tmp / "map.key"), "-out", str(tmp / "map.crt")],
        check=True,
        capture_output=True,
    )
    (tmp / "htpasswd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n", encoding="utf-8")
    port = free_port()
    conf = tmp / "nginx.conf"
    log = tmp / "error.log"
    globals_ = f"daemon off; master_process on; pid {tmp / 'nginx.pid'}; error_log {log} info;"
    conf.write_text(_runnable_config(site.read_text(encoding="utf-8"), tmp, port, app_ports), encoding="utf-8")
    checked = subprocess.run([nginx, "-p", str(tmp), "-c", str(conf), "-g", globals_, "-t"], capture_output=True)
    if checked.returncode:
        pytest.fail(f"nginx refused the configuration:\n{checked.stderr.decode()}\n{conf.read_text()}")
    proc = subprocess.Popen(
        [nginx, "-p", str(tmp), "-c", str(conf), "-g", globals_],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    auth = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    url = f"https://127.0.0.1:{port}"
    try:
        _wait(proc, url, auth, log)
        yield Proxied(url=url, port=port, auth=auth)
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def proxied(tmp_path_factory) -> Iterator[Proxied]:
    app, app_port = start_app("streamlit-behind-nginx")
    try:
        with nginx_in_front(SITE, [app_port], tmp_path_factory.mktemp("nginx")) as proxied:
            yield proxied
    finally:
        stop(app)


def _get(url: str, auth: str | None = None, method: str = "GET", headers: dict | None = None):
    request = urllib.request.Request(url, method=method, headers={**(headers or {})})
    if auth:
        request.add_header("Authorization", auth)
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=UNVERIFIED)
    )
    try:
        return opener.open(request, timeout=10)
    except urllib.error.HTTPError as err:
        return err


def _wait(proc: subprocess.Popen, url: str, auth: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"nginx exited with {proc.returncode}:\n{tail(log)}")
        try:
            if _get(f"{url}/_stcore/health", auth).status == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError, ssl.SSLError):
            pass
        time.sleep(0.2)
    pytest.fail(f"nginx did not answer at {url}:\n{tail(log)}")


def _handshake(proxied: Proxied, origin: str | None) -> str:
    """A websocket opening handshake on /_stcore/stream through nginx -> its status line."""
    return handshake(
        proxied.port, f"127.0.0.1:{proxied.port}", origin, headers=(f"Authorization: {proxied.auth}",), tls=UNVERIFIED
    )


@pytest.mark.parametrize("site", ["conflict-map.conf", "conflict-map-team.conf"])
def test_the_readme_shows_the_shipped_site_file(site):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", readme, flags=re.S)
    assert (DEPLOY / site).read_text(encoding="utf-8") in blocks, (
        f"README's nginx block differs from deploy/nginx/{site}"
    )


def test_every_answer_carries_the_headers_that_stop_framing(proxied):
    for path, auth, status in (("/", proxied.auth, 200), ("/_stcore/health", proxied.auth, 200), ("/", None, 401)):
        reply = _get(f"{proxied.url}{path}", auth)
        assert reply.status == status, (path, reply.status)
        for name, value in HEADERS.items():
            assert reply.headers.get_all(name) == [value], (path, name, reply.headers.get_all(name))


def test_the_map_component_may_be_framed_by_the_app_only(proxied):
    reply = _get(f"{proxied.url}/component/no-such-component/index.html", proxied.auth)
    assert reply.headers.get_all("Content-Security-Policy") == ["frame-ancestors 'self'"]
    assert reply.headers.get_all("X-Frame-Options") == ["SAMEORIGIN"]
    assert reply.headers.get_all("X-Content-Type-Options") == ["nosniff"]


def test_a_websocket_from_another_origin_is_refused(proxied):
    port = proxied.port
    for origin in (
        "https://evil.example",
        f"http://127.0.0.1:{port}",  # another scheme
        f"https://127.0.0.1:{port + 1}",  # another port of the same machine
        f"https://localhost:{port}",
        "null",
    ):
        assert _handshake(proxied, origin) == "HTTP/1.1 403 Forbidden", origin
    assert _handshake(proxied, f"https://127.0.0.1:{port}") == "HTTP/1.1 101 Switching Protocols"


def test_uploads_are_rate_limited(proxied):
    statuses = [
        _get(f"{proxied.url}/_stcore/upload_file/session/file", proxied.auth, method="PUT").status for _ in range(12)
    ]
    assert 429 in statuses, statuses
    assert statuses.count(429) >= 12 - 6, statuses  # a burst of 5 (plus the one the rate allows) passes
    foreign = _get(
        f"{proxied.url}/_stcore/upload_file/session/file",
        proxied.auth,
        method="PUT",
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403


def test_the_page_works_through_the_proxy(browser, proxied):
    context = browser.new_context(
        ignore_https_errors=True,
        http_credentials={"username": USER, "password": PASSWORD},
        viewport={"width": 1400, "height": 1300},
    )
    try:
        page = context.new_page()
        count = open_app(page, proxied.url)
        assert count > 0
        expect(page.locator(MAP_IFRAME)).to_be_visible()
        expect(metric(page, "Events shown")).to_have_text(re.compile(r"^\d[\d,]*$"))
    finally:
        context.close()
