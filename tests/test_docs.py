"""The README documents the contract: every column, vocabulary value and setting."""

from __future__ import annotations

import pytest

from dashboard import model
from dashboard.settings import SETTINGS, markdown_table
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("column", list(model.COLUMNS))
def test_every_column_is_documented(column):
    assert f"| `{column}` |" in README


@pytest.mark.parametrize("value", [*model.EVENT_TYPES, *model.SOURCE_TYPES, *model.CLAIM_STATUSES, *model.CONTROLLERS])
def test_every_vocabulary_value_is_documented(value):
    assert f"`{value}`" in README


def test_the_settings_table_is_the_code_s():
    assert markdown_table() in README
    assert all(f"`--{s.name.replace('_', '-')}`" in README for s in SETTINGS)


def test_the_two_commands_are_the_ci_s():
    assert "make run" in README and "make test" in README
    assert (REPO / ".ci" / "run").read_text().strip().splitlines()[-1].strip() == "make test"
