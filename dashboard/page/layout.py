"""The page's look: a compact header so the map is the first thing seen, a visible focus ring, a skip link.

One style sheet for the whole page (Streamlit's own spacing is made for documents, not for a map with a
header), and a skip link put first in the page's Tab order, before the sidebar's filters, that moves the
keyboard to the day slider. Both are the app's own text: nothing from a file goes here.
"""

from __future__ import annotations

import streamlit as st

FOCUS = "#1a5fb4"
PAGE_CSS = f"""
<style>
[data-testid="stHeader"] {{ height: 2.25rem; min-height: 2.25rem; }}
[data-testid="stMainBlockContainer"] {{ padding: 2.4rem 1.5rem 3rem; }}
@media (max-width: 640px) {{ [data-testid="stMainBlockContainer"] {{ padding-top: 3.2rem; }} }}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {{ gap: 0.45rem; }}
[data-testid="stMainBlockContainer"] h1 {{ font-size: 1.4rem; padding: 0; line-height: 1.25; }}
/* Streamlit pulls the text under a heading up by 1rem: a title on two lines (a phone) then covers it. */
[data-testid="stHeading"] [data-testid="stMarkdownContainer"] {{ margin-bottom: 0; }}
[data-testid="stMetric"] {{ padding: 0; }}
[data-testid="stMetricValue"] {{ font-size: 1.3rem; line-height: 1.3; }}
[data-testid="stMetricLabel"] p {{ font-size: 0.85rem; }}
.day-summary p {{ margin: 0; }}
:focus-visible {{ outline: 3px solid {FOCUS} !important; outline-offset: 2px; }}
[data-testid="stSlider"] [role="slider"]:focus-visible,
[data-testid="stSlider"] div:has(> input:focus-visible) {{
  outline: 3px solid {FOCUS} !important; outline-offset: 3px; }}
button:focus-visible, [role="switch"]:focus-visible + div, input:focus-visible {{
  outline: 3px solid {FOCUS} !important; outline-offset: 2px; box-shadow: none; }}
.skip-link {{ position: fixed; left: 8px; top: -60px; z-index: 1000001; background: #fff; color: {FOCUS};
  padding: 8px 12px; border: 3px solid {FOCUS}; border-radius: 4px; font-weight: 600; text-decoration: none; }}
.skip-link:focus {{ top: 8px; }}
</style>
"""
# Put first in the document (before the sidebar), once; Enter moves the focus to the day slider.
SKIP_LINK = """
<script>
(function () {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.querySelector(".skip-link")) return;
  const link = doc.createElement("a");
  link.href = "#day-slider";
  link.className = "skip-link";
  link.textContent = "Skip to the day slider";
  link.addEventListener("click", function (event) {
    const slider = doc.querySelector('[data-testid="stSlider"] input[type="range"]');
    if (slider) { event.preventDefault(); slider.focus(); slider.scrollIntoView({block: "center"}); }
  });
  doc.body.insertBefore(link, doc.body.firstChild);
})();
</script>
"""


def style() -> None:
    """The page's style sheet and its skip link; drawn first, take no room."""
    st.html(PAGE_CSS)
    st.html(SKIP_LINK, unsafe_allow_javascript=True)
