"""``journeymap conform --format html``: the conformance as a page in the report's style.

Self-contained (inline CSS and script allowed by the page's Content-Security-Policy, no network
request), autoescaped like every report page; it leads with what to fix: silos handing customers
over more than designed, the irregular sequences most cases take, missing and ad hoc touchpoints.
"""

from __future__ import annotations

from typing import Any

from journeymap import __version__
from journeymap.durations import spoken_seconds as duration
from journeymap.mining.conform import Conformance

__all__ = ["conformance_context", "conformance_html"]

_REASONS = {
    "ends": "cases end here; the design goes on",
    "bad-outcome": "cases end in a bad outcome",
    "loops": "cases come back; no designed path does",
}


def _pct(value: float | None) -> str:
    return "\u2014" if value is None else f"{value:.0%}"


def _wait(seconds: float | None) -> str:
    return "\u2014" if seconds is None else duration(seconds)


def conformance_context(c: Conformance) -> dict[str, Any]:
    """Everything templates/conform.html.j2 shows, in names (ids only where the log has no name)."""
    from journeymap.report.pages import assets

    fn = c.function_names
    tp = c.touchpoint_names
    return {
        "assets": assets(),
        "theme": "default",
        "version": __version__,
        "live": False,
        "page_title": f"Designed vs lived: {c.title} \u2014 journeymap",
        "title": c.title,
        "file": c.path,
        "log": c.log,
        "score": "n/a" if c.score is None else f"{c.score:.0%}",
        "steps": c.steps,
        "designed_steps": c.designed_steps,
        "cases": c.cases,
        "events": c.events,
        "conforming": c.conforming_cases,
        "irregular_share": f"{c.irregular_case_share:.0%}",
        "handoffs_from": c.handoffs_from,
        "over": [
            {
                "pair": f"{fn.get(h.from_function, h.from_function)} \u2192 "
                f"{fn.get(h.to_function, h.to_function)}",
                "lived": f"{h.observed_per_case:.2f}",
                "designed": f"{h.designed_per_customer:.2f}",
                "excess": f"+{h.excess:.2f}",
            }
            for h in c.over_handing
        ],
        "handoffs": [
            {
                "pair": f"{fn.get(h.from_function, h.from_function)} \u2192 "
                f"{fn.get(h.to_function, h.to_function)}",
                "lived": f"{h.observed_per_case:.2f}",
                "designed": f"{h.designed_per_customer:.2f}",
                "excess": f"{h.excess:+.2f}",
                "worse": h.excess > 1e-9,
            }
            for h in c.handoffs
        ],
        "irregular": [
            {
                "source": c.step_label(s.source, s.source_ad_hoc),
                "target": c.step_label(s.target, s.target_ad_hoc),
                "cases": s.cases,
                "count": s.count,
                "wait": _wait(s.median_wait),
            }
            for s in c.irregular
        ],
        "missing": [m.name for m in c.missing],
        "ad_hoc": [{"name": a.activity, "cases": a.cases, "events": a.events} for a in c.ad_hoc],
        "failing": [
            {
                "name": f.name,
                "why": "; ".join(_REASONS[r] for r in f.reasons),
                "ended": f.ended,
                "repeated": f.repeated,
                "visits": f.visits,
            }
            for f in c.failing
        ],
        "transitions": [
            {
                "source": tp[t.source],
                "target": tp[t.target],
                "designed": _pct(t.designed_share),
                "lived": _pct(t.observed_share),
                "gap": (t.observed_share - t.designed_share)
                if t.observed_share is not None
                else None,
                "designed_wait": _wait(t.designed_wait),
                "lived_wait": _wait(t.observed_wait),
                "observed": t.observed,
            }
            for t in c.transitions
        ],
        "unmatched_functions": list(c.unmatched_functions),
    }


def conformance_html(c: Conformance) -> str:
    """The page, as text (write it with :func:`journeymap.atomic.write_text_atomic`)."""
    from journeymap.report.environment import make_environment

    return make_environment().get_template("conform.html.j2").render(conformance_context(c))
