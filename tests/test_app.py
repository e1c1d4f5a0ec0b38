"""The app's widgets -> state, with Streamlit's AppTest: counts and what is sent to the map."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from tests.support import EVENTS, FIXTURES, as_read, evaluated, shown

CDN = ("cdn.jsdelivr", "cdnjs.", "unpkg.com", "code.jquery", "bootstrapcdn", "googleapis", "fontawesome")


def map_payload(at) -> dict:
    element = next(e for e in at.get("component_instance") if e.proto.component_name.endswith("st_folium"))
    return json.loads(element.proto.json_args)


def drawn_events(at) -> list[str]:
    return re.findall(r'"event_id": "([^"]*)"', map_payload(at)["feature_group"])


def test_opens_on_the_last_day_with_every_event(app, bundled):
    at = app()
    assert at.slider(key="day").value == bundled["day"].max()
    assert shown(at) == len(bundled)
    assert sorted(drawn_events(at)) == sorted(bundled["event_id"])


def test_the_date_slider_is_the_first_slider(app):
    assert app().slider[0].key == "day"


@pytest.mark.parametrize("offset", [0, 1, 3, 8])
def test_moving_the_slider_changes_events_shown(app, bundled, offset):
    at = app()
    day = bundled["day"].min() + dt.timedelta(days=offset)
    at.slider(key="day").set_value(day).run()
    expected = bundled.loc[bundled["day"] <= day]
    assert shown(at) == len(expected)
    assert sorted(drawn_events(at)) == sorted(expected["event_id"])


def test_last_n_days_mode(app, bundled):
    at = app()
    day = dt.date(2024, 12, 5)
    at.slider(key="day").set_value(day).run()
    at.radio(key="mode").set_value("window").run()
    at.number_input(key="window").set_value(2).run()
    expected = bundled.loc[(bundled["day"] <= day) & (bundled["day"] >= day - dt.timedelta(days=1))]
    assert shown(at) == len(expected)


def test_previous_and_next_day_buttons_step_the_slider(app, bundled):
    at = app()
    last = bundled["day"].max()
    next(b for b in at.button if b.label.startswith("◀")).click().run()
    assert at.slider(key="day").value == last - dt.timedelta(days=1)
    next(b for b in at.button if b.label.startswith("Next")).click().run()
    assert at.slider(key="day").value == last


@pytest.mark.parametrize("facet", ["source", "source_type", "event_type", "actor", "claim_status"])
def test_each_filter_changes_events_shown(app, bundled, facet):
    at = app()
    value = bundled[facet].value_counts().index[-1]  # the rarest value
    at.multiselect(key=f"f_{facet}").set_value([value]).run()
    expected = bundled.loc[bundled[facet].eq(value)]
    assert shown(at) == len(expected)
    assert sorted(drawn_events(at)) == sorted(expected["event_id"])


def test_filter_to_one_source_sends_only_its_events(app, bundled):
    at = app()
    at.multiselect(key="f_source").set_value(["RIA Novosti"]).run()
    expected = bundled.loc[bundled["source"].eq("RIA Novosti")]
    assert shown(at) == len(expected) >= 3
    assert sorted(drawn_events(at)) == sorted(expected["event_id"])


def test_clear_all_shows_everything_again(app, bundled):
    at = app()
    at.multiselect(key="f_claim_status").set_value(["denied"]).run()
    assert shown(at) < len(bundled)
    next(b for b in at.button if b.label == "Clear all").click().run()
    assert shown(at) == len(bundled)
    assert sorted(drawn_events(at)) == sorted(bundled["event_id"])


def test_source_options_show_counts(app, bundled):
    at = app()
    source = at.multiselect(key="f_source")
    top = bundled["source"].value_counts()
    assert source.format_func(top.index[0]) == f"{top.index[0]} ({top.iloc[0]})"


def test_map_payload_is_local_and_keeps_the_base_map_between_steps(app):
    at = app()
    first = map_payload(at)
    links = first["js_links"] + first["css_links"]
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    everything = json.dumps(first)
    assert not any(host in everything for host in CDN)
    assert "tile.openstreetmap.org" not in everything
    at.slider(key="day").set_value(dt.date(2024, 11, 29)).run()
    second = map_payload(at)
    assert second["script"] == first["script"]  # same base map: the frame is kept, not remounted
    assert second["feature_group"] != first["feature_group"]


def test_online_mode_adds_the_tile_server_only(app):
    at = app(DASHBOARD_OFFLINE="0")
    everything = json.dumps(map_payload(at))
    assert "tile.openstreetmap.org" in everything
    assert not any(host in everything for host in CDN)


def test_control_layer_follows_the_day(app):
    at = app()
    at.slider(key="day").set_value(dt.date(2024, 11, 29)).run()
    before = map_payload(at)["feature_group"]
    at.slider(key="day").set_value(dt.date(2024, 12, 8)).run()
    after = map_payload(at)["feature_group"]
    assert "Damascus: government" in before
    assert "Damascus: opposition" in after


def test_a_bad_file_gets_an_error_panel_not_a_traceback(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"\x00\x01\x02")
    at = app(path)
    assert len(at.error) == 1
    assert "cannot be opened" in as_read(at.error[0].value) and "binary" in as_read(at.error[0].value)


def test_rejected_rows_are_listed_and_good_rows_load(app):
    at = app(FIXTURES / "broken.csv")
    assert any("13 of 17 rows were rejected" in w.value for w in at.warning)
    assert shown(at) == 4
    assert len(at.dataframe[0].value) == 13


def test_missing_geodata_gets_an_error_panel(app, tmp_path):
    at = app(DASHBOARD_GEODATA=tmp_path)
    assert "geodata cannot be read" in as_read(at.error[0].value)


def map_drawn(at):
    """What the browser does once the map is drawn: it reports its view, which reruns the day view, now with
    the timeline, the table and the sources below the map."""
    return at.run()


def test_a_first_run_stops_at_the_map_and_the_maps_report_brings_the_rest(app):
    """A new session's page waits for no chart or table script before its map starts (second session < 2 s)."""
    at = app()
    assert map_payload(at) and not at.dataframe and not at.get("vega_lite_chart")
    assert any("follow as soon as the map is drawn" in c.value for c in at.caption)
    at = map_drawn(at)
    assert at.dataframe and at.get("vega_lite_chart")
    assert not any("follow as soon as the map is drawn" in c.value for c in at.caption)


@pytest.fixture(scope="module")
def with_stories(loaded):
    return loaded.assign(day=loaded["date"].dt.date)


def test_story_status_filter_counts_exactly(app, with_stories):
    at = app()
    at.multiselect(key="f_story_status").set_value(["contested"]).run()
    expected = with_stories.loc[with_stories["story_status"].eq("contested")]
    assert shown(at) == len(expected) > 0
    assert sorted(drawn_events(at)) == sorted(expected["event_id"])


def test_stories_view_draws_one_marker_per_story_and_keeps_the_count(app, with_stories):
    at = app()
    at.toggle(key="stories").set_value(True).run()
    assert shown(at) == len(with_stories)
    group = map_payload(at)["feature_group"]
    story_ids = re.findall(r'"story_id": "([^"]*)"', group)
    assert sorted(story_ids) == sorted(with_stories["story_id"].unique())
    grouped = re.findall(r'"event_ids": "([^"]*)"', group)
    assert sorted(i for ids in grouped for i in ids.split(",")) == sorted(with_stories["event_id"])
    assert "contested" in group and "corroborated" in group


def test_compare_lists_what_each_source_says_alone(app, with_stories):
    at = map_drawn(app())
    at.selectbox(key="compare_a").set_value("RIA Novosti").run()
    at.selectbox(key="compare_b").set_value("Reuters").run()
    notes = [m.value for m in at.markdown if "claim(s) by" in m.value]
    assert notes[0].startswith("**3 claim(s) by RIA Novosti**")


def test_a_link_restores_the_view(app, with_stories):
    at = app(
        query={"day": "2024-12-05", "mode": "window", "window": "2", "stories": "1", "f_source": ["Reuters", "AP"]}
    )
    assert not at.exception and not at.warning
    assert at.slider(key="day").value == dt.date(2024, 12, 5)
    assert at.radio(key="mode").value == "window" and at.number_input(key="window").value == 2
    assert at.toggle(key="stories").value is True
    assert at.multiselect(key="f_source").value == ["Reuters", "AP"]
    days = with_stories["day"]
    expected = with_stories.loc[
        (days <= dt.date(2024, 12, 5)) & (days >= dt.date(2024, 12, 4)) & with_stories["source"].isin(["Reuters", "AP"])
    ]
    assert shown(at) == len(expected) > 0


def test_a_bad_link_falls_back_with_a_notice(app, bundled):
    at = app(query={"day": "2031-01-01", "mode": "sideways", "f_source": ["Nobody", "Reuters"], "zoom": "x"})
    notices = as_read(" ".join(w.value for w in at.warning))
    assert "2031-01-01 is outside the data" in notices and "'sideways'" in notices and "'Nobody'" in notices
    assert "zoom 'x'" in notices
    assert at.slider(key="day").value == bundled["day"].max()
    assert at.multiselect(key="f_source").value == ["Reuters"]
    # The view fell back to its defaults, so the rewritten link holds none of the bad values.
    link = {name: at.query_params[name] for name in at.query_params}
    assert link.get("f_source") in ("Reuters", ["Reuters"]) and not {"day", "mode", "zoom"} & set(link), link


def test_the_link_follows_the_view(app):
    at = app()
    at.slider(key="day").set_value(dt.date(2024, 12, 1)).run()
    at.multiselect(key="f_claim_status").set_value(["denied"]).run()
    assert at.query_params["day"] in ("2024-12-01", ["2024-12-01"])
    assert at.query_params["f_claim_status"] in ("denied", ["denied"])
    assert "mode" not in at.query_params  # defaults stay out of the link


def test_above_the_draw_limit_cells_stand_for_the_events_and_counts_stay_exact(app, bundled):
    at = app(DASHBOARD_DRAW_LIMIT=15)
    assert shown(at) == len(bundled)
    group = map_payload(at)["feature_group"]
    counts = [int(c) for c in re.findall(r'"count":\s*(\d+)', group)]
    assert sum(counts) == len(bundled) and len(counts) < len(bundled)
    assert drawn_events(at) == []
    assert any("counted cells" in c.value for c in at.caption)
    at.slider(key="day").set_value(dt.date(2024, 11, 28)).run()  # few enough to draw one by one
    expected = bundled.loc[bundled["day"] <= dt.date(2024, 11, 28)]
    assert len(expected) <= 15 and sorted(drawn_events(at)) == sorted(expected["event_id"])


def test_a_file_shorter_than_the_default_window_opens(app, write_csv):
    path = write_csv(
        "a,2024-12-01,Hama,,,clash,,,,Reuters,monitor,reported,,d,,v",
        "b,2024-12-02,Homs,,,clash,,,,AP,monitor,reported,,d,,v",
    )
    at = app(events=path)
    assert shown(at) == 2 and at.number_input(key="window").value == 2
    at.radio(key="mode").set_value("window").run()
    assert not at.exception and shown(at) == 2


def test_template_syntax_in_the_file_reaches_the_map_as_text(app):
    """Found in review: an unclosed ``{%`` in a description stopped the map; ``{{ }}`` must never be evaluated."""
    at = app(FIXTURES / "xss.csv")
    for stories_view in (False, True):
        at.toggle(key="stories").set_value(stories_view).run()
        assert not at.exception, at.exception
        layers = map_payload(at)["feature_group"]
        assert "{{ 7777*3 }} Template Town" in layers and "{{ cycler.__init__.__globals__.os.getcwd() }}" in layers
        assert ("{% if x %} actor" in layers) != stories_view and not evaluated(layers)  # a story's popup has no actor


MARKDOWN_SOURCE = "[Log in here](https://evil.example/login) :red[alarm]"


def test_text_from_a_file_or_a_link_is_escaped_in_streamlit_markdown(app):
    """Found in review: link values in the notices and source names in the compare heading were read as markdown."""
    at = map_drawn(app(FIXTURES / "xss.csv"))
    at.selectbox(key="compare_a").set_value(MARKDOWN_SOURCE).run()
    heading = next(m.value for m in at.markdown if "claim(s) by" in m.value)
    assert heading.startswith(r"**1 claim(s) by \[Log in here\]\(https")
    assert as_read(heading).startswith(f"**1 claim(s) by {MARKDOWN_SOURCE}**")

    at = app(EVENTS, query={"day": "![x](http://127.0.0.1:9/pixel.png)", "mode": "$x^2$"})
    notices = " ".join(w.value for w in at.warning)
    assert r"day \'\!\[x\]\(http" in notices and r"mode \'\$x\^2\$\' is not one of" in notices
    assert "day '![x](http://127.0.0.1:9/pixel.png)' is not a date" in as_read(notices)


def test_the_time_lapse_offers_the_last_days_up_to_its_frame_limit_and_says_when_it_cuts(app, bundled):
    """The time-lapse's range starts at the last ``timelapse_max_frames`` days; a longer range is cut, with a note."""
    at = app(DASHBOARD_TIMELAPSE_MAX_FRAMES=3)
    at.run()  # the map's first report brings the downloads
    first, last = bundled["day"].min(), bundled["day"].max()
    days = [first + dt.timedelta(days=d) for d in range((last - first).days + 1)]  # the slider's: every day
    chosen = at.select_slider(key="timelapse_days")
    assert chosen.value == (days[-3], days[-1])
    assert not any("the time-lapse holds" in c.value for c in at.caption)
    chosen.set_value((days[0], days[-1])).run()
    assert not at.exception
    assert any(f"{len(days)} days chosen; the time-lapse holds the last 3" in c.value for c in at.caption)
