"""Benchmark: load, one slider step, and bytes sent, against the naive folium pattern.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench.py [--sizes 10000 100000]``).
It makes seeded synthetic event sets (events over 60 days, clustered around the
gazetteer's cities, several sources), measures each figure in a fresh child
process (so peak memory is that size's own), and prints one Markdown table.

The naive pattern is one ``folium.Marker`` per event added to the map, the whole
map rebuilt and rendered on each step. It is measured up to ``--naive-max``
events; beyond that it takes minutes a step.
"""

from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing as mp
import platform
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
SOURCES = ["Reuters", "SOHR", "SANA", "RIA Novosti", "Al Jazeera", "AFP", "GUR", "TASS"]
TYPES = ["clash", "capture", "airstrike", "shelling", "statement", "withdrawal"]
START = dt.date(2024, 10, 10)
DAYS = 60


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


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure(n: int, naive_max: int, steps: int, queue: mp.Queue) -> None:
    import folium
    from streamlit_folium import _get_feature_group_string

    from dashboard import control, filters, render
    from dashboard.geocode import read_geodata
    from dashboard.pipeline import open_events

    geodata = read_geodata(REPO / "geodata")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.csv"
        synthetic(n).to_csv(path, index=False)
        started = time.perf_counter()
        dataset = open_events(path, geodata)
        load_s = time.perf_counter() - started
    events = dataset.events
    cells = control.zone_cells(geodata.places, geodata.outline)
    changes = control.control_changes(events)
    days = filters.days_of(events)

    def our_step(day: dt.date, mode: str = "window") -> int:
        shown = filters.events_on(events, day, mode, 1)
        held = control.control_at(day, geodata.places, changes)
        layers = [*render.control_layers(held, control.zones_at(held, cells)), render.events_layer(shown)]
        fmap = render.base_map(geodata, offline=True)
        return sum(len(_get_feature_group_string(g, fmap, i)) for i, g in enumerate(layers))

    def naive_step(day: dt.date) -> int:
        shown = filters.events_on(events, day, "window", 1)
        fmap = folium.Map(location=render.CENTRE, zoom_start=render.ZOOM, tiles=None)
        for lat, lon, text in zip(shown["lat"], shown["lon"], shown["description"], strict=True):
            folium.Marker((lat, lon), popup=text).add_to(fmap)
        return len(fmap.get_root().render())

    def timed(step, count: int) -> tuple[float, int]:
        times, size = [], 0
        for day in days[DAYS // 2 : DAYS // 2 + count]:
            began = time.perf_counter()
            size = step(day)
            times.append(time.perf_counter() - began)
        return statistics.median(times), size

    ours_s, ours_bytes = timed(our_step, steps)
    until_s, until_bytes = timed(lambda day: our_step(day, "until"), max(1, steps // 2))
    naive = timed(naive_step, max(1, steps // 3)) if n <= naive_max else (float("nan"), 0)
    queue.put(
        {
            "events": n,
            "load_s": load_s,
            "step_s": ours_s,
            "step_bytes": ours_bytes,
            "until_s": until_s,
            "until_bytes": until_bytes,
            "naive_step_s": naive[0],
            "naive_bytes": naive[1],
            "peak_mb": _peak_mb(),
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--naive-max", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=5)
    args = parser.parse_args()
    context = mp.get_context("spawn")
    rows = []
    for n in args.sizes:
        queue = context.Queue()
        child = context.Process(target=_measure, args=(n, args.naive_max, args.steps, queue))
        child.start()
        rows.append(queue.get())
        child.join()
    print(f"machine: {platform.machine()}, {mp.cpu_count()} cores, Python {platform.python_version()}")
    print("one step = the events of one day (window of 1 day, mid-period) plus the control layers; median of steps")
    print("'up to day' = the same step in the 'up to this day' mode: every event from the first day to mid-period")
    print()
    print(
        "| events | load CSV s | our step s | naive step s | ratio | our bytes/step | naive bytes/step "
        "| 'up to day' step s | 'up to day' bytes | peak RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        has_naive = r["naive_bytes"] > 0
        ratio = f"{r['naive_step_s'] / r['step_s']:.1f}x" if has_naive else "not run"
        naive_s = f"{r['naive_step_s']:.2f}" if has_naive else "not run"
        naive_b = f"{r['naive_bytes'] / 1e6:.2f} MB" if has_naive else "not run"
        print(
            f"| {r['events']:,} | {r['load_s']:.2f} | {r['step_s']:.3f} | {naive_s} | {ratio} "
            f"| {r['step_bytes'] / 1e6:.2f} MB | {naive_b} | {r['until_s']:.2f} | {r['until_bytes'] / 1e6:.1f} MB "
            f"| {r['peak_mb']:.0f} |"
        )


if __name__ == "__main__":
    main()
