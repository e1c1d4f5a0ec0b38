"""Peak memory and time of loading hostile uploads, and of exporting large views, each in a fresh process.

    PYTHONPATH=. .venv/bin/python benchmarks/hostile.py            # every case, one JSON line each
    PYTHONPATH=. .venv/bin/python benchmarks/hostile.py geojson    # the cases whose name has "geojson"

A case's ``peak_mb`` is the child's ru_maxrss after the load minus its ru_maxrss before (the imports and
the geodata), so it is what the file itself cost. ``outcome`` is the number of events accepted, or the
message that refused the file.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cp1256_csv(path: Path, megabytes: int = 45) -> None:
    """A native CSV in Windows-1256, Arabic place and source names, ``megabytes`` long."""
    row = "2024-12-01,حلب,مصدر محلي,clash\n"
    body = "date,place,source,event_type\n" + row * (megabytes * 1_000_000 // len(row.encode("cp1256")))
    path.write_bytes(body.encode("cp1256"))


def bare_geojson(path: Path, megabytes: int = 45) -> None:
    """A FeatureCollection of bare features, no geometry and no properties, ``megabytes`` long."""
    feature = '{"type":"Feature","geometry":null,"properties":{}}'
    count = megabytes * 1_000_000 // (len(feature) + 1)
    path.write_text('{"type":"FeatureCollection","features":[' + ",".join([feature] * count) + "]}")


def tiny_rows_csv(path: Path, rows: int = 10_000_000) -> None:
    """A native header, then ``rows`` rows of one character each (20 MB for ten million)."""
    path.write_text("date,place,source\n" + "x\n" * rows)


def wide_csv(path: Path, columns: int = 100_000) -> None:
    """A native header with ``columns`` columns in all, and two rows."""
    names = ["date", "place", "source", *(f"c{i}" for i in range(3, columns))]
    row = ",".join(["2024-12-01", "Aleppo", "SOHR", *(["x"] * (columns - 3))])
    path.write_text(",".join(names) + "\n" + row + "\n" + row + "\n")


CASES = {"cp1256_45mb": cp1256_csv, "geojson_bare_45mb": bare_geojson, "tiny_rows_10m": tiny_rows_csv}
CASES |= {"wide_100k_columns": wide_csv}


def _load(path: str, queue: mp.Queue) -> None:
    from dashboard.geocode import read_geodata
    from dashboard.load import UnusableFile
    from dashboard.pipeline import open_events

    geodata = read_geodata(REPO / "geodata")
    before, began = _rss_mb(), time.perf_counter()
    try:
        outcome: object = open_events(Path(path).read_bytes(), geodata, max_bytes=50 * 1024 * 1024).accepted
    except UnusableFile as err:
        outcome = str(err)
    queue.put(
        {"seconds": round(time.perf_counter() - began, 2), "peak_mb": round(_rss_mb() - before), "outcome": outcome}
    )


def _export(kind: str, n: int, queue: mp.Queue) -> None:
    import pandas as pd
    from bench import synthetic

    from dashboard import export

    if kind == "geojson":
        events = synthetic(n)
        events["date"] = pd.to_datetime(events["date"])
        events["lat"], events["lon"] = events["lat"].astype(float), events["lon"].astype(float)
        write = export.to_geojson
    else:  # a few rows, ``n`` extra columns
        events = synthetic(10)
        events["date"] = pd.to_datetime(events["date"])
        events = pd.concat([events, pd.DataFrame({f"c{i}": ["x"] * 10 for i in range(n)})], axis=1)
        write = export.to_csv
    before, began = _rss_mb(), time.perf_counter()
    size = len(write(events))
    queue.put({"seconds": round(time.perf_counter() - began, 2), "peak_mb": round(_rss_mb() - before), "bytes": size})


def _in_child(target, *args) -> dict:
    context = mp.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=target, args=(*args, queue))
    child.start()
    result = queue.get()
    child.join()
    return result


def main(only: str = "") -> None:
    with tempfile.TemporaryDirectory() as folder:
        for name, make in CASES.items():
            if only in name:
                path = Path(folder) / name
                make(path)
                result = _in_child(_load, str(path))
                print(json.dumps({"case": name, "mb": round(path.stat().st_size / 1e6, 1), **result})[:400])
                path.unlink()
    for kind, n in (("csv_columns", 1000), ("csv_columns", 4000), ("geojson", 1_000_000)):
        if only in kind:
            print(json.dumps({"case": f"export_{kind}_{n}", **_in_child(_export, kind, n)}))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")
