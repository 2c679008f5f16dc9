"""The blueprint view: rows and named lines, the evidence row, one backstage box per handoff in
its target's column, fail points and asked-again badges exactly where the findings are, waits on
their transitions, no rule code in visible text; and the ``evidence`` touchpoint key it draws.

Expectations are counted by hand from the small journey below and from the findings of the
example journeys (claims-before's repeat asks: 17 findings ending at 9 distinct touchpoints)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from journeymap.analysis.types import Finding, JourneyAnalysis
from journeymap.catalog import RULES
from journeymap.errors import InputError
from journeymap.load import load_journey_text
from journeymap.render import render_journey
from journeymap.render.blueprint_view import wait_before
from journeymap.render.journey_view import format_hours
from tests.render import factory as F
from tests.render.conftest import JOURNEYS, analyse_file

SVG = "{http://www.w3.org/2000/svg}"


def small(evidence: bool = True) -> JourneyAnalysis:
    """Web form (Marketing) -> claim set-up (Claims, 2 d wait) -> adjuster visit (Claims) and
    -> payment (Finance). Hand-made findings: the set-up asks again for the contact given on the
    web form, the visit asks again for it too (path web, setup, visit); the web -> set-up handoff
    lost the context. So: asked again at setup and visit (not web), one fail point (handoff
    web -> setup), two backstage boxes (web -> setup, setup -> pay), one wait (setup -> visit)."""
    j = F.journey(
        id="small",
        functions=[
            ("mkt", "Marketing", None),
            ("claims", "Claims", "COO"),
            ("fin", "Finance", None),
        ],
        stages=[("report", "Report"), ("settle", "Settle")],
        touchpoints=[
            dict(
                id="web",
                name="Web form",
                stage="report",
                function="mkt",
                channel="web",
                asks=["contact"],
                emotion=3,
                next=["setup"],
            ),
            dict(
                id="setup",
                name="Claim set up",
                stage="report",
                function="claims",
                channel="phone",
                asks=["contact"],
                emotion=2,
                evidence=("Claim letter", "Text message") if evidence else (),
                next=[
                    dict(target="visit", share=0.5, wait_hours=48.0),
                    dict(target="pay", share=0.5, owner="fin"),
                ],
            ),
            dict(
                id="visit",
                name="Adjuster visit",
                stage="settle",
                function="claims",
                channel="field",
                asks=["contact"],
                emotion=2,
                outcome="assessed",
            ),
            dict(
                id="pay",
                name="Payment",
                stage="settle",
                function="fin",
                channel="email",
                emotion=4,
                outcome="paid",
            ),
        ],
    )
    a = F.analysis(
        j,
        rules={("web", "setup"): ["JM101", "JM102", "JM103"]},
        numbers={("web", "setup"): 1, ("setup", "pay"): 2},
    )
    findings = (
        Finding(
            "JM103",
            "warning",
            "setup asks for contact again",
            "small",
            touchpoints=("web", "setup"),
        ),
        Finding(
            "JM103",
            "warning",
            "visit asks for contact again",
            "small",
            touchpoints=("web", "setup", "visit"),
        ),
        Finding(
            "JM102",
            "warning",
            "web -> setup loses context",
            "small",
            touchpoints=("web", "setup"),
            transition=("web", "setup"),
        ),
    )
    return replace(a, findings=findings)


def svg_of(analysis: JourneyAnalysis) -> ET.Element:
    return F.merge_lines(ET.fromstring(render_journey(analysis, view="blueprint")))


def nodes(root: ET.Element, cls: str) -> list[ET.Element]:
    return [
        g
        for g in root.iter(f"{SVG}g")
        if cls in (g.get("class") or "").split() and "node" in (g.get("class") or "").split()
    ]


def edges(root: ET.Element, cls: str) -> list[ET.Element]:
    return [
        g
        for g in root.iter(f"{SVG}g")
        if cls in (g.get("class") or "").split() and "edge" in (g.get("class") or "").split()
    ]


def by_id(root: ET.Element, element_id: str) -> ET.Element:
    found = [g for g in root.iter(f"{SVG}g") if g.get("id", "") == element_id]
    assert len(found) == 1, element_id
    return found[0]


def text_of(g: ET.Element) -> str:
    return " ".join((t.text or "").strip() for t in g.iter(f"{SVG}text")).strip()


def centre_x(root: ET.Element, element_id: str) -> float:
    """The x of a box's title text (drawn centred in the box)."""
    texts = list(by_id(root, f"{element_id}-title").iter(f"{SVG}text"))
    return float(texts[0].get("x", "nan"))


def cluster_box(root: ET.Element, element_id: str) -> tuple[float, float]:
    """Top and bottom (SVG y grows downwards) of a cluster's band rectangle."""
    points = by_id(root, element_id).find(f"{SVG}polygon")
    assert points is not None
    ys = [float(p.split(",")[1]) for p in (points.get("points") or "").split()]
    return min(ys), max(ys)


# -- rows and lines ------------------------------------------------------------------------


def test_rows_and_named_lines_top_to_bottom() -> None:
    root = svg_of(small())
    labels = [text_of(g) for g in nodes(root, "line-label")]
    assert labels == ["line of interaction", "line of visibility", "line of internal interaction"]
    lines = edges(root, "line")
    assert [g.get("id", "") for g in lines] == [
        "line-row-interaction",
        "line-row-visibility",
        "line-row-internal",
    ]
    rows = {
        key: cluster_box(root, f"row-{key}")
        for key in ("evidence", "customer", "frontstage", "backstage", "support")
    }
    tops = [top for top, _ in rows.values()]
    assert tops == sorted(tops), "rows run top to bottom in blueprint order"
    line_y = [line_height_of(g) for g in lines]
    assert rows["customer"][1] <= line_y[0] <= rows["frontstage"][0]
    assert rows["frontstage"][1] <= line_y[1] <= rows["backstage"][0]
    assert rows["backstage"][1] <= line_y[2] <= rows["support"][0]


def line_height_of(g: ET.Element) -> float:
    """The y of a straight line edge (its path starts ``Mx,y``)."""
    path = g.find(f"{SVG}path")
    assert path is not None
    match = re.match(r"M\s*[-\d.]+,\s*([-\d.]+)", path.get("d") or "")
    assert match, path.get("d")
    return float(match.group(1))


def test_evidence_row_exists_only_when_some_touchpoint_has_evidence() -> None:
    with_evidence = svg_of(small())
    boxes = nodes(with_evidence, "evidence")
    assert [g.get("id", "") for g in boxes] == ["evidence-setup"]
    assert text_of(by_id(with_evidence, "evidence-setup-title")) == "Claim letter, Text message"
    assert centre_x(with_evidence, "evidence-setup") == centre_x(with_evidence, "tp-setup")
    without = svg_of(small(evidence=False))
    assert nodes(without, "evidence") == []
    assert not [g for g in without.iter(f"{SVG}g") if g.get("id", "") == "row-evidence"]
    assert "Physical evidence" not in " ".join(text_of(g) for g in nodes(without, "lane-label"))


def test_claims_after_shows_its_evidence() -> None:
    a = analyse_file(JOURNEYS / "claims-after.yaml")
    with_evidence = [tp.id for tp in a.journey.touchpoints.values() if tp.evidence]
    assert with_evidence == ["claim-setup", "sign-off", "payment"]
    root = svg_of(a)
    assert sorted(g.get("id", "") for g in nodes(root, "evidence")) == sorted(
        f"evidence-{t}" for t in with_evidence
    )
    # claims-before has none: no evidence row
    assert nodes(svg_of(analyse_file(JOURNEYS / "claims-before.yaml")), "evidence") == []


# -- customer actions and frontstage ------------------------------------------------------------


def test_every_touchpoint_has_its_frontstage_box_in_its_column() -> None:
    a = small()
    root = svg_of(a)
    assert sorted(g.get("id", "") for g in nodes(root, "frontstage")) == sorted(
        f"front-{t}" for t in a.journey.touchpoints
    )
    for t in a.journey.touchpoints:
        assert centre_x(root, f"front-{t}") == centre_x(root, f"tp-{t}")
    assert text_of(by_id(root, "front-setup-title")) == "Claims"
    assert text_of(by_id(root, "front-setup-meta")) == "via phone \u00b7 COO"


def test_asked_again_only_on_the_touchpoints_that_ask_again() -> None:
    root = svg_of(small())
    marked = sorted(g.get("id", "") for g in nodes(root, "asked-again"))
    assert marked == ["tp-setup", "tp-visit"]  # not tp-web, where the contact was first given
    for tp in ("setup", "visit"):
        assert "\u26a0 asked again" in text_of(by_id(root, f"tp-{tp}-meta"))
    assert "asked again" not in text_of(by_id(root, "tp-web-meta"))
    assert "asked again" not in text_of(by_id(root, "tp-pay-meta"))


def test_claims_before_asked_again_count_is_its_distinct_asking_touchpoints() -> None:
    a = analyse_file(JOURNEYS / "claims-before.yaml")
    repeat = [f for f in a.findings if RULES[f.rule].asked_again]
    asking = {f.touchpoints[-1] for f in repeat}
    on_paths = {t for f in repeat for t in f.touchpoints}
    assert (len(repeat), len(asking), len(on_paths)) == (17, 9, 16)
    root = svg_of(a)
    marked = {g.get("id", "") for g in nodes(root, "asked-again")}
    assert marked == {f"tp-{t}" for t in asking}
    badges = [g for g in root.iter(f"{SVG}g") if "\u26a0 asked again" in text_of(g)]
    assert sorted(
        g.get("id", "") for g in badges if (g.get("id", "") or "").endswith("-meta")
    ) == sorted(f"tp-{t}-meta" for t in asking)


# -- backstage ---------------------------------------------------------------------------------


def test_every_handoff_has_its_backstage_box_under_its_target() -> None:
    a = small()
    root = svg_of(a)
    boxes = {g.get("id", "") for g in nodes(root, "backstage")}
    assert boxes == {"back-1", "back-2"}
    assert centre_x(root, "back-1") == centre_x(root, "tp-setup")
    assert centre_x(root, "back-2") == centre_x(root, "tp-pay")
    assert text_of(by_id(root, "back-1-title")) == "Marketing \u2192 Claims"
    assert text_of(by_id(root, "back-1-meta")) == "1 \u00b7 \u2716 context lost"
    assert text_of(by_id(root, "back-2-title")) == "Claims \u2192 Finance"
    assert text_of(by_id(root, "back-2-meta")) == "2 \u00b7 owner Finance"


@pytest.mark.parametrize("name", ["claims-before", "claims-after", "b2b-purchase"])
def test_examples_every_handoff_one_backstage_box(name: str) -> None:
    a = analyse_file(JOURNEYS / f"{name}.yaml")
    root = svg_of(a)
    assert sorted(g.get("id", "") for g in nodes(root, "backstage")) == sorted(
        f"back-{h.number}" for h in a.handoffs
    )
    for h in a.handoffs:
        assert centre_x(root, f"back-{h.number}") == centre_x(root, f"tp-{h.target}")
        assert str(h.number) in text_of(by_id(root, f"back-{h.number}-meta")).split(" \u00b7 ")
    # the backstage draws no links: the only edges are transitions and the three lines
    kinds = {
        tuple(sorted(set((g.get("class") or "").split()) & {"transition", "line", "key"}))
        for g in root.iter(f"{SVG}g")
        if "edge" in (g.get("class") or "").split()
    }
    assert kinds <= {("transition",), ("line",), ("key",)}


def test_fail_points_exactly_where_context_is_lost() -> None:
    root = svg_of(small())
    assert [g.get("id", "") for g in nodes(root, "fail")] == ["back-1"]
    for name in ("claims-before", "claims-after"):
        a = analyse_file(JOURNEYS / f"{name}.yaml")
        lost = {f.transition for f in a.findings if f.rule == "JM102"}
        handoffs = {(h.source, h.target): h.number for h in a.handoffs}
        lost |= {f.touchpoints[-2:] for f in a.findings if f.rule == "JM103"} & set(handoffs)
        root = svg_of(a)
        fails = {g.get("id", "") for g in nodes(root, "fail")}
        assert fails == {f"back-{handoffs[k]}" for k in lost}, name
        for g in nodes(root, "backstage"):
            meta = text_of(by_id(root, f"{g.get('id')}-meta"))
            assert ("\u2716 context lost" in meta) == (g.get("id", "") in fails)
    assert len(fails) == 0  # claims-after: every handoff carries the story
    before = analyse_file(JOURNEYS / "claims-before.yaml")
    assert len(nodes(svg_of(before), "fail")) == 21


# -- waits -------------------------------------------------------------------------------------


def test_wait_points_on_their_transitions() -> None:
    root = svg_of(small())
    waits = nodes(root, "wait")
    assert [(g.get("id", ""), text_of(g)) for g in waits] == [("wait-setup--visit", "\u25f7 2 d")]
    # and the frontstage box of the touchpoint waited for says so
    assert text_of(by_id(root, "front-visit-meta")) == "via field \u00b7 \u25f7 2 d"
    assert "\u25f7" not in text_of(by_id(root, "front-pay-meta"))


def test_wait_before_a_touchpoint() -> None:
    assert wait_before([]) == ()
    assert wait_before([48.0]) == ("\u25f7 2 d",)
    assert wait_before([48.0, 48.0]) == ("\u25f7 2 d",)
    assert wait_before([4.0, 48.0]) == ("\u25f7 4 h\u20132 d", "\u25f7 \u22642 d")


@pytest.mark.parametrize("name", ["claims-before", "claims-after"])
def test_examples_every_wait_is_marked(name: str) -> None:
    a = analyse_file(JOURNEYS / f"{name}.yaml")
    expected = {
        f"wait-{t.source}--{t.target}": f"\u25f7 {format_hours(t.wait_hours)}"
        for t in a.journey.transitions()
        if t.wait_hours
    }
    root = svg_of(a)
    drawn = {g.get("id", ""): text_of(g) for g in nodes(root, "wait")}
    # each wait point drawn on a transition says that transition's wait
    assert {k: expected.get(k or "") for k in drawn} == drawn
    # a wait between two boxes stacked in one column may find no free spot near its short edge
    # (the grid then leaves it out, as it does shares); the frontstage box of every touchpoint
    # waited for still shows the wait before it
    assert len(drawn) >= 0.75 * len(expected)
    for target in {t.target for t in a.journey.transitions() if t.wait_hours}:
        waits = [t.wait_hours or 0 for t in a.journey.transitions() if t.target == target]
        shown = text_of(by_id(root, f"front-{target}-meta"))
        assert any(v in shown for v in wait_before([w for w in waits if w])), (target, shown)


# -- no rule codes in sight ----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["claims-before", "claims-after"])
def test_no_rule_code_in_visible_text(name: str) -> None:
    for root in (svg_of(analyse_file(JOURNEYS / f"{name}.yaml")), svg_of(small())):
        visible = [t.text or "" for t in root.iter(f"{SVG}text")]
        assert visible and not [t for t in visible if re.search(r"JM\d{3}", t)]
    hover = [
        value
        for e in svg_of(small()).iter()
        for key, value in e.attrib.items()
        if key.endswith("}title")
    ]
    assert any("JM103" in t for t in hover), "the codes stay in the hover text"


# -- the evidence key --------------------------------------------------------------------------

TEXT = (
    "journeymap: 1\nstages: [s]\nfunctions: {f: {}}\ntouchpoints:\n"
    "  a:\n    stage: s\n    function: f\n    evidence: VALUE\n"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("claim form", ("claim form",)),
        ("[claim form, email confirmation]", ("claim form", "email confirmation")),
        ("[]", ()),
    ],
)
def test_evidence_is_a_text_or_a_list_of_texts(value: str, expected: tuple[str, ...]) -> None:
    journey = load_journey_text(TEXT.replace("VALUE", value), "j.yaml")
    assert journey.touchpoints["a"].evidence == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        # "    evidence: " is 14 characters: the value starts at column 15 of line 8
        (
            "{x: 1}",
            "j.yaml:8:15: error: 'evidence' must be text or a list of text, found a mapping",
        ),
        # "[claim form, " is 13 characters: the mapping item starts at column 28
        ("[claim form, {x: 1}]", "j.yaml:8:28: error: 'evidence' must be text, found a mapping"),
        ("''", "j.yaml:8:15: error: 'evidence' is empty"),
    ],
)
def test_evidence_of_another_type_is_an_error(value: str, message: str) -> None:
    with pytest.raises(InputError) as info:
        load_journey_text(TEXT.replace("VALUE", value), "j.yaml")
    assert str(info.value) == message


def test_evidence_defaults_to_none() -> None:
    journey = load_journey_text(TEXT.replace("    evidence: VALUE\n", ""), "j.yaml")
    assert journey.touchpoints["a"].evidence == ()
