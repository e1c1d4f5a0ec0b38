"""Load test: many concurrent browser sessions on one server, each with its own filters.

Run: ``.venv/bin/python benchmarks/load_test.py [--sessions 20] [--seconds 60] [--events 100000]``;
with ``--store URL [--writers 5]``, the store mode of ``benchmarks/load_store.py``: sessions scrub a
PostgreSQL store while writers add and correct claims in it.

It writes a seeded synthetic event set (``bench.synthetic``) and starts one ``streamlit run``
on it (``bench._server``, through tests/serving.py: offline, ``--timing``). Then, in one Debian Chromium driven by
Playwright, it opens one browser context per session (own cookies and websocket, so its own
Streamlit session), staggered. Session ``i`` opens a link with its own filter, ``f_source`` set
to the ``i % 8``-th source, and its own day. For ``--seconds`` every session scrubs the Day
slider (ArrowLeft / ArrowRight) and now and then changes its source, by a new link or through the
sidebar's Source multiselect. Measured:

- **client step latency**: from the key press (a keydown listener in the page) to the Day metric
  showing the new day, taken in the page; after each step the Events shown metric is compared
  with the count pandas computes for that session's own day and source;
- **errors**: steps that time out, exception boxes, the disconnected status or the connection
  error dialog, counts that are not the session's own, failed opens and filter changes;
- **server**: ``view_ms=`` lines of the server log (one per run of the day view) during the
  scrub phase, and the server's VmRSS sampled every second, with its value after each phase:
  one session open, all open, scrub, half of the sessions closed, and opened again;
- **isolation**: at the end, each session's page must show its own source (the multiselect's
  only tag and the ``f_source`` of its URL), its own day, and the Events shown pandas gives for
  them.

One Markdown table is printed, with the machine and the date.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, quote, urlencode, urlsplit

import numpy as np
import pandas as pd
from bench import MAP_FRAME, SOURCES, _server, _vm, synthetic  # bench puts the repo root on sys.path
from playwright.async_api import async_playwright

from tests import serving

VIEWPORT = {"width": 1280, "height": 900}
OPEN_TIMEOUT_MS = 180_000
STEP_TIMEOUT_MS = 30_000
# Set on every page before its scripts run: the time of the last key press, for the step latency.
KEYDOWN = "document.addEventListener('keydown', () => { window.__kd = performance.now(); }, true);"
# Wait in the page until some metrics show given values; return how long since the last key
# press, the metrics, and whether an exception box or the disconnected state is on the page.
WAIT = """([want, ms]) => new Promise(resolve => {
  const metric = label => {
    for (const card of document.querySelectorAll('[data-testid="stMetric"]')) {
      const name = card.querySelector('[data-testid="stMetricLabel"]');
      if (name && name.innerText.trim() === label) {
        const value = card.querySelector('[data-testid="stMetricValue"]');
        return value ? value.innerText.trim() : null;
      }
    }
    return null;
  };
  const state = ok => ({
    ok,
    ms: window.__kd == null ? null : performance.now() - window.__kd,
    day: metric("Day"),
    shown: metric("Events shown"),
    exceptions: [...document.querySelectorAll('[data-testid="stException"]')].map(e => e.innerText.slice(0, 300)),
    disconnected: !!document.querySelector('[data-testid="stConnectionStatus"]')
      || [...document.querySelectorAll('[role="dialog"]')].some(d => d.innerText.includes("Connection error")),
  });
  const done = () => Object.entries(want).every(([label, value]) => metric(label) === value);
  if (done()) return resolve(state(true));
  let timer = null;
  const observer = new MutationObserver(() => {
    if (done()) { observer.disconnect(); clearTimeout(timer); resolve(state(true)); }
  });
  observer.observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true});
  timer = setTimeout(() => { observer.disconnect(); resolve(state(false)); }, ms);
})"""
SLIDER_DAY = re.compile(r"(\d{1,2}) (\w{3}) (\d{4})$")


def day_text(day: dt.date) -> str:
    """The Day metric's text."""
    return f"{day:%d %b %Y}"


def link(base: str, source: str, day: dt.date) -> str:
    return base + "?" + urlencode({"f_source": source, "day": day.isoformat()}, quote_via=quote)


@dataclass
class Session:
    index: int
    source: str  # the session's own filter: the only source it shows
    day: int  # position in the days
    forward: bool = False  # the direction it scrubs in, turned at the first and last day
    url: str = ""
    context: object = None
    page: object = None
    open_s: float | None = None
    rng: np.random.Generator = None
    steps: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    wrong: list[str] = field(default_factory=list)  # evidence for counts that were not the session's own
    exceptions: set[str] = field(default_factory=set)
    filter_changes: list[tuple[str, float]] = field(default_factory=list)
    isolation: list[str] = field(default_factory=list)


class Load:
    """One server, one browser, many sessions."""

    def __init__(self, args, frame: pd.DataFrame, base: str, server_pid: int):
        self.args = args
        self.base = base
        self.server_pid = server_pid
        dates = pd.to_datetime(frame["date"]).dt.date
        self.days = [d.date() for d in pd.date_range(dates.min(), dates.max(), freq="D")]
        per_day = frame.assign(day=dates).groupby(["source", "day"]).size().unstack(fill_value=0)
        per_day = per_day.reindex(columns=self.days, fill_value=0)
        # Events shown in the default mode ("up to this day") for each source alone: a running sum.
        self.expected = {s: np.cumsum(per_day.loc[s].to_numpy()) if s in per_day.index else None for s in SOURCES}
        self.sessions: list[Session] = []
        self.browser = None
        self.rss: list[tuple[float, str, float]] = []
        self.phase = "start"
        self.phase_rss: dict[str, float] = {}
        self._sampling = True

    # ------------------------------------------------------------ memory

    def sample(self) -> None:
        while self._sampling:
            try:
                self.rss.append((time.monotonic(), self.phase, _vm(self.server_pid, "VmRSS")))
            except OSError:
                return
            time.sleep(1.0)

    def mark(self, phase: str) -> float:
        rss = _vm(self.server_pid, "VmRSS")
        self.phase_rss[phase] = rss
        self.phase = phase
        print(f"  [{time.strftime('%H:%M:%S')}] {phase}: server RSS {rss:.0f} MB", file=sys.stderr, flush=True)
        return rss

    # ------------------------------------------------------------ one session

    def shown_for(self, session: Session) -> str:
        return f"{int(self.expected[session.source][session.day]):,}"

    async def wait(self, session: Session, want: dict[str, str], ms: int = STEP_TIMEOUT_MS) -> dict:
        state = await session.page.evaluate(WAIT, [want, ms])
        for text in state["exceptions"]:
            if text not in session.exceptions:
                session.exceptions.add(text)
                print(f"  session {session.index}: exception box: {text!r}", file=sys.stderr, flush=True)
        if state["exceptions"]:
            session.errors["exception box"] += 1
        if state["disconnected"]:
            session.errors["disconnected"] += 1
        return state

    async def open(self, session: Session) -> None:
        """A new context and page on the session's own link; the open time is to the map being drawn."""
        session.url = link(self.base, session.source, self.days[session.day])
        session.context = await self.browser.new_context(viewport=VIEWPORT)
        await session.context.add_init_script(KEYDOWN)
        session.page = await session.context.new_page()
        began = time.perf_counter()
        try:
            await self.goto(session, session.url, OPEN_TIMEOUT_MS)
            session.open_s = time.perf_counter() - began
        except Exception as err:  # noqa: BLE001 - a failed open is counted and reported, not fatal
            session.errors["open failed"] += 1
            print(f"  session {session.index}: open failed: {str(err).splitlines()[0]}", file=sys.stderr)

    async def goto(self, session: Session, url: str, timeout_ms: int) -> None:
        """As ``bench._open``: the metrics, then the map frame's Leaflet container; then the session's own view."""
        page = session.page
        await page.goto(url, timeout=timeout_ms)
        await (
            page.get_by_test_id("stMetric")
            .filter(has_text="Events shown")
            .get_by_test_id("stMetricValue")
            .wait_for(timeout=timeout_ms)
        )
        await page.frame_locator(MAP_FRAME).locator(".leaflet-container").wait_for(timeout=timeout_ms)
        want = {"Day": day_text(self.days[session.day]), "Events shown": self.shown_for(session)}
        state = await self.wait(session, want, timeout_ms)
        if not state["ok"]:
            raise TimeoutError(f"opened on {state['day']} with {state['shown']} events shown, expected {want}")

    async def step(self, session: Session) -> None:
        """One key press on the Day slider; the latency is until the Day metric shows the new day."""
        page = session.page
        if session.day in (0, len(self.days) - 1):
            session.forward = session.day == 0
        forward = session.forward
        target = session.day + (1 if forward else -1)
        slider = page.get_by_role("slider", name="Day")
        await slider.focus(timeout=STEP_TIMEOUT_MS)
        await page.evaluate("() => { window.__kd = null; }")
        began = time.perf_counter()
        await page.keyboard.press("ArrowRight" if forward else "ArrowLeft")
        state = await self.wait(session, {"Day": day_text(self.days[target])})
        if not state["ok"]:
            session.errors["step timeout"] += 1
            # Where is the slider now? Carry on from there.
            text = await slider.get_attribute("aria-valuetext", timeout=STEP_TIMEOUT_MS) or ""
            found = SLIDER_DAY.search(text)
            if found:
                day = dt.datetime.strptime(" ".join(found.groups()), "%d %b %Y").date()
                session.day = self.days.index(day)
            return
        session.day = target
        session.steps += 1
        ms = state["ms"] if state["ms"] is not None else 1000 * (time.perf_counter() - began)
        session.latencies.append(ms)
        if state["shown"] != self.shown_for(session):
            # The Day metric is written after Events shown in the same run, so both are this run's.
            session.errors["wrong count"] += 1
            others = [s for s in SOURCES if f"{int(self.expected[s][session.day]):,}" == state["shown"]]
            session.wrong.append(
                f"{state['day']}: shown {state['shown']}, own ({session.source}) {self.shown_for(session)}"
                + (f", equals {others}" if others else "")
            )

    async def change_filter(self, session: Session, how: str) -> None:
        """Switch the session to another source, by a new link or through the sidebar."""
        page = session.page
        source = SOURCES[(SOURCES.index(session.source) + 1 + int(session.rng.integers(0, 7))) % len(SOURCES)]
        began = time.perf_counter()
        try:
            if how == "link":
                session.source = source
                session.url = link(self.base, source, self.days[session.day])
                await self.goto(session, session.url, STEP_TIMEOUT_MS * 2)
            else:
                sidebar = page.get_by_test_id("stSidebar")
                widget = sidebar.get_by_test_id("stMultiSelect").filter(
                    has=page.get_by_role("combobox", name="Source", exact=True)
                )
                # A cleared filter shows every source; the pick that follows is then the only one.
                await widget.get_by_role("button", name="Clear all").click(timeout=STEP_TIMEOUT_MS)
                combobox = widget.get_by_role("combobox")
                await combobox.click(timeout=STEP_TIMEOUT_MS)
                await combobox.fill(source, timeout=STEP_TIMEOUT_MS)
                await page.keyboard.press("Enter")
                await page.keyboard.press("Escape")
                session.source = source
                want = {"Day": day_text(self.days[session.day]), "Events shown": self.shown_for(session)}
                state = await self.wait(session, want)
                if not state["ok"]:
                    raise TimeoutError(f"after choosing {source}: {state['shown']} shown, expected {want}")
            session.filter_changes.append((how, time.perf_counter() - began))
        except Exception as err:  # noqa: BLE001
            session.errors[f"filter change ({how}) failed"] += 1
            print(f"  session {session.index}: filter change by {how} failed: {str(err).splitlines()[0]}")

    async def scrub(self, session: Session, until: float) -> None:
        how = "sidebar" if session.index % 2 == 0 else "link"
        next_change = int(session.rng.integers(3, 7))
        while time.monotonic() < until and session.page is not None and session.open_s is not None:
            try:
                if next_change <= 0 and until - time.monotonic() > 20:  # a change under load can take half a minute
                    await self.change_filter(session, how)
                    how = "link" if how == "sidebar" else "sidebar"
                    next_change = int(session.rng.integers(4, 8))
                else:
                    await self.step(session)
                    next_change -= 1
            except Exception as err:  # noqa: BLE001 - a page that fails is counted and the session goes on
                session.errors["other"] += 1
                print(f"  session {session.index}: {type(err).__name__}: {str(err).splitlines()[0]}")
                await asyncio.sleep(1)
            await asyncio.sleep(self.args.think)

    # ------------------------------------------------------------ isolation

    async def check(self, session: Session) -> None:
        """The session's page shows its own source, day and count, and its URL holds its own source."""
        if session.page is None or session.open_s is None:
            session.isolation.append("not open")
            return
        page, problems = session.page, session.isolation
        want = {"Day": day_text(self.days[session.day]), "Events shown": self.shown_for(session)}
        state = await self.wait(session, want)
        if not state["ok"]:
            problems.append(f"shows {state['day']} / {state['shown']} events, own view is {want}")
        widget = (
            page.get_by_test_id("stSidebar")
            .get_by_test_id("stMultiSelect")
            .filter(has=page.get_by_role("combobox", name="Source", exact=True))
        )
        tags = [await t.get_attribute("aria-label") for t in await widget.locator("[data-tag]").all()]
        if len(tags) != 1 or not (tags[0] or "").startswith(f"{session.source} ("):
            problems.append(f"Source multiselect holds {tags}, own source is {session.source}")
        in_url = parse_qs(urlsplit(await page.evaluate("() => location.href")).query).get("f_source", [])
        if in_url != [session.source]:
            problems.append(f"URL has f_source={in_url}, own source is {session.source}")
        if state["exceptions"]:
            problems.append(f"exception box: {state['exceptions'][0]!r}")


def _processes() -> dict[int, tuple[int, str, float, float]]:
    """Every process: its parent, name, CPU seconds of its threads so far, and of its children it has reaped."""
    found, tick = {}, os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                text = (entry / "stat").read_text()
                fields = text.rsplit(")", 1)[1].split()
                own, reaped = int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])
                found[int(entry.name)] = (
                    int(fields[1]),
                    text.split("(", 1)[1].rsplit(")", 1)[0],
                    own / tick,
                    reaped / tick,
                )
            except (OSError, IndexError, ValueError):
                continue
    return found


def _cpu_split(before: dict, after: dict, server: int) -> tuple[float, float, float, list[tuple[float, str]]]:
    """CPU seconds between two snapshots: the server; this script with Playwright and Chromium; every other
    process (counting those that ended, through the parent that reaped them); the busiest other processes."""

    def ours(snapshot: dict) -> set[int]:
        found = {os.getpid()}
        for _ in range(8):  # driver -> chromium -> zygote -> renderers is a few generations deep
            found |= {pid for pid, (parent, *_) in snapshot.items() if parent in found and pid != server}
        return found

    def total(snapshot: dict, pids: set[int]) -> float:
        return sum(snapshot[pid][2] + snapshot[pid][3] for pid in pids if pid in snapshot)

    mine_before, mine_after = ours(before), ours(after)
    rest_before, rest_after = set(before) - mine_before - {server}, set(after) - mine_after - {server}
    busiest = sorted(
        (
            (own - before.get(pid, (0, "", 0.0, 0.0))[2], f"{name} ({pid})")
            for pid, (_, name, own, _) in after.items()
            if pid in rest_after
        ),
        reverse=True,
    )
    return (
        total(after, {server}) - total(before, {server}),
        total(after, mine_after) - total(before, mine_before),
        total(after, rest_after) - total(before, rest_before),
        [b for b in busiest[:3] if b[0] > 0],
    )


def _machine_busy() -> tuple[float, float, float]:
    """Busy, stolen and total CPU time of the whole machine, from /proc/stat, in clock ticks."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    idle, steal = ticks[3] + ticks[4], ticks[7]
    return sum(ticks) - idle - steal, steal, sum(ticks)


def _pct(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


async def run(args, frame: pd.DataFrame, base: str, server_pid: int, log: Path) -> dict:
    load = Load(args, frame, base, server_pid)
    sampler = threading.Thread(target=load.sample, daemon=True)
    sampler.start()
    load.mark("server started, no session")
    at_start, started = _processes(), time.monotonic()
    result: dict = {}
    n_days = len(load.days)
    # Each session its own source and its own starting day, spread over the last weeks.
    load.sessions = [
        Session(i, SOURCES[i % len(SOURCES)], n_days - 1 - (5 * i) % 30, rng=np.random.default_rng(1000 + i))
        for i in range(args.sessions)
    ]
    async with async_playwright() as p:
        load.browser = await p.chromium.launch(**serving.chromium())
        # The first session (the data is loaded), then a second one alone, then the rest staggered.
        print(f"opening {args.sessions} sessions", file=sys.stderr, flush=True)
        await load.open(load.sessions[0])
        load.mark("1 session open")
        if args.sessions > 1:
            await load.open(load.sessions[1])
            load.mark("2 sessions open")

        async def later(session: Session, delay: float) -> None:
            await asyncio.sleep(delay)
            await load.open(session)

        await asyncio.gather(*(later(s, k * args.stagger) for k, s in enumerate(load.sessions[2:])))
        result["rss_open"] = load.mark(f"{args.sessions} sessions open")

        print(f"scrubbing for {args.seconds} s", file=sys.stderr, flush=True)
        log_from = log.stat().st_size
        processes, machine, began = _processes(), _machine_busy(), time.monotonic()
        until = began + args.seconds
        load.phase = "scrub"
        await asyncio.gather(*(load.scrub(s, until) for s in load.sessions))
        elapsed = time.monotonic() - began
        result["scrub_s"] = elapsed
        server_s, ours_s, others_s, busiest = _cpu_split(processes, _processes(), server_pid)
        result["cpu_server"], result["cpu_browser"] = server_s / elapsed, ours_s / elapsed
        result["cpu_others"] = [(cpu / elapsed, name) for cpu, name in busiest]
        result["cpu_others_total"] = others_s / elapsed
        busy, steal, total = (now - then for now, then in zip(_machine_busy(), machine, strict=True))
        result["cpu_machine"], result["cpu_steal"] = (busy / total, steal / total) if total else (0.0, 0.0)
        with log.open() as handle:
            handle.seek(log_from)
            scrub_log = handle.read()
        result["view_ms"] = [float(v) for v in re.findall(r"view_ms=([\d.]+)", scrub_log)]
        result["rss_scrub_end"] = load.mark("scrub over")

        # Close half of the sessions, then open them again (new contexts, so new Streamlit sessions).
        half = load.sessions[len(load.sessions) - len(load.sessions) // 2 :]
        for session in half:
            if session.context is not None:
                await session.context.close()
            session.context = session.page = None
            session.open_s = None
        await asyncio.sleep(5)
        result["rss_closed"] = load.mark(f"{len(half)} sessions closed")
        reopened = [asyncio.create_task(later(s, k * args.stagger)) for k, s in enumerate(half)]
        await asyncio.gather(*reopened)
        result["reopen_s"] = [s.open_s for s in half if s.open_s is not None]
        await asyncio.sleep(5)
        result["rss_reopened"] = load.mark(f"{len(half)} sessions opened again")

        print("checking each session's view", file=sys.stderr, flush=True)
        await asyncio.gather(*(load.check(s) for s in load.sessions))
        result["cpu_others_run"] = _cpu_split(at_start, _processes(), server_pid)[2] / (time.monotonic() - started)
        await load.browser.close()
    load._sampling = False
    result["load"] = load
    result["peak_rss"] = max(r for _, _, r in load.rss)
    result["hwm"] = _vm(server_pid, "VmHWM")
    return result


def report(args, result: dict, log: Path, server_start_s: float) -> None:
    load: Load = result["load"]
    sessions = load.sessions
    latencies = [ms for s in sessions for ms in s.latencies]
    errors = Counter()
    for s in sessions:
        errors.update(s.errors)
    failures = [s for s in sessions if s.isolation]
    server_ms = result["view_ms"]
    opens = [s.open_s for s in sessions[2:] if s.open_s is not None]
    changes = [c for s in sessions for c in s.filter_changes]
    server_log = log.read_text()

    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    print()
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}")
    print(
        f"date: {dt.datetime.now():%Y-%m-%d %H:%M}; {args.events:,} synthetic events, one server, one Chromium, "
        f"one context per session; steps: ArrowLeft/ArrowRight on the Day slider, 'up to this day' mode"
    )
    print()
    print(
        "| sessions | seconds | steps served | errors | client p50 / p95 ms | server p50 / p95 ms "
        "| peak server RSS MB | RSS after close / reopen MB | isolation failures |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {args.sessions} | {result['scrub_s']:.0f} | {len(latencies)} | {sum(errors.values())} "
        f"| {_pct(latencies, 50):.0f} / {_pct(latencies, 95):.0f} "
        f"| {_pct(server_ms, 50):.0f} / {_pct(server_ms, 95):.0f} "
        f"| {result['peak_rss']:.0f} | {result['rss_closed']:.0f} / {result['rss_reopened']:.0f} "
        f"| {len(failures)} of {len(sessions)} |"
    )
    print()
    print(f"- errors: {dict(errors) if errors else 'none'}")
    print(
        f"- steps per session: min {min(len(s.latencies) for s in sessions)}, "
        f"max {max(len(s.latencies) for s in sessions)}; client max {max(latencies, default=float('nan')):.0f} ms; "
        f"server view runs in the scrub phase: {len(server_ms)} (max {max(server_ms, default=float('nan')):.0f} ms)"
    )
    by_how = {how: [t for h, t in changes if h == how] for how in ("link", "sidebar")}
    done = ", ".join(f"{len(ts)} by {how} (median {statistics.median(ts):.1f} s)" for how, ts in by_how.items() if ts)
    print(f"- filter changes: {done or 'none'}")
    print(
        f"- opening: server up in {server_start_s:.1f} s; first session {sessions[0].open_s or float('nan'):.1f} s "
        f"(loads the data), second alone {(sessions[1].open_s if len(sessions) > 1 else None) or float('nan'):.1f} s, "
        f"the other {len(opens)} staggered by {args.stagger} s: median {_pct(opens, 50):.1f} s, "
        f"max {max(opens, default=float('nan')):.1f} s; reopened {len(result['reopen_s'])}: "
        f"median {_pct(result['reopen_s'], 50):.1f} s"
    )
    rss = load.phase_rss
    one = rss.get("1 session open", float("nan"))
    print(
        "- server RSS MB by phase: "
        + "; ".join(f"{phase} {mb:.0f}" for phase, mb in rss.items())
        + f"; peak sampled {result['peak_rss']:.0f}, VmHWM {result['hwm']:.0f}; "
        f"per extra open session {(result['rss_open'] - one) / max(args.sessions - 1, 1):.1f} MB"
    )
    busy, cores = result["cpu_machine"] * (os.cpu_count() or 1), os.cpu_count() or 1
    print(
        f"- CPU during the scrub phase (cores busy, of {os.cpu_count()}): server {result['cpu_server']:.2f}, "
        f"Chromium, Playwright and this script {result['cpu_browser']:.2f}; whole machine "
        f"{busy:.2f} (and {result['cpu_steal'] * cores:.2f} stolen by the host); busiest other processes: "
        + (", ".join(f"{name} {cpu:.2f}" for cpu, name in result["cpu_others"]) or "none")
        + f"; all other processes {result['cpu_others_total']:.2f} (over the whole test {result['cpu_others_run']:.2f})"
    )
    if max(result["cpu_others_total"], result["cpu_others_run"]) > 0.2:
        print("- WARNING: other processes used the CPU during the test: these numbers are not of this test alone")
    loads = re.findall(r"load_ms=([\d.]+)", server_log)
    print(
        f"- the events file was loaded {len(loads)} time(s) by the server"
        + (f" ({', '.join(f'{float(ms) / 1000:.1f} s' for ms in loads)})" if loads else "")
        + f", for {args.sessions} sessions and {len(result['reopen_s'])} reopened"
    )
    problems = [line for line in server_log.splitlines() if re.search(r"Traceback|Error|Exception", line)]
    print(
        f"- server log: {len(problems)} lines naming an error" + (f", first: {problems[0][:200]!r}" if problems else "")
    )
    for s in sessions:
        for what in s.wrong[:3]:
            print(f"- session {s.index} wrong count: {what}")
        for what in s.isolation:
            print(f"- session {s.index} isolation: {what}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--stagger", type=float, default=1.0, help="seconds between opening sessions")
    parser.add_argument("--think", type=float, default=0.2, help="seconds a session waits between actions")
    parser.add_argument("--store", default=None, help="a PostgreSQL store's URL: sessions scrub it while writers write")
    parser.add_argument("--writers", type=int, default=5, help="with --store: editors adding and correcting claims")
    args = parser.parse_args()
    if args.store:
        import load_store  # the store mode (benchmarks/load_store.py)

        load_store.run(args)
        return
    before = _machine_busy()
    time.sleep(3)
    busy, _, total = (now - then for now, then in zip(_machine_busy(), before, strict=True))
    idle_busy = (os.cpu_count() or 1) * busy / total if total else float("nan")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        frame = synthetic(args.events)
        frame.to_csv(path, index=False)
        log = Path(tmp) / "server.log"
        began = time.perf_counter()
        server, url = _server(str(path), log)
        server_start_s = time.perf_counter() - began
        try:
            result = asyncio.run(run(args, frame, f"{url}/", server.pid, log))
            alive = server.poll() is None
        finally:
            serving.stop(server)
        report(args, result, log, server_start_s)
        print(f"- before the test the machine was already {idle_busy:.2f} cores busy (3 s sample)")
        if not alive:
            print("- the server process had exited before the end")


if __name__ == "__main__":
    main()
