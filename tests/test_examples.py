"""The example journeys in journeys/: they load, they are workshop-sized, and together they use
every feature of format version 1.

Expected facts (ids, owners, overrides, cycles) come from reading the YAML by hand; the feature
checks look at the loaded model and, for the two spellings the model cannot tell apart (stage
lists, ``next`` ids vs mappings), at the raw YAML.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
import yaml

from journeymap.load import SCENARIO_SUFFIXES, SECTION_KEYS, load_journey, load_journeys
from journeymap.model import Journey, Transition

ROOT = Path(__file__).resolve().parent.parent
JOURNEYS = ROOT / "journeys"
ORGANISATION = JOURNEYS / "organisation.yaml"
EXAMPLES = sorted(
    p
    for p in JOURNEYS.glob("*.yaml")
    if p != ORGANISATION and not p.name.endswith(SCENARIO_SUFFIXES)
)
EXPECTED = {
    "b2b-purchase",
    "retail-omnichannel",
    "telecom-onboarding",
    "claims-before",
    "claims-after",
}
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def _raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def journeys() -> dict[str, Journey]:
    loaded = {p.stem: load_journey(p) for p in EXAMPLES}
    return loaded


def _all_transitions(journeys: dict[str, Journey]) -> Iterator[tuple[Journey, Transition]]:
    for journey in journeys.values():
        for transition in journey.transitions():
            yield journey, transition


def _graph(journey: Journey) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(journey.touchpoints)
    graph.add_edges_from(t.key for t in journey.transitions())
    return graph


def test_the_examples_are_the_expected_files() -> None:
    assert {p.stem for p in EXAMPLES} == EXPECTED
    assert ORGANISATION.is_file()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_loads_and_is_workshop_sized(path: Path) -> None:
    journey = load_journey(path)
    assert journey.id == path.stem
    assert journey.title and journey.persona and journey.description
    assert 15 <= len(journey.touchpoints) <= 40
    assert journey.uses, "every example uses the shared organisation file"
    for touchpoint in journey.touchpoints.values():
        assert len(touchpoint.name) <= 40, touchpoint.id
        assert touchpoint.emotion is not None, touchpoint.id


def test_the_folder_loads_as_the_examples(journeys: dict[str, Journey]) -> None:
    """Loading the folder gives the five journeys; the organisation file is not a journey."""
    loaded = load_journeys([JOURNEYS])
    assert sorted(j.id for j in loaded) == sorted(EXPECTED)


@pytest.mark.parametrize("path", [*EXAMPLES, ORGANISATION], ids=lambda p: p.name)
def test_modeline_points_at_the_published_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = MODELINE.match(first)
    assert match, f"{path.name} must start with the yaml-language-server modeline"
    schema = (path.parent / match.group(1)).resolve()
    assert schema == ROOT / "journeymap" / "schema" / "journey.schema.json"
    assert schema.is_file(), f"modeline points at a missing schema: {schema}"
    json.loads(schema.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_flow_rules_hold(path: Path) -> None:
    """Shares at most 1 per touchpoint, outcomes exactly on terminals, all reachable."""
    journey = load_journey(path)
    entries = {t.id for t in journey.entries()}
    graph = _graph(journey)
    reachable = set(entries)
    for entry in entries:
        reachable |= nx.descendants(graph, entry)
    assert reachable == set(journey.touchpoints)
    for touchpoint in journey.touchpoints.values():
        shares = [t.share for t in touchpoint.next]
        assert all(s is None for s in shares) or all(s is not None for s in shares)
        assert sum(s or 0.0 for s in shares) <= 1.0 + 1e-9, touchpoint.id
        if touchpoint.next:
            assert touchpoint.outcome is None, touchpoint.id
        else:
            assert touchpoint.outcome, f"terminal {touchpoint.id} has no outcome"
        if touchpoint.volume is not None:
            assert touchpoint.id in entries
    volumes = [t.volume is not None for t in journey.entries()]
    assert all(volumes) or not any(volumes)


def test_transition_keys_are_all_used(journeys: dict[str, Journey]) -> None:
    pairs = list(_all_transitions(journeys))
    assert any(t.wait_hours is not None for _, t in pairs)
    assert any(t.carries for _, t in pairs)
    assert any(t.owner for _, t in pairs)
    assert any(t.note for _, t in pairs)
    assert any(t.share is not None for _, t in pairs)


def test_waits_use_every_unit(journeys: dict[str, Journey]) -> None:
    """5m, 4h, 2d and 1w appear, converted to hours (m = 1/60, d = 24, w = 168)."""
    waits = {(j.id, t.source, t.target): t.wait_hours for j, t in _all_transitions(journeys)}
    assert waits[("claims-after", "fnol-phone", "claim-setup")] == pytest.approx(5 / 60)
    assert waits[("claims-after", "fnol-broker", "claim-setup")] == pytest.approx(4)
    assert waits[("b2b-purchase", "lead-scoring", "sdr-call")] == pytest.approx(48)
    assert waits[("b2b-purchase", "nurture", "lead-scoring")] == pytest.approx(168)
    text = "\n".join(p.read_text(encoding="utf-8") for p in EXAMPLES)
    for unit in "mhdw":
        assert re.search(rf"wait: \d+{unit}\b", text), unit


def test_shares_with_drop_off_and_even_splits(journeys: dict[str, Journey]) -> None:
    tps = [tp for j in journeys.values() for tp in j.touchpoints.values()]
    drop_off = [
        tp
        for tp in tps
        if tp.next
        and tp.next[0].share is not None
        and sum(t.share or 0.0 for t in tp.next) < 1 - 1e-9
    ]
    assert drop_off, "some touchpoint loses customers (shares below 1)"
    b2b = journeys["b2b-purchase"]
    assert sum(t.share or 0 for t in b2b.touchpoints["linkedin-ad"].next) == pytest.approx(0.3)
    # an even split: several transitions, none with a share
    assert any(len(tp.next) >= 2 and all(t.share is None for t in tp.next) for tp in tps)
    points_missing = journeys["retail-omnichannel"].touchpoints["points-missing"]
    assert [(t.target, t.share) for t in points_missing.next] == [
        ("member-offer", None),
        ("lapsed", None),
    ]


def test_both_next_spellings_and_both_stage_spellings() -> None:
    stage_kinds: set[str] = set()
    next_kinds: set[str] = set()
    for path in EXAMPLES:
        raw = _raw(path)
        stage_kinds |= {"ids" if isinstance(s, str) else "mappings" for s in raw["stages"]}
        for touchpoint in raw["touchpoints"].values():
            for item in touchpoint.get("next", []):
                next_kinds.add("ids" if isinstance(item, str) else "mappings")
    assert stage_kinds == {"ids", "mappings"}
    assert next_kinds == {"ids", "mappings"}


def test_entries_with_and_without_volume(journeys: dict[str, Journey]) -> None:
    # entry: true with volumes
    b2b = journeys["b2b-purchase"]
    assert {t.id for t in b2b.entries()} == {"linkedin-ad", "search", "webinar", "referral"}
    assert all(t.entry is True and t.volume for t in b2b.entries())
    assert sum(t.volume or 0 for t in b2b.entries()) == 12000 + 6000 + 1500 + 300
    # entry: true without volumes (each entry counts 1)
    before = journeys["claims-before"]
    assert {t.id for t in before.entries()} == {"fnol-phone", "fnol-web", "fnol-broker"}
    assert all(t.entry is True and t.volume is None for t in before.entries())
    # no entry marked: entries are the touchpoints nothing leads into, with volumes
    telecom = journeys["telecom-onboarding"]
    assert all(t.entry is None for t in telecom.touchpoints.values())
    assert {t.id for t in telecom.entries()} == {"web-order", "phone-order", "store-order"}
    assert all(t.volume for t in telecom.entries())


def test_touchpoint_keys_are_all_used(journeys: dict[str, Journey]) -> None:
    tps = [tp for j in journeys.values() for tp in j.touchpoints.values()]
    for attribute in (
        "channel",
        "systems",
        "asks",
        "pains",
        "gains",
        "notes",
        "ideas",
        "kpis",
        "outcome",
        "description",
    ):
        assert any(getattr(tp, attribute) for tp in tps), attribute
    assert {tp.emotion for tp in tps} == {1, 2, 3, 4, 5}
    outcomes = {tp.outcome for tp in tps if tp.outcome}
    assert {"won", "lost", "churned"} <= outcomes


def test_emotion_drops_across_a_handoff(journeys: dict[str, Journey]) -> None:
    def drops(journey: Journey) -> list[tuple[str, str]]:
        tps = journey.touchpoints
        return [
            t.key
            for t in journey.transitions()
            if journey.is_handoff(t)
            and (tps[t.source].emotion or 0) - (tps[t.target].emotion or 0) >= 2
        ]

    assert ("contract-sign", "welcome") in drops(journeys["b2b-purchase"])
    assert ("activation", "setup-help") in drops(journeys["telecom-onboarding"])
    assert ("decision", "complaint") in drops(journeys["claims-before"])


def test_repeat_asks_where_systems_are_not_integrated(journeys: dict[str, Journey]) -> None:
    """Legal entity: given on the quote (quoting tool), asked again by legal and procurement."""
    b2b = journeys["b2b-purchase"]
    askers = [tp.id for tp in b2b.touchpoints.values() if "legal-entity" in tp.asks]
    assert askers[:3] == ["proposal", "legal-review", "procurement"]
    connected = {s for i in b2b.integrations for s in (i.a, i.b)}
    assert "quote-tool" not in connected and "clm" not in connected


def test_organisation_shadow_it_and_one_way_integrations(journeys: dict[str, Journey]) -> None:
    for journey in journeys.values():
        assert journey.channels, journey.id
        assert {"marketing", "it", "cx-office"} <= set(journey.functions)
    systems = [s for j in journeys.values() for s in j.systems.values()]
    assert any(s.shadow for s in systems)
    integrations = [i for j in journeys.values() for i in j.integrations]
    assert any(i.one_way for i in integrations) and any(not i.one_way for i in integrations)
    b2b = journeys["b2b-purchase"]
    assert b2b.systems["quote-tool"].shadow and b2b.systems["survey"].shadow
    assert ("mkt-auto", "crm") in {(i.a, i.b) for i in b2b.integrations if i.one_way}
    assert b2b.functions["marketing"].lead == "CMO"


def test_local_entries_override_the_shared_ones(journeys: dict[str, Journey]) -> None:
    # shared: sales is led by the CRO; b2b-purchase overrides it locally
    assert journeys["retail-omnichannel"].functions["sales"].lead == "CRO"
    assert journeys["b2b-purchase"].functions["sales"].lead == "VP Sales"
    assert journeys["b2b-purchase"].functions["sales"].name == "Account executives"
    assert journeys["telecom-onboarding"].functions["field"].name == "Field engineering"
    assert journeys["telecom-onboarding"].channels["field"].name == "Engineer visit"
    assert journeys["claims-after"].channels["field"].name == "Home visit"
    # shared: the survey tool is marketing's shadow IT; claims-after brings it under governance
    assert journeys["claims-before"].systems["survey"].shadow is True
    after_survey = journeys["claims-after"].systems["survey"]
    assert after_survey.shadow is False and after_survey.owner == "cx-office"
    assert journeys["retail-omnichannel"].systems["ecom"].owner == "ecommerce"
    assert journeys["telecom-onboarding"].systems["ecom"].owner == "marketing"


def test_cycles(journeys: dict[str, Journey]) -> None:
    def in_a_cycle(journey: Journey, *ids: str) -> bool:
        return any(set(ids) <= set(c) for c in nx.simple_cycles(_graph(journey)))

    telecom = journeys["telecom-onboarding"]
    assert in_a_cycle(telecom, "engineer-visit", "missed-visit", "rebook-call")
    assert in_a_cycle(telecom, "care-call", "billing-call")  # billing <-> care ping-pong
    assert ("setup-help", "setup-help") in {t.key for t in telecom.transitions()}  # reopened
    assert in_a_cycle(journeys["b2b-purchase"], "support-ticket", "escalation")
    assert in_a_cycle(journeys["retail-omnichannel"], "refund", "refund-chase")
    for journey in journeys.values():
        assert in_a_cycle(journey), f"{journey.id} has no loop back"


def test_before_and_after_pair(journeys: dict[str, Journey]) -> None:
    before, after = journeys["claims-before"], journeys["claims-after"]
    assert before.owner is None
    assert after.owner == "cx-office" and after.owner in after.functions
    shared = set(before.touchpoints) & set(after.touchpoints)
    assert len(shared) >= 0.8 * len(before.touchpoints)
    assert set(before.touchpoints) - set(after.touchpoints) == {"handler-callback"}
    # the CX office integrated the systems and retired the shadow spreadsheets
    used = {s for tp in after.touchpoints.values() for s in tp.systems}
    assert not any(after.systems[s].shadow for s in used)
    assert any(before.systems[s].shadow for tp in before.touchpoints.values() for s in tp.systems)
    assert len(after.integrations) > len(before.integrations)
    # fewer handoffs, each with an owner; context carried; shorter waits
    before_handoffs = [t for t in before.transitions() if before.is_handoff(t)]
    after_handoffs = [t for t in after.transitions() if after.is_handoff(t)]
    assert len(after_handoffs) < len(before_handoffs)
    assert all(t.owner for t in after_handoffs)
    assert not any(t.owner for t in before_handoffs)
    assert any(t.carries for t in after_handoffs)
    assert not any(t.carries for t in before.transitions())
    assert sum(t.wait_hours or 0 for t in after.transitions()) < sum(
        t.wait_hours or 0 for t in before.transitions()
    )


def _keys_used() -> dict[str, set[str]]:
    """Every key the example files use, by section of the format, read from the raw YAML."""
    used: dict[str, set[str]] = {section: set() for section in SECTION_KEYS}

    def organisation_sections(raw: dict[str, Any]) -> None:
        for section, key in (("function", "functions"), ("system", "systems")):
            for entry in raw.get(key, {}).values():
                used[section] |= set(entry)
        for entry in raw.get("channels", {}).values():
            used["channel"] |= set(entry)
        for integration in raw.get("integrations", []):
            used["integration"] |= set(integration)

    org = _raw(ORGANISATION)
    used["organisation"] |= set(org)
    organisation_sections(org)
    for path in EXAMPLES:
        raw = _raw(path)
        used["journey"] |= set(raw)
        organisation_sections(raw)
        for stage in raw["stages"]:
            if isinstance(stage, dict):
                used["stage"] |= set(stage)
        for touchpoint in raw["touchpoints"].values():
            used["touchpoint"] |= set(touchpoint)
            for item in touchpoint.get("next", []):
                if isinstance(item, dict):
                    used["transition"] |= set(item)
    return used


def test_every_key_of_the_format_is_used() -> None:
    """Compared with the loader's own key tables, so a key added to the format shows up here.

    One exception, on purpose: ``uses:`` inside an organisation file (chained organisation
    files) is left to the loader's tests; the examples share one flat organisation file.
    """
    used = _keys_used()
    unused = {
        section: sorted(set(keys) - used[section])
        for section, keys in SECTION_KEYS.items()
        if set(keys) - used[section]
    }
    assert unused == {"organisation": ["uses"]}
