"""The hardened YAML reader: our own messages for deep nesting and indentation mistakes.

Every test runs twice, once with libyaml's parser (when PyYAML was built with it) and once with
PyYAML's pure-Python parser, and asserts on journeymap's own text only: which parser reads the
file, and which version of PyYAML or libyaml is installed, must not change a message.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml

from journeymap import yamlnodes
from journeymap.yamlnodes import MAX_DEPTH, MapNode, Scalar, SeqNode, parse

LOADERS = [yaml.SafeLoader]
if hasattr(yaml, "CSafeLoader"):
    LOADERS.insert(0, yaml.CSafeLoader)


@pytest.fixture(params=LOADERS, ids=lambda loader: loader.__name__, autouse=True)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[type]:
    monkeypatch.setattr(yamlnodes, "_Loader", request.param)
    yield request.param


def lines(text: str, kind: str = "journey") -> list[str]:
    return [str(p) for p in parse(text, "x.yaml", kind).problems]


DEEP = f"nesting too deep (more than {MAX_DEPTH} levels); a journey needs only a few levels"


# -- nesting ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where"),
    [
        # 200,000 brackets: the libyaml in PyYAML 6.0.4's wheels stops at its own depth limit
        # (1000) while scanning ahead, before we see the 65th level; the pure parser speaks
        ("journeymap: 1\nx: " + "[" * 200_000 + "]" * 200_000 + "\n", "2:67"),
        ("journeymap: 1\nx: " + "[" * 5000 + "\n", "2:67"),
        ("journeymap: 1\nx: " + "{" * 5000 + "\n", "2:67"),
        ("journeymap: 1\nx: " + "[ " * 5000 + "\n", "2:130"),
        ("journeymap: 1\nx:\n" + "- " * 1100 + "\n", "3:127"),
        ("journeymap: 1\nx:\n" + "".join("  " * i + "-\n" for i in range(1100)), "66:127"),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", f"1:{MAX_DEPTH + 1}"),
    ],
)
def test_deep_nesting_is_our_message(text: str, where: str) -> None:
    assert lines(text) == [f"x.yaml:{where}: error: {DEEP}"]


def test_deepest_accepted_nesting_parses() -> None:
    text = "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n"
    node = parse(text, "x.yaml").root
    depth = 0
    while isinstance(node, SeqNode):
        depth += 1
        node = node.items[0] if node.items else None
    assert depth == MAX_DEPTH


def test_config_kind_words_the_hints() -> None:
    assert lines("a: " + "[" * 5000 + "\n", kind="config") == [
        f"x.yaml:1:67: error: nesting too deep (more than {MAX_DEPTH} levels); "
        "a config file needs only two or three levels"
    ]
    assert lines("a: !!binary aGk=\n", kind="config") == [
        "x.yaml:1:4: error: tag !!binary is not allowed; "
        "config files hold plain text, numbers, true/false, lists and mappings"
    ]


def test_an_ordinary_syntax_error_is_not_read_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[type] = []
    compose = yamlnodes._compose

    def counting(text: str, path: str, loader: type, hints: dict[str, str]) -> object:
        calls.append(loader)
        return compose(text, path, loader, hints)

    monkeypatch.setattr(yamlnodes, "_compose", counting)
    text = "journeymap: 1\n" + "notes: plain text\n" * 1000 + "x: [a, b\ny: 1\n"
    assert len(lines(text)) == 1
    assert len(calls) == 1


def test_deep_nesting_is_found_again_cheaply(monkeypatch: pytest.MonkeyPatch, loader: type) -> None:
    # libyaml stopped on its own limit: read again with libyaml, cut after 65 openers (fast),
    # not the whole file with the pure-Python parser (about 20 times slower)
    calls: list[type] = []
    compose = yamlnodes._compose

    def counting(text: str, path: str, loader: type, hints: dict[str, str]) -> object:
        calls.append(loader)
        return compose(text, path, loader, hints)

    monkeypatch.setattr(yamlnodes, "_compose", counting)
    text = "journeymap: 1\n" + "notes: plain text\n" * 1000 + "x: " + "[" * 5000 + "\n"
    assert lines(text) == [f"x.yaml:1002:67: error: {DEEP}"]
    # once where libyaml has no limit of its own (PyYAML 6.0.1) or with the pure parser
    assert 1 <= len(calls) <= 2 and all(c is loader for c in calls)


# -- indentation --------------------------------------------------------------------------------

JOURNEY = """\
journeymap: 1
touchpoints:
  ad:
    name: Campaign
    stage: aware
    function: marketing
{line}
    next: [site]
"""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # a key indented under a scalar value: PyYAML reads 'marketing channel' then a colon
            "      channel: web",
            "x.yaml:7:7: error: indentation: 'channel:' is indented more than the key above it "
            "(line 6); line it up with 'function:'",
        ),
        (  # a key dedented to a column no open mapping uses
            "   channel: web",
            "x.yaml:7:4: error: indentation: 'channel:' is indented less than 'function:' "
            "above it (line 6) but more than 'ad:' (line 3); line it up with one of them",
        ),
        (
            " channel: web",
            "x.yaml:7:2: error: indentation: 'channel:' is indented less than 'ad:' above it "
            "(line 3) but more than 'touchpoints:' (line 2); line it up with one of them",
        ),
    ],
)
def test_indentation_of_a_key(line: str, expected: str) -> None:
    assert lines(JOURNEY.format(line=line)) == [expected]


def test_indentation_after_comments_and_blank_lines_names_the_content_line() -> None:
    text = JOURNEY.format(line="\n    # where it happens\n      channel: web")
    assert lines(text) == [
        "x.yaml:9:7: error: indentation: 'channel:' is indented more than the key above it "
        "(line 6); line it up with 'function:'"
    ]


TRANSITIONS = """\
touchpoints:
  a:
    next:
      - to: b
        share: 0.5
{line}
"""


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "    - to: c",
            "x.yaml:6:5: error: indentation: the list item '- to: c' is indented less than "
            "the list item '- to: b' above it (line 4); line it up with that item",
        ),
        (
            "          - to: c",
            "x.yaml:6:11: error: indentation: the list item '- to: c' is indented more than "
            "the list item '- to: b' above it (line 4); line it up with that item",
        ),
        (
            "       wait: 2d",
            "x.yaml:6:8: error: indentation: 'wait:' is indented less than 'share:' above it "
            "(line 5) but more than '- to: b' (line 4); line it up with one of them",
        ),
        (
            "      wait: 2d",
            "x.yaml:6:7: error: indentation: 'wait:' is at the column of the list item "
            "'- to: b' above it (line 4), where only list items can be; indent it under the "
            "item, or make it an item with '- wait:'",
        ),
    ],
)
def test_indentation_of_a_list_item(line: str, expected: str) -> None:
    assert lines(TRANSITIONS.format(line=line)) == [expected]


def test_dedented_list_item_under_a_key() -> None:
    text = "journeymap: 1\nstages:\n  - aware\n - buy\n"
    assert lines(text) == [
        "x.yaml:4:2: error: indentation: the list item '- buy' is indented less than the "
        "list item '- aware' above it (line 3); line it up with that item"
    ]


def test_key_after_a_block_scalar() -> None:
    text = "a:\n  notes: |\n    first\n      second\n   b: 1\n"
    assert lines(text) == [
        "x.yaml:5:4: error: indentation: 'b:' is indented more than the key above it "
        "(line 2); line it up with 'notes:'"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "journeymap: 1\nx: [a, b\ny: 1\n",  # an unclosed flow list
        "a: b: c\n",  # two colons on one line
        "a: [1,\n  2,\n b: 3\n",  # inside a flow list, indentation means nothing
    ],
)
def test_other_syntax_errors_stay_one_plain_line(text: str) -> None:
    (line,) = lines(text)
    assert line.startswith("x.yaml:") and ": error: YAML syntax error: " in line
    assert "indentation" not in line and "\n" not in line


def test_valid_indentation_is_not_touched() -> None:
    text = "a:\n  - x\n  - y: 1\n    z: 2\nb:\n- c\n- d\n"
    parsed = parse(text, "x.yaml")
    assert parsed.problems == []
    assert isinstance(parsed.root, MapNode)
    keys = [k.value for k, _ in parsed.root.pairs if isinstance(k, Scalar)]
    assert keys == ["a", "b"]
