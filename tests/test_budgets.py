"""What one upload may cost: columns, header, rows and rejection records are bounded, and refused in our words."""

from __future__ import annotations

import json
import os

import pytest

from dashboard.__main__ import main
from dashboard.load import MAX_HEADER_BYTES, Limits, UnusableFile, read_events
from dashboard.pipeline import Dataset, dataset_bytes, in_process_apart, open_events, to_evict

NATIVE = "date,place,source"


def test_a_file_with_more_columns_than_max_columns_is_refused_from_its_header():
    header = ",".join([NATIVE, *(f"c{i}" for i in range(300))])
    with pytest.raises(
        UnusableFile, match=r"303 columns, more than this server reads \(200, the max_columns setting\)"
    ):
        read_events((header + "\n2024-12-01,Hama,SOHR" + ",x" * 300 + "\n").encode())


def test_a_header_longer_than_the_limit_is_refused_before_the_rows_are_read():
    header = NATIVE + ",a" + "b" * MAX_HEADER_BYTES
    with pytest.raises(UnusableFile, match="the header .* is longer than 65,536 characters"):
        read_events((header + "\n" + "x,y,z,w\n").encode())


def test_ten_million_one_character_rows_are_refused_by_a_count_before_parsing():
    data = (NATIVE + "\n" + "x\n" * 10_000_000).encode()
    with pytest.raises(UnusableFile, match=r"10,000,000 lines after the header, more than .*max_rows"):
        read_events(data)


def test_a_geojson_of_more_features_than_max_rows_is_refused_before_it_is_parsed():
    feature = '{"type":"Feature","geometry":null,"properties":{}}'
    text = '{"type":"FeatureCollection","features":[' + ",".join([feature] * 30) + "]}"
    with pytest.raises(UnusableFile, match=r"30 features, more than this server reads \(20, the max_rows"):
        read_events(text.encode(), limits=Limits(max_rows=20))


def test_a_geojson_of_empty_objects_is_refused_by_its_object_count():
    text = '{"type":"FeatureCollection","features":[' + ",".join(["{}"] * 100) + "]}"
    with pytest.raises(UnusableFile, match=r"101 JSON objects, more than features"):
        read_events(text.encode(), limits=Limits(max_rows=20))


def test_a_geojson_of_bare_numbers_is_refused_by_its_length():
    text = '{"type":"FeatureCollection","features":[' + ",".join(["0"] * 100) + "]}"
    with pytest.raises(UnusableFile, match=r"100 features, more than this server reads \(20"):
        read_events(text.encode(), limits=Limits(max_rows=20))


def test_a_geojson_with_more_properties_than_max_columns_is_refused():
    properties = {f"p{i}": "x" for i in range(50)} | {"date": "2024-12-01", "place": "Hama", "source": "SOHR"}
    feature = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.7, 35.1]}, "properties": properties}
    text = json.dumps({"type": "FeatureCollection", "features": [feature]})
    with pytest.raises(UnusableFile, match="more than 20 properties in all"):
        read_events(text.encode(), limits=Limits(max_columns=20))


def test_only_the_first_rejected_rows_are_kept_and_the_rest_are_counted(geodata):
    data = (NATIVE + "\n" + "x\n" * 50 + "2024-12-01,Hama,SOHR\n" + "y\n" * 50).encode()
    dataset = open_events(data, geodata, limits=Limits(rejected_kept=10))
    assert len(dataset.rejected) == 10
    assert dataset.rejected["line"].tolist() == list(range(2, 12))
    assert dataset.rejected_rows == 100
    assert dataset.report()["rejected_not_listed"] == 90
    assert dataset.accepted == 1
    assert dataset.events["line"].tolist() == [52]


def test_geojson_rejections_past_the_kept_ones_are_counted(geodata):
    good = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.7, 35.1]}}
    good["properties"] = {"date": "2024-12-01", "place": "Hama", "source": "SOHR"}
    bad = {"type": "Feature", "geometry": None, "properties": {}}
    text = json.dumps({"type": "FeatureCollection", "features": [good] + [bad] * 30})
    dataset = open_events(text.encode(), geodata, limits=Limits(rejected_kept=5))
    assert (len(dataset.rejected), dataset.rejected_rows, dataset.accepted) == (5, 30, 1)


def test_the_command_line_counts_every_rejected_row_exactly(tmp_path, capsys, monkeypatch):
    path = tmp_path / "bad.csv"
    path.write_text(NATIVE + "\n" + "x\n" * 30)
    monkeypatch.setenv("DASHBOARD_REJECTED_KEPT", "10")
    assert main(["validate", str(path), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert (report["rejected_rows"], len(report["rejected"]), report["rejected_not_listed"]) == (30, 10, 20)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "rejected: 30" in out and "the first 10 are listed" in out


def test_a_row_longer_than_the_parser_s_block_is_refused_in_our_words():
    # One cell 40 MB long: more than the parser's 16 MB blocks can take, so pyarrow says "straddling object".
    data = (NATIVE + "\n2024-12-01,Hama," + "a" * 40_000_000 + "\n2024-12-02,Homs,SOHR\n").encode()
    with pytest.raises(UnusableFile) as err:
        read_events(data)
    message = str(err.value)
    assert message.startswith("a row is too long to read: it runs over more than 16 MB")
    assert "straddl" not in message and "block size" not in message


def test_a_name_in_a_refusal_is_cut_short():
    long = "n" * 5000
    with pytest.raises(UnusableFile) as err:
        read_events(f"{NATIVE},{long},{long}\n2024-12-01,Hama,SOHR,x,y\n".encode())
    assert "5,000 characters" in str(err.value) and len(str(err.value)) < 600


def test_a_windows_1256_file_is_recognised_without_a_character_object_each():
    import tracemalloc

    data = ("date,place,source\n" + "2024-12-01,حلب,مصدر محلي\n" * 40_000).encode("cp1256")
    tracemalloc.start()
    raw = read_events(data)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert raw.encoding == "windows-1256" and len(raw.frame) == 40_000
    assert peak < 30 * len(data)  # the old count built a str per character: about 80 bytes each


def test_a_dataset_s_bytes_count_its_strings(geodata):
    from tests.conftest import REPO

    small = open_events(REPO / "events.csv", geodata)
    assert 20_000 < dataset_bytes(small) < 5_000_000
    empty = Dataset(small.events.head(0), small.rejected.head(0), 0, "native")
    assert dataset_bytes(empty) < dataset_bytes(small)


def test_uploads_unused_too_long_are_evicted_then_the_least_recent_until_they_fit():
    entries = {"old": (10, 0.0), "a": (60, 900.0), "b": (50, 950.0), "c": (40, 990.0)}
    assert to_evict(entries, budget_bytes=100, keep_seconds=500, now=1000.0) == ["old", "a"]
    assert to_evict(entries, budget_bytes=1000, keep_seconds=5000, now=1000.0) == []
    # the newest stays, even alone over the budget: its session is using it
    assert to_evict({"big": (500, 999.0)}, budget_bytes=100, keep_seconds=500, now=1000.0) == []


def test_a_process_apart_runs_only_on_a_processor_the_sessions_leave_idle():
    # nice 10 still took a share of a core from the honest steps beside an upload's parse; SCHED_IDLE does not
    assert in_process_apart(os.sched_getscheduler, 0) == os.SCHED_IDLE


_FREED = """
import sys
import numpy as np
from dashboard.pipeline import large_allocations_mapped
if sys.argv[1] == "mapped":
    assert large_allocations_mapped()
def rss():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 1e6
del_me = np.ones(3_000_000)  # 24 MB, mapped; freed, it raises glibc's own threshold to 24 MB
del del_me
columns = [np.ones(2_500_000) for _ in range(10)]  # a frame's columns at 2.5M rows: 20 MB each
pin = np.ones(100_000)  # held after them, so glibc cannot give back the top of its heap on its own
before = rss()
del columns
print(before - rss())
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads Linux's /proc")
def test_a_frame_s_freed_columns_go_back_to_the_system():
    import subprocess
    import sys

    from tests.support import REPO

    def given_back(how: str) -> float:
        done = subprocess.run([sys.executable, "-c", _FREED, how], capture_output=True, text=True, cwd=REPO, check=True)
        return float(done.stdout)

    assert given_back("mapped") > 180  # of 200 MB freed
    assert given_back("glibc's default") < 20  # what the server did before: kept, until trimmed
