"""The page, one module per part a user sees, in the order they appear on screen.

- ``data``: the data source (the events file or an upload), the title and the rejected rows.
- ``day_view``: the day view, a fragment a slider step reruns alone; it calls, in order:
  ``day`` (slider, previous/next, play, mode and the key numbers), ``map_panel`` (the map),
  ``timeline``, ``table`` (the events table), ``downloads``, ``places`` (what changed hands between two
  days, a place's history) and ``sources``.
- ``sidebar``: the filters.

Shared by the sections: ``caches`` (every cache the page keeps, with its key, size and reason),
``state`` (every session-state key, and the callbacks, which only set state), ``context`` (what an
opened file gives every section) and ``text`` (markdown escaping and small formatting helpers).
Importing any of these draws nothing; ``dashboard/app.py`` calls them.
"""
