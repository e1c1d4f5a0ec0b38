"""The map: folium objects from prepared data. No Streamlit here.

The map is built in two parts, because streamlit-folium remounts its frame whenever the base
map's script changes:

- ``basemap``: what never changes while the app runs (borders, city labels, legend, attribution,
  Leaflet served by the app). Its script is the same on every rerun.
- ``layers``: feature groups for the day, sent apart from the base map, so a slider step swaps
  layers and keeps the user's zoom.

The other modules: ``assets`` (Leaflet copied from its package and served locally), ``escape``
(HTML text and JSON placed inside a script), ``elements`` (the app's own Leaflet elements, one
class each), ``features`` (events, stories and control as GeoJSON with escaped popups).

Every text that comes from a file is HTML-escaped before it becomes a GeoJSON property: Leaflet
sets tooltip and popup texts with innerHTML. And no text from a file ever passes through Jinja:
branca compiles whatever a folium element renders as a new template, so the elements that carry
file text put their script into the page as it is.
"""
