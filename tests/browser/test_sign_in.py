"""Sign-in for real: Streamlit's ``st.login`` against a local OpenID Connect provider (``oidc-provider-mock``),
then what a viewer, an editor and a reviewer each see in the editing section and may do.

The app runs as `make run` starts it, on a SQLite store, with an ``[auth]`` section in a secrets file of the
test's own (``--secrets.files``). Each person signs in through the provider's own authorisation page, in a
fresh browser context (its own cookies), exactly as a browser would: Streamlit's redirect, the provider's form,
the callback, Streamlit's signed identity cookie.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from dashboard.store import open_store, schema
from dashboard.store import write as w
from tests import oidc, serving
from tests.browser.conftest import VIEWPORT
from tests.browser.helpers import SCREENSHOTS
from tests.support import REPO

VIEWER, EDITOR, REVIEWER = "viewer@example.org", "editor@example.org", "reviewer@example.org"
# Each check after a click waits for a rerun of the whole page, on two cores shared with the rest of the suite.
LONG = 60_000
HAMA = {"date": "2024-12-05", "place": "Hama", "source": "Reuters", "event_type": "capture", "controller": "opposition"}


@pytest.fixture(scope="module")
def signed_app(tmp_path_factory):
    """(app URL, store): the app with sign-in configured, on a store holding one published claim, one editor's
    draft and one claim in review."""
    folder = tmp_path_factory.mktemp("sign-in")
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    store.init()
    operator = w.Actor.operator()
    for email, role in ((VIEWER, "viewer"), (EDITOR, "editor"), (REVIEWER, "reviewer")):
        w.grant(store, operator, email, role)
    w.add(store, operator, {**HAMA, "event_id": "published-1"})
    w.add(store, w.Actor(EDITOR), {**HAMA, "place": "Homs", "event_id": "draft-1"}, review=True)
    w.add(store, w.Actor(EDITOR), {**HAMA, "place": "Idlib", "event_id": "waiting-1"}, review=True)
    w.write(store, w.Actor(EDITOR), w.Change("submit", "waiting-1"))
    provider, issuer = oidc.start_provider(REPO / "artifacts" / "oidc-provider.log")
    secrets = oidc.secrets_toml(folder, issuer)
    url_of_store = store.engine.url.render_as_string(hide_password=False)
    try:
        app, url = serving.start(
            None,
            ("--store", url_of_store, "--review"),
            log=REPO / "artifacts" / "streamlit-sign-in.log",
            server_flags=("--secrets.files", str(secrets)),
            env={"NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"},
        )
    except serving.ServerError as err:
        provider.kill()
        pytest.fail(str(err))
    yield url, store
    serving.stop(app)
    provider.kill()
    provider.wait(10)
    store.close()


def sign_in(browser, url: str, email: str) -> Page:
    """A fresh browser context signed in as ``email`` through the provider's authorisation page."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.goto(url)
    expect(page.get_by_role("heading", name="Editing the store")).to_be_visible(timeout=90_000)
    expect(page.get_by_text("Signed out: you see the published claims")).to_be_visible(timeout=LONG)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(email)
    page.get_by_role("button", name="Authorize").click()
    expect(page.get_by_text(signed_in_as(email))).to_be_visible(timeout=90_000)
    # The page's second run (the map's first report) draws what lies below the map: once, a claim id typed
    # before it was shown in the box but never sent (1 fresh-clone run of 12); the test types after it.
    expect(page.get_by_text("Timeline by")).to_be_visible(timeout=LONG)
    return page


def section_shot(page: Page, name: str) -> None:
    """The editing section as the person sees it, in artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.get_by_role("heading", name="Editing the store").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def signed_in_as(email: str, role: str = "") -> re.Pattern:
    """The page's "Signed in as EMAIL: ROLE." (the page keeps an address from becoming a link with a word joiner)."""
    return re.compile("Signed in as " + re.escape(email).replace("@", "@\u2060?") + (f": {role}\\." if role else ""))


def sections(page: Page) -> list[str]:
    """The editing section's parts, once it is drawn: it comes after the map, later than the signed-in line."""
    expect(page.locator('[data-testid="stExpander"] summary').first).to_be_visible(timeout=LONG)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=LONG)
    summaries = page.locator('[data-testid="stExpander"] summary').all_inner_texts()
    return [s.strip().splitlines()[-1] for s in summaries]  # after the arrow icon's name


def open_section(page: Page, section: str):
    """The expander ``section``, opened (a click on an open one would close it)."""
    expander = page.locator('[data-testid="stExpander"]').filter(has_text=section)
    if expander.locator("details").get_attribute("open") is None:
        expander.get_by_text(section, exact=True).click()
    return expander


def look_up(page: Page, section: str, event_id: str) -> None:
    """Type ``event_id`` into the claim box of ``section``."""
    box = open_section(page, section).get_by_label("Event id (or select the claim in the events table)")
    box.fill(event_id)
    box.press("Enter")


def test_a_viewer_reads_only_and_cannot_reach_a_draft(browser, signed_app):
    url, _ = signed_app
    page = sign_in(browser, url, VIEWER)
    expect(page.get_by_text(signed_in_as(VIEWER, "viewer"))).to_be_visible(timeout=LONG)
    assert sections(page) == ["A claim's history"]
    look_up(page, "A claim's history", "draft-1")
    expect(page.get_by_text("No claim draft-1 that you can see.")).to_be_visible(timeout=LONG)
    look_up(page, "A claim's history", "published-1")
    expect(page.get_by_text("revision(s) of published-1")).to_be_visible(timeout=LONG)
    section_shot(page, "sign-in-viewer")
    page.context.close()


def test_an_editor_adds_and_corrects_sees_the_queue_but_cannot_publish(browser, signed_app):
    url, _ = signed_app
    page = sign_in(browser, url, EDITOR)
    expect(page.get_by_text(signed_in_as(EDITOR, "editor"))).to_be_visible(timeout=LONG)
    assert sections(page) == ["Add a claim", "Correct a claim", "A claim's history", "Review queue"]
    look_up(page, "Correct a claim", "draft-1")  # an editor's own draft
    expect(page.get_by_text("review state draft")).to_be_visible(timeout=LONG)
    open_section(page, "Review queue")
    expect(page.get_by_text("claim(s) waiting, oldest first")).to_be_visible(timeout=LONG)
    expect(page.get_by_role("button", name="Publish")).to_have_count(0, timeout=LONG)
    section_shot(page, "sign-in-editor")
    page.context.close()


def test_a_reviewer_publishes_from_the_queue(browser, signed_app):
    url, store = signed_app
    page = sign_in(browser, url, REVIEWER)
    expect(page.get_by_text(signed_in_as(REVIEWER, "reviewer"))).to_be_visible(timeout=LONG)
    open_section(page, "Review queue")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible(timeout=60_000)
    with store.engine.connect() as conn:
        state = conn.execute(
            sa.select(schema.claims.c.review_state).where(schema.claims.c.event_id == "waiting-1")
        ).scalar_one()
    assert state == "published"
    section_shot(page, "sign-in-reviewer")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="End session").click()  # the provider's own confirmation
    expect(page.get_by_role("button", name="Sign in")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Signed out: you see the published claims")).to_be_visible(timeout=LONG)
    page.context.close()
