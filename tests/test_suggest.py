"""The one "did you mean" helper (journeymap/suggest.py)."""

from __future__ import annotations

from journeymap.suggest import SUGGEST_LIMIT, close_matches, did_you_mean


def test_one_close_name() -> None:
    assert did_you_mean("functoin", ["id", "function", "stage"]) == "did you mean 'function'?"


def test_several_close_names_read_as_or_best_first_ties_alphabetical() -> None:
    codes = [f"JM10{k}" for k in range(9)]
    assert did_you_mean("JM109", codes, n=3) == "did you mean 'JM106' or 'JM107' or 'JM108'?"
    assert close_matches("JM1022", ["JM402", "JM102", "JM302"], n=3) == ["JM102", "JM302", "JM402"]
    assert close_matches("abcdef", ["abcdzz", "zbcdef"], n=2) == ["zbcdef", "abcdzz"]


def test_letter_case_only_and_nothing_close() -> None:
    assert close_matches("A", ["a", "b"]) == ["a"]
    assert did_you_mean("zzz", ["alpha", "beta"]) is None


def test_no_search_over_a_huge_pool() -> None:
    assert did_you_mean("x0", (f"x{k}" for k in range(SUGGEST_LIMIT + 1))) is None
