"""The page's script runs the page only as Streamlit's ``__main__``: a process started from the page (an upload's
parse, ``pipeline.open_apart``) imports it as ``__mp_main__``, and there it must do nothing."""

from __future__ import annotations

import runpy

import pytest
import streamlit as st

from tests.support import REPO


def test_the_script_imported_as_a_child_process_main_does_not_run_the_page(monkeypatch):
    def ran(*args, **kwargs):
        raise AssertionError("the page ran")

    monkeypatch.setattr(st, "set_page_config", ran)
    runpy.run_path(str(REPO / "dashboard" / "app.py"), run_name="__mp_main__")
    with pytest.raises(AssertionError, match="the page ran"):
        runpy.run_path(str(REPO / "dashboard" / "app.py"), run_name="__main__")
