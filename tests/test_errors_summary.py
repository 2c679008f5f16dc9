"""Errors that help (issue 15): a problem repeated thousands of times is a few lines, not
thousands; every line keeps the ``path:line:col: error:`` form."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from journeymap.cli import main
from journeymap.errors import Problem, summarised
from journeymap.model import Location

LINE = re.compile(r"^\S+:\d+:\d+: error: ")


def test_twenty_thousand_unknown_keys_are_four_lines(tmp_path: Path) -> None:
    path = tmp_path / "wide.yaml"
    keys = "\n".join(f"    k{i}: 1" for i in range(20_000))
    path.write_text(
        "journeymap: 1\ntitle: T\nfunctions: {a: {name: A}}\nstages: [s]\ntouchpoints:\n"
        f"  x:\n    name: X\n    stage: s\n    function: a\n{keys}\n"
    )
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 4
    assert all(LINE.match(line) for line in lines)
    assert "unknown key 'k0'" in lines[0] and "unknown key 'k2'" in lines[2]
    assert lines[3].startswith(f"{path}:13:5: error: ... and 19,997 more like the above")


def test_an_alias_bomb_is_a_handful_of_lines(tmp_path: Path) -> None:
    lines = ["journeymap: 1", "title: T", "a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 2
    out = result.stderr.splitlines()
    # 81 aliases, 10 anchors, 10 unknown keys, 1 missing touchpoints: 91 lines before;
    # now the 81 aliases are 3 lines and a count, the other kinds (ten or fewer) are all shown
    assert len(out) == 1 + 10 + 10 + 3 + 1
    assert all(LINE.match(line) for line in out)
    assert any("and 78 more like the above (alias … is not supported)" in line for line in out)


def test_few_problems_of_a_kind_are_all_shown_in_order() -> None:
    problems = [Problem(Location("f.yaml", n, 1), f"unknown key 'k{n}'") for n in range(1, 11)]
    problems.insert(2, Problem(Location("f.yaml", 99, 9), "missing 'stage'"))
    assert summarised(problems) == [str(p) for p in problems]  # ten of a kind: all shown
    eleven = problems + [Problem(Location("f.yaml", 11, 1), "unknown key 'k11'")]
    text = summarised(eleven)
    assert text[:4] == [str(p) for p in eleven[:4]]  # k1, k2, missing stage, k3
    assert text[4] == "f.yaml:4:1: error: ... and 8 more like the above (unknown key …)"
    assert len(text) == 5
