"""``journeymap conform`` as JSON and as text: a :class:`Conformance`, sorted and stable.

The JSON is a public interface (``"format": "journeymap-conform"``, versioned); times are
seconds. The text leads with what to fix: the silos handing customers over more than designed,
the irregular sequences met by most cases, missing and ad hoc touchpoints, failing touchpoints.
"""

from __future__ import annotations

import json
from typing import Any

from journeymap.durations import spoken_seconds as duration
from journeymap.mining.conform import Conformance, IrregularSequence

__all__ = [
    "CONFORM_JSON_VERSION",
    "conformance_json",
    "conformance_text",
    "conformance_to_data",
    "step_label",
]

CONFORM_JSON_VERSION = 1


def conformance_to_data(c: Conformance) -> dict[str, Any]:
    """The conformance as JSON-ready data."""
    return {
        "format": "journeymap-conform",
        "version": CONFORM_JSON_VERSION,
        "journey": c.journey,
        "file": c.path,
        "log": c.log,
        "cases": c.cases,
        "events": c.events,
        "score": c.score,
        "steps": c.steps,
        "designed_steps": c.designed_steps,
        "conforming_cases": c.conforming_cases,
        "irregular_case_share": c.irregular_case_share,
        "matched": [
            {
                "activity": m.activity,
                "touchpoint": m.touchpoint,
                "by": m.how,
                "events": m.events,
                "cases": m.cases,
            }
            for m in c.matched
        ],
        "ad_hoc": [
            {"activity": a.activity, "events": a.events, "cases": a.cases} for a in c.ad_hoc
        ],
        "missing": [{"touchpoint": m.touchpoint, "name": m.name} for m in c.missing],
        "irregular": [
            {
                "from": s.source,
                "to": s.target,
                "from_ad_hoc": s.source_ad_hoc,
                "to_ad_hoc": s.target_ad_hoc,
                "count": s.count,
                "cases": s.cases,
                "median_wait": s.median_wait,
            }
            for s in c.irregular
        ],
        "failing": [
            {
                "touchpoint": f.touchpoint,
                "reasons": list(f.reasons),
                "visits": f.visits,
                "ended": f.ended,
                "repeated": f.repeated,
                "bad_outcome": f.bad_outcome,
                "designed_drop_off": f.designed_drop_off,
            }
            for f in c.failing
        ],
        "transitions": [
            {
                "from": t.source,
                "to": t.target,
                "designed_share": t.designed_share,
                "observed_share": t.observed_share,
                "observed": t.observed,
                "visits": t.visits,
                "designed_wait": t.designed_wait,
                "observed_wait": t.observed_wait,
            }
            for t in c.transitions
        ],
        "handoffs": {
            "from": c.handoffs_from,
            "pairs": [
                {
                    "from_function": h.from_function,
                    "to_function": h.to_function,
                    "designed_per_customer": h.designed_per_customer,
                    "observed": h.observed,
                    "observed_per_case": h.observed_per_case,
                    "excess": h.excess,
                }
                for h in c.handoffs
            ],
            "unmatched_functions": list(c.unmatched_functions),
        },
    }


def conformance_json(c: Conformance) -> str:
    return json.dumps(conformance_to_data(c), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def step_label(c: Conformance, name: str, ad_hoc: bool) -> str:
    """A touchpoint by its designed name, an ad hoc activity quoted as the log spells it."""
    return c.step_label(name, ad_hoc)


def _sequence(c: Conformance, s: IrregularSequence) -> str:
    return (
        f"{step_label(c, s.source, s.source_ad_hoc)} -> {step_label(c, s.target, s.target_ad_hoc)}"
    )


def _n(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def _fn(c: Conformance, ident: str) -> str:
    return c.function_names.get(ident, f'"{ident}"')


_REASONS = {
    "ends": "cases end here, the design goes on",
    "bad-outcome": "cases end in a bad outcome",
    "loops": "cases come back here, no designed path does",
}


def conformance_text(c: Conformance, limit: int = 10) -> str:
    """A terminal summary, worst first, each list cut at ``limit`` rows."""
    score = "n/a" if c.score is None else f"{c.score:.1%}"
    out = [
        f"{c.title}: designed vs lived ({c.log}: {c.events} events in {c.cases} cases)",
        f"  conformance {score} of {c.steps} steps follow the design; "
        f"{c.conforming_cases} of {c.cases} cases without an irregular sequence",
    ]
    over = c.over_handing
    if over:
        out += ["", "  Silos handing customers over more than designed (per case)"]
        for h in over[:limit]:
            out.append(
                f"    {_fn(c, h.from_function)} -> {_fn(c, h.to_function)}: "
                f"{h.observed_per_case:.2f} lived vs {h.designed_per_customer:.2f} designed "
                f"(+{h.excess:.2f})"
            )
    if c.irregular:
        out += ["", "  Irregular sequences, most cases first"]
        for s in c.irregular[:limit]:
            out.append(f"    {_sequence(c, s)}: {_n(s.cases, 'case')}, {_n(s.count, 'step')}")
    if c.missing:
        out += ["", "  Missing touchpoints (designed, never met)"]
        out += [f"    {m.name}" for m in c.missing[:limit]]
    if c.ad_hoc:
        out += ["", "  Ad hoc touchpoints (lived, not designed)"]
        out += [
            f'    "{a.activity}": {_n(a.cases, "case")}, {_n(a.events, "event")}'
            for a in c.ad_hoc[:limit]
        ]
    if c.failing:
        out += ["", "  Failing touchpoints"]
        for f in c.failing[:limit]:
            why = "; ".join(_REASONS[r] for r in f.reasons)
            out.append(f"    {f.name}: {why} (ended {f.ended}, came back {f.repeated})")
    drift = [
        t
        for t in c.transitions
        if t.observed_share is not None and abs(t.observed_share - t.designed_share) >= 0.005
    ]
    if drift:
        out += ["", "  Shares off the design, largest gap first"]
        drift.sort(
            key=lambda t: (-abs((t.observed_share or 0) - t.designed_share), t.source, t.target)
        )
        for t in drift[:limit]:
            wait = ""
            if t.observed_wait is not None:
                designed = duration(t.designed_wait) if t.designed_wait is not None else "none"
                wait = f"; wait {duration(t.observed_wait)} (designed {designed})"
            out.append(
                f"    {c.touchpoint_names[t.source]} -> {c.touchpoint_names[t.target]}: "
                f"{t.observed_share:.0%} lived vs {t.designed_share:.0%} designed{wait}"
            )
    if c.unmatched_functions:
        out += ["", "  Org units matching no function: " + ", ".join(c.unmatched_functions)]
    return "\n".join(out) + "\n"
