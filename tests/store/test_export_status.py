"""``store export`` (CSV and GeoJSON, as the app exports), ``store status``, and claims_current in GDAL."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pandas as pd
import pytest

from dashboard import export
from dashboard.geocode import read_geodata
from dashboard.pipeline import open_events
from dashboard.store.schema import claims
from tests.support import EVENTS, FIXTURES, REPO

GEODATA = read_geodata(REPO / "geodata")


def _url(store) -> str:
    return store.engine.url.render_as_string(hide_password=False)


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_an_export_is_the_app_s_export_and_imports_back_as_the_same_claims(store, imported, cli, tmp_path, fmt):
    imported(EVENTS)
    imported(FIXTURES / "acled_syria.csv")
    out = tmp_path / f"export.{fmt}"
    code, _, err = cli("store", "export", _url(store), "--format", fmt, "--out", out)
    assert code == 0, err
    current = store.read_current()
    app_export = export.to_csv(current) if fmt == "csv" else export.to_geojson(current)
    back = open_events(out, GEODATA)
    assert back.rejected_rows == 0 and back.accepted == len(current)
    if fmt == "csv":
        # Rows in the store's order (claim by claim), the app's in date order: the same rows and columns.
        mine = pd.read_csv(out, dtype=str, keep_default_na=False)
        (tmp_path / "app.csv").write_bytes(app_export)
        theirs = pd.read_csv(tmp_path / "app.csv", dtype=str, keep_default_na=False)
        assert list(mine.columns) == list(theirs.columns)
        key = list(mine.columns)
        assert mine.sort_values(key).reset_index(drop=True).equals(theirs.sort_values(key).reset_index(drop=True))
    else:
        features = json.loads(out.read_text())["features"]
        theirs = json.loads(app_export)["features"]
        assert sorted(map(json.dumps, features)) == sorted(map(json.dumps, theirs))


def test_an_export_in_small_chunks_is_the_same(store, imported):
    import io

    from dashboard.store.exporter import export as store_export

    imported(EVENTS)
    whole, parts = io.BytesIO(), io.BytesIO()
    assert store_export(store, "csv", whole) == store_export(store, "csv", parts, rows=7)
    assert whole.getvalue() == parts.getvalue()
    whole, parts = io.BytesIO(), io.BytesIO()
    store_export(store, "geojson", whole)
    store_export(store, "geojson", parts, rows=7)
    assert json.loads(whole.getvalue()) == json.loads(parts.getvalue())


def test_status_says_claims_sources_last_import_and_last_revision(store, imported, cli):
    report = imported(FIXTURES / "broken.csv")
    with store.engine.begin() as connection:
        connection.execute(claims.update().where(claims.c.event_id == "t-01").values(withdrawn=True))
    code, out, _ = cli("store", "status", _url(store), "--json")
    facts = json.loads(out)
    assert code == 0
    assert facts["claims"] == report["accepted"]
    assert facts["claims_withdrawn"] == 1 and facts["claims_published"] == report["accepted"] - 1
    assert facts["sources"] == 0
    assert facts["last_import_file"].endswith("broken.csv")
    assert (facts["last_import_rows_read"], facts["last_import_accepted"], facts["last_import_rejected"]) == (
        report["rows"],
        report["accepted"],
        report["rejected"],
    )
    assert facts["last_import_missing"] == 0 and facts["last_revision"] == report["accepted"]
    assert "***" in facts["store"] or store.dialect == "sqlite"
    code, text, _ = cli("store", "status", _url(store))
    assert "claims_withdrawn: 1\n" in text and f"last_revision: {report['accepted']}\n" in text
    assert "dashboard:dashboard@" not in text


def _conninfo(store) -> str:
    """The store's database as GDAL's PostgreSQL driver is given it, with the test's schema first."""
    url = store.engine.url
    options = url.query.get("options", "")
    schema = re.search(r"search_path=([^,]+)", options).group(1)
    info = f"host={url.host} port={url.port} dbname={url.database} user={url.username} password={url.password}"
    return f"PG:{info} schemas={schema}"


def test_gdal_opens_claims_current_as_a_point_layer(store, imported, cli, tmp_path):
    assert shutil.which("ogrinfo"), "GDAL's ogrinfo is missing: `make postgres` installs Debian's gdal-bin"
    imported(EVENTS)
    with store.engine.begin() as connection:
        connection.execute(claims.update().where(claims.c.event_id == "syr24-001").values(withdrawn=True))
    shown = len(store.read_current())
    if store.dialect == "sqlite":
        # SQLite has no geometry type: GDAL (and QGIS) read the view's lat and lon through the VRT that
        # `store export --format vrt` writes.
        vrt = tmp_path / "claims_current.vrt"
        code, _, err = cli("store", "export", _url(store), "--format", "vrt", "--out", vrt)
        assert code == 0, err
        source = str(vrt)
    else:
        source = _conninfo(store)
    done = subprocess.run(["ogrinfo", "-ro", "-so", source, "claims_current"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "Geometry: Point" in done.stdout
    assert f"Feature Count: {shown}\n" in done.stdout
    assert "WGS 84" in done.stdout
