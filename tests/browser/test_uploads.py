"""Opening a file through the sidebar's uploader, in a real browser: what it loads, what it refuses.

Expected counts come from the files themselves, through the app's own reader (``open_events``).
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from dashboard.pipeline import open_events
from tests.browser.helpers import FIXTURES, bundled_lines, metric, open_app, open_notice, wait_for_drawn
from tests.support import EVENTS

UPLOADER = "Open your own events file"


def caption(page: Page, text: str):
    """The caption under the title that names the file, its kind and its claims."""
    return page.get_by_test_id("stCaptionContainer").filter(has_text=text)


def upload(page: Page, path: Path) -> None:
    """Give the uploader a file, as choosing it in the file dialog would."""
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=UPLOADER)
    uploader.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path))


def test_uploading_an_acled_export_shows_its_events(page, app_url, bundled, geodata):
    path = FIXTURES / "acled_syria.csv"
    dataset = open_events(path, geodata)
    assert dataset.format == "acled" and len(dataset.rejected) >= 1 and dataset.accepted >= 1
    assert open_app(page, app_url) == len(bundled)
    expect(caption(page, f"events.csv: {len(bundled):,} claims.")).to_have_count(1)

    upload(page, path)
    expect(caption(page, f"{path.name} (ACLED): {dataset.accepted:,} claims.")).to_have_count(1)
    # A new file opens on its own last day, "up to this day": every accepted event is shown and drawn.
    expect(metric(page, "Events shown")).to_have_text(f"{dataset.accepted:,}")
    wait_for_drawn(page, dataset.accepted)
    warning = open_notice(page, "rows rejected").get_by_test_id("stAlert").filter(has_text="rows were rejected")
    expect(warning).to_contain_text(
        f"{len(dataset.rejected)} of {dataset.rows} rows were rejected; the other {dataset.accepted} loaded."
    )
    expect(page.get_by_test_id("stException")).to_have_count(0)

    # Removing the upload goes back to the events file the app was started on.
    chip = page.get_by_test_id("stFileChip").filter(has_text=path.name)
    chip.get_by_role("button", name=f"Remove {path.name}").click()
    expect(caption(page, f"events.csv: {len(bundled):,} claims.")).to_have_count(1)
    expect(caption(page, "(ACLED)")).to_have_count(0)
    expect(metric(page, "Events shown")).to_have_text(f"{len(bundled):,}")
    wait_for_drawn(page, len(bundled))
    expect(page.get_by_text("rows were rejected")).to_have_count(0)
    expect(page.get_by_test_id("stPopover").filter(has_text="rows rejected")).to_have_count(0)


def test_an_upload_over_the_limit_is_refused(page, serve, bundled, tmp_path, requests_seen):
    url = serve(EVENTS, "--upload-mb", "1")
    # A valid native file of about 2 MB: the bundled rows again and again, each copy under new event ids.
    header, rows = bundled_lines()
    lines, copy = [header], 0
    while sum(len(line) for line in lines) < 2_000_000:
        copy += 1
        lines += [row.replace("syr24-", f"big{copy}-", 1) for row in rows]
    big = tmp_path / "big.csv"
    big.write_text("".join(lines), encoding="utf-8")
    assert 2_000_000 <= big.stat().st_size < 2_200_000

    assert open_app(page, url) == len(bundled)
    requests_seen.clear()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=UPLOADER)
    expect(uploader.get_by_test_id("stFileUploaderDropzoneInstructions")).to_contain_text("1MB per file")
    upload(page, big)

    # Streamlit refuses it in the browser: the file is marked in error and never reaches the app.
    chip = uploader.get_by_test_id("stFileChip").filter(has_text=big.name)
    expect(chip).to_have_attribute("aria-invalid", "true")
    expect(uploader.get_by_text("File must be 1.0MB or smaller.")).to_be_visible()
    expect(caption(page, f"events.csv: {len(bundled):,} claims.")).to_have_count(1)
    expect(caption(page, big.name)).to_have_count(0)
    expect(metric(page, "Events shown")).to_have_text(f"{len(bundled):,}")
    wait_for_drawn(page, len(bundled))
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert not [u for u in requests_seen if "/_stcore/upload_file" in u], "the refused file was sent to the server"
