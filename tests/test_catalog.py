"""The rule catalogue: its properties, the weights derived from it, and the docs that list them."""

from __future__ import annotations

import re
from pathlib import Path

from journeymap import config
from journeymap.analysis.engine import analyze
from journeymap.catalog import (
    DEFAULT_WEIGHTS,
    GATE_CODES,
    RULES,
    code_ranges,
    is_asked_again,
    is_per_handoff,
    marks_stage,
    risk_factors,
)
from journeymap.load import load_journeys

ROOT = Path(__file__).resolve().parents[1]
METHODOLOGY = ROOT / "docs" / "methodology.md"


def test_config_weights_are_the_catalogues() -> None:
    assert config.DEFAULT_WEIGHTS is DEFAULT_WEIGHTS
    assert dict(config.Config.default().weights) == dict(DEFAULT_WEIGHTS)


def test_properties_fit_together() -> None:
    for code, rule in RULES.items():
        counts = rule.risk_factor or rule.per_handoff
        assert (rule.weight is not None) == counts, code  # a weight exactly where it counts
        assert not (rule.risk_factor and rule.per_handoff), code
        assert not rule.context_loss or rule.risk_factor, code
        assert not rule.gate or rule.weight is None, code
    assert [c for c, r in RULES.items() if r.per_handoff] == ["JM100"]
    assert [c for c, r in RULES.items() if r.risk_factor] == [f"JM10{i}" for i in range(1, 9)]
    assert [c for c, r in RULES.items() if r.context_loss] == ["JM102", "JM103"]
    assert [c for c, r in RULES.items() if r.risky] == [
        "JM101",
        "JM102",
        "JM103",
        "JM105",
        "JM106",
        "JM107",
        "JM108",
    ]
    assert GATE_CODES == ("JM401", "JM402", "JM403", "JM501", "JM502", "JM503", "JM504")


def test_helpers() -> None:
    assert risk_factors(["JM100", "JM104", "JM101", "XX999"]) == ("JM104", "JM101", "XX999")
    assert is_per_handoff("JM100") and not is_per_handoff("JM101")
    assert not is_per_handoff("XX999")
    assert [c for c in RULES if is_asked_again(c)] == ["JM103"] and not is_asked_again("XX999")
    assert [c for c in RULES if marks_stage(c)] == ["JM201"] and not marks_stage("XX999")
    assert code_ranges(RULES) == "JM100-JM108, JM201-JM202, JM301-JM303, JM401-JM403, JM501-JM504"
    assert code_ranges(["JM101", "JM103"], sep="&ndash;", joiner=" or ") == "JM101 or JM103"
    assert code_ranges([]) == ""


def test_handoff_rules_are_risk_factors() -> None:
    (journey,) = load_journeys([str(ROOT / "journeys" / "claims-before.yaml")])
    analysis = analyze(journey)
    assert analysis.handoffs
    for handoff in analysis.handoffs:
        assert risk_factors(handoff.rules) == handoff.rules
    per_handoff = [f for f in analysis.findings if is_per_handoff(f.rule)]
    assert len(per_handoff) == len(analysis.handoffs)


def test_methodology_weights_table_matches_the_catalogue() -> None:
    """docs/methodology.md ("The risk score") lists every default weight, as the catalogue has."""
    text = METHODOLOGY.read_text(encoding="utf-8")
    section = text.split("## The risk score", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (JM\d{3}) ([^|]*?) \| ([0-9.]+) \|", section, flags=re.MULTILINE)
    documented = {code: float(weight) for code, _, weight in rows}
    assert documented == dict(DEFAULT_WEIGHTS)
    for code, title, _ in rows:  # the short name shown is the rule's (or a word of it)
        assert title.strip().split()[-1] in RULES[code].title, (code, title)


def test_presentation_code_asks_the_catalogue_instead_of_spelling_rule_codes() -> None:
    # a rule code as a string literal ("JM103", 'JM201') in the diagrams, the report, the live
    # preview or the templates: the rule's property belongs on the catalogue
    literal = re.compile(r"""["']JM[0-9]{3}["']""")
    folders = [ROOT / "journeymap" / name for name in ("render", "report", "serve")]
    files = [p for folder in folders for p in sorted(folder.rglob("*.py"))]
    files += sorted((ROOT / "templates").rglob("*.j2"))
    assert len(files) > 10
    spelled = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in files
        for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if literal.search(line)
    ]
    assert spelled == []


def test_every_rule_says_why_it_hurts_customers() -> None:
    """The report's glossary explains each code in one sentence (catalog ``Rule.why``); the
    per-handoff JM100 is the handoff itself and needs none."""
    from journeymap.catalog import RULES

    missing = [code for code, rule in RULES.items() if not rule.why and not rule.per_handoff]
    assert missing == []
    for rule in RULES.values():
        assert "`" not in rule.why and (not rule.why or rule.why.endswith("."))
