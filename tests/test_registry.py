"""The registry of outlets (geodata/sources.csv): checked, and filling what an import leaves out."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard import registry
from dashboard.geocode import GeodataError, name_key, read_geodata
from dashboard.model import SOURCE_TYPES
from dashboard.pipeline import open_events
from tests.support import FIXTURES, REPO

TABLE = REPO / "geodata" / registry.REGISTRY


@pytest.fixture(scope="module")
def outlets() -> registry.Registry:
    return registry.read_registry(TABLE)


def test_the_registry_is_valid_names_and_aliases_unique_and_types_known():
    table = pd.read_csv(TABLE, dtype=str, keep_default_na=False)
    assert list(table.columns) == list(registry.REGISTRY_COLUMNS)
    assert registry.registry_problems(table) == []
    assert set(table["source_type"]) <= set(SOURCE_TYPES)
    assert table["basis"].str.len().between(10, 120).all()  # one line each
    names = pd.concat([table["name"], table["aliases"].str.split("|").explode()])
    pairs = pd.DataFrame({"key": name_key(names).to_numpy(), "outlet": table["name"].reindex(names.index).to_numpy()})
    pairs = pairs.loc[pairs["key"].ne("")].drop_duplicates()
    assert not pairs["key"].duplicated().any()  # no name or alias stands for two outlets
    assert not table["name"].duplicated().any()


@pytest.mark.parametrize(
    "name, source_type, affiliation",
    [
        ("RIA Novosti", "state media", "Russian state"),
        ("TASS", "state media", "Russian state"),
        ("Sputnik", "state media", "Russian state"),
        ("SANA", "state media", "Syrian government"),
        ("Anadolu Agency", "state media", "Turkish state"),
        ("Reuters", "independent media", ""),
        ("Agence France-Presse", "independent media", ""),
        ("Associated Press", "independent media", ""),
        ("Syrian Observatory for Human Rights", "monitor", ""),
        ("GUR", "intelligence service", "Ukrainian state"),
        ("Ukraine's Main Intelligence Directorate (GUR)", "intelligence service", "Ukrainian state"),
    ],
)
def test_the_outlets_the_issue_names_are_known(outlets, name, source_type, affiliation):
    found = outlets.lookup(pd.Series([name])).iloc[0]
    assert (found["source_type"], found["affiliation"]) == (source_type, affiliation)


@pytest.mark.parametrize(
    "rows, said",
    [
        ([["X", "", "state media", "", "b"], ["Y", "x", "monitor", "", "b"]], "'x' names X and Y"),
        ([["X", "", "news", "", "b"]], "source_type 'news' is not one of"),
        ([["", "", "monitor", "", "b"]], "line 2: name is empty"),
        ([["X", "", "monitor", "", ""]], "line 2: basis is empty"),
    ],
)
def test_a_broken_registry_is_refused_naming_its_line(tmp_path, rows, said):
    path = tmp_path / "sources.csv"
    pd.DataFrame(rows, columns=list(registry.REGISTRY_COLUMNS)).to_csv(path, index=False)
    with pytest.raises(GeodataError, match=said):
        registry.read_registry(path)


def test_a_missing_registry_is_an_empty_one(tmp_path):
    assert registry.read_registry(tmp_path / "none.csv").outlets.empty


def frame(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns).astype(object)


def test_fill_gives_what_the_file_leaves_out_and_never_replaces_its_values(outlets):
    events = frame(
        source=["TASS", "TASS", "Reuters; SOHR", "Reuters; Unknown blog", "Unknown blog", "RIA Novosti; Reuters"],
        source_type=["", "government", "", "", "", ""],
        affiliation=["", "", "", "", "", ""],
    )
    filled = registry.fill(events, outlets)
    assert filled["source_type"].tolist() == [
        "state media",
        "government",  # the file's own value wins
        "independent media; monitor",  # each outlet's type, once
        "",  # an outlet the registry does not know: the cell is not guessed at
        "",
        "state media; independent media",
    ]
    assert filled["affiliation"].tolist() == ["Russian state", "Russian state", "", "", "", "Russian state; Reuters"]
    assert filled[registry.FILLED].tolist() == [
        "source_type affiliation",
        "affiliation",
        "source_type",
        "",
        "",
        "source_type affiliation",
    ]
    assert events["source_type"].tolist()[0] == ""  # the caller's frame is left alone


def test_an_acled_file_whose_sources_are_only_in_the_registry_gets_their_types_and_affiliations():
    geodata = read_geodata(REPO / "geodata")
    events = open_events(FIXTURES / "acled_syria.csv", geodata).events.set_index("event_id")
    by_source = events.groupby("source")[["source_type", "affiliation"]].first()
    assert by_source.loc["SANA"].tolist() == ["state media", "Syrian government"]
    assert by_source.loc["SOHR"].tolist() == ["monitor", ""]
    assert by_source.loc["Reuters"].tolist() == ["independent media", ""]
    assert by_source.loc["Reuters; SOHR"].tolist() == ["independent media; monitor", ""]
    assert events["source_type"].ne("").all()


def test_the_files_own_affiliation_column_wins_over_the_registry(write_csv):
    geodata = read_geodata(REPO / "geodata")
    header = "event_id,date,place,source,source_type,affiliation"
    path = write_csv("a,2024-12-01,Hama,TASS,,my own", "b,2024-12-01,Hama,TASS,,", header=header)
    events = open_events(path, geodata).events.set_index("event_id")
    assert events.loc["a", "affiliation"] == "my own" and events.loc["b", "affiliation"] == "Russian state"
    assert events.loc["a", "source_type"] == "state media"
    table = registry.source_table(events.reset_index(), geodata.registry).set_index("source")
    assert table.loc["TASS", "origin"] == "file and registry" and table.loc["TASS", "claims"] == 2
