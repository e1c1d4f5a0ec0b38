"""The map's colours and marks, in one place: the screen's map, its legend and the exported pictures read them.

Two kinds of thing are coloured, and each has its own mark so that colour is never the only cue:

- **event types** are round markers with a dark outline (``EVENT_MARK``);
- **controllers** fill the zones and colour each place's square dot, which has a white outline
  (``PLACE_MARK``).

The colours were chosen so that every pair within a kind stays apart in CIE Lab (CIE76 distance of 30
or more), also as seen with protanopia, deuteranopia and tritanopia (Machado et al. 2009, severity 1:
12 or more), and every event colour stays apart from every controller colour for normal vision (20 or
more). ``tests/test_palette.py`` computes all of this; change a colour only with that test passing.
Data only: no import beyond the standard library, so any drawing code can use it.
"""

from __future__ import annotations

# Event type -> fill of its round marker.
EVENT_COLOURS: dict[str, str] = {
    "clash": "#e41a1c",
    "capture": "#6a3d9a",
    "withdrawal": "#5c1a33",
    "airstrike": "#f79f00",
    "shelling": "#d3ff74",
    "uprising": "#fc91f8",
    "evacuation": "#92f6ff",
    "statement": "#053b63",
    "other": "#7f7f7f",
}
# Controller -> fill of its zones and of its places' square dots.
CONTROLLER_COLOURS: dict[str, str] = {
    "government": "#8c3b0c",
    "opposition": "#1b7837",
    "SNA": "#8fbf3f",
    "SDF": "#fbe36a",
    "southern factions": "#39e0b0",
    "Druze factions": "#1f81de",
    "Russia": "#b16b9c",
    "US-backed opposition": "#00534f",
    "contested": "#000000",
}
# A controller outside the vocabulary, and a place the selected sources say nothing about.
OTHER_CONTROLLER_COLOUR = "#999999"
NO_CLAIM_COLOUR = "#b0b0b0"
# An event type outside the vocabulary (the loader maps none there, a cell may still carry one).
OTHER_EVENT_COLOUR = EVENT_COLOURS["other"]

# How each kind is marked besides its colour: shape and outline colour.
EVENT_MARK = {"shape": "circle", "outline": "#222222"}
PLACE_MARK = {"shape": "square", "outline": "#ffffff"}

# Story markers: status -> (outline colour, outline weight, dash pattern). Their fill is the event type's.
STORY_OUTLINES: dict[str, tuple[str, float, str | None]] = {
    "corroborated": ("#1a7f37", 4, None),
    "single-source": ("#555555", 1.5, None),
    "contested": ("#d00000", 4, "5 4"),
}
# The ring drawn around the event picked in the table or with the keyboard.
SELECTED_RING = "#000000"
