"""Settings come from one table: defaults, then the environment, then flags."""

from __future__ import annotations

import pytest

from dashboard.settings import SETTINGS, markdown_table, resolve


def test_defaults():
    values = resolve(environ={})
    assert values["offline"] is False and values["events"].endswith("events.csv")


def test_environment_then_flags():
    env = {"DASHBOARD_EVENTS": "/data/a.csv", "DASHBOARD_OFFLINE": "1"}
    assert resolve(environ=env)["events"] == "/data/a.csv"
    assert resolve(environ=env)["offline"] is True
    assert resolve(["--events", "/data/b.csv"], environ=env)["events"] == "/data/b.csv"
    assert resolve(["--offline"], environ={})["offline"] is True
    assert resolve(["--window-days", "5"], environ={})["window_days"] == 5


@pytest.mark.parametrize("argv", [["--colour", "red"], ["stray"]])
def test_unknown_flags_raise(argv):
    with pytest.raises(KeyError, match="unknown setting"):
        resolve(argv, environ={})


def test_unknown_override_and_bad_values_raise():
    with pytest.raises(KeyError):
        resolve(environ={}, colour="red")
    with pytest.raises(ValueError, match="offline"):
        resolve(environ={"DASHBOARD_OFFLINE": "maybe"})
    with pytest.raises(ValueError, match="tiles"):
        resolve(["--tiles", "Google"], environ={})


def test_markdown_table_lists_every_setting():
    table = markdown_table()
    for setting in SETTINGS:
        assert f"`{setting.flag}`" in table and f"`{setting.env}`" in table
