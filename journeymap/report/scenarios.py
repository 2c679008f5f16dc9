"""Scenarios on a journey page: as-is against to-be, in words, figures and two pictures.

The scenarios come from :func:`journeymap.project.predict_scenarios` (scenario files beside the
journey or named in its config, each predicted by what-if). This module only presents them:
each change in words (names, never ids), a before/after table of the headline figures with
their deltas, and the two diagrams. Both pictures are inlined in a page that already holds the
journey's diagram, so every ``id`` in them (and every reference to one) gets a prefix of its own
(:func:`prefix_ids`). Pure functions: the pictures are drawn by the caller's ``draw``.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from journeymap.analysis.portfolio import RISKY_RULES
from journeymap.analysis.types import JourneyAnalysis
from journeymap.analysis.whatif import (
    AlignChannel,
    AssignOwner,
    Carry,
    Change,
    ChangeShares,
    ChangeWait,
    HandOver,
    Integrate,
    MoveTouchpoint,
    Prediction,
    RemoveTouchpoint,
    apply,
    total_risk,
)
from journeymap.catalog import is_asked_again
from journeymap.model import Journey
from journeymap.report.filters import hours, pct
from journeymap.report.svg import inline_svg

if TYPE_CHECKING:
    from journeymap.project import Scenarios

__all__ = ["change_words", "headline", "prefix_ids", "scenario_blocks"]

Draw = Callable[[JourneyAnalysis, "Sequence[str] | None"], "bytes | str"]
"""Draws one analysis as the page's diagram (an SVG document from Graphviz), with the lanes of
the given function ids first (``build_dot``'s ``lane_order``)."""


# -- changes in words ----------------------------------------------------------------------------


def _tp(journey: Journey, tp_id: str) -> str:
    tp = journey.touchpoints.get(tp_id)
    return f"'{tp.name if tp else tp_id}'"


def _fn(journey: Journey, fn_id: str) -> str:
    fn = journey.functions.get(fn_id)
    return fn.name if fn else fn_id


def _system(journey: Journey, system_id: str) -> str:
    system = journey.systems.get(system_id)
    return system.name if system else system_id


def _channel(journey: Journey, channel_id: str | None) -> str:
    channel = journey.channels.get(channel_id or "")
    return channel.name if channel else (channel_id or "")


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _items(items: Sequence[str]) -> str:
    """What a customer gives (``incident-details``) in words: ``incident details``."""
    return _join([item.replace("-", " ") for item in items])


def change_words(journey: Journey, change: Change) -> str:
    """One change as a sentence naming touchpoints, functions and systems (``journey`` as it
    is before the change)."""
    if isinstance(change, AssignOwner):
        step = f"{_tp(journey, change.source)} \u2192 {_tp(journey, change.target)}"
        return f"{_fn(journey, change.owner)} owns the handoff {step}"
    if isinstance(change, Integrate):
        a, b = _system(journey, change.a), _system(journey, change.b)
        if change.one_way:
            return f"{a} sends its data to {b}"
        return f"{a} and {b} are connected, data flowing both ways"
    if isinstance(change, Carry):
        source, target = _tp(journey, change.source), _tp(journey, change.target)
        return f"{source} passes on the customer's {_items(change.items)} to {target}"
    if isinstance(change, MoveTouchpoint):
        return f"{_fn(journey, change.function)} runs {_tp(journey, change.touchpoint)}"
    if isinstance(change, HandOver):
        parts = [_tp(journey, t) for t in change.touchpoints]
        if change.stage is not None:
            stage = next((s.name for s in journey.stages if s.id == change.stage), change.stage)
            parts.append(f"every touchpoint of the {stage} stage")
        return f"{_fn(journey, change.function)} runs {_join(parts)}"
    if isinstance(change, AlignChannel):
        tp = journey.touchpoints.get(change.source)
        channel = _channel(journey, change.channel or (tp.channel if tp else None))
        source, target = _tp(journey, change.source), _tp(journey, change.target)
        return f"The customer stays on {channel} from {source} to {target}"
    if isinstance(change, ChangeWait):
        step = f"{_tp(journey, change.source)} \u2192 {_tp(journey, change.target)}"
        if change.hours is None:
            return f"No wait at {step}"
        return f"The wait at {step} becomes {hours(change.hours)}"
    if isinstance(change, ChangeShares):
        split = ", ".join(f"{pct(share)} to {_tp(journey, t)}" for t, share in change.shares)
        return f"Customers leave {_tp(journey, change.source)}: {split}"
    assert isinstance(change, RemoveTouchpoint)
    gone = _tp(journey, change.touchpoint)
    if change.reroute_to is None:
        return f"{gone} is taken out; the customers who went there drop off"
    return f"{gone} is taken out; its customers go to {_tp(journey, change.reroute_to)} instead"


# -- figures -------------------------------------------------------------------------------------


def headline(analysis: JourneyAnalysis) -> dict[str, float]:
    """The headline figures a scenario compares: total risk, handoffs, expected handoffs per
    customer, risky handoffs (hit by a warning-level factor), repeat asks (JM103 findings), and
    each outcome's probability with drop-off."""
    m = analysis.metrics
    figures: dict[str, float] = {
        "total_risk": total_risk(analysis),
        "handoffs": m.handoffs,
        "expected_handoffs_per_customer": m.expected_handoffs_per_customer,
        "risky_handoffs": sum(1 for h in analysis.handoffs if RISKY_RULES.intersection(h.rules)),
        "repeat_asks": sum(1 for f in analysis.findings if is_asked_again(f.rule)),
    }
    for outcome, share in sorted(m.outcomes.items()):
        figures[f"outcome:{outcome}"] = share
    figures["drop_off"] = m.drop_off
    return figures


_LABELS = {
    "total_risk": "Total risk",
    "handoffs": "Handoffs",
    "expected_handoffs_per_customer": "Expected handoffs per customer",
    "risky_handoffs": "Risky handoffs",
    "repeat_asks": "Repeat asks",
    "drop_off": "Drop-off",
}
_COUNTS = frozenset(("handoffs", "risky_handoffs", "repeat_asks"))
_LOWER_IS_BETTER = frozenset(("total_risk", "handoffs", "expected_handoffs_per_customer"))
_LOWER_IS_BETTER |= _COUNTS | {"drop_off"}
_MINUS = "\u2212"


def _value(key: str, value: float) -> str:
    if key in _COUNTS:
        return f"{value:.0f}"
    if key.startswith("outcome:") or key == "drop_off":
        return pct(value, 1)
    return f"{value:.2f}"


def _delta(key: str, before: float, after: float) -> tuple[str, str]:
    """The change as text (``−12.31``, ``+1.5 pt``; ``no change`` when it rounds to zero) and
    how it reads: ``better``, ``worse`` or ``same`` (outcomes: ``up``/``down``, no judgement)."""
    if key.startswith("outcome:") or key == "drop_off":
        diff, text = (after - before) * 100, f"{abs(after - before) * 100:.1f} pt"
    elif key in _COUNTS:
        diff, text = after - before, f"{abs(after - before):.0f}"
    else:
        diff, text = after - before, f"{abs(after - before):.2f}"
    if float(text.split()[0]) == 0:
        return "no change", "same"
    sign = "+" if diff > 0 else _MINUS
    if key in _LOWER_IS_BETTER:
        return sign + text, "worse" if diff > 0 else "better"
    return sign + text, "up" if diff > 0 else "down"


def _rows(prediction: Prediction) -> list[dict[str, str]]:
    before, after = headline(prediction.before), headline(prediction.after)
    rows = []
    for key in dict.fromkeys((*before, *after)):
        b, a = before.get(key, 0.0), after.get(key, 0.0)
        delta, reads = _delta(key, b, a)
        label = _LABELS.get(key) or "Outcome: " + key.removeprefix("outcome:")
        rows.append(
            {
                "key": key,
                "label": label,
                "before": _value(key, b),
                "after": _value(key, a),
                "delta": delta,
                "reads": reads,
            }
        )
    return rows


# -- pictures ------------------------------------------------------------------------------------

# report.js finds a lane's label by id: "lane-label-" + the lane's id without "lane-". The
# prefix goes after those leading words so the pair still matches.
_LEADS = ("lane-label-", "lane-")
_URL = re.compile(r"url\(#([^)\s]+)\)")
_ID_LISTS = frozenset(("aria-labelledby", "aria-describedby"))
_SVG = "{http://www.w3.org/2000/svg}"


def _renamed(value: str, prefix: str) -> str:
    for lead in _LEADS:
        if value.startswith(lead):
            return lead + prefix + value[len(lead) :]
    return prefix + value


def prefix_ids(svg: Markup, prefix: str) -> Markup:
    """``svg`` (as :func:`~journeymap.report.svg.inline_svg` made it) with every ``id`` and
    every reference to one (``href="#id"``, ``url(#id)``, ``aria-labelledby``) prefixed, so
    several copies of a diagram can share one page."""
    root = ET.fromstring(str(svg))
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    for el in root.iter():
        for name, value in list(el.attrib.items()):
            local = name.rsplit("}", 1)[-1]
            if local == "id":
                el.set(name, _renamed(value, prefix))
            elif local == "href" and value.startswith("#") and value[1:] in ids:
                el.set(name, "#" + _renamed(value[1:], prefix))
            elif local in _ID_LISTS:
                el.set(
                    name, " ".join(_renamed(v, prefix) if v in ids else v for v in value.split())
                )
            elif "url(#" in value:
                el.set(
                    name,
                    _URL.sub(
                        lambda m: (
                            f"url(#{_renamed(m.group(1), prefix)})"
                            if m.group(1) in ids
                            else m.group(0)
                        ),
                        value,
                    ),
                )
    # ElementTree escapes text and attribute values on the way out; inline_svg cleaned the rest.
    return Markup(ET.tostring(root, encoding="unicode", short_empty_elements=True))


def _picture(svg: bytes | str, label: str, prefix: str) -> Markup:
    return prefix_ids(inline_svg(svg, label), prefix)


# -- the blocks ----------------------------------------------------------------------------------


def _source(path: str, journey: Journey) -> str:
    """The scenario file as the page names it: relative to the journey's folder."""
    folder = os.path.dirname(os.path.abspath(journey.path))
    return os.path.relpath(os.path.abspath(path), folder).replace(os.sep, "/")


def scenario_blocks(
    analysis: JourneyAnalysis,
    scenarios: Scenarios,
    as_is: bytes | str | None,
    draw: Draw,
) -> list[dict[str, Any]]:
    """One block per scenario for the journey page: ``name``, ``source`` (the file), ``changes``
    (sentences), ``rows`` (the headline figures before and after, with deltas), ``gist`` (the
    rows of total risk, handoffs and repeat asks, for the summary line) and the two pictures ``as_is`` and ``to_be`` (``None`` without a
    diagram). ``as_is`` is the journey's diagram; ``draw`` draws the changed journey."""
    journey = analysis.journey
    title = journey.title
    lane_order = [f.id for f in journey.lanes()]
    blocks = []
    for n, ((scenario, prediction), source) in enumerate(
        zip(scenarios.results, scenarios.sources, strict=True), start=1
    ):
        anchor = f"scenario-{n}"
        rows = _rows(prediction)
        by_key = {row["key"]: row for row in rows}
        edited = journey
        changes = []
        for change in scenario.changes:
            changes.append(change_words(edited, change))
            edited = apply(edited, [change])  # a later change is worded as it then reads
        blocks.append(
            {
                "anchor": anchor,
                "name": scenario.name,
                "source": _source(source, journey),
                "changes": changes,
                "rows": rows,
                "gist": [
                    {**by_key["total_risk"], "label": "Risk"},
                    by_key["handoffs"],
                    by_key["repeat_asks"],
                ],
                "as_is": (
                    _picture(as_is, f"As is: journey diagram of {title}", f"{anchor}-as-is-")
                    if as_is is not None
                    else None
                ),
                "to_be": _picture(  # the as-is lanes stay where they were
                    draw(prediction.after, lane_order),
                    f"To be, {scenario.name}: journey diagram of {title}",
                    f"{anchor}-to-be-",
                ),
            }
        )
    return blocks
