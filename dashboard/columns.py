"""The frame's text columns as every stage reads them: repeated text as categories, read as plain text.

Once loaded (from a file or a store) the columns of ``model.CATEGORICAL`` are categories (``categorized``):
a code of a byte or two a row where an Arrow string costs its length and four bytes more. A stage that needs
them as text asks ``text`` (one string a row, decoded in Arrow: 0.06 s at 2.5 million rows where pandas'
``astype(str)`` of a categorical took 0.5 s) or ``factorized`` (codes and distinct values, from the codes).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from .model import CATEGORICAL


def categorized(events: pd.DataFrame) -> pd.DataFrame:
    """``events`` with the columns of ``model.CATEGORICAL`` it has held as categories, sorted (so that sorting
    by one orders rows as its text would); missing values become "", as the loader gives them."""
    out = events.copy(deep=False)
    for name in CATEGORICAL:
        if name in out.columns:
            out[name] = sorted_categories(out[name])
    return out


def sorted_categories(values: pd.Series) -> pd.Series:
    """``values`` as a categorical column whose categories are its distinct values as text, sorted."""
    if not isinstance(values.dtype, pd.CategoricalDtype):
        values = values.astype("category")
    if values.hasnans:
        if "" not in values.cat.categories:
            values = values.cat.add_categories([""])
        values = values.fillna("")
    categories = values.cat.categories
    if categories.dtype != "str":
        values = values.cat.rename_categories(categories.astype("str"))
        categories = values.cat.categories
    if len(categories) and not categories.is_monotonic_increasing:
        values = values.cat.reorder_categories(categories.sort_values())
    return values


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its categorical columns as plain text: for a stage that works on a few rows as text."""
    out = frame.copy(deep=False)
    for name in out.columns:
        if isinstance(out[name].dtype, pd.CategoricalDtype):
            out[name] = text(out[name])
    return out


def text(values: pd.Series) -> pd.Series:
    """``values`` as plain text (pandas' ``str``), one string a row, with the same index; missing values "" ."""
    if isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == "str":
        if values.hasnans:
            values = sorted_categories(values)
        decoded = pa.array(values.array).dictionary_decode()
        return pd.Series(pd.array(decoded, dtype="str"), index=values.index, name=values.name)
    return values.fillna("").astype("str")


def factorized(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """``pd.factorize`` of ``values`` as text: codes in the order values first come, and the distinct values
    (an object array of str), a missing value counted as ""; a categorical column's from its codes."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = pd.factorize(sorted_categories(values) if values.hasnans else values)
        return codes, np.asarray(uniques.astype("str"), dtype=object)
    codes, uniques = pd.factorize(values.fillna("").astype("str"), use_na_sentinel=False)
    return codes, np.asarray(uniques, dtype=object)
