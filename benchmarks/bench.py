"""Benchmark: load, slider steps and memory at 10k, 100k and 1M events, against the naive folium pattern.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench.py [--sizes 10000 100000] [--steps 8] [--only publish]``).

For each size it writes a seeded synthetic event set (60 days, clustered around
the gazetteer's cities, eight sources) and measures, each in a fresh process:

- **load**: ``open_events`` on the CSV (read, validate, geocode, stories), and its peak memory;
- **server**: ``streamlit run`` on the file, offline, with ``--timing``: time to the first
  page, time for a second browser session to show its map (the loaded data is cached and
  shared) and the median over the second to fifth, each with the server's part of it, the
  median duration of the day view's rerun after a slider step (the app prints it), and the
  server's peak memory with five sessions open;
- **browser** (Debian's Chromium through Playwright): from an ArrowLeft on the slider to the
  map frame holding the new day's layers, the bytes the page received for that step, and
  the page's JavaScript heap (after a forced collection) at the start and after 30, 90 and 180
  steps back and forth, with the number of layer groups the map frame still holds;
- **naive**: one ``folium.Marker`` per shown event in a new map, rendered, on each step, the
  pattern this app replaces. It runs only while it takes under a few minutes a step;
- **exports** (``--only publish`` runs these alone): the picture of the last day at 1600x1000, and
  a time-lapse of the last 13 days as GIF and as MP4, from the loaded events; and the ``picture``
  command as a user runs it, load included.

Steps are in the default "up to this day" mode, from the last day backwards. One table is
printed, with the machine it ran on.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the app's package and the tests' server and Chromium start-up (tests/serving.py)

from tests import serving  # noqa: E402
from tests.serving import MAP_IFRAME as MAP_FRAME  # noqa: E402

SOURCES = ["Reuters", "SOHR", "SANA", "RIA Novosti", "Al Jazeera", "AFP", "GUR", "TASS"]
TYPES = ["clash", "capture", "airstrike", "shelling", "statement", "withdrawal"]
START = dt.date(2024, 10, 10)
DAYS = 60
# The page's heap is read after a forced collection at the start and after these many steps (the last ends the run).
HEAP_STEPS = (30, 90, 180)
NAIVE_MAX_SHOWN = 120_000  # beyond this many markers the naive step takes many minutes
# The page's heap is read after forced collections: Chromium must expose ``gc()`` to it.
GC_FLAG = "--js-flags=--expose-gc"


def synthetic(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` events over 60 days around the gazetteer's towns, seeded."""
    rng = np.random.default_rng(seed)
    places = pd.read_csv(REPO / "geodata" / "gazetteer.csv")
    weight = np.where(places["kind"].isin(["city", "capital"]), 8.0, 1.0)
    pick = rng.choice(len(places), size=n, p=weight / weight.sum())
    days = rng.integers(0, DAYS, size=n)
    return pd.DataFrame(
        {
            "event_id": [f"s{i:07d}" for i in range(n)],
            "date": (pd.Timestamp(START) + pd.to_timedelta(days, "D")).strftime("%Y-%m-%d"),
            "place": places["place"].to_numpy()[pick],
            "lat": (places["lat"].to_numpy()[pick] + rng.normal(0, 0.05, n)).round(4),
            "lon": (places["lon"].to_numpy()[pick] + rng.normal(0, 0.05, n)).round(4),
            "event_type": rng.choice(TYPES, size=n),
            "actor": rng.choice(["HTS-led opposition", "Syrian Arab Army", "SNA", "SDF"], size=n),
            "target": "",
            "controller": "",
            "source": rng.choice(SOURCES, size=n, p=[0.25, 0.2, 0.15, 0.1, 0.1, 0.1, 0.05, 0.05]),
            "source_type": "independent media",
            "claim_status": rng.choice(["reported", "claimed", "confirmed"], size=n),
            "reported_on": "",
            "description": "Synthetic event, for the benchmark only.",
            "url": "",
            "via": "benchmark",
        }
    )


ACLED_SUB_EVENTS = (
    ("Battles", "Armed clash"),
    ("Battles", "Government regains territory"),
    ("Battles", "Non-state actor overtakes territory"),
    ("Explosions/Remote violence", "Air/drone strike"),
    ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    ("Violence against civilians", "Attack"),
    ("Strategic developments", "Agreement"),
    ("Strategic developments", "Change to group/activity"),
    ("Protests", "Peaceful protest"),
)
ACLED_ACTORS = (
    "Military Forces of Syria (2000-2024)",
    "Hayat Tahrir al Sham",
    "Syrian National Army",
    "Syrian Democratic Forces",
    "Military Forces of Russia (2000-)",
    "Unidentified Armed Group (Syria)",
    "Islamic State (Syria)",
    "Civilians (Syria)",
)
WORDS = (
    "On", "the", "night", "of", "forces", "clashes", "near", "village", "reported", "killed", "wounded",
    "according", "to", "local", "sources", "artillery", "shelled", "positions", "outskirts", "district",
    "drone", "struck", "vehicle", "fighters", "withdrew", "advanced", "towards", "road", "checkpoint", "town",
)  # fmt: skip


def _notes_pool(rng: np.random.Generator, size: int = 4000) -> np.ndarray:
    """ACLED-like notes: 12 to 80 words (about 70 to 500 characters, most near 250), from a small vocabulary."""
    lengths = np.clip(rng.normal(40, 14, size).astype(int), 12, 80)
    return np.array(["Synthetic: " + " ".join(rng.choice(WORDS, k)) + "." for k in lengths])


def synthetic_acled(n: int, seed: int = 11, first: int = 0) -> pd.DataFrame:
    """``n`` events shaped like an ACLED export (its 31 columns, its text lengths), around the gazetteer's
    towns over 60 days, seeded; ids start at ``first`` so that chunks of one big file do not collide."""
    rng = np.random.default_rng(seed + first)
    places = pd.read_csv(REPO / "geodata" / "gazetteer.csv")
    weight = np.where(places["kind"].isin(["city", "capital"]), 8.0, 1.0)
    pick = rng.choice(len(places), size=n, p=weight / weight.sum())
    days = pd.date_range(START, periods=DAYS, freq="D")
    day = rng.integers(0, DAYS, size=n)
    kinds = rng.integers(0, len(ACLED_SUB_EVENTS), size=n)
    kind_of = np.array(ACLED_SUB_EVENTS)
    actor1, actor2 = rng.choice(ACLED_ACTORS, size=n), rng.choice(ACLED_ACTORS, size=n)
    source = rng.choice(SOURCES, size=n)
    second = rng.choice(["", "; SOHR", "; Syrian Observatory for Human Rights", "; Enab Baladi"], size=n)
    return pd.DataFrame(
        {
            "event_id_cnty": np.char.add("SYR", np.char.zfill(np.arange(first, first + n).astype(str), 8)),
            "event_date": days.strftime("%d %B %Y").to_numpy()[day],
            "year": days.year.to_numpy()[day],
            "time_precision": rng.choice([1, 1, 1, 2, 3], size=n),
            "disorder_type": "Political violence",
            "event_type": kind_of[kinds, 0],
            "sub_event_type": kind_of[kinds, 1],
            "actor1": actor1,
            "assoc_actor_1": rng.choice(["", "", "Tribal Militia (Syria)", "Ahrar al Sham"], size=n),
            "inter1": rng.integers(1, 9, size=n),
            "actor2": actor2,
            "assoc_actor_2": "",
            "inter2": rng.integers(0, 9, size=n),
            "interaction": rng.integers(10, 90, size=n),
            "civilian_targeting": rng.choice(["", "Civilian targeting"], size=n, p=[0.85, 0.15]),
            "iso": 760,
            "region": "Middle East",
            "country": "Syria",
            "admin1": places["governorate"].to_numpy()[pick] if "governorate" in places else "",
            "admin2": places["place"].to_numpy()[pick],
            "admin3": places["place"].to_numpy()[pick],
            "location": places["place"].to_numpy()[pick],
            "latitude": (places["lat"].to_numpy()[pick] + rng.normal(0, 0.05, n)).round(4),
            "longitude": (places["lon"].to_numpy()[pick] + rng.normal(0, 0.05, n)).round(4),
            "geo_precision": rng.choice([1, 1, 2, 3], size=n),
            "source": np.char.add(source.astype(str), second.astype(str)),
            "source_scale": rng.choice(["National", "International", "Subnational-National", "Other"], size=n),
            "notes": _notes_pool(rng)[rng.integers(0, 4000, size=n)],
            "fatalities": rng.poisson(1.2, size=n),
            "tags": rng.choice(["", "", "crowd size=no report", "women targeted: candidates"], size=n),
            "timestamp": 1_700_000_000 + rng.integers(0, 30_000_000, size=n),
        }
    )


def write_acled(path: str | Path, n: int, chunk: int = 250_000) -> None:
    """An ACLED-shaped CSV of ``n`` events, written in chunks so that 2.5 million rows need little memory."""
    for first in range(0, n, chunk):
        synthetic_acled(min(chunk, n - first), first=first).to_csv(
            path, mode="w" if first == 0 else "a", header=first == 0, index=False
        )


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _in_child(target, *args) -> dict:
    queue = mp.get_context("spawn").Queue()
    child = mp.get_context("spawn").Process(target=target, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def _load(path: str, queue: mp.Queue) -> None:
    from dashboard.geocode import read_geodata
    from dashboard.pipeline import open_events

    geodata = read_geodata(REPO / "geodata")
    began = time.perf_counter()
    dataset = open_events(path, geodata)
    queue.put({"load_s": time.perf_counter() - began, "load_peak_mb": _peak_mb(), "rows": dataset.accepted})


def _store_read_alone(url: str, queue: mp.Queue) -> None:
    """What a server does first on a store: its lean frame read (ADBC on PostgreSQL), and the step's arrays."""
    from dashboard import live, step
    from dashboard.store import open_store
    from dashboard.store.reader import AppReader

    began = time.perf_counter()
    feed = live.Feed(url, lambda at: AppReader(open_store(at)))
    reading = feed.reading()
    read_s = time.perf_counter() - began
    step.index_events(reading.dataset.events)
    queue.put(
        {
            "read_s": read_s,
            "indexed_s": time.perf_counter() - began,
            "read_peak_mb": _peak_mb(),
            "rows": reading.dataset.accepted,
            "frame_mb": reading.dataset.events.memory_usage(deep=True).sum() / 1e6,
        }
    )
    deadline = time.monotonic() + 300  # the stories' own process ends before this one does
    while feed.reading().stories_pending and time.monotonic() < deadline:
        time.sleep(0.5)


def _naive(path: str, steps: int, queue: mp.Queue) -> None:
    import folium

    from dashboard import filters
    from dashboard.geocode import read_geodata
    from dashboard.map import basemap
    from dashboard.pipeline import open_events

    events = open_events(path, read_geodata(REPO / "geodata")).events
    days = filters.days_of(events)
    times, sizes, shown_n = [], [], 0
    for day in reversed(days[-1 - steps : -1]):
        shown = filters.events_on(events, day)
        shown_n = len(shown)
        if shown_n > NAIVE_MAX_SHOWN:
            break
        began = time.perf_counter()
        fmap = folium.Map(location=basemap.CENTRE, zoom_start=basemap.ZOOM, tiles=None)
        for lat, lon, text in zip(shown["lat"], shown["lon"], shown["description"], strict=True):
            folium.Marker((lat, lon), popup=text).add_to(fmap)
        sizes.append(len(fmap.get_root().render()))
        times.append(time.perf_counter() - began)
    queue.put(
        {
            "naive_s": statistics.median(times) if times else None,
            "naive_bytes": statistics.median(sizes) if sizes else None,
            "naive_shown": shown_n,
        }
    )


PUBLISH_DAYS = 13  # the time-lapse's days: the offensive's length


def _publish(path: str, queue: mp.Queue) -> None:
    """The exports from the loaded file (as the page makes them): a picture of the last day, a 13-day GIF and MP4.

    Each is timed from the loaded events, control included (made anew, as the command line makes it); the
    GIF and the MP4 each draw their own frames.
    """
    import subprocess

    from dashboard import control, filters, picture, publish, step, timelapse
    from dashboard.geocode import read_geodata
    from dashboard.pipeline import open_events
    from dashboard.view import View

    geodata = read_geodata(REPO / "geodata")
    events = open_events(path, geodata).events
    indexed = step.index_events(events)
    days = filters.days_of(events)[-PUBLISH_DAYS:]
    width, height, limit = 1600, 1000, 600
    zoom = picture.zoom_for(geodata, width, height)
    result: dict = {"publish_shown": len(step.positions(indexed, days[-1], "until", 1, None))}

    def control_on():
        cells = control.zone_cells(geodata.places, geodata.outline)
        return publish.control_from(control.control_changes(events, geodata.places), geodata.places, cells, False)

    began = time.perf_counter()
    at = step.positions(indexed, days[-1], "until", 1, None)
    scene = publish.scene(indexed, at, *control_on()(days[-1]), View(days[-1]), limit, zoom)
    png = picture.picture(geodata, scene, "png", width, height)
    result.update(picture_s=time.perf_counter() - began, picture_kind=scene.drawn.kind, picture_kb=len(png) / 1e3)
    for fmt in timelapse.FORMATS:
        began = time.perf_counter()
        scenes = publish.scenes(indexed, None, control_on(), days, View(days[0]), limit, zoom)
        data = timelapse.timelapse(geodata, scenes, fmt, width, height)
        result.update({f"{fmt}_s": time.perf_counter() - began, f"{fmt}_kb": len(data) / 1e3})
    with tempfile.TemporaryDirectory() as folder:  # the command, load included, as a user runs it
        out = str(Path(folder) / "day.png")
        command = [sys.executable, "-m", "dashboard", "picture", "--events", path, "--date", str(days[-1])]
        began = time.perf_counter()
        subprocess.run([*command, "--out", out], check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
        result["picture_command_s"] = time.perf_counter() - began
    queue.put(result)


def _print_publish(rows: list[dict]) -> None:
    print()
    print(
        f"Exports at 1600x1000, from the loaded events (the command: load included); time-lapse of the last "
        f"{PUBLISH_DAYS} days, 'up to this day' mode"
    )
    print()
    print(
        "| events | shown on the last day | drawn as | picture s (PNG kB) | `picture` command s "
        "| GIF s (kB) | MP4 s (kB) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['events']:,} | {r['publish_shown']:,} | {r['picture_kind']} "
            f"| {r['picture_s']:.2f} ({r['picture_kb']:.0f}) | {r['picture_command_s']:.1f} "
            f"| {r['gif_s']:.1f} ({r['gif_kb']:.0f}) | {r['mp4_s']:.1f} ({r['mp4_kb']:.0f}) |"
        )


def _vm(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _server(path: str | None, log: Path, store: str | None = None, snapshots: Path | None = None) -> tuple:
    """``streamlit run`` on the file (or the store, its snapshots in ``snapshots``: none without), offline, with
    ``--timing``, on a free port: the process and its URL."""
    flags = ("--timing", *(("--store", store, "--store-snapshots", str(snapshots or "")) if store else ()))
    return serving.start(path, flags, log=log, startup_s=300)


def _store_read(log: Path) -> tuple[float, str]:
    """The server's first read of its store, from its log: milliseconds, and "store" (whole) or "snapshot"."""
    found = re.search(r"store_read_ms=([\d.]+) from=(\w+)", log.read_text())
    return (float(found.group(1)), found.group(2)) if found else (float("nan"), "?")


def _restart(store: str, snapshots: Path) -> dict:
    """A server started again on the store, with the snapshot the first one left: seconds from its start to
    the first page's map, and its read."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        started = time.perf_counter()
        server, url = _server(None, log, store, snapshots)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(**serving.chromium(GC_FLAG))
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                _open(page, url + "/", 600_000)
                first_page = time.perf_counter() - started
                _settled(page)
                browser.close()
        finally:
            serving.stop(server)
        read_ms, how = _store_read(log)
    size = sum(f.stat().st_size for f in snapshots.glob("*.arrow"))
    return {"restart_page_s": first_page, "restart_read_ms": read_ms, "restart_from": how, "snapshot_mb": size / 1e6}


def _snapshot_written(folder: Path, timeout_s: float) -> float:
    """Seconds waited until the server has written its snapshot in ``folder`` (NaN if it has not)."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout_s:
        if any(folder.glob("*.arrow")):
            return time.perf_counter() - began
        time.sleep(0.5)
    return float("nan")


def _open(page, url: str, timeout_ms: int) -> float:
    began = time.perf_counter()
    page.goto(url, timeout=timeout_ms)
    metric = page.get_by_test_id("stMetric").filter(has_text="Events shown").get_by_test_id("stMetricValue")
    metric.wait_for(timeout=timeout_ms)
    page.locator(MAP_FRAME).wait_for(timeout=timeout_ms)
    frame = page.frame_locator(MAP_FRAME).locator(".leaflet-container")
    frame.wait_for(timeout=timeout_ms)
    return time.perf_counter() - began


def _settled(page) -> None:
    """Wait until the page has its events table and its script has stopped running, then a second more."""
    page.get_by_test_id("stDataFrame").first.wait_for(timeout=600_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=600_000)
    page.wait_for_timeout(1000)


def _heap(frame) -> float:
    """The page's JavaScript heap in bytes after its messages settle and two forced collections."""
    frame.page.wait_for_timeout(1000)
    frame.evaluate("() => { if (window.gc) { window.gc(); window.gc(); } }")
    return frame.evaluate("() => performance.memory ? performance.memory.usedJSHeapSize : 0")


def _map_frame(page):
    for frame in page.frames:
        try:
            if frame.evaluate("() => typeof L !== 'undefined' && Array.isArray(window.feature_group)"):
                return frame
        except Exception:
            continue
    raise RuntimeError("no map frame with layers")


def _reach(pages: list, store: str, tmp: str) -> float:
    """Seconds from the commit of one new claim (on the last day, by ``store import``) to every page showing
    it. On PostgreSQL the clock starts when the store announces the commit (the bench listens as the app
    does): the import command's own exit comes later, by as much as the pages took (0.1 s was once timed
    from it). On SQLite it starts when the command ends."""
    from playwright.sync_api import expect

    from dashboard.live import CHANNEL, psycopg_dsn

    before = [_shown(page) for page in pages]
    new = Path(tmp) / "one-claim.csv"
    new.write_text(
        "event_id,date,place,source\n"
        f"bench-{time.time_ns()},{(START + dt.timedelta(days=DAYS - 1)):%Y-%m-%d},Hama,Benchmark\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "dashboard", "store", "import", store, str(new)]
    dsn = psycopg_dsn(store)
    if dsn is None:
        subprocess.run(command, check=True, cwd=REPO, env=serving.server_env(), capture_output=True)
        began = time.perf_counter()
    else:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as listening:
            listening.execute(f"LISTEN {CHANNEL}")  # a constant of the app's, not text from a file
            importing = subprocess.Popen(command, cwd=REPO, env=serving.server_env(),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            heard = next(iter(listening.notifies(timeout=300, stop_after=1)), None)
            began = time.perf_counter()
            if importing.wait(timeout=300) != 0 or heard is None:
                raise RuntimeError("the benchmark's claim was not imported, or not announced")
    for page, count in zip(pages, before, strict=True):
        expect(_metric(page)).to_have_text(f"{count + 1:,}", timeout=120_000)
    return time.perf_counter() - began


def _metric(page):
    """The Events shown number of the page's latest run (not one kept, marked stale, from the run before)."""
    cards = page.locator("[data-testid=stElementContainer]:not([data-stale=true]) > [data-testid=stMetric]")
    return cards.filter(has_text="Events shown").get_by_test_id("stMetricValue")


def _shown(page) -> int:
    return int(_metric(page).inner_text().replace(",", ""))


# Each new claim after the first waits this long after the one before: the claims' stories come back in
# between (at 1M, about 20 s), as they would between a team's edits, or not, as they would in an import.
REACH_APART_S = 10


def _browser(
    path: str | None, steps: int, store: str | None = None, snapshots: Path | None = None, reaches: int = 1
) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        started = time.perf_counter()
        server, url = _server(path, log, store, snapshots)
        url += "/"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(**serving.chromium(GC_FLAG))
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                received: list[int] = []
                page.on(
                    "websocket",
                    lambda ws: ws.on("framereceived", lambda payload: received.append(len(payload))),
                )
                _open(page, url, 600_000)
                first_page = time.perf_counter() - started
                _settled(page)  # the first session's chart and table follow its map: let them finish first
                # Each session in its own context, made just before it opens: a new context starts a renderer,
                # and four of them starting at once would be timed as the second session's.
                others, opens, runs = [], [], []
                for _ in range(4):
                    others.append(browser.new_page(viewport={"width": 1400, "height": 1000}))
                    runs_before = len(re.findall(r"run_ms=", log.read_text()))
                    opens.append(_open(others[-1], url, 600_000))
                    # The server's share of it: the session's first run of the page, on data already loaded.
                    runs.append([float(v) for v in re.findall(r"run_ms=([\d.]+)", log.read_text())][runs_before])
                    _settled(others[-1])
                reached = []
                for n in range(reaches if store else 0):
                    if n:
                        page.wait_for_timeout(1000 * REACH_APART_S)
                    reached.append(_reach([page, *others], store, tmp))
                frame = _map_frame(page)
                slider = page.get_by_role("slider").first
                slider.focus()
                heap_before = _heap(frame)
                latencies, step_bytes = [], []
                page.wait_for_timeout(1500)  # let the five sessions' first runs finish
                runs_before = len(re.findall(r"view_ms=", log.read_text()))
                heaps = {}
                for i in range(max(steps, HEAP_STEPS[-1])):
                    if i in HEAP_STEPS:
                        heaps[i] = _heap(frame)
                    frame.evaluate("() => { window.__old = window.feature_group[0]; }")
                    received.clear()
                    began = time.perf_counter()
                    page.keyboard.press("ArrowLeft" if (i // 30) % 2 == 0 else "ArrowRight")
                    frame.wait_for_function(
                        "() => window.feature_group.length > 0 && window.feature_group[0] !== window.__old",
                        polling="raf",
                        timeout=120_000,
                    )
                    if i < steps:
                        latencies.append(time.perf_counter() - began)
                        page.wait_for_timeout(300)  # let the rerun's last messages arrive
                        step_bytes.append(sum(received))
                step_runs = [float(v) for v in re.findall(r"view_ms=([\d.]+)", log.read_text())]
                step_runs = step_runs[runs_before : runs_before + steps]
                heap_after = _heap(frame)
                kept = frame.evaluate("() => window.feature_group.length")
                server_peak = _vm(server.pid, "VmHWM")
                server_now = _vm(server.pid, "VmRSS")
                browser.close()
            waited = _snapshot_written(snapshots, 600) if snapshots else float("nan")
        finally:
            serving.stop(server)
        read_ms, how = _store_read(log)
    return {
        "store_read_ms": read_ms,
        "store_read_from": how,
        "snapshot_waited_s": waited,
        "first_page_s": first_page,
        "second_session_s": opens[0],
        "second_run_ms": runs[0],
        "new_sessions_s": statistics.median(opens),
        "new_sessions_run_ms": statistics.median(runs),
        "server_step_ms": statistics.median(step_runs) if step_runs else float("nan"),
        "key_to_map_ms": 1000 * statistics.median(latencies),
        "bytes_per_step": statistics.median(step_bytes),
        "server_peak_mb": server_peak,
        "server_rss_mb": server_now,
        "heap_mb": (heap_before / 1e6, *(heaps[i] / 1e6 for i in HEAP_STEPS[:-1]), heap_after / 1e6),
        "groups_kept": kept,
        "reach_s": statistics.median(reached) if reached else float("nan"),
        "reach_range": (min(reached), max(reached)) if reached else (float("nan"),) * 2,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--steps", type=int, default=8)
    parser.add_argument(
        "--store", nargs="*", default=[], help="URLs of filled stores to open (python -m dashboard store import)"
    )
    parser.add_argument("--no-files", action="store_true", help="only the stores")
    parser.add_argument(
        "--reaches", type=int, default=3, help="new claims timed on each store's five maps, REACH_APART_S apart"
    )
    parser.add_argument(
        "--only", choices=("all", "publish"), default="all", help="publish: the exports alone, no server or browser"
    )
    args = parser.parse_args()
    stores = []
    with tempfile.TemporaryDirectory() as tmp:
        for url in args.store:
            result = {"store": live_shown(url), **_in_child(_store_read_alone, url)}
            snapshots = Path(tmp) / f"snapshots-{len(stores)}"
            result.update(_browser(None, args.steps, url, snapshots, args.reaches))
            result.update(_restart(url, snapshots))
            stores.append(result)
            print(f"measured the store {result['store']}", file=sys.stderr, flush=True)
    if args.no_files:
        args.sizes = []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.sizes:
            path = str(Path(tmp) / f"events-{n}.csv")
            synthetic(n).to_csv(path, index=False)
            result = {"events": n, **_in_child(_publish, path)}
            if args.only == "all":
                result.update(_in_child(_load, path))
                result.update(_browser(path, args.steps))
                result.update(_in_child(_naive, path, min(args.steps, 3) if n <= 10_000 else 1))
            rows.append(result)
            print(f"measured {n:,} events", file=sys.stderr, flush=True)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "?")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}")
    print(f"{dt.date.today()}; load average at the end {os.getloadavg()[0]:.1f} (other work on the machine)")
    if args.only == "publish":
        _print_publish(rows)
        return
    print("steps: ArrowLeft on the day slider from the last day, 'up to this day' mode")
    print()
    print(
        "| events | load s | load peak MB | first page s | 2nd session s (server's run ms) "
        "| 2nd to 5th, median s (ms) | step, server ms "
        "| key to map ms "
        "| bytes/step | naive step s | naive/ours | server peak MB, 5 sessions "
        "| page heap MB: start, 30, 90, 180 steps |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        if r["naive_s"] is None:
            naive, ratio = f"not run ({r['naive_shown']:,} markers)", "–"
        else:
            naive = f"{r['naive_s']:.2f}"
            ratio = f"{1000 * r['naive_s'] / r['server_step_ms']:.0f}x"
        print(
            f"| {r['events']:,} | {r['load_s']:.1f} | {r['load_peak_mb']:.0f} | {r['first_page_s']:.1f} "
            f"| {r['second_session_s']:.1f} ({r['second_run_ms']:.0f}) "
            f"| {r['new_sessions_s']:.1f} ({r['new_sessions_run_ms']:.0f}) | {r['server_step_ms']:.0f} "
            f"| {r['key_to_map_ms']:.0f} "
            f"| {r['bytes_per_step'] / 1e3:.0f} kB | {naive} | {ratio} | {r['server_peak_mb']:.0f} "
            f"| {' → '.join(f'{h:.0f}' for h in r['heap_mb'])} ({r['groups_kept']} layer groups kept) |"
        )
    if rows:
        _print_publish(rows)
    if stores:
        _print_stores(stores)


def live_shown(url: str) -> str:
    from dashboard.live import shown_url

    return shown_url(url)


def _print_stores(stores: list[dict]) -> None:
    print()
    print(
        "| store | claims | read s (+ arrays) | read peak MB | frame MB | first page s | 2nd session s (ms) "
        "| 2nd to 5th, median s (ms) | step, server ms | key to map ms | new claim on 5 maps, median s (range) "
        "| server peak MB, 5 sessions | server's read s | snapshot MB (written after s) "
        "| next start: first page s (read s, from) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in stores:
        print(
            f"| {r['store']} | {r['rows']:,} | {r['read_s']:.1f} ({r['indexed_s']:.1f}) | {r['read_peak_mb']:.0f} "
            f"| {r['frame_mb']:.0f} | {r['first_page_s']:.1f} | {r['second_session_s']:.1f} ({r['second_run_ms']:.0f}) "
            f"| {r['new_sessions_s']:.1f} ({r['new_sessions_run_ms']:.0f}) | {r['server_step_ms']:.0f} "
            f"| {r['key_to_map_ms']:.0f} | {r['reach_s']:.1f} ({r['reach_range'][0]:.1f} to {r['reach_range'][1]:.1f}) "
            f"| {r['server_peak_mb']:.0f} "
            f"| {r['store_read_ms'] / 1000:.1f} | {r['snapshot_mb']:.0f} ({r['snapshot_waited_s']:.0f}) "
            f"| {r['restart_page_s']:.1f} ({r['restart_read_ms'] / 1000:.1f}, {r['restart_from']}) |"
        )


if __name__ == "__main__":
    main()
