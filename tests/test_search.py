"""The text search: folding (case, accents, Arabic diacritics, hamza forms, tatweel) and matching every word."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import search


@pytest.mark.parametrize(
    "text, folded",
    [
        ("HAMA", "hama"),
        ("Ḥamāh", "hamah"),
        ("Café  Crème", "cafe creme"),
        ("Ma'arrat al-Nu‘man", "maarrat al numan"),
        ("Reut\u200bers", "reuters"),  # a zero-width space does not split or hide a word
        ("ＲＩＡ", "ria"),  # fullwidth letters (NFKC)
        ("حَمَاة", "حماه"),  # harakat go; ta marbuta is ha
        ("مـــحمد", "محمد"),  # tatweel goes
        ("أحمد", "احمد"),  # alef with hamza above
        ("إدلب", "ادلب"),  # alef with hamza below
        ("آمن", "امن"),  # alef madda
        ("ٱلله", "الله"),  # alef wasla
        ("مستشفى", "مستشفي"),  # alef maksura is ya
        ("مسؤول", "مسوول"),  # hamza on waw
        ("ﻛﻴﻒ", "كيف"),  # presentation forms
        ("", ""),
    ],
)
def test_fold(text, folded):
    assert search.fold(text) == folded


def test_fold_is_the_same_twice():
    for text in ("Ḥamāh", "حَمَاة", "Ma'arrat", "ＲＩＡ"):
        assert search.fold(search.fold(text)) == search.fold(text)


@pytest.fixture
def text():
    events = pd.DataFrame(
        {
            "description": ["Fighting north of Ḥamā", "قصف على حماة", "Strikes on Idlib", "Nothing here"],
            "place": ["Hama", "Hama", "Idlib", "Tartus"],
            "gazetteer_place": ["Hama", "Hama", "Idlib", "Tartus"],
            "actor": ["SAA", "", "Russian air force", ""],
            "source": ["Reuters; SOHR", "SANA", "TASS", "AP"],
            "affiliation": ["", "Syrian government", "Russian state", ""],
        }
    )
    places = pd.DataFrame(
        {"place": ["Hama", "Idlib", "Tartus"], "name_ar": ["حماة", "إدلب", "طرطوس"], "aliases": ["Hamah", "Idleb", ""]}
    )
    return search.search_text(events, places)


@pytest.mark.parametrize(
    "query, rows",
    [
        ("hama", [0, 1]),
        ("HAMAH", [0, 1]),  # an alias of the place
        ("حماه", [0, 1]),  # the Arabic name, spelt with ha
        ("sohr", [0]),  # one outlet of a two-outlet cell
        ("russian state", [2]),  # every word, in any column
        ("russian hama", []),  # a word in no column of the event
        ("idleb strikes", [2]),
        ("  ", None),  # no words: no filter
        ("!!", None),
    ],
)
def test_matches_every_word(text, query, rows):
    found = search.matches(text, query)
    if rows is None:
        assert found is None
    else:
        assert [i for i, hit in enumerate(found) if hit] == rows


def test_a_word_does_not_run_from_one_column_into_the_next(text):
    assert not search.matches(text, "tartusap").any()
