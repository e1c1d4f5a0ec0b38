"""Rebuild geodata/countries.geojson from Natural Earth, as carried by world-atlas.

A loader, run ahead of the app (``make geodata``), never by it. It fetches the
`world-atlas` package from the npm registry with ``npm pack``, reads its
1:10m countries TopoJSON (Natural Earth, public domain), keeps Syria and its
neighbours, clips the neighbours to a box around Syria to keep the file small,
and writes GeoJSON. It fails loudly, with a non-zero exit, on any problem.
"""

from __future__ import annotations

import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import geopandas as gpd
from shapely.geometry import box

WORLD_ATLAS = "world-atlas@2.0.2"
NEIGHBOURS = ("Syria", "Turkey", "Iraq", "Jordan", "Lebanon", "Israel", "Palestine", "Cyprus")
FRAME = box(32.0, 29.5, 45.5, 39.0)  # lon/lat box around Syria: the map's surroundings
OUT = Path(__file__).resolve().parent / "countries.geojson"


def fetch_topojson(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", WORLD_ATLAS, "--silent"], cwd=workdir, check=True, capture_output=True)
    archive = next(workdir.glob("world-atlas-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extract("package/countries-10m.json", workdir, filter="data")
    return workdir / "package" / "countries-10m.json"


def build(topojson: Path) -> gpd.GeoDataFrame:
    world = gpd.read_file(topojson, layer="countries").set_crs("EPSG:4326")
    chosen = world.loc[world["name"].isin(NEIGHBOURS), ["id", "name", "geometry"]]
    missing = set(NEIGHBOURS) - set(chosen["name"])
    if missing:
        raise SystemExit(f"world-atlas has no feature named {', '.join(sorted(missing))}")
    clipped = chosen.clip(FRAME, keep_geom_type=True)
    # Natural Earth splits some countries into several features: one per country.
    merged = clipped.dissolve("name", as_index=False, aggfunc="first")
    return merged.rename(columns={"id": "iso_n3"}).sort_values("name").reset_index(drop=True)


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        countries = build(fetch_topojson(Path(tmp)))
    countries.to_file(OUT, driver="GeoJSON", COORDINATE_PRECISION=4)
    print(f"wrote {OUT} ({len(countries)} features, {OUT.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
