"""Leaflet served by the app itself (``server.enableStaticServing``), so the map draws with no CDN."""

from __future__ import annotations

import shutil
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
VENDOR = STATIC / "vendor"
# Streamlit serves dashboard/static/ at /app/static/.
SERVED = "/app/static/vendor"
# Only Leaflet: every layer is written by the app's own elements, none of which needs jQuery, so the map
# frame loads one script before it draws rather than two in turn.
LOCAL_JS = [("leaflet", f"{SERVED}/leaflet.js")]
LOCAL_CSS = [("leaflet_css", f"{SERVED}/leaflet.css")]


def install_assets() -> Path:
    """Copy Leaflet from its PyPI package (XStatic-Leaflet) into dashboard/static/vendor."""
    from xstatic.pkg import leaflet

    VENDOR.mkdir(parents=True, exist_ok=True)
    wanted = {
        Path(leaflet.BASE_DIR) / "leaflet.js": VENDOR / "leaflet.js",
        Path(leaflet.BASE_DIR) / "leaflet.css": VENDOR / "leaflet.css",
    }
    for source, target in wanted.items():
        if not target.exists() or target.stat().st_size != source.stat().st_size:
            shutil.copyfile(source, target)
    shutil.copytree(Path(leaflet.BASE_DIR) / "images", VENDOR / "images", dirs_exist_ok=True)
    return VENDOR


def vendor_file(url: str) -> str:
    """The text of a served asset, for a page that must open with no server (the HTML download)."""
    return (VENDOR / url.removeprefix(SERVED + "/")).read_text(encoding="utf-8")
