"""Benchmark of ``store import``: time and peak memory on SQLite and PostgreSQL.

Run: ``.venv/bin/python benchmarks/store_import.py [--rows 100000] [--postgres URL]`` (``make postgres`` first;
the default URL is the test role's database). For the bundled events.csv and for ``--rows`` synthetic events
shaped like ACLED's export (its 31 columns, notes of ACLED's length; made from bench.py's seeded events), each
import runs in a fresh process into an empty store, then again (the idempotent case: nothing changes). Peak
memory is the import process's maximum resident set size. One table is printed, with the machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench import synthetic  # noqa: E402

PG_DEFAULT = "postgresql://dashboard:dashboard@127.0.0.1:5432/dashboard_test"
SUB_EVENTS = {
    "clash": ("Battles", "Armed clash"),
    "capture": ("Battles", "Non-state actor overtakes territory"),
    "withdrawal": ("Strategic developments", "Non-violent transfer of territory"),
    "airstrike": ("Explosions/Remote violence", "Air/drone strike"),
    "shelling": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "statement": ("Strategic developments", "Agreement"),
}
# About the length of an ACLED note (a few sentences); the words are filler, marked as synthetic.
NOTE = (
    "Synthetic benchmark event, not a real report: on this day forces of one side shelled and then "
    "advanced on positions held by the other near the town, according to local sources; casualties unknown. "
)


def acled_shaped(n: int, seed: int = 7) -> pd.DataFrame:
    """``n`` of bench.py's synthetic events, in the columns and forms of an ACLED export."""
    events = synthetic(n, seed)
    rng = np.random.default_rng(seed + 1)
    kinds = events["event_type"].map(SUB_EVENTS)
    day = pd.to_datetime(events["date"])
    return pd.DataFrame(
        {
            "event_id_cnty": "SYR" + events.index.astype(str).str.zfill(7),
            "event_date": day.dt.strftime("%d %B %Y"),
            "year": day.dt.year.astype(str),
            "time_precision": rng.choice(["1", "1", "1", "2", "3"], size=n),
            "disorder_type": "Political violence",
            "event_type": kinds.str[0],
            "sub_event_type": kinds.str[1],
            "actor1": events["actor"],
            "assoc_actor_1": "",
            "inter1": "Rebel group",
            "actor2": "Military Forces of Syria (2000-2024)",
            "assoc_actor_2": "",
            "inter2": "State forces",
            "interaction": "State forces-Rebel group",
            "civilian_targeting": "",
            "iso": "760",
            "region": "Middle East",
            "country": "Syria",
            "admin1": "Aleppo",
            "admin2": "Jebel Saman",
            "admin3": "",
            "location": events["place"],
            "latitude": events["lat"].astype(str),
            "longitude": events["lon"].astype(str),
            "geo_precision": rng.choice(["1", "1", "2", "3"], size=n),
            "source": events["source"],
            "source_scale": "National",
            "notes": NOTE + events["event_id"],
            "fatalities": rng.integers(0, 12, size=n).astype(str),
            "tags": "",
            "timestamp": "1733000000",
        }
    )


def _measured(command: list[str]) -> tuple[float, float, str]:
    """(seconds, peak resident megabytes, standard output) of ``command`` run in a fresh process."""
    probe = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(done.stdout[-2000:]); print(done.stderr[-2000:], file=sys.stderr)"
    )
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True, cwd=REPO)
    seconds = time.perf_counter() - start
    first, _, rest = done.stdout.partition("\n")
    code, peak = first.split()
    if code not in ("0", "1"):
        raise SystemExit(f"{' '.join(command[:5])} failed:\n{done.stderr}")
    return seconds, int(peak) / 1024, rest


def _fresh_pg(url: str) -> str:
    import sqlalchemy as sa

    name = f"dashboard_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE dashboard_template'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def _drop_pg(admin: str, url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(admin.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


def _run(label: str, path: Path, url: str, chunk: int) -> list[dict]:
    cli = [sys.executable, "-m", "dashboard"]
    subprocess.run([*cli, "store", "init", url], check=True, capture_output=True, cwd=REPO)
    rows = []
    for attempt in ("first", "again"):
        seconds, peak, out = _measured([*cli, "store", "import", url, str(path), "--chunk-rows", str(chunk)])
        facts = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line and not line.startswith(" "))
        rows.append(
            {
                "file": label,
                "store": url.split(":", 1)[0],
                "import": attempt,
                "rows": facts.get("rows"),
                "added": facts.get("added"),
                "unchanged": facts.get("unchanged"),
                "seconds": round(seconds, 1),
                "peak_mb": round(peak),
            }
        )
        print(rows[-1], flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--chunk-rows", type=int, default=10_000)
    parser.add_argument("--postgres", default=os.environ.get("DASHBOARD_TEST_POSTGRES", PG_DEFAULT))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        synthetic_file = Path(folder) / f"acled_{args.rows}.csv"
        acled_shaped(args.rows).to_csv(synthetic_file, index=False)
        print(f"{synthetic_file.name}: {synthetic_file.stat().st_size / 1e6:.0f} MB", flush=True)
        results = []
        for label, path in (("events.csv", REPO / "events.csv"), (f"ACLED-shaped {args.rows:,}", synthetic_file)):
            results += _run(label, path, f"sqlite:///{Path(folder) / (uuid.uuid4().hex + '.db')}", args.chunk_rows)
            url = _fresh_pg(args.postgres)
            try:
                results += _run(label, path, url, args.chunk_rows)
            finally:
                _drop_pg(args.postgres, url)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "")
    print(f"\n{os.cpu_count()} cores, {cpu or platform.processor()}, chunk {args.chunk_rows:,} rows")
    print(pd.DataFrame(results).to_markdown(index=False) if _has_tabulate() else pd.DataFrame(results).to_string())


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
