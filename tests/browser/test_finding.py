"""Finding things with the keyboard alone: one source picked, then a group of sources by affiliation.

Every action is a key press (Tab to the widget, type, Enter or Space): no click, no mouse. Screenshots
of the sidebar are left in artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import SCREENSHOTS, metric, open_app, query, wait_for_drawn

pytestmark = pytest.mark.browser

GUR = "Ukraine's Main Intelligence Directorate (GUR)"
MOST_TABS = 80


def focused(page: Page) -> dict:
    """What has the keyboard's focus: its role, its accessible label, its text."""
    return page.evaluate(
        """() => { const e = document.activeElement;
            const labelled = e.getAttribute('aria-labelledby');
            const by = labelled ? document.getElementById(labelled) : null;
            return {tag: e.tagName, role: e.getAttribute('role') || '', label: e.getAttribute('aria-label') || '',
                    by: by ? by.innerText : '', text: (e.innerText || '').trim().slice(0, 200)}; }"""
    )


def tab_to(page: Page, matches, what: str) -> dict:
    """Press Tab until the focused element is the one wanted; fail after MOST_TABS presses."""
    for _ in range(MOST_TABS):
        page.keyboard.press("Tab")
        now = focused(page)
        if matches(now):
            return now
    raise AssertionError(f"{what}: not reached with {MOST_TABS} Tab presses (last focus: {focused(page)})")


def sidebar_shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("stSidebar").screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def link_sources(page: Page, count: int) -> list[str]:
    """The link's sources, once it names ``count`` of them (the address bar follows the rerun)."""
    page.wait_for_function(f"() => new URLSearchParams(location.search).getAll('f_source').length === {count}")
    return query(page)["f_source"]


def start(page: Page, url: str) -> int:
    total = open_app(page, url)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Escape")
    return total


def test_one_source_with_the_keyboard_alone(page, app_url, bundled):
    start(page, app_url)
    wanted = int(bundled["source"].eq(GUR).sum())
    tab_to(page, lambda f: f["role"] == "combobox" and f["label"].startswith("Source"), "the Source filter")
    page.keyboard.type("GUR")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(metric(page, "Events shown")).to_have_text(str(wanted))
    expect(metric(page, "Sources shown")).to_have_text("1")
    drawn = wait_for_drawn(page, wanted)
    assert {p["event_id"] for p in drawn} == set(bundled.loc[bundled["source"].eq(GUR), "event_id"])
    assert link_sources(page, 1) == [GUR]
    sidebar_shot(page, "finding_one_source_keyboard")


def test_a_group_of_sources_with_the_keyboard_alone(page, app_url, bundled):
    start(page, app_url)
    russian = bundled.loc[bundled["affiliation"].eq("Russian state")]
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["text"].startswith("Russian state"), "the Russian state pill")
    page.keyboard.press("Enter")
    expect(metric(page, "Events shown")).to_have_text(str(len(russian)))
    wait_for_drawn(page, len(russian))
    assert sorted(link_sources(page, russian["source"].nunique())) == sorted(russian["source"].unique())
    # Beside them, GUR: the Source filter lists every source not picked yet; typing finds it.
    tab_to(page, lambda f: f["role"] == "combobox" and f["label"].startswith("Source"), "the Source filter")
    page.keyboard.type("GUR")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    both = bundled["affiliation"].eq("Russian state") | bundled["source"].eq(GUR)
    expect(metric(page, "Events shown")).to_have_text(str(int(both.sum())))
    sidebar_shot(page, "finding_group_keyboard")
