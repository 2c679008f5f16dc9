"""The mined-log page: its figures are those of a hand-built log, computed by hand; hostile names
stay text; the same figures give the same bytes; the page makes no request.

The log (three cases, functions Sales, Billing, Support; times on 2026-03-02, UTC):

    C1  09:00 Place order   alice Sales   10:00 Bill   bob Billing   12:00 Confirm alice Sales
    C2  09:00 Place order   alice Sales   09:30 Triage carol Support 11:30 Bill  bob Billing
        11:40 Confirm dave Sales
    C3  09:00 Place order   alice Sales   09:10 Check  alice Sales   13:10 Bill  bob Billing

By hand: function successions S->B 2 (C1, C3), B->S 2 (C1, C2), S->T 1, T->B 1, S->S 1 (C3):
6 handoffs between functions, 2.00 per case, shares 2/6 = 33.3% and 1/6 = 16.7%. Ping-pong:
C1 runs S,B,S (direct S via B); C2 runs S,T,B,S (indirect S via T and via B): each 1 case of 3,
33.3%; 2 of 3 cases (67%) sent back at all. Waits: S->B 1 h, 4 h (median 2.5 h, p90 1 + 0.9 * 3 = 3.7 h); T->B 2 h; B->S 2 h, 10 min
(median 65 min, p90 10 + 0.9 * 110 = 109 min = 1.8 h); S->T 30 min. Directly-follows: Bill -> Confirm
twice (2 of 7 successions, 28.6%; median of 2 h and 10 min = 65 min), five pairs once (14.3%).
People: alice->bob twice (2 of 7, 28.6%), four pairs once (14.3%), alice->alice once (not shown).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest

from journeymap.mining import MinedLog, mine
from journeymap.report.mining import RESOURCES_SHOWN, mined_html

HEADER = ["case:concept:name", "concept:name", "time:timestamp", "org:resource", "org:group"]
S, B, T = "Sales", "Billing", "Support"
ROWS = [
    ("C1", "Place order", "09:00", "alice", S),
    ("C1", "Bill", "10:00", "bob", B),
    ("C1", "Confirm", "12:00", "alice", S),
    ("C2", "Place order", "09:00", "alice", S),
    ("C2", "Triage", "09:30", "carol", T),
    ("C2", "Bill", "11:30", "bob", B),
    ("C2", "Confirm", "11:40", "dave", S),
    ("C3", "Place order", "09:00", "alice", S),
    ("C3", "Check", "09:10", "alice", S),
    ("C3", "Bill", "13:10", "bob", B),
]


def write_log(path: Path, rename: dict[str, str] | None = None) -> Path:
    """The log above; ``rename`` replaces names (activities, people, functions) by others."""
    rename = rename or {}
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for case, activity, time, person, function in ROWS:
            writer.writerow(
                [
                    case,
                    rename.get(activity, activity),
                    f"2026-03-02T{time}:00+00:00",
                    rename.get(person, person),
                    rename.get(function, function),
                ]
            )
    return path


class Tables(HTMLParser):
    """Every table of a page by its first class: rows of cell texts (spaces collapsed); also
    the figure cards as (label, value, note) and all text of the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: dict[str, list[list[str]]] = {}
        self.cards: list[list[str]] = []
        self.text: list[str] = []
        self._table: list[list[str]] | None = None
        self._cell: list[str] | None = None
        self._card: list[str] | None = None
        self._part: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "table":
            self._table = self.tables.setdefault(classes[-1] if classes else "", [])
        elif tag == "tr" and self._table is not None:
            self._table.append([])
        elif tag in ("td", "th") and self._table is not None:
            self._cell = []
        elif tag == "div" and "figure-card" in classes:
            self._card = []
        elif self._card is not None and (tag in ("dt",) or classes[:1] in (["big"], ["note"])):
            self._part = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self._table is not None:
            self._table[-1].append(" ".join(" ".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None
        elif tag in ("dt", "span") and self._part is not None and self._card is not None:
            self._card.append(" ".join("".join(self._part).split()))
            self._part = None
        elif tag == "div" and self._card is not None:
            self.cards.append(self._card)
            self._card = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._cell is not None:
            self._cell.append(data)
        if self._part is not None:
            self._part.append(data)


def parse(html: str) -> Tables:
    parser = Tables()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture(scope="module")
def mined(tmp_path_factory: pytest.TempPathFactory) -> MinedLog:
    return mine(str(write_log(tmp_path_factory.mktemp("log") / "orders.csv")))


@pytest.fixture(scope="module")
def page(mined: MinedLog) -> Tables:
    return parse(mined_html(mined))


def test_headline_figures_are_the_hand_computed_ones(page: Tables) -> None:
    assert page.cards == [
        ["Cases", "3", "customers, one case each"],
        ["Events", "10", "steps recorded"],
        ["Activities", "5", "kinds of step"],
        ["Handoffs per case", "2.00", "times a customer is passed to another function"],
        # C1 and C2 are sent back (2 of 3 cases); worst pair: one case of three either way,
        # ties go to the first pair by name
        ["Cases sent back", "67%", "worst pair: back to Sales via Billing"],
        ["Longest wait at a handoff", "2.5 h", "median, Sales \u2192 Billing"],
    ]


def test_the_matrix_counts_handoffs_between_functions_and_dims_the_self_pairs(
    page: Tables,
) -> None:
    # functions busiest first: Sales 2+2+1+1+2 (S->S counts in and out) = 8, Billing 2+2+1 = 5,
    # Support 2
    rows = page.tables["mined-matrix"]
    assert rows[0] == ["from to", S, B, T, "All out"]
    assert rows[1] == [S, "within Sales: 1 within", "2 33.3%", "1 16.7%", "3"]
    assert rows[2] == [B, "2 33.3%", "within Billing: none", "none", "2"]
    assert rows[3] == [T, "none", "1 16.7%", "within Support: none", "1"]
    assert rows[4] == ["All in", "2", "3", "1", "6"]


def test_ping_pong_lists_direct_and_indirect_cases_per_pair(page: Tables) -> None:
    rows = page.tables["ping-pong"]
    assert rows[1:] == [
        [S, B, "1", "33.3%", "1", "33.3%"],
        [S, T, "0", "\u2014", "1", "33.3%"],
    ]


def test_waits_are_in_human_units_longest_median_first(page: Tables) -> None:
    assert page.tables["waits"][1:] == [
        [S, B, "2", "2.5 h", "3.7 h"],
        [T, B, "1", "2.0 h", "2.0 h"],
        [B, S, "2", "65 min", "1.8 h"],  # 109 min: 90 min and over in hours
        [S, T, "1", "30 min", "30 min"],
    ]


def test_busiest_steps_and_handovers_between_people(page: Tables) -> None:
    dfg = page.tables["dfg"][1:]
    assert dfg[0] == ["Bill", "Confirm", "2", "28.6%", "65 min"]
    assert len(dfg) == 6 and all(r[2:4] == ["1", "14.3%"] for r in dfg[1:])
    assert page.tables["people"][1:] == [
        ["alice", "bob", "2", "28.6%"],
        ["alice", "carol", "1", "14.3%"],
        ["bob", "alice", "1", "14.3%"],
        ["bob", "dave", "1", "14.3%"],
        ["carol", "bob", "1", "14.3%"],
    ]


def test_resource_handovers_stop_at_twenty_and_point_to_the_json(tmp_path: Path) -> None:
    # one case walking through 30 people: 29 handovers, each once
    log = tmp_path / "relay.csv"
    with log.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for i in range(30):
            writer.writerow(["C1", "Step", f"2026-03-02T09:{i:02d}:00+00:00", f"p{i:02d}", S])
    html = mined_html(mine(str(log)))
    people = parse(html).tables["people"]
    assert len(people) - 1 == RESOURCES_SHOWN == 20
    assert people[1] == ["p00", "p01", "1", f"{1 / 29:.1%}"]
    assert "all 29 are in the JSON" in html


HOSTILE = {
    "Sales": "<script>alert(1)</script>",
    "Billing": "</td></tr></table><b>x</b>",
    "Support": "\"quoted\" & 'single'",
    "alice": "<img src=x onerror=alert(2)>",
    "Bill": "</caption><script>",
}


def test_hostile_names_stay_text(tmp_path: Path) -> None:
    html = mined_html(mine(str(write_log(tmp_path / "hostile.csv", HOSTILE))))
    assert html.count("<script") == 1  # the page's own script, nothing else
    assert "<img" not in html and "<b>x" not in html and "</td></tr></table><b>" not in html
    seen = parse(html)
    rows = seen.tables["mined-matrix"]
    assert rows[0][1:4] == [HOSTILE["Sales"], HOSTILE["Billing"], HOSTILE["Support"]]
    assert len(rows) == 5 and all(len(r) == 5 for r in rows)  # no cell broken out of
    assert seen.tables["people"][1][:2] == [HOSTILE["alice"], "bob"]
    assert seen.tables["dfg"][1][:2] == [HOSTILE["Bill"], "Confirm"]
    # Sales is sent back via Billing and via Support, one case each: the tie goes by name
    via = min(HOSTILE["Billing"], HOSTILE["Support"])
    assert seen.cards[4][2] == f"worst pair: back to {HOSTILE['Sales']} via {via}"
    for title in re.findall(r'title="([^"]*)"', html):
        assert "<" not in title and "'" not in title


def test_the_same_log_gives_the_same_bytes(tmp_path: Path, mined: MinedLog) -> None:
    again = mine(str(write_log(tmp_path / "orders.csv")))
    assert mined_html(mined).encode() == mined_html(mined).encode()
    # the log's name is the only difference between the two sources
    assert mined_html(again).replace(str(tmp_path), "X") == mined_html(mined).replace(
        mined.source.rsplit("/", 1)[0], "X"
    )


def test_the_page_is_self_contained(mined: MinedLog) -> None:
    html = mined_html(mined)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert policy is not None
    csp = unescape(policy.group(1))
    assert "default-src 'none'" in csp
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style is not None  # the inline stylesheet is the one the policy allows
    digest = base64.b64encode(hashlib.sha256(style.group(1).encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<link" not in html


def test_without_a_function_column_the_page_says_how_to_map_one(tmp_path: Path) -> None:
    log = tmp_path / "plain.csv"
    with log.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER[:3])
        for case, activity, time, _, _ in ROWS:
            writer.writerow([case, activity, f"2026-03-02T{time}:00+00:00"])
    html = mined_html(mine(str(log)))
    seen = parse(html)
    assert [c[0] for c in seen.cards] == ["Cases", "Events", "Activities"]
    assert "mined-matrix" not in seen.tables and "waits" not in seen.tables
    assert "--function-column" in html and "--resource-column" in html
    assert seen.tables["dfg"][1] == ["Bill", "Confirm", "2", "28.6%", "65 min"]
