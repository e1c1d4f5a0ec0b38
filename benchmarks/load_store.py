"""The load test's store mode: sessions scrubbing a store while writers add and correct claims in it.

Run: ``.venv/bin/python benchmarks/load_test.py --store URL [--writers 5] [--sessions 20] [--seconds 60]``, URL a
PostgreSQL database of its own (the test empties it: ``store init`` on a new database, e.g.
``createdb -T dashboard_template dashboard_load``).

The store starts with two claims (27 Nov and 8 Dec: the slider's first and last day never move) and the
shared claims of ``tests/store/writers.py``; the server is ``streamlit run --store URL`` (``bench._server``).
Each session is its own browser context, opened on the last day ("up to this day": every published claim
counts in its Events shown). For ``--seconds`` every session scrubs (ArrowLeft, ArrowRight on the Day slider)
and, each time it is back on the last day, notes the time and its Events shown. Meanwhile the writers of
``tests/store/writers.py`` add and correct published claims through the one write path, and one more writer
adds drafts (review on) that no session may ever count.

Afterwards: every acknowledged write is in the store, and each claim's revisions are gap-free and in order
(``writers.check``); the time from each published claim's acknowledgement until every session's page counts
it (the k-th published claim is counted once a session shows k more claims than at the start: the page's own
number, so a time per claim, not per event id); no session ever counted more claims than were published
(drafts would), and at the end each shows exactly the store's published claims.
"""

from __future__ import annotations

import asyncio
import bisect
import datetime as dt
import os
import platform
import re
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from bench import MAP_FRAME, _server  # bench puts the repo root on sys.path
from playwright.async_api import async_playwright

from dashboard.store import open_store
from dashboard.store import write as w
from dashboard.store.reader import read_current
from tests import serving
from tests.store import writers

VIEWPORT = {"width": 1280, "height": 900}
OPEN_TIMEOUT_MS = 300_000
STEP_TIMEOUT_MS = 10_000
FIRST, LAST = dt.date(2024, 11, 27), dt.date(2024, 12, 8)
# In every page before its scripts: every change of the Day and Events shown metrics, with the wall time.
COUNTS = """window.__counts = [];
setInterval(() => {
  const m = {};
  for (const card of document.querySelectorAll('[data-testid="stMetric"]')) {
    const name = card.querySelector('[data-testid="stMetricLabel"]');
    const value = card.querySelector('[data-testid="stMetricValue"]');
    if (name && value) m[name.innerText.trim()] = value.innerText.trim();
  }
  const last = window.__counts[window.__counts.length - 1];
  if (m["Day"] && m["Events shown"] && (!last || last[1] !== m["Day"] || last[2] !== m["Events shown"]))
    window.__counts.push([Date.now(), m["Day"], m["Events shown"]]);
}, 100);"""


@dataclass
class Seen:
    """One session's page: when it showed how many claims on the last day, and its step latencies."""

    index: int
    page: object = None
    samples: list[tuple[float, int]] = field(default_factory=list)  # wall time, Events shown (on the last day)
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    on_last: bool = True


def _number(text: str | None) -> int | None:
    return int(text.replace(",", "")) if text and text.replace(",", "").isdigit() else None


def seed(store) -> int:
    """The store's first claims, published: the slider's ends, and the writers' shared claims."""
    operator = w.Actor.operator()
    for event_id, day in (("first", FIRST), ("last", LAST)):
        w.add(store, operator, {"event_id": event_id, "date": day.isoformat(), "place": "Hama", "source": "Seed"})
    return len(read_current(store))


def drafts(store, seconds: float, made: list[str], stop: threading.Event) -> None:
    """Drafts added with review on, by an editor of their own: never on any session's map."""
    actor = w.Actor("drafter@example.org")
    w.grant(store, w.Actor.operator(), actor.name, "editor")
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.is_set():
        done = w.add(store, actor, {"date": "2024-12-06", "place": "Homs", "source": "Drafts"}, review=True)
        made.append(done.event_id)
        time.sleep(0.5)


async def step(session: Seen) -> None:
    """One key press on the Day slider: left from the last day, right back to it; the count noted there."""
    from load_test import WAIT, day_text

    page = session.page
    target = LAST - dt.timedelta(days=1) if session.on_last else LAST
    slider = page.get_by_role("slider", name="Day")
    await slider.focus(timeout=STEP_TIMEOUT_MS)
    await page.evaluate("() => { window.__kd = null; }")
    began = time.perf_counter()
    await page.keyboard.press("ArrowLeft" if session.on_last else "ArrowRight")
    state = await page.evaluate(WAIT, [{"Day": day_text(target)}, STEP_TIMEOUT_MS])
    if not state["ok"] or state["exceptions"]:
        session.errors += 1
        print(f"  session {session.index}: step to {target} not shown: {state}", file=sys.stderr, flush=True)
        # Where is the slider now? Carry on from there.
        session.on_last = (await slider.get_attribute("aria-valuetext") or "").endswith(f"{LAST.day} Dec 2024")
        return
    session.latencies.append(state["ms"] if state["ms"] is not None else 1000 * (time.perf_counter() - began))
    session.on_last = target == LAST


async def sessions_at_work(
    base: str, count: int, seconds: float, started: threading.Event, done: threading.Event, store
) -> list[Seen]:
    """``count`` sessions opened on the last day; scrubbing for ``seconds`` once ``started`` is set; then,
    once the writers are ``done``, each page's last count (given 30 s to show the store's published claims)."""
    from load_test import KEYDOWN, WAIT, day_text

    seen = [Seen(i) for i in range(count)]
    async with async_playwright() as p:
        browser = await p.chromium.launch(**serving.chromium())
        for session in seen:
            context = await browser.new_context(viewport=VIEWPORT)
            await context.add_init_script(KEYDOWN)
            await context.add_init_script(COUNTS)
            session.page = await context.new_page()
            await session.page.goto(base, timeout=OPEN_TIMEOUT_MS)
            await session.page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=OPEN_TIMEOUT_MS)
            state = await session.page.evaluate(WAIT, [{"Day": day_text(LAST)}, OPEN_TIMEOUT_MS])
            print(f"  session {session.index} open: {state['shown']} shown", file=sys.stderr, flush=True)
        started.set()
        until = time.monotonic() + seconds

        async def scrub(session: Seen) -> None:
            while time.monotonic() < until:
                try:
                    await step(session)
                except Exception as err:  # noqa: BLE001 - counted; the session goes on
                    session.errors += 1
                    print(f"  session {session.index}: {str(err).splitlines()[0]}", file=sys.stderr)
                await asyncio.sleep(0.2)

        await asyncio.gather(*(scrub(s) for s in seen))
        # Settled: each page on the last day, its count once the writers are done (checked by the caller).
        for session in seen:
            if not session.on_last:
                await step(session)
        await asyncio.to_thread(done.wait, 300)
        published = f"{len(read_current(store)):,}"
        for session in seen:
            await session.page.evaluate(WAIT, [{"Day": day_text(LAST), "Events shown": published}, 30_000])
            await session.page.wait_for_timeout(300)  # the recorder's next look
            counts = await session.page.evaluate("() => window.__counts")
            session.samples = [(ms / 1000, _number(n) or 0) for ms, day, n in counts if day == day_text(LAST)]
        await browser.close()
    return seen


def visibility(adds: list[float], start_count: int, seen: list[Seen]) -> tuple[list[float], int]:
    """Seconds from each published claim's acknowledgement until every session counted it; how many some
    session never counted (the k-th claim is counted once a page shows start_count + k on the last day)."""
    delays, missing = [], 0
    for k, acked in enumerate(sorted(adds), start=1):
        latest = 0.0
        for session in seen:
            times = [t for t, shown in session.samples if shown >= start_count + k]
            if not times:
                missing += 1
                break
            latest = max(latest, min(times) - acked, 0.0)  # committed just before it was acknowledged: 0
        else:
            delays.append(latest)
    return delays, missing


def over_counts(adds: list[float], start_count: int, seen: list[Seen], in_flight: int) -> list[str]:
    """Samples counting more claims than were published by then (allowing the writes still committing)."""
    acked = sorted(adds)
    wrong = []
    for session in seen:
        for t, shown in session.samples:
            most = start_count + bisect.bisect_right(acked, t) + in_flight
            if shown > most:
                wrong.append(f"session {session.index} counted {shown} when at most {most} were published")
    return wrong


def run(args) -> None:
    """The store mode: seed, serve, open the sessions, write, check; one table on stdout."""
    store = open_store(args.store)
    store.init()
    editors = writers.prepare(store, args.writers)
    start_count = seed(store)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        os.environ["DASHBOARD_REVIEW"] = "off"
        server, url = _server(None, log, store=args.store)
        started, stop, finished = threading.Event(), threading.Event(), threading.Event()
        out: dict = {}
        made: list[str] = []

        def write_all() -> None:
            started.wait()
            out["began"] = time.monotonic()
            side = threading.Thread(target=drafts, args=(store, args.seconds, made, stop), daemon=True)
            side.start()
            out["tally"] = writers.run_writers(store, editors, args.seconds)
            stop.set()
            side.join()
            finished.set()

        thread = threading.Thread(target=write_all, daemon=True)
        thread.start()
        try:
            seen = asyncio.run(sessions_at_work(f"{url}/", args.sessions, args.seconds, started, finished, store))
        finally:
            thread.join(args.seconds + 180)
            serving.stop(server)
            kept = Path(__file__).resolve().parent.parent / "artifacts" / "load-store-server.log"
            kept.parent.mkdir(exist_ok=True)
            shutil.copyfile(log, kept)  # the server's run_ms and view_ms lines, for a closer look
        report(args, store, out["tally"], start_count, seen, made)
        runs = [float(ms) for ms in re.findall(r"run_ms=([\d.]+)", kept.read_text(encoding="utf-8"))]
        print(f"- server: {len(runs)} full runs finished, run_ms p50 {_pct(runs, 50):.0f} (log: {kept})")


def report(args, store, tally: writers.Tally, start_count: int, seen: list[Seen], made: list[str]) -> None:
    wrong = writers.check(store, tally)
    adds = list(tally.added_at)
    published = len(read_current(store))
    delays, missing = visibility(adds, start_count, seen)
    over = over_counts(adds, start_count, seen, args.writers)
    finals = [s.samples[-1][1] if s.samples else None for s in seen]
    latencies = [ms for s in seen for ms in s.latencies]
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores ({cpu}); load average {os.getloadavg()}")
    print(f"date: {dt.datetime.now():%Y-%m-%d %H:%M}; store {store.dialect}; review off, drafts by one more editor")
    print()
    print(
        "| sessions | writers | seconds | writes acknowledged | in the store | stale refused | revision problems "
        "| published claims | seen by every session p50 / p95 / max s | never seen | drafts made | counts over "
        "| final counts right | steps | step p50 / p95 ms | step errors |"
    )
    print("|" + "---:|" * 16)
    present = len(tally.acknowledged) - sum("not in the store" in p for p in wrong)
    print(
        f"| {args.sessions} | {args.writers} | {args.seconds:.0f} | {len(tally.acknowledged)} | {present} "
        f"| {tally.stale} | {len(wrong)} | {len(adds)} | {_pct(delays, 50):.1f} / {_pct(delays, 95):.1f} / "
        f"{max(delays, default=float('nan')):.1f} | {missing} | {len(made)} | {len(over)} "
        f"| {sum(f == published for f in finals)} of {len(seen)} | {len(latencies)} "
        f"| {_pct(latencies, 50):.0f} / {_pct(latencies, 95):.0f} | {sum(s.errors for s in seen)} |"
    )
    for line in [*wrong[:5], *over[:5], *tally.errors[:5]]:
        print(f"- {line}")
    if any(f != published for f in finals):
        print(f"- final counts {finals}, published in the store {published}")


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")
