"""``store export``: the current claims (``claims_current``) as the app's CSV or GeoJSON, streamed.

The claims are read and written a chunk at a time (the store_chunk_rows setting), each chunk through
export.py's own writers, so the columns, the spreadsheet guard and the GeoJSON properties are those of
the app's downloads, and an export imports back as the same claims.
"""

from __future__ import annotations

from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

import sqlalchemy as sa

from .. import export as app_export
from ..settings import resolve
from . import Store, StoreError
from .reader import _frame, extra_columns
from .schema import claims_current


def _chunks(store: Store, rows: int):
    view = claims_current
    with store.engine.connect() as connection:
        extras = extra_columns(connection)
        query = sa.select(view.c[*view.c.keys()]).order_by(view.c.claim_id)
        result = connection.execution_options(stream_results=True, yield_per=rows).execute(query)
        for part in result.partitions(rows):
            yield _frame(part, extras)


def vrt(store: Store) -> bytes:
    """A GDAL virtual layer over a SQLite store's ``claims_current``, its points made from lat and lon.

    SQLite has no geometry type, so GDAL and QGIS see the view as a table; this file (opened in QGIS
    with Layer > Add Layer > Add Vector Layer) makes it a point layer in WGS 84, read live from the store.
    """
    if store.dialect != "sqlite":
        raise StoreError(f"{store.url}: a VRT is for a SQLite store; QGIS opens PostgreSQL's claims_current itself")
    path = escape(str(Path(store.engine.url.database).resolve()))
    return f"""<OGRVRTDataSource>
  <OGRVRTLayer name="claims_current">
    <SrcDataSource readOnly="1">{path}</SrcDataSource>
    <SrcLayer>claims_current</SrcLayer>
    <FID>claim_id</FID>
    <GeometryType>wkbPoint</GeometryType>
    <LayerSRS>EPSG:4326</LayerSRS>
    <GeometryField encoding="PointFromColumns" x="lon" y="lat"/>
  </OGRVRTLayer>
</OGRVRTDataSource>
""".encode()


def export(store: Store, fmt: str, out: BinaryIO, rows: int | None = None) -> int:
    """Write the current claims to ``out`` as ``fmt`` ("csv", "geojson" or "vrt"); how many were written."""
    if fmt == "vrt":
        out.write(vrt(store))
        return 0
    rows = rows or int(resolve()["store_chunk_rows"])
    written = 0
    if fmt == "geojson":
        out.write(b'{"type":"FeatureCollection","features":[')
    for frame in _chunks(store, rows):
        if fmt == "csv":
            out.write(app_export.guarded_csv(app_export.as_text(frame), header=not written).encode("utf-8"))
        else:
            out.write((b"," if written else b"") + app_export.geojson_features(frame))
        written += len(frame)
    if fmt == "geojson":
        out.write(b"]}")
    elif not written:
        out.write(app_export.guarded_csv(app_export.as_text(_frame([], []))).encode("utf-8"))
    return written
