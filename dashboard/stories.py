"""Stories: the claims about one happening, grouped across sources, with a status.

Grouping. Claims are taken in date order, then file line. A claim joins the
first open story that

- started no more than ``STORY_DAYS`` days before it (the story's first claim),
- whose first claim is no more than ``STORY_KM`` km away,
- whose first claim is of the same family: *control* (any claim that names a
  controller, and every capture or uprising), else by event type (``FAMILY``);
- and that, for control, names the same place (a place changing hands is one
  happening; the next village is another), and for the families where one place
  and day hold many unrelated happenings (withdrawals, evacuations, statements,
  other), names the same actor;

otherwise it starts a new story. The result depends only on the rows and their
order in the file, and every claim carries the reason it joined its story.

Status, over all the claims of a story (as known to the whole file):

- **contested**: the sources contradict each other: a claim is marked disputed,
  or one claims and another denies, or two different controllers are claimed;
- **corroborated**: two or more independent sources. Sources are independent
  when their affiliations differ (the ``affiliation`` column, else the source
  itself); claims with no named source (``unattributed``) corroborate nothing;
- **single-source**: everything else.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .model import NOT_CONTROL

STORY_KM = 15.0
STORY_DAYS = 1
FAMILY = {
    "clash": "fighting",
    "shelling": "fighting",
    "capture": "control",
    "uprising": "control",
    "withdrawal": "withdrawal",
    "airstrike": "air",
    "evacuation": "evacuation",
    "statement": "statement",
    "other": "other",
}
SAME_ACTOR_FAMILIES = ("withdrawal", "evacuation", "statement", "other")
STATUSES = {
    "corroborated": "two or more independent sources, none contradicting",
    "single-source": "one source, or sources of one affiliation",
    "contested": "sources contradict each other: a claim and a denial, or two controllers",
}
_CELL_DEG = STORY_KM / 111.0  # a grid cell at least STORY_KM tall, so a match is in the 3x3 block around a claim


def affiliation_of(events: pd.DataFrame) -> pd.Series:
    """Who stands behind each claim: the ``affiliation`` column when given, else the source."""
    own = events["affiliation"] if "affiliation" in events.columns else pd.Series("", index=events.index)
    own = own.fillna("").astype(str).str.strip()
    return own.mask(own.eq(""), events["source"].astype(str)).str.casefold()


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


def group(events: pd.DataFrame) -> pd.DataFrame:
    """``story_id`` (the event_id of the story's first claim) and ``story_reason`` for each claim.

    ``events`` must be sorted by date then line (``filters.sort_by_date``).
    """
    family = events["event_type"].map(FAMILY).fillna("other").mask(events["controller"].ne(""), "control")
    family = family.to_numpy()
    actor = events["actor"].astype(str).str.casefold().to_numpy()
    where = events["place"].astype(str)
    if "gazetteer_place" in events.columns:
        where = events["gazetteer_place"].astype(str).mask(events["gazetteer_place"].eq(""), where)
    where = where.str.casefold().to_numpy()
    lat, lon = events["lat"].to_numpy(float), events["lon"].to_numpy(float)
    day = events["date"].to_numpy("datetime64[D]").astype("int64")
    ids = events["event_id"].astype(str).to_numpy()
    cell_y, cell_x = np.floor(lat / _CELL_DEG).astype("int64"), np.floor(lon / _CELL_DEG).astype("int64")

    open_stories: dict[tuple, list[int]] = {}  # (family, actor key, cell) -> first claims of open stories
    story = np.empty(len(events), dtype=object)
    reason = np.empty(len(events), dtype=object)
    for i in range(len(events)):
        key = (family[i], actor[i] if family[i] in SAME_ACTOR_FAMILIES else where[i] if family[i] == "control" else "")
        joined = None
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                for first in open_stories.get((*key, cell_y[i] + dy, cell_x[i] + dx), ()):
                    if day[i] - day[first] > STORY_DAYS:
                        continue
                    km = _km(lat[i], lon[i], lat[first], lon[first])
                    if km <= STORY_KM and (joined is None or first < joined[0]):
                        joined = (first, km)
        if joined is None:
            open_stories.setdefault((*key, cell_y[i], cell_x[i]), []).append(i)
            story[i], reason[i] = ids[i], "first claim of its story"
        else:
            first, km = joined
            story[i] = ids[first]
            reason[i] = (
                f"joined {ids[first]}: {km:.0f} km and {day[i] - day[first]} day(s) from its first claim, "
                f"same kind of event ({family[i]})"
                + (", same actor" if family[i] in SAME_ACTOR_FAMILIES else "")
                + (", same place" if family[i] == "control" else "")
            )
        if i % 4096 == 0:  # forget stories that can take no more claims
            for k in list(open_stories):
                open_stories[k] = [f for f in open_stories[k] if day[i] - day[f] <= STORY_DAYS]
                if not open_stories[k]:
                    del open_stories[k]
    return pd.DataFrame({"story_id": story, "story_reason": reason}, index=events.index)


def status(events: pd.DataFrame, story_id: pd.Series) -> pd.Series:
    """The status of each claim's story: corroborated, single-source or contested."""
    frame = pd.DataFrame(
        {
            "story": story_id.to_numpy(),
            "against": events["claim_status"].isin(NOT_CONTROL).to_numpy(),
            "disputed": events["claim_status"].eq("disputed").to_numpy(),
            "controller": events["controller"].astype(str).to_numpy(),
            "named": events["source_type"].ne("unattributed").to_numpy(),
            "affiliation": affiliation_of(events).to_numpy(),
        }
    )
    by_story = frame.groupby("story", sort=False)
    denied = by_story["disputed"].any() | (by_story["against"].any() & ~by_story["against"].all())
    standing = frame.loc[~frame["against"] & frame["controller"].ne("")]
    controllers = standing.groupby("story")["controller"].nunique().reindex(denied.index, fill_value=0)
    independent = frame.loc[frame["named"]].groupby("story")["affiliation"].nunique()
    independent = independent.reindex(denied.index, fill_value=0)
    verdict = pd.Series("single-source", index=denied.index)
    verdict[independent >= 2] = "corroborated"
    verdict[denied | (controllers >= 2)] = "contested"
    return pd.Series(verdict.reindex(frame["story"]).to_numpy(), index=events.index, name="story_status")


def add_stories(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with story_id, story_status, story_size and story_reason."""
    if events.empty:
        return events.assign(story_id="", story_status="", story_size=0, story_reason="")
    grouped = group(events)
    out = events.assign(story_id=grouped["story_id"].astype(str), story_reason=grouped["story_reason"].astype(str))
    out["story_status"] = status(out, out["story_id"])
    out["story_size"] = out.groupby("story_id")["story_id"].transform("size")
    return out


def source_profiles(events: pd.DataFrame) -> pd.DataFrame:
    """Per source: claims, event types and places covered, and how its stories stand."""
    if events.empty:
        return pd.DataFrame(columns=["source", "claims", "types", "places", "corroborated", "contested", "alone"])
    grouped = events.groupby("source", sort=True)
    profile = pd.DataFrame(
        {
            "claims": grouped.size(),
            "types": grouped["event_type"].agg(lambda s: ", ".join(s.value_counts().index)),
            "places": grouped["place"].nunique(),
            "corroborated": grouped["story_status"].agg(lambda s: int(s.eq("corroborated").sum())),
            "contested": grouped["story_status"].agg(lambda s: int(s.eq("contested").sum())),
            "alone": grouped["story_size"].agg(lambda s: int(s.eq(1).sum())),
        }
    )
    return profile.sort_values("claims", ascending=False).reset_index()


def compare(events: pd.DataFrame, first: str, second: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims of ``first`` in stories where ``second`` says nothing, and the reverse."""
    by_source = events.groupby("story_id")["source"].agg(set)
    has = events["story_id"].map(by_source)
    only_first = events.loc[events["source"].eq(first) & ~has.map(lambda s: second in s)]
    only_second = events.loc[events["source"].eq(second) & ~has.map(lambda s: first in s)]
    return only_first, only_second
