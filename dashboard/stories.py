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

What is agreed (``agreed``): a story's claims agree on one assertion when they are of one family *and*
say compatible things: every fighting claim of a story reports fighting around its place; control
claims agree when they name the same controller. A claim that the attack was repelled contests a
capture when it names who holds the place (its ``controller``), as any control claim does; a denial
or a disputed claim contests the story. Each story says what its sources agree on and how many
independent sources stand behind it, e.g. "capture of Hama by opposition: 4 sources of 3 affiliations".
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .columns import factorized, text
from .model import NOT_CONTROL
from .names import normalise

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
STATUS_DTYPE = pd.CategoricalDtype(pd.Index(sorted(STATUSES), dtype="str"))
_CELL_DEG = STORY_KM / 111.0  # a grid cell at least STORY_KM tall, so a match is in the 3x3 block around a claim
_ROW_SPAN = 100_003  # more cells than a row of the grid can hold, so a cell's number is unique


def affiliation_of(events: pd.DataFrame) -> pd.Series:
    """Who stands behind each claim: the ``affiliation`` column when given, else the source.

    Compared as ``names.normalise`` gives them (validate has already done so for a loaded file): a
    zero-width space or fullwidth letters must not make one source look like two independent ones.
    """
    own = events["affiliation"] if "affiliation" in events.columns else pd.Series("", index=events.index)
    own = normalise(text(own))
    return own.mask(own.eq(""), normalise(text(events["source"]))).str.casefold()


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


def group(events: pd.DataFrame) -> pd.DataFrame:
    """``story_id`` (the event_id of the story's first claim) for each claim; ``reasons`` words why it joined.

    ``events`` must be sorted by date then line (``filters.sort_by_date``).
    """
    family = family_of(events)
    actor = text(events["actor"]).str.casefold()
    where = text(events["place"])
    if "gazetteer_place" in events.columns:
        where = text(events["gazetteer_place"]).mask(events["gazetteer_place"].eq(""), where)
    match = family.where(~family.isin(SAME_ACTOR_FAMILIES), family + "\x1f" + actor)
    match = match.where(family.ne("control"), family + "\x1f" + where.str.casefold())
    lat_a, lon_a = events["lat"].to_numpy(float), events["lon"].to_numpy(float)
    # One integer per (kind of match, grid cell): candidates are in the 3 x 3 cells around a claim.
    rows = _ROW_SPAN
    # Cells are STORY_KM wide on the ground at the data's highest latitude, so no match is two cells away.
    widest = min(float(np.nanmax(np.abs(lat_a), initial=0.0)), 80.0)
    lon_deg = _CELL_DEG / math.cos(math.radians(widest))
    cell = np.floor(lat_a / _CELL_DEG).astype("int64") * rows + np.floor(lon_a / lon_deg).astype("int64")
    key = pd.factorize(match)[0].astype("int64") * (rows * rows * 4) + cell
    neighbours = [dy * rows + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
    # Python lists: the loop reads one element at a time, which numpy arrays make slow.
    day = events["date"].to_numpy("datetime64[D]").astype("int64").tolist()
    keys, lat, lon = key.tolist(), lat_a.tolist(), lon_a.tolist()

    open_stories: dict[int, list[int]] = {}  # match and cell -> first claims of stories still open
    first_of = list(range(len(events)))
    distance = [0.0] * len(events)
    for i in range(len(events)):
        joined, best = -1, 0.0
        for offset in neighbours:
            for first in open_stories.get(keys[i] + offset, ()):
                if day[i] - day[first] <= STORY_DAYS and (joined < 0 or first < joined):
                    km = _km(lat[i], lon[i], lat[first], lon[first])
                    if km <= STORY_KM:
                        joined, best = first, km
        if joined < 0:
            open_stories.setdefault(keys[i], []).append(i)
        else:
            first_of[i], distance[i] = joined, best
        if i % 4096 == 4095:  # forget stories that can take no more claims
            for k in list(open_stories):
                still = [f for f in open_stories[k] if day[i] - day[f] <= STORY_DAYS]
                if still:
                    open_stories[k] = still
                else:
                    del open_stories[k]

    first_of_a = np.asarray(first_of, dtype="int64")
    ids = events["event_id"].astype(str).to_numpy()
    days_apart = np.asarray(day, dtype="int64") - np.asarray(day, dtype="int64")[first_of_a]
    return pd.DataFrame(
        {
            "story_id": ids[first_of_a],
            # Kept as numbers; ``reasons`` words them for the claims on screen.
            "story_km": np.asarray(distance, dtype="float32"),
            "story_days": days_apart.astype("int16"),
        },
        index=events.index,
    )


def family_of(events: pd.DataFrame) -> pd.Series:
    """Each claim's family for grouping: control when it names a controller, else by event type."""
    return text(events["event_type"]).map(FAMILY).fillna("other").mask(events["controller"].ne(""), "control")


def reasons(events: pd.DataFrame) -> pd.Series:
    """Why each claim is in its story, in words: the first claim, or how near it is to that first claim."""
    family = family_of(events).astype(str)
    also = np.where(
        family.isin(SAME_ACTOR_FAMILIES), ", same actor", np.where(family.eq("control"), ", same place", "")
    )
    joined = (
        "joined "
        + events["story_id"].astype(str)
        + ": "
        + events["story_km"].round().astype(int).astype(str)
        + " km and "
        + events["story_days"].astype(str)
        + " day(s) from its first claim, same kind of event ("
        + family
        + ")"
        + also
    )
    return joined.where(events["story_id"].astype(str).ne(events["event_id"].astype(str)), "first claim of its story")


def status(events: pd.DataFrame, story_id: pd.Series) -> pd.Series:
    """The status of each claim's story: corroborated, single-source or contested."""
    frame = pd.DataFrame(
        {
            "story": story_id.to_numpy(),
            "against": events["claim_status"].isin(NOT_CONTROL).to_numpy(),
            "disputed": events["claim_status"].eq("disputed").to_numpy(),
            "controller": text(events["controller"]).to_numpy(),
            "named": events["source_type"].ne("unattributed").to_numpy(),
            "affiliation": _affiliation_keys(events),
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


# The assertion a story's claims agree on, by family: (words before the place, words after it), with the
# first claim's actor or event type put in by ``_assertions``.
ASSERTION = {
    "fighting": ("fighting around ", ""),
    "air": ("air strikes around ", ""),
    "withdrawal": ("withdrawal of {actor} around ", ""),
    "evacuation": ("evacuation around ", ""),
    "statement": ("statement by {actor} about ", ""),
    "other": ("claims about ", ""),
}


def _sources_text(sources: pd.Series, affiliations: pd.Series) -> pd.Series:
    """ "4 sources of 3 affiliations", "1 source", or "no named source" for unattributed claims alone."""
    counted = sources.astype(int).astype(str) + np.where(sources.eq(1), " source", " sources")
    of = " of " + affiliations.astype(int).astype(str) + np.where(affiliations.eq(1), " affiliation", " affiliations")
    return (counted + of.where(sources.gt(1), "")).where(sources.gt(0), "no named source")


def _sides(frame: pd.DataFrame) -> pd.DataFrame:
    """Per story and side (the controller claimed; one side for the other families): its sources and
    affiliations among the named claims that stand (not denied or disputed), most sources first."""
    standing = frame.loc[~frame["against"]]
    named = standing.assign(
        source=standing["source"].where(standing["named"]), affiliation=standing["affiliation"].where(standing["named"])
    )
    sides = named.groupby(["story", "side"], sort=False).agg(
        sources=("source", "nunique"), affiliations=("affiliation", "nunique")
    )
    sides = sides.reset_index().sort_values(["story", "sources", "affiliations"], ascending=[True, False, False])
    return sides.assign(text=_sources_text(sides["sources"], sides["affiliations"]))


def _assertions(first: pd.DataFrame, top_side: pd.Series) -> pd.Series:
    """Per story, from its first claim: "capture of Hama by opposition", "fighting around Hama", ..."""
    what = pd.Series("", index=first.index, dtype=object)
    for family, (before, after) in ASSERTION.items():
        at = first["family"].eq(family)
        head = pd.Series(before, index=first.index[at])
        for name in ("actor", "event_type"):
            if "{" + name + "}" in before:
                parts = before.split("{" + name + "}")
                head = parts[0] + first.loc[at, name] + parts[1]
        what[at] = head + first.loc[at, "place"] + after
    control = first["family"].eq("control")
    verb = pd.Series(np.where(first["event_type"].eq("capture"), "capture of ", "control of "), index=first.index)
    side = (" by " + top_side.fillna("")).replace(" by ", "")
    what[control] = verb[control] + first.loc[control, "place"] + side[control]
    return what


def _keys(values: pd.Series) -> np.ndarray:
    """One integer per name as compared (``normalise``d, casefolded): the work is done once per distinct
    name, not once per claim."""
    codes, names = factorized(values)
    return pd.factorize(normalise(pd.Series(names, dtype=object)).str.casefold())[0][codes]


def _affiliation_keys(events: pd.DataFrame) -> np.ndarray:
    """``affiliation_of`` as integers: the affiliation when given, else the source."""
    own = events["affiliation"] if "affiliation" in events.columns else pd.Series("", index=events.index)
    own_code, own_names = factorized(own)
    source_code, source_names = factorized(events["source"])
    pairs, pair_keys = pd.factorize(own_code.astype("int64") * (len(source_names) + 1) + source_code)
    pair_own = pd.Series(np.asarray(own_names, dtype=object)[pair_keys // (len(source_names) + 1)])
    pair_source = pd.Series(np.asarray(source_names, dtype=object)[pair_keys % (len(source_names) + 1)])
    label = normalise(pair_own)
    label = label.mask(label.eq(""), normalise(pair_source)).str.casefold()
    return pd.factorize(label)[0][pairs]


def _claims_frame(events: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each claim as integers (story, side, source, affiliation) and flags; and each story's first claim
    with the words ``_assertions`` needs, taken for those claims only."""
    family = family_of(events)
    story, story_ids = pd.factorize(events["story_id"].astype(str))
    side = text(events["controller"]).where(family.eq("control"), "")
    frame = pd.DataFrame(
        {
            "story": story,
            "side": side.to_numpy(),
            "against": events["claim_status"].isin(NOT_CONTROL).to_numpy(),
            "named": events["source_type"].ne("unattributed").to_numpy(),
            "source": _keys(events["source"]),
            "affiliation": _affiliation_keys(events),
        }
    )
    at = np.unique(story, return_index=True)[1]
    firsts = events.iloc[at]
    place = text(firsts["place"])
    if "gazetteer_place" in firsts.columns:
        place = text(firsts["gazetteer_place"]).mask(firsts["gazetteer_place"].eq(""), place)
    first = pd.DataFrame(
        {
            "family": family.iloc[at].to_numpy(),
            "place": place.to_numpy(),
            "actor": text(firsts["actor"]).to_numpy(),
            "event_type": text(firsts["event_type"]).to_numpy(),
        },
        index=pd.RangeIndex(len(story_ids), name="story"),
    )
    return frame, first


def agreed(events: pd.DataFrame, story_status: pd.Series) -> pd.Series:
    """What each claim's story agrees on, in words, and who stands behind it ("capture of Hama by
    opposition: 4 sources of 3 affiliations"); for a contested story each side with its sources, and
    who denies or disputes it. Vectorized over stories: no loop over claims or stories."""
    frame, first = _claims_frame(events)
    sides = _sides(frame)
    top = sides.drop_duplicates("story").set_index("story").reindex(first.index)
    what = _assertions(first, top["side"])
    others = sides.loc[sides.duplicated("story")]
    against = (others["side"] + " (" + others["text"] + ")").groupby(others["story"]).agg(" and ".join)
    denying = (
        frame.loc[frame["against"]]
        .groupby("story")
        .agg(sources=("source", "nunique"), affiliations=("affiliation", "nunique"))
    )
    denied = ("denied or disputed by " + _sources_text(denying["sources"], denying["affiliations"])).reindex(
        first.index
    )
    status = pd.Series(story_status.to_numpy()[np.unique(frame["story"], return_index=True)[1]], index=first.index)
    standing = top["text"].notna()
    plain = what + ": " + top["text"].fillna("")
    plain = plain.where(standing, what + ": " + denied.fillna("no claim that stands"))
    contested = "contested: " + what + (" (" + top["text"] + ")").fillna("")
    contested = contested + (" against " + against.reindex(first.index)).fillna("")
    contested = contested + ("; " + denied).fillna("")
    codes, texts = pd.factorize(plain.where(status.ne("contested"), contested))
    per_claim = pd.Categorical.from_codes(codes[frame["story"].to_numpy()], categories=pd.Index(texts, dtype=object))
    return pd.Series(per_claim, index=events.index, name="story_agreed")


def add_stories(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with story_id, story_status, story_size, and story_km and story_days for ``reasons``."""
    if events.empty:
        return events.assign(story_id="", story_status="", story_agreed="", story_size=0, story_km=0.0, story_days=0)
    grouped = group(events)
    out = events.assign(
        story_id=grouped["story_id"].astype(str), story_km=grouped["story_km"], story_days=grouped["story_days"]
    )
    out["story_status"] = status(out, out["story_id"])
    out["story_agreed"] = agreed(out, out["story_status"])
    out["story_size"] = out.groupby("story_id")["story_id"].transform("size").astype("int32")
    # Three values: a byte a claim (as text, 48 MB at 2.5 million claims), in the categories' sorted order.
    out["story_status"] = out["story_status"].astype(STATUS_DTYPE)
    return out


def source_profiles(events: pd.DataFrame) -> pd.DataFrame:
    """Per source: claims, event types (most claimed first) and places covered, and how its stories stand.
    Counted on codes: a million claims from a few hundred sources are a few array operations."""
    if events.empty:
        return pd.DataFrame(columns=["source", "claims", "types", "places", "corroborated", "contested", "alone"])
    source, sources = pd.factorize(events["source"], sort=True)  # in the order groupby(sort=True) gives
    named = source >= 0
    status = events["story_status"]
    n = len(sources)

    def per_source(flags: np.ndarray) -> np.ndarray:
        return np.bincount(source[named], weights=flags[named], minlength=n).astype("int64")

    profile = pd.DataFrame(
        {
            "claims": np.bincount(source[named], minlength=n),
            "types": _types_by_source(source, events["event_type"], n),
            "places": _distinct_per_source(source, events["place"], n),
            "corroborated": per_source(status.eq("corroborated").to_numpy(dtype=bool)),
            "contested": per_source(status.eq("contested").to_numpy(dtype=bool)),
            "alone": per_source(events["story_size"].to_numpy() == 1),
        },
        index=pd.Index(sources, name="source"),
    )
    return profile.sort_values("claims", ascending=False).reset_index()


def _pairs(source: np.ndarray, column: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, list]:
    """The distinct (source, value) pairs, missing values left out, in the order they first come (a hash,
    not a sort of a million keys): (the pairs as numbers, every claim's pair, the width, the values);
    a pair's source is its number // width, its value its number % width."""
    value, values = pd.factorize(column)
    kept = (source >= 0) & (value >= 0)
    width = max(len(values), 1)
    key = source[kept].astype("int64") * width + value[kept]
    return pd.unique(key), key, width, list(values)


def _distinct_per_source(source: np.ndarray, column: pd.Series, n: int) -> np.ndarray:
    pairs, _, width, _ = _pairs(source, column)
    return np.bincount(pairs // width, minlength=n)


def _types_by_source(source: np.ndarray, column: pd.Series, n: int) -> list[str]:
    """Each source's event types, most claimed first, ties in the order they first come (as value_counts).
    Counted by bincount: sources times types (a handful) is a small range, where sources times places is not."""
    pairs, key, width, values = _pairs(source, column)
    counts = np.bincount(key, minlength=n * width)[pairs]
    owner, kind = pairs // width, pairs % width
    joined: list[list[str]] = [[] for _ in range(n)]
    for i in np.lexsort((np.arange(len(owner)), -counts, owner)):
        joined[owner[i]].append(str(values[kind[i]]))
    return [", ".join(names) for names in joined]
