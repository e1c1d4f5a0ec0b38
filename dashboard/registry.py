"""The registry of outlets (``geodata/sources.csv``): who each known source is, and filling what a file leaves out.

An ACLED or UCDP file names its sources but not their kind nor who stands behind them, so the
source-type filter and the independence rule of stories would have nothing to work with. Each
outlet in the registry has a source type, an affiliation (empty: it stands alone), its aliases and
a one-line basis. ``fill`` gives a row the registry's values only where the file gives none: a
file's own values always win. A cell naming several outlets ("Reuters; SOHR") is filled only when
every outlet in it is known, with each distinct value once ("independent media; monitor").
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .filters import facet_values
from .geocode import GeodataError, name_key
from .model import SOURCE_TYPES

REGISTRY = "sources.csv"
REGISTRY_COLUMNS = ("name", "aliases", "source_type", "affiliation", "basis")
# The derived column saying which of source_type and affiliation the registry gave a row.
FILLED = "from_registry"
ORIGIN_COLUMNS = ["source", "source_type", "affiliation", "origin", "claims", "basis"]


@dataclass(frozen=True)
class Registry:
    outlets: pd.DataFrame  # name, aliases, source_type, affiliation, basis (one row per outlet)
    keys: pd.Series  # match key of every name and alias -> the outlet's name

    def lookup(self, names: pd.Series) -> pd.DataFrame:
        """The registry's row for each name (by name or alias, matched as place names are); NaN where unknown."""
        found = name_key(names).map(self.keys)
        return self.outlets.set_index("name").reindex(found.to_numpy()).set_axis(names.index)

    def same_outlet(self, name: str, names: list[str]) -> list[str]:
        """Those of ``names`` that are the outlet ``name`` is (by the registry's names and aliases)."""
        if self.keys.empty:
            return []
        wanted = name_key(pd.Series([name])).map(self.keys).iloc[0]
        if pd.isna(wanted):
            return []
        found = name_key(pd.Series(names, dtype=str)).map(self.keys)
        return [n for n, outlet in zip(names, found, strict=True) if outlet == wanted]


EMPTY = Registry(pd.DataFrame(columns=list(REGISTRY_COLUMNS), dtype=str), pd.Series(dtype=str))


def read_registry(path: str | Path) -> Registry:
    """The registry, checked: a missing file is an empty registry; a broken one fails loudly, naming its line."""
    path = Path(path)
    if not path.exists():
        return EMPTY
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError) as err:
        raise GeodataError(f"{path}: cannot be read: {err}") from None
    missing = [c for c in REGISTRY_COLUMNS if c not in table.columns]
    if missing:
        raise GeodataError(f"{path}: missing column(s) {', '.join(missing)}")
    problems = registry_problems(table)
    if problems:
        raise GeodataError(f"{path}: " + "; ".join(problems[:5]))
    return Registry(table[list(REGISTRY_COLUMNS)], _keys(table))


def _names(table: pd.DataFrame) -> pd.DataFrame:
    """Every name an outlet goes by, with the line it is on (line 2 is the first outlet)."""
    names = pd.concat(
        [
            table[["name"]].assign(alias=table["name"]),
            table[["name"]].assign(alias=table["aliases"].str.split("|")).explode("alias"),
        ]
    )
    names["line"] = names.index + 2
    names["key"] = name_key(names["alias"].fillna(""))
    return names.loc[names["key"].ne("")]


def _keys(table: pd.DataFrame) -> pd.Series:
    return _names(table).drop_duplicates("key").set_index("key")["name"]


def registry_problems(table: pd.DataFrame) -> list[str]:
    """What is wrong with a registry table, each with its line: an empty name or basis, an unknown
    source type, a name or alias that stands for two outlets."""
    problems = []
    for column in ("name", "source_type", "basis"):
        for line in table.index[table[column].str.strip().eq("")] + 2:
            problems.append(f"line {line}: {column} is empty")
    for line, value in zip(table.index + 2, table["source_type"], strict=True):
        if value and value not in SOURCE_TYPES:
            problems.append(f"line {line}: source_type {value!r} is not one of {', '.join(SOURCE_TYPES)}")
    names = _names(table).drop_duplicates(["key", "name"])
    clash = names.loc[names["key"].duplicated(keep=False)]
    for key, rows in clash.groupby("key"):
        problems.append(
            f"lines {', '.join(map(str, sorted(rows['line'])))}: {key!r} names {' and '.join(rows['name'])}"
        )
    return problems


def outlets_of(cells: pd.Series) -> pd.Series:
    """Each cell's outlets, one per row, indexed by the cell's position: "Reuters; SOHR" is Reuters and SOHR."""
    return facet_values(pd.DataFrame({"source": cells.to_numpy()}), "source")


def _joined(values: pd.Series) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def _cell_values(registry: Registry, cells: pd.Series) -> pd.DataFrame:
    """Per distinct source cell: the registry's source type and affiliation ("" when an outlet is unknown)."""
    outlets = outlets_of(cells)
    known = registry.lookup(outlets)
    every = known["source_type"].notna().groupby(level=0).all()
    aff = known["affiliation"].fillna("")
    # Within a cell of several outlets, one that stands alone is its own affiliation: "Russian state; Reuters".
    several = pd.Series(outlets.index.duplicated(keep=False), index=outlets.index)
    some = aff.ne("").groupby(level=0).transform("any")
    aff = aff.mask(several & some & aff.eq(""), outlets)
    frame = pd.DataFrame({"source_type": known["source_type"].fillna(""), "affiliation": aff})
    filled = frame.groupby(level=0).agg(_joined)
    return filled.where(every.reindex(filled.index, fill_value=False), "")


def fill(events: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """``events`` with empty ``source_type`` and ``affiliation`` cells given the registry's values, and
    ``from_registry`` naming the fields it gave each row. A value the file gives is never replaced."""
    events = events.copy()
    filled = pd.Series("", index=events.index, dtype=object)
    if registry.outlets.empty or events.empty:
        events[FILLED] = filled.astype("str")
        return events
    codes, cells = pd.factorize(events["source"].astype(str))
    per_cell = _cell_values(registry, pd.Series(cells))
    for column in ("source_type", "affiliation"):
        given = events[column].astype(str)
        wanted = pd.Series(per_cell[column].to_numpy()[codes], index=events.index)
        use = given.eq("") & wanted.ne("")
        events[column] = given.where(~use, wanted).astype(events[column].dtype)  # the loader's type, kept
        filled = filled.where(~use, (filled + " " + column).str.strip())
    events[FILLED] = filled.astype("str")
    return events


def source_table(events: pd.DataFrame, registry: Registry) -> pd.DataFrame:
    """Each outlet the events name, with its type, affiliation, where they came from and its claims.

    ``origin`` is ``file`` (the file gave both), ``registry`` (the registry gave what the file left
    out), ``file and registry``, or ``none`` (neither the file nor the registry says). A row naming two
    outlets is a claim of each: the claims count outlets, not cells.
    """
    if events.empty:
        return pd.DataFrame(columns=ORIGIN_COLUMNS)
    # Each distinct (source, type, affiliation, filled) once, with how many claims say it: a million claims
    # name a few hundred such cells (the table was made row by row: 9 s a refresh at a million claims).
    said = [c for c in ("source", "source_type", "affiliation", FILLED) if c in events.columns]
    # Grouped on the columns as they are (a category's codes), and only the distinct cells made text.
    cells = events[said].groupby(said, sort=False, dropna=False, observed=True).size().rename("n").reset_index()
    cells = cells.astype({name: str for name in said})
    outlets = outlets_of(cells["source"])
    rows = cells.loc[outlets.index]
    from_registry = rows[FILLED] if FILLED in rows.columns else pd.Series("", index=rows.index)
    known = registry.lookup(outlets)
    pairs = pd.DataFrame(
        {
            "source": outlets.to_numpy(),
            # A filled row's value may join several outlets' values: each outlet takes the registry's own.
            "source_type": rows["source_type"].where(~from_registry.str.contains("source_type"), known["source_type"]),
            "affiliation": rows["affiliation"].where(~from_registry.str.contains("affiliation"), known["affiliation"]),
            "filled": from_registry.ne(""),
            "given": rows["source_type"].ne("") & ~from_registry.str.contains("source_type")
            | rows["affiliation"].ne("") & ~from_registry.str.contains("affiliation"),
            "basis": known["basis"].fillna(""),
            "n": rows["n"],
        }
    ).fillna("")
    grouped = pairs.groupby("source", sort=False)
    table = grouped.agg(
        source_type=("source_type", _joined),
        affiliation=("affiliation", _joined),
        filled=("filled", "any"),
        given=("given", "any"),
        basis=("basis", "first"),
        claims=("n", "sum"),
    )
    origin = table["given"].map({True: "file", False: ""}) + table["filled"].map({True: " and registry", False: ""})
    table["origin"] = origin.str.replace(r"^ and ", "", regex=True).replace("", "none")
    table = table.reset_index().sort_values(["claims", "source"], ascending=[False, True], kind="stable")
    return table[ORIGIN_COLUMNS].reset_index(drop=True)
