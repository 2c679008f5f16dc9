"""The grid's column plan, by hand: boxes flow within a cell, stage widths fit 16:9."""

from __future__ import annotations

from journeymap.render._grid import _spline_points, choose_widths, pack_stage


def test_a_chain_flows_like_text_onto_more_rows() -> None:
    # a -> b -> c -> d in one lane, depths 0..3, folded into 2 columns: a b / c d
    depths = {"a": 0, "b": 1, "c": 2, "d": 3}
    band = dict.fromkeys(depths, "L")
    preds = {"b": ["a"], "c": ["b"], "d": ["c"]}
    columns, rows = pack_stage(depths, band, preds, 2)
    assert columns == {"a": 0, "b": 1, "c": 0, "d": 1}
    assert rows == {"L": 2}
    columns, rows = pack_stage(depths, band, preds, 4)
    assert columns == {"a": 0, "b": 1, "c": 2, "d": 3} and rows == {"L": 1}


def test_parallel_boxes_spread_into_free_columns_and_lanes_keep_their_own_rows() -> None:
    # three entries at depth 0 in lane M, one in lane S: with 2 columns M needs 2 rows
    depths = {"m1": 0, "m2": 0, "m3": 0, "s1": 0}
    band = {"m1": "M", "m2": "M", "m3": "M", "s1": "S"}
    columns, rows = pack_stage(depths, band, {}, 2)
    assert columns == {"m1": 0, "m2": 1, "m3": 0, "s1": 0}
    assert rows == {"M": 2, "S": 1}
    columns, rows = pack_stage(depths, band, {}, 1)
    assert rows == {"M": 3, "S": 1}


def test_a_follower_takes_its_leaders_column() -> None:
    depths = {"a": 0, "b": 1}
    band = {"a": "L", "b": "L", "f": "F"}
    columns, rows = pack_stage(depths, band, {"b": ["a"]}, 2, [("f", "b")])
    assert columns["f"] == columns["b"] == 1
    assert rows == {"L": 1, "F": 1}


def test_widths_are_folded_while_the_fitted_picture_grows() -> None:
    # one lane, one stage, a chain of 6: columns 100 wide, rows 100 high, no fixed parts.
    # width w gives ceil(6/w) rows: w=6 -> 600x100 (scale min(3.2, 10.8) = 3.2);
    # w=3 -> 300x200 (min(6.4, 5.4) = 5.4); w=2 -> 200x300 (min(9.6, 3.6) = 3.6).
    depths = {f"n{i}": i for i in range(6)}
    band = dict.fromkeys(depths, "L")
    preds = {f"n{i}": [f"n{i - 1}"] for i in range(1, 6)}
    widths = choose_widths([(depths, [])], band, preds, 0.0, 100.0, 0.0, 100.0, 0.0, ["L"])
    assert widths == [3]
    # past the budget the natural width stays
    assert choose_widths([(depths, [])], band, preds, 0, 100, 0, 100, 0, ["L"], budget=5) == [6]


def test_spline_points_follow_every_part_of_a_split_edge() -> None:
    straight = "e,30,0 0,0 10,0 20,0 27,0"
    points = _spline_points(straight)
    assert points[0] == (0.0, 0.0) and points[-1] == (30.0, 0.0)
    assert all(y == 0.0 for _, y in points)
    two = "0,0 1,0 2,0 3,0;3,0 3,1 3,2 e,3,4 3,3"
    assert _spline_points(two)[-1] == (3.0, 4.0)
