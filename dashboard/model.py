"""The event model: columns, vocabularies and colours. Data, not logic.

One row of the events file is one claim by one source. Two sources reporting the
same thing are two rows.

Two small rules every stage shares live here too: how a rejected value is shown
(``preview``) and the spreadsheet guard an exported cell may carry (``GUARDED``).
So do the facts the map and the page share: the fields and how each is shown
(``FIELDS``), the columns the app derives (``DERIVED``), the baseline's date and
the country the map is about.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .map.palette import CONTROLLER_COLOURS, EVENT_COLOURS, OTHER_CONTROLLER_COLOUR  # noqa: F401 (re-exported)

# Column -> what it holds. The order is the order of the native CSV.
COLUMNS: dict[str, str] = {
    "event_id": "Unique, stable identifier of the claim.",
    "date": "Day the event happened, by the claim (ISO 8601, YYYY-MM-DD).",
    "place": "Where: a gazetteer name or alias, or any name when lat/lon are given.",
    "lat": "Latitude, WGS84. May be empty when the place is in the gazetteer.",
    "lon": "Longitude, WGS84. May be empty when the place is in the gazetteer.",
    "event_type": "What happened: one of the event types below.",
    "actor": "Who acted.",
    "target": "Against whom.",
    "controller": "Who holds the place after this event, for events that change control.",
    "source": "Who makes the claim.",
    "source_type": "What kind of source: one of the source types below.",
    "claim_status": "How the claim stands: one of the claim statuses below.",
    "reported_on": "Day the claim was published (ISO 8601); empty when not known.",
    "description": "Plain text: who claims what.",
    "url": "Where the claim can be read: http(s) only; empty when none is known.",
    "via": "How the claim reached the dataset (for example: seed article, public record).",
    "date_end": "Last day of an event that spans several days (ISO 8601); empty for a one-day event.",
    "location_precision": "How exactly the place is known: 1 the town itself, 2 near it, 3 or more only the "
    "region (ACLED geo_precision, UCDP where_prec). Empty means exact.",
    "time_precision": "How exactly the date is known: 1 the day, 2 the week, 3 or more the month or wider "
    "(ACLED time_precision, UCDP date_prec). Empty means the day.",
    "affiliation": "Who stands behind the source (a state, a party); empty means the source stands alone. "
    "Claims of one affiliation do not corroborate each other.",
}
REQUIRED = ("date", "place", "source")
# The text whose values repeat (dozens of sources, places and actors over millions of claims), held as
# categories once loaded (``columns.categorized``): a code of a byte or two a row where a string costs its
# length and four bytes more. At 2.5 million claims these columns were 530 MB of a store's 770 MB frame.
CATEGORICAL = (
    "place", "event_type", "actor", "target", "controller", "source", "source_type", "affiliation", "claim_status",
    "location_precision", "time_precision", "gazetteer_place", "located",
)  # fmt: skip

EVENT_TYPES: dict[str, tuple[str, str]] = {
    # name: (colour, meaning); the colours are dashboard/map/palette.py's
    name: (EVENT_COLOURS[name], meaning)
    for name, meaning in {
        "clash": "armed clashes, fighting",
        "capture": "a side takes a place",
        "withdrawal": "a side leaves a place",
        "airstrike": "strikes from the air",
        "shelling": "artillery, rockets, drones from the ground",
        "uprising": "local revolt or takeover",
        "evacuation": "people or forces evacuated",
        "statement": "a declaration, promise or admission",
        "other": "anything else, or not given",
    }.items()
}
SOURCE_TYPES: dict[str, str] = {
    "state media": "media owned or run by a state",
    "intelligence service": "a state's intelligence agency",
    "government": "a government, ministry or army command",
    "armed group": "a party to the fighting speaking for itself",
    "independent media": "news outlets not run by a party",
    "monitor": "a monitoring group such as SOHR",
    "unattributed": "no named source",
    "other": "anything else",
}
CLAIM_STATUSES: dict[str, str] = {
    "reported": "an outlet reports it from its own reporting",
    "claimed": "a party to the conflict, or an outlet citing an unnamed source, asserts it",
    "confirmed": "corroborated by several independent sources, or admitted by the side that lost",
    "disputed": "contradicted by another source",
    "denied": "the source denies it",
}
# From this location_precision on, an event is known only to a region and is drawn as such.
REGION_PRECISION = 3

# Claims with these statuses never move the control layer.
NOT_CONTROL = ("disputed", "denied")
# When two claims move the same place on the same day, the stronger one wins.
STATUS_RANK = {"confirmed": 3, "reported": 2, "claimed": 1, "": 0}

CONTROLLERS: dict[str, tuple[str, str]] = {
    # name: (colour, who); the colours are dashboard/map/palette.py's
    name: (CONTROLLER_COLOURS[name], who)
    for name, who in {
        "government": "the Assad government and its allies",
        "opposition": "HTS-led Military Operations Command and allied factions",
        "SNA": "Turkish-backed Syrian National Army",
        "SDF": "Syrian Democratic Forces",
        "southern factions": "Daraa factions, Southern Operations Room",
        "Druze factions": "Sweida local factions",
        "Russia": "Russian bases",
        "US-backed opposition": "al-Tanf garrison, Syrian Free Army",
        "contested": "sources claim different controllers for the place on the same day",
    }.items()
}
CONTESTED = "contested"
NOT_GIVEN = "(not given)"

# A rejected value is shown up to this many characters: a 1 MB bad cell must not travel whole to the
# page, the JSON report or the rejected-rows CSV, and its start is enough to find it in the file.
VALUE_PREVIEW = 200
# A leading apostrophe before = + - @ tab or CR: the spreadsheet guard of dashboard/export.py,
# which the loader removes again so that an export reads back as it was.
GUARDED = r"^'(?=[=+\-@\t\r])"


def preview(value: str) -> str:
    """``value`` as a rejection report shows it: whole when short, else its start and its length."""
    if len(value) <= VALUE_PREVIEW:
        return value
    return f"{value[:VALUE_PREVIEW]}… ({len(value):,} characters)"


# The country the bundled geodata is about: drawn as home on the basemap.
COUNTRY = "Syria"
# The day the control baseline (geodata/control_baseline.csv) describes.
BASELINE_DAY = dt.date(2024, 11, 26)
BASELINE_TEXT = f"{BASELINE_DAY:%-d %b %Y}"
# The map's own zoom limits: a zoom from a link or from the browser is kept within them.
MIN_ZOOM, MAX_ZOOM = 4, 16

# Columns the app adds while loading; every other column not in the contract is the file's own and shown as is.
DERIVED = (
    "line",
    "gazetteer_place",
    "located",
    "geometry",
    "story_id",
    "story_status",
    "story_agreed",
    "story_size",
    "story_km",
    "story_days",
    "from_registry",
)
PRECISION_WORDS = {"1": "exact", "2": "near", "3": "region"}


@dataclass(frozen=True)
class Field:
    """How one column is shown: its label, and where it appears."""

    label: str
    table: bool = True  # a column of the events table
    popup: bool = True  # a line of an event's popup
    text: bool = False  # file text, escaped as such in popups and tooltips


# The one registry of the columns the page shows, in the order the table and the popups list them.
FIELDS: dict[str, Field] = {
    "date": Field("Date"),
    "place": Field("Place", text=True),
    "event_type": Field("Type", text=True),
    "actor": Field("Actor", text=True),
    "target": Field("Target", text=True),
    "controller": Field("Control after", text=True),
    "source": Field("Source", text=True),
    "source_type": Field("Source type", text=True),
    "claim_status": Field("Claim status", text=True),
    "reported_on": Field("Reported on"),
    "description": Field("Description", text=True),
    "url": Field("Link"),
    "precision": Field("Precision", table=False),
    "story_status": Field("Story"),
    "story_agreed": Field("What the story's sources agree on", text=True),
    "event_id": Field("Event id", text=True),
    "story_id": Field("Story id", popup=False),
    "other": Field("Other columns", table=False),
}
# What the sources view lists of each claim when it compares two sources.
COMPARED = ("date", "place", "event_type", "claim_status", "description")


def labels(names: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Column -> label for ``names``, from ``FIELDS``."""
    return {name: FIELDS[name].label for name in names}
