"""Validate: strings -> typed rows, and a report of every row refused and why.

Each rule is a whole-column check. A row that breaks any rule is rejected and
reported once, with its line, the first column at fault, the value and the
reason; the other problems of that row are kept in ``problems``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .load import RawTable, rejection_frame
from .model import CLAIM_STATUSES, COLUMNS, EVENT_TYPES, GUARDED, REQUIRED, SOURCE_TYPES
from .names import NAME_COLUMNS, normalise

EARLIEST = pd.Timestamp("1900-01-01")
LATEST = pd.Timestamp("2100-12-31")
_URL = r"(?i)^https?://[^\s<>\"'`\\]+$"


def parse_days(values: pd.Series) -> pd.Series:
    """ISO 8601 dates (or date-times) -> midnight timestamps; anything else -> NaT."""
    parsed = pd.to_datetime(values, format="ISO8601", errors="coerce", utc=True).dt.tz_convert(None)
    # Out of range first: a year such as 1 or 9999 has no nanosecond timestamp to be cast to.
    days = parsed.where((parsed >= EARLIEST) & (parsed < LATEST + pd.Timedelta(days=1))).dt.normalize()
    return days.astype("datetime64[ns]")


def _vocabulary(values: pd.Series, allowed: dict) -> pd.Series:
    return ~(values.eq("") | values.isin(list(allowed)))


def _checks(df: pd.DataFrame, has_event_id: bool) -> list[tuple[pd.Series, str, pd.Series | str]]:
    """(rejected?, column, reason) for every rule, in the order they are reported."""
    checks: list[tuple[pd.Series, str, pd.Series | str]] = []
    for column in REQUIRED:
        checks.append((df[column].eq(""), column, f"missing {column}"))
    if has_event_id:
        ids = df["event_id"]
        checks.append((ids.eq(""), "event_id", "missing event_id"))
        first_line = df.groupby("event_id", sort=False)["line"].transform("first")
        checks.append(
            (
                ids.duplicated(keep="first") & ids.ne(""),
                "event_id",
                "duplicate event_id, first on line " + first_line.astype(str),
            )
        )
    checks.append(
        (
            df["date"].ne("") & df["_date"].isna(),
            "date",
            "unparseable date: expected YYYY-MM-DD between 1900 and 2100",
        )
    )
    checks.append(
        (
            df["date_end"].ne("") & df["_date_end"].isna(),
            "date_end",
            "unparseable date_end: expected YYYY-MM-DD between 1900 and 2100",
        )
    )
    checks.append((df["_date_end"] < df["_date"], "date_end", "date_end is before date"))
    for column in ("location_precision", "time_precision"):
        number = pd.to_numeric(df[column].where(df[column].ne("")), errors="coerce")
        checks.append(
            (
                df[column].ne("") & ~(number.ge(1) & number.le(9) & number.eq(number.round())),
                column,
                f"{column} must be a whole number from 1 to 9",
            )
        )
    checks.append(
        (
            df["reported_on"].ne("") & df["_reported_on"].isna(),
            "reported_on",
            "unparseable reported_on: expected YYYY-MM-DD between 1900 and 2100",
        )
    )
    for axis, limit in (("lat", 90), ("lon", 180)):
        given = df[axis].ne("")
        number = df["_" + axis]
        checks.append((given & number.isna(), axis, f"{axis} is not a number"))
        checks.append((given & np.isinf(number), axis, f"{axis} is not a finite number"))
        checks.append(
            (given & np.isfinite(number) & (number.abs() > limit), axis, f"{axis} out of range [-{limit}, {limit}]")
        )
    checks.append((df["lat"].ne("") & df["lon"].eq(""), "lon", "lon missing while lat is given"))
    checks.append((df["lon"].ne("") & df["lat"].eq(""), "lat", "lat missing while lon is given"))
    for column, allowed in (
        ("event_type", EVENT_TYPES),
        ("source_type", SOURCE_TYPES),
        ("claim_status", CLAIM_STATUSES),
    ):
        checks.append(
            (
                _vocabulary(df[column], allowed),
                column,
                f"unknown {column}: expected one of {', '.join(allowed)}",
            )
        )
    checks.append(
        (
            df["url"].ne("") & ~df["url"].str.match(_URL),
            "url",
            "url must be an http:// or https:// address",
        )
    )
    return checks


def _normalise_names(df: pd.DataFrame) -> pd.DataFrame:
    """Name columns in the form they are compared in (``names.normalise``), so that every later stage agrees.

    "Reut\u200bers" is Reuters, not a second independent source. Where a name differs from the file's text,
    the text as given is kept in ``<column>_as_given`` (empty where they agree), unless the file has that column.
    """
    for column in NAME_COLUMNS:
        clean = normalise(df[column])
        changed = clean.ne(df[column])
        if changed.any():
            given = f"{column}_as_given"
            if given not in df.columns:
                df[given] = df[column].where(changed, "")
            df[column] = clean
    return df


def _prepared(raw: RawTable) -> tuple[pd.DataFrame, bool]:
    """The file's strings with every contract column, lower-cased vocabularies, normal names and parsed values."""
    df = raw.frame.copy(deep=False)  # copy-on-write: the columns are shared until changed
    for column in df.columns:  # the apostrophe our CSV export puts before formula-like cells
        if df[column].str.startswith("'").any():
            df[column] = df[column].str.replace(GUARDED, "", regex=True)
    has_event_id = "event_id" in df.columns
    for column in COLUMNS:
        if column not in df.columns:
            df[column] = pd.Series("", index=df.index, dtype="str")
    df.insert(0, "line", raw.lines)
    if not has_event_id:
        # A file without ids still gets ids that stay the same while the file does.
        df["event_id"] = "line-" + df["line"].astype(str)
    for column in ("event_type", "source_type", "claim_status"):
        df[column] = df[column].str.lower()
    df = _normalise_names(df)
    df["_date"] = parse_days(df["date"])
    df["_reported_on"] = parse_days(df["reported_on"])
    df["_date_end"] = parse_days(df["date_end"])
    for axis in ("lat", "lon"):
        df["_" + axis] = pd.to_numeric(df[axis].where(df[axis].ne("")), errors="coerce").astype("float64")
    return df, has_event_id


def _problems(df: pd.DataFrame, has_event_id: bool) -> pd.DataFrame:
    """Every rule every row breaks: order, line, column, value, reason, sorted by line then rule."""
    found = []
    for order, (mask, column, reason) in enumerate(_checks(df, has_event_id)):
        if not mask.any():
            continue
        hit = df.loc[mask]
        reasons = reason[mask] if isinstance(reason, pd.Series) else reason
        found.append(
            pd.DataFrame(
                {
                    "order": order,
                    "line": hit["line"],
                    "column": column,
                    "value": hit[column].astype(str),
                    "reason": reasons,
                }
            )
        )
    if not found:
        return pd.DataFrame({"order": [], "line": [], "column": [], "value": [], "reason": []})
    return pd.concat(found).sort_values(["line", "order"], kind="stable")


def field_problems(raw: RawTable) -> dict[int, dict[str, str]]:
    """Line -> column -> the first reason that column is refused: every problem of a row, not only its first.

    For a form (dashboard/store/write.py), which shows each message next to its field; the rules are the
    files' own, so a claim typed in is judged exactly as one read from a file.
    """
    problems = _problems(*_prepared(raw)).drop_duplicates(["line", "column"], keep="first")
    out: dict[int, dict[str, str]] = {}
    for line, column, reason in zip(problems["line"], problems["column"], problems["reason"], strict=True):
        out.setdefault(int(line), {})[str(column)] = str(reason)
    return out


def validate(raw: RawTable) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed rows that pass every rule, and one report row per rejected row.

    The accepted frame has every column of the contract (missing optional ones
    empty), ``line``, ``date`` and ``reported_on`` as days, ``lat``/``lon`` as
    floats (NaN when not given), and any extra columns of the file untouched.
    """
    df, has_event_id = _prepared(raw)
    problems = _problems(df, has_event_id)
    if len(problems):
        counts = problems.groupby("line")["order"].transform("size")
        problems["also"] = counts - 1
        first = problems.drop_duplicates("line", keep="first")
        rejected = rejection_frame(first["line"], first["column"], first["value"], first["reason"], first["also"])
        bad_lines = first["line"].to_numpy()
    else:
        rejected = rejection_frame()
        bad_lines = np.empty(0, dtype="int64")

    good = df.loc[~df["line"].isin(bad_lines)]
    good["date"] = good.pop("_date")
    good["reported_on"] = good.pop("_reported_on")
    good["date_end"] = good.pop("_date_end").fillna(good["date"])
    good["lat"] = good.pop("_lat")
    good["lon"] = good.pop("_lon")
    good["event_type"] = good["event_type"].mask(good["event_type"].eq(""), "other")
    return good.reset_index(drop=True), rejected.reset_index(drop=True)
