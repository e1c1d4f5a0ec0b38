"""Streamlit's own settings in .streamlit/config.toml: the safe defaults the README promises."""

from __future__ import annotations

import tomllib

import pytest
from streamlit.config import ShowErrorDetailsConfigOptions

from dashboard.settings import resolve
from tests.conftest import REPO


@pytest.fixture(scope="module")
def config() -> dict:
    with (REPO / ".streamlit" / "config.toml").open("rb") as file:
        return tomllib.load(file)


def test_xsrf_protection_is_on(config):
    assert config["server"]["enableXsrfProtection"] is True


def test_no_usage_statistics_are_sent(config):
    assert config["browser"]["gatherUsageStats"] is False


def test_uploads_are_capped_at_the_upload_mb_default(config):
    assert config["server"]["maxUploadSize"] == resolve(environ={})["upload_mb"] == 50


def test_an_unexpected_error_shows_nothing_of_itself_in_the_browser(config):
    # "none": not even the exception's type reaches the page; the server's log keeps the traceback.
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["showErrorDetails"] in set(ShowErrorDetailsConfigOptions)


def test_leaflet_is_served_by_the_app_itself(config):
    assert config["server"]["enableStaticServing"] is True


def test_no_message_is_sent_as_a_reference_to_the_browsers_cache(config):
    # A reference to a message the browser had already forgotten dropped its connection for good after rapid
    # steps (tests/browser/test_rapid_steps.py); above server.maxMessageSize, no message is ever cacheable.
    assert config["global"]["minCachedMessageSize"] > config["server"].get("maxMessageSize", 200) * 1e6


def test_no_full_garbage_collection_ends_every_run(config):
    # Streamlit's default collects every generation after each run, fragments' included: with a million
    # claims held, 0.1 s of the interpreter lock twice a second per session (the store watcher), and the
    # benchmark's fifth session waited 166 s for its first page (README, "At scale").
    assert config["runner"]["postScriptGC"] is False
