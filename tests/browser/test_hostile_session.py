"""One session uploading file after file beside an honest one scrubbing: the honest steps stay under a second
and the server's memory stays within the upload budget (issue 17: one visitor must not stall or fill the server).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import serving
from tests.browser.helpers import all_days, bundled_lines, open_app, step_to, up_to
from tests.browser.test_uploads import caption, upload
from tests.support import EVENTS, REPO

# Each upload loads as about 14 MB of events and its index: the budget holds one of the four. Measured here
# on a quiet machine (4 Dec 2026, 14 runs): the server grew 44 to 67 MB in all (242 MB before uploads handed
# their memory back and glibc's allocator was set up for it, deploy/serve.py); most of it is what two
# sessions' pages, maps and caches hold beside the uploads (SESSIONS_MB). The budget's own accounting is
# tested exactly in tests/test_budgets.py and tests/test_derived_cache.py.
BUDGET_MB, UPLOADS, UPLOAD_MB = 20, 4, 9
SESSIONS_MB = 150
# The aim is an honest step under STEP_LIMIT_S whatever another session does. On this 2-core machine,
# quiet (4 Dec 2026, 14 runs), plain steps took 0.23 to 0.40 s and the 56 steps beside the uploads 0.24 to
# 0.68 s (0.22 to 1.00 s in 12 earlier runs), with the uploads parsed in Linux's idle class
# (pipeline._behind_others) and the hostile visitor's browser apart, as here. When the machine is busy with
# other work both grow, so the test holds steps to SLOWDOWN times the same session's plain steps, measured
# just before, or STEP_LIMIT_S if more: quiet here that is 1 s (1.00 to 1.05 s in 8 more runs, whose 32
# steps beside the uploads took 0.39 to 0.65 s).
STEP_LIMIT_S, SLOWDOWN = 1.0, 2.5
LOG = REPO / "artifacts" / "hostile_session.log"


def rss_mb(pid: int) -> float:
    """The server's resident memory now, from /proc (the app runs in the server's own process)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for {pid}")


def distinct_files(folder: Path) -> list[Path]:
    """UPLOADS valid native files of about UPLOAD_MB - 1 MB each, every one with its own content (own digest)."""
    header, rows = bundled_lines()
    copies = int((UPLOAD_MB - 1) * 1_000_000 / sum(len(row) for row in rows))
    files = []
    for n in range(UPLOADS):
        lines = [header] + [row.replace("syr24-", f"h{n}c{c}-", 1) for c in range(copies) for row in rows]
        path = folder / f"hostile_{n}.csv"
        path.write_text("".join(lines), encoding="utf-8")
        files.append(path)
    return files


@pytest.fixture
def elsewhere(browser, tmp_path):
    """A second Chromium in Linux's idle class, for the hostile visitor: a real one browses from another
    machine, so its page's drawing must not take this machine's processor from the honest visitor's."""
    idle = tmp_path / "chromium-idle"
    idle.write_text(f'#!/bin/sh\nexec chrt --idle 0 {serving.CHROMIUM} "$@"\n', encoding="utf-8")
    idle.chmod(0o755)
    apart = browser.browser_type.launch(**{**serving.chromium(), "executable_path": str(idle)})
    yield apart
    apart.close()


def test_an_uploading_session_neither_stalls_nor_fills_the_server_for_an_honest_one(
    browser, elsewhere, bundled, tmp_path
):
    files = distinct_files(tmp_path)
    flags = ("--upload-mb", str(UPLOAD_MB), "--upload-budget-mb", str(BUDGET_MB), "--timing")
    proc, url = serving.start(EVENTS, flags, log=LOG)
    honest_context, hostile_context = browser.new_context(), elsewhere.new_context()
    try:
        honest, hostile = honest_context.new_page(), hostile_context.new_page()
        open_app(honest, url)
        open_app(hostile, url)
        before = rss_mb(proc.pid)
        days = all_days(bundled)
        step_to(honest, "Home", days[0], up_to(bundled, days[0]))
        plain = []
        for day in days[1:4]:
            began = time.perf_counter()
            step_to(honest, "ArrowRight", day, up_to(bundled, day))
            plain.append(time.perf_counter() - began)
        step_to(honest, "Home", days[0], up_to(bundled, days[0]))
        took, peak = [], before
        for n, path in enumerate(files):
            upload(hostile, path)  # the upload is parsing while the honest session steps
            day = days[(n + 1) % len(days)]
            began = time.perf_counter()
            step_to(honest, "ArrowRight" if n + 1 < len(days) else "Home", day, up_to(bundled, day))
            took.append(time.perf_counter() - began)
            expect(caption(hostile, f"{path.name}:")).to_have_count(1, timeout=60_000)
            peak = max(peak, rss_mb(proc.pid))
        grown = rss_mb(proc.pid) - before
    finally:
        honest_context.close()
        hostile_context.close()
        serving.stop(proc)
    held_mb = sum(path.stat().st_size for path in files) / 1e6
    print(f"honest steps {[round(t, 2) for t in took]} s; RSS grew {grown:.0f} MB (peak +{peak - before:.0f} MB) "
          f"for {held_mb:.0f} MB uploaded, budget {BUDGET_MB} MB")  # fmt: skip
    assert peak - before < BUDGET_MB + SESSIONS_MB, f"the server grew by {peak - before:.0f} MB, past the budget"
    # Each upload is parsed in a process of its own, which imports the page's script as __mp_main__: it
    # must not run the page there (it did, twice per upload, loading the events file each time).
    assert LOG.read_text(encoding="utf-8").count("load_ms=") == 1, "the events file was loaded more than once"
    limit = max(STEP_LIMIT_S, SLOWDOWN * sorted(plain)[len(plain) // 2])
    print(f"plain steps {[round(t, 2) for t in plain]} s; limit {limit:.2f} s")
    assert max(took) < limit, f"an honest step took {max(took):.2f} s while another session uploaded"
