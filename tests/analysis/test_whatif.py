"""What-if equals re-analysis: every change applied by :mod:`journeymap.analysis.whatif` gives
exactly the analysis of the journey file edited the same way (the YAML data edited here, written
out, loaded by the loader and analysed), on every example journey."""

from __future__ import annotations

import dataclasses
import importlib.util
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeymap.analysis import whatif as W
from journeymap.analysis.engine import analyze
from journeymap.analysis.types import JourneyAnalysis
from journeymap.errors import InputError, UsageError
from journeymap.load import load_journey

JOURNEYS = Path(__file__).resolve().parents[2] / "journeys"
EXAMPLES = [
    "claims-before",
    "claims-after",
    "retail-omnichannel",
    "telecom-onboarding",
    "b2b-purchase",
]


# -- the independent path: edit the file's data ------------------------------------------------


def _entries(data: dict[str, Any]) -> list[str]:
    return [t.get("to", t) if isinstance(t, dict) else t for t in data]


def _next(tp: dict[str, Any]) -> list[dict[str, Any]]:
    """The touchpoint's ``next`` as mappings (a bare id is ``{to: id}``), written back."""
    items = [t if isinstance(t, dict) else {"to": t} for t in tp.get("next", [])]
    tp["next"] = items
    return items


def _probabilities(tp: dict[str, Any]) -> list[float]:
    """How customers leave, as docs/format.md says: evenly without shares, shares as given (the
    rest drops off), shares above 1 scaled down to 1."""
    items = _next(tp)
    if not items:
        return []
    if all("share" not in t for t in items):
        return [1.0 / len(items)] * len(items)
    raw = [float(t.get("share", 0.0)) for t in items]
    total = sum(raw)
    return [r / total for r in raw] if total > 1.0 + 1e-9 else raw


def edit_yaml(data: dict[str, Any], change: W.Change) -> None:
    tps = data["touchpoints"]
    if isinstance(change, (W.AssignOwner, W.Carry, W.ChangeWait)):
        for t in _next(tps[change.source]):
            if t["to"] != change.target:
                continue
            if isinstance(change, W.AssignOwner):
                t["owner"] = change.owner
            elif isinstance(change, W.Carry):
                t["carries"] = list(dict.fromkeys([*t.get("carries", []), *change.items]))
            elif change.hours is None:
                t.pop("wait", None)
            else:
                t["wait"] = f"{change.hours}h"
    elif isinstance(change, W.Integrate):
        entry: dict[str, Any] = {"between": [change.a, change.b]}
        if change.one_way:
            entry["one-way"] = True
        data.setdefault("integrations", []).append(entry)
    elif isinstance(change, W.MoveTouchpoint):
        tps[change.touchpoint]["function"] = change.function
    elif isinstance(change, W.HandOver):
        for tp_id, tp in tps.items():
            if tp_id in change.touchpoints or tp["stage"] == change.stage:
                tp["function"] = change.function
    elif isinstance(change, W.AlignChannel):
        tps[change.target]["channel"] = change.channel or tps[change.source].get("channel")
    elif isinstance(change, W.ChangeShares):
        given = dict(change.shares)
        for t in _next(tps[change.source]):
            if t["to"] in given:
                t["share"] = given[t["to"]]
    elif isinstance(change, W.RemoveTouchpoint):
        gone = change.touchpoint
        incoming = {t for tp in tps.values() for t in _entries(tp.get("next", []))}
        if not any("entry" in tp for tp in tps.values()):
            for tp_id, tp in tps.items():
                if tp_id not in incoming:
                    tp["entry"] = True
        del tps[gone]
        for tp_id, tp in tps.items():
            items = _next(tp)
            if not any(t["to"] == gone for t in items):
                continue
            probabilities = _probabilities(tp)
            kept, moved = [], 0.0
            for t, p in zip(items, probabilities, strict=True):
                if t["to"] == gone:
                    moved += p
                else:
                    kept.append({**t, "share": p})
            target = change.reroute_to
            if target is not None and target != tp_id:
                for t in kept:
                    if t["to"] == target:
                        t["share"] += moved
                        break
                else:
                    kept.append({"to": target, "share": moved})
            tp["next"] = kept
    else:  # pragma: no cover - every change type is listed above
        raise AssertionError(change)


def reanalysed(name: str, changes: list[W.Change], tmp: Path) -> JourneyAnalysis:
    shutil.copy(JOURNEYS / "organisation.yaml", tmp / "organisation.yaml")
    return reanalysed_text((JOURNEYS / f"{name}.yaml").read_text("utf-8"), changes, tmp, name)


def reanalysed_text(text: str, changes: list[W.Change], tmp: Path, stem: str) -> JourneyAnalysis:
    """Analysis of ``text`` with ``changes`` made to its data, saved as ``stem``.yaml (the file
    name is the journey's id)."""
    data = yaml.safe_load(text)
    for change in changes:
        edit_yaml(data, change)
    path = tmp / f"{stem}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), "utf-8")
    return analyze(load_journey(path))


def summary(a: JourneyAnalysis) -> dict[str, Any]:
    """Everything the analysis says, without file locations (line numbers differ)."""
    m = a.metrics
    return {
        "metrics": {k: v for k, v in vars(m).items()},
        "handoffs": [
            (
                h.source,
                h.target,
                h.from_function,
                h.to_function,
                round(h.flow, 9),
                round(h.risk, 9),
                h.rules,
                h.number,
                h.owner,
                h.wait_hours,
            )
            for h in a.handoffs
        ],
        "findings": sorted(
            (f.rule, f.severity, f.message, tuple(f.touchpoints)) for f in a.findings
        ),
    }


def assert_same(predicted: JourneyAnalysis, expected: JourneyAnalysis) -> None:
    p, e = summary(predicted), summary(expected)
    assert p["handoffs"] == e["handoffs"]
    assert p["findings"] == e["findings"]
    for key, value in e["metrics"].items():
        got = p["metrics"][key]
        if isinstance(value, float):
            assert got == pytest.approx(value, abs=1e-9), key
        elif isinstance(value, dict) or hasattr(value, "items"):
            assert dict(got).keys() == dict(value).keys(), key
            for k in value:
                assert got[k] == pytest.approx(value[k], abs=1e-9), (key, k)
        else:
            assert got == value, key


# -- the cases ----------------------------------------------------------------------------------


def cases(name: str) -> list[tuple[str, list[W.Change]]]:
    """One of each change type, built from the journey's own first handoffs and stages."""
    base = analyze(load_journey(JOURNEYS / f"{name}.yaml"))
    j = base.journey
    h0, h1 = base.handoffs[0], base.handoffs[-1]
    systems = sorted(j.systems)
    splitting = next(tp for tp in j.touchpoints.values() if len(tp.next) > 1)
    middle = next(
        tp for tp in j.touchpoints.values() if tp.next and tp.id not in {t.id for t in j.entries()}
    )
    some_target = next(t.target for t in middle.next)
    other = next(iter(t.target for t in splitting.next))
    stage = j.stages[len(j.stages) // 2].id
    owner = h0.to_function
    return [
        ("owner", [W.AssignOwner(h0.source, h0.target, owner)]),
        ("integrate both ways", [W.Integrate(systems[0], systems[-1])]),
        ("integrate one way", [W.Integrate(systems[1], systems[2], one_way=True)]),
        ("carry", [W.Carry(h0.source, h0.target, ("policy-number", "incident-details"))]),
        ("move", [W.MoveTouchpoint(h1.target, h1.from_function)]),
        ("hand over a stage", [W.HandOver(owner, stage=stage)]),
        ("hand over touchpoints", [W.HandOver(owner, (h0.source, h1.source))]),
        ("align channel", [W.AlignChannel(h0.source, h0.target)]),
        ("wait", [W.ChangeWait(h0.source, h0.target, 2.5)]),
        ("no wait", [W.ChangeWait(h0.source, h0.target, None)]),
        (
            "shares",
            [W.ChangeShares(splitting.id, tuple((t.target, 0.5) for t in splitting.next))],
        ),
        ("remove (drop off)", [W.RemoveTouchpoint(middle.id)]),
        ("remove (reroute)", [W.RemoveTouchpoint(middle.id, reroute_to=some_target)]),
        (
            "remove a split's target, reroute to its sibling",
            [
                W.RemoveTouchpoint(
                    other,
                    reroute_to=next(
                        (t.target for t in splitting.next if t.target != other), splitting.id
                    ),
                )
            ],
        ),
        (
            "several",
            [
                W.AssignOwner(h0.source, h0.target, owner),
                W.Carry(h1.source, h1.target, ("contact",)),
                W.HandOver(owner, stage=stage),
            ],
        ),
    ]


@pytest.mark.parametrize("name", EXAMPLES)
def test_what_if_equals_reanalysing_the_edited_file(name: str, tmp_path: Path) -> None:
    journey = load_journey(JOURNEYS / f"{name}.yaml")
    checked = 0
    for label, changes in cases(name):
        folder = tmp_path / label.replace(" ", "-").replace(",", "").replace("'", "")
        folder.mkdir()
        try:
            predicted = W.predict(journey, changes).after
        except UsageError as err:  # a change the journey cannot take must fail both ways
            pytest.fail(f"{name}, {label}: {err}")
        assert_same(predicted, reanalysed(name, changes, folder))
        checked += 1
    assert checked == 15


def test_a_change_that_creates_a_cycle_and_one_that_breaks_it(tmp_path: Path) -> None:
    # claims-before: rerouting a touchpoint's inflow back to an earlier step makes a loop;
    # removing a touchpoint on a loop breaks it
    name = "claims-before"
    base = analyze(load_journey(JOURNEYS / f"{name}.yaml"))
    j = base.journey
    order = list(j.touchpoints)
    late = next(tp for tp in j.touchpoints.values() if tp.next and order.index(tp.id) > 10)
    target = late.next[0].target
    early = order[1]
    for label, changes in (
        ("loop", [W.RemoveTouchpoint(target, reroute_to=early)]),
        ("break", [W.RemoveTouchpoint(early)]),
    ):
        folder = tmp_path / label
        folder.mkdir()
        assert_same(W.predict(j, changes).after, reanalysed(name, changes, folder))


def test_deltas_are_after_minus_before() -> None:
    j = load_journey(JOURNEYS / "claims-before.yaml")
    base = analyze(j)
    h = base.handoffs[0]
    p = W.predict(j, [W.AssignOwner(h.source, h.target, h.to_function)])
    assert p.deltas["total_risk"] == pytest.approx(W.total_risk(p.after) - W.total_risk(p.before))
    # JM101's default weight is 2 per handoff, times the handoff's expected traversals: the
    # owner removes exactly that from this handoff's score
    assert "JM101" in h.rules
    after = {(x.source, x.target): x for x in p.after.handoffs}[(h.source, h.target)]
    assert "JM101" not in after.rules
    assert p.deltas["findings"] == len(p.after.findings) - len(p.before.findings) < 0


@pytest.mark.parametrize(
    "change",
    [
        W.AssignOwner("nope", "claim-setup", "claims"),
        W.AssignOwner("fnol-phone", "claim-setup", "no-such-function"),
        W.Integrate("claims-sys", "no-such-system"),
        W.ChangeShares("fnol-phone", (("elsewhere", 0.5),)),
        W.RemoveTouchpoint("fnol-phone", reroute_to="fnol-phone"),
        W.Integrate("claims-sys", "fraud-engine"),  # declared already
    ],
)
def test_an_unknown_id_is_a_usage_error(change: W.Change) -> None:
    with pytest.raises(UsageError, match="what-if"):
        W.apply(load_journey(JOURNEYS / "claims-before.yaml"), [change])


# -- generated journeys (hypothesis) -----------------------------------------------------------

_spec = importlib.util.spec_from_file_location(
    "bench_generate_whatif", JOURNEYS.parent / "benchmarks" / "generate.py"
)
assert _spec and _spec.loader
generate = importlib.util.module_from_spec(_spec)
sys.modules["bench_generate_whatif"] = generate
_spec.loader.exec_module(generate)


def generic_changes(a: JourneyAnalysis, pick: int) -> list[W.Change]:
    """One change of each type the journey can take, chosen by ``pick``."""
    j = a.journey
    tps = list(j.touchpoints.values())
    out: list[W.Change] = []
    if a.handoffs:
        h = a.handoffs[pick % len(a.handoffs)]
        out += [
            W.AssignOwner(h.source, h.target, h.to_function),
            W.Carry(h.source, h.target, ("contact",)),
            W.AlignChannel(h.source, h.target),
            W.ChangeWait(h.source, h.target, 1.5 + pick % 7),
            W.MoveTouchpoint(h.target, h.from_function),
        ]
    linked = {frozenset((i.a, i.b)) for i in j.integrations}
    pairs = [
        (x, y)
        for x in sorted(j.systems)
        for y in sorted(j.systems)
        if x < y and frozenset((x, y)) not in linked
    ]
    if pairs:
        out.append(W.Integrate(*pairs[pick % len(pairs)], one_way=pick % 2 == 1))
    fn = sorted(j.functions)[pick % len(j.functions)]
    out.append(W.HandOver(fn, stage=j.stages[pick % len(j.stages)].id))
    splitting = [tp for tp in tps if len(tp.next) > 1]
    if splitting:
        tp = splitting[pick % len(splitting)]
        out.append(W.ChangeShares(tp.id, tuple((t.target, 1 / len(tp.next)) for t in tp.next)))
    removable = tps[pick % len(tps)]
    out.append(W.RemoveTouchpoint(removable.id))
    if removable.next and removable.next[0].target != removable.id:
        out.append(W.RemoveTouchpoint(removable.id, reroute_to=removable.next[0].target))
    return out


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 10**6), n=st.integers(8, 24), pick=st.integers(0, 1000))
def test_what_if_equals_reanalysis_on_generated_journeys(
    seed: int, n: int, pick: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    text = generate.generate_journey(n, seed=seed)
    folder = tmp_path_factory.mktemp("gen")
    original = folder / "original.yaml"
    original.write_text(text, "utf-8")
    journey = load_journey(original)
    for change in generic_changes(analyze(journey), pick):
        sub = folder / str(abs(hash(repr(change))))
        sub.mkdir(exist_ok=True)
        try:
            after = W.predict(journey, [change]).after
        except UsageError:  # a journey the change would break: the edited file is refused too
            with pytest.raises(InputError):
                reanalysed_text(text, [change], sub, "original")
            continue
        assert_same(after, reanalysed_text(text, [change], sub, "original"))


def test_the_example_in_docs_api_runs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import re

    text = (JOURNEYS.parent / "docs" / "api.md").read_text(encoding="utf-8")
    block = re.findall(r"```python\n(.*?)```", text, re.S)[2]
    monkeypatch.chdir(JOURNEYS.parent)
    exec(compile(block, "docs/api.md", "exec"), {})
    out = capsys.readouterr().out
    before, after = (float(x) for x in re.findall(r"(\d+\.\d+)", out)[:2])
    assert out.startswith("total risk ") and after < before


# -- the shortcut: changes that keep the graph reuse the journey's path search ---------------


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("path_budget", [200_000, 40])
def test_a_change_that_keeps_the_graph_reuses_the_path_search_exactly(
    name: str, path_budget: int, tmp_path: Path
) -> None:
    # an owner, carried items, a wait, a channel, an integration, shares: the most handoffs on
    # a path (exact, or what a budget of 40 steps finds) is what analysing the edited journey
    # finds, and so is everything else; predicting with `before` given changes nothing
    from journeymap.config import Config

    config = dataclasses.replace(Config.default(), path_budget=path_budget)
    journey = load_journey(JOURNEYS / f"{name}.yaml")
    before = analyze(journey, config)
    kept = (W.AssignOwner, W.Carry, W.ChangeWait, W.AlignChannel, W.Integrate, W.ChangeShares)
    checked = 0
    for _label, changes in cases(name):
        if not all(isinstance(c, kept) for c in changes):
            continue
        edited = analyze(W.apply(journey, changes), config)
        predicted = W.predict(journey, changes, config)
        assert predicted.after == edited
        assert W.predict(journey, changes, config, before=before) == predicted
        checked += 1
    assert checked == 8
    if path_budget == 40 and name == "claims-before":
        assert not before.metrics.max_handoffs_on_path_complete  # the budget did bind
