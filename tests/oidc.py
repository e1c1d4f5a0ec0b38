"""A real OpenID Connect provider for the sign-in tests: ``oidc-provider-mock`` (PyPI) on a free port.

It is what ``st.login`` talks to in production (discovery document, authorisation form, token and userinfo
endpoints, signed ID tokens), run as a subprocess on 127.0.0.1. Its authorisation page asks for a subject;
a subject it has not been given is a user whose ``email`` is the subject, which is how the tests sign in
as whom they like. ``secrets_toml`` writes the ``[auth]`` section the app then reads
(``--secrets.files PATH``), with a throw-away cookie secret.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
from pathlib import Path

from tests.serving import free_port, wait_until_answering

CLIENT_ID = "conflict-map-test"


def start_provider(log: Path, startup_s: float = 30) -> tuple[subprocess.Popen, str]:
    """The provider on a free port of 127.0.0.1 -> (process, its issuer URL), once its discovery answers."""
    port = free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    issuer = f"http://127.0.0.1:{port}"
    wait_until_answering(proc, f"{issuer}/.well-known/openid-configuration", "oidc-provider-mock", log, startup_s, 0.2)
    return proc, issuer


def secrets_toml(folder: Path, issuer: str) -> Path:
    """``secrets.toml`` with an ``[auth]`` section for ``issuer``; Streamlit fills in the app's port."""
    path = folder / "secrets.toml"
    path.write_text(
        "[auth]\n"
        'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        f'client_id = "{CLIENT_ID}"\n'
        f'client_secret = "{secrets.token_hex(16)}"\n'
        f'server_metadata_url = "{issuer}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    return path
