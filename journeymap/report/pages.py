"""Render report pages: one journey page, and the portfolio index.

Pages are self-contained: inline CSS, inline SVG, a little inline vanilla JavaScript, and a
Content-Security-Policy ``<meta>`` that forbids every network request. The CSS and script are
static files from ``templates/``; their SHA-256 hashes go into the policy, so the same input
always gives the same bytes (no nonces, no timestamps).
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from markupsafe import Markup

from journeymap import __version__
from journeymap.analysis.fixes import Fix, combined, ranked_fixes, touched_handoffs
from journeymap.analysis.portfolio import JourneySummary, Portfolio, summarize
from journeymap.analysis.types import SEVERITY_ORDER, Finding, JourneyAnalysis, sorted_findings
from journeymap.analysis.whatif import total_risk
from journeymap.catalog import RULES, is_asked_again, is_per_handoff, marks_stage
from journeymap.config import Config
from journeymap.report import charts, portfolio_view
from journeymap.report.context import slot as context_slot
from journeymap.report.environment import make_environment, static_text
from journeymap.report.links import edge_id, page_name
from journeymap.report.summary import index_summary
from journeymap.report.svg import inline_svg

__all__ = [
    "Assets",
    "assets",
    "render_journey_page",
    "render_index",
    "page_name",
    "journey_summary",
    "edge_id",
    "silo_markup",
]


@dataclass(frozen=True)
class Assets:
    """The inline CSS and script of every page and the policy that allows exactly them."""

    css: Markup
    js: Markup
    csp: str


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


@lru_cache(maxsize=1)
def assets() -> Assets:
    """Load ``report.css`` and ``report.js`` and build the Content-Security-Policy for them."""
    env = make_environment()
    css, js = static_text(env, "report.css"), static_text(env, "report.js")
    for name, text, tag in (("report.css", css, "</style"), ("report.js", js, "</script")):
        if tag in text.lower():
            raise ValueError(f"{name} must not contain {tag}>")
    csp = "; ".join(
        (
            "default-src 'none'",
            f"style-src '{_sha256(css)}'",
            f"script-src '{_sha256(js)}'",
            "img-src data:",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )
    return Assets(Markup(css), Markup(js), csp)


def _function_name(analysis: JourneyAnalysis, function_id: str | None) -> str:
    if function_id is None:
        return ""
    function = analysis.journey.functions.get(function_id)
    return function.name if function is not None else function_id


def _finding_transition(finding: Finding) -> tuple[str, str] | None:
    """The transition a finding is about; a repeat ask (JM103) is about the last step of its path."""
    if finding.transition is not None:
        return finding.transition
    if is_asked_again(finding.rule) and len(finding.touchpoints) >= 2:
        return (finding.touchpoints[-2], finding.touchpoints[-1])
    return None


def _severity_counts(findings: Sequence[Finding]) -> dict[str, int]:
    """How many findings of each severity (every severity present, in SEVERITY_ORDER)."""
    counts = dict.fromkeys(SEVERITY_ORDER, 0)
    for finding in findings:
        if finding.severity in counts:
            counts[finding.severity] += 1
    return counts


# One line of public evidence under the glossary.
EVIDENCE = (
    "Evidence: CEB's study of more than 75,000 customers (Dixon, Freeman & Toman, "
    "\u201cStop Trying to Delight Your Customers\u201d, Harvard Business Review, 2010) found "
    "transfers, repeating information, repeat contacts and channel switches drive customer "
    "effort, and 96% of high-effort customers became more disloyal."
)


def _glossary(codes: Sequence[str]) -> list[dict[str, str]]:
    """The codes a page shows, in catalogue order, each with its title and what it means.

    The sentence is the catalogue's: a rule's ``why`` (why it hurts customers) when the
    catalogue has one, else its summary; backticks are dropped (the page shows words).
    """
    shown = set(codes)
    return [
        {
            "code": code,
            "title": rule.title,
            "why": (rule.why or rule.summary).replace("`", ""),
        }
        for code, rule in RULES.items()
        if code in shown
    ]


def _journey_context(analysis: JourneyAnalysis) -> dict[str, Any]:
    journey, metrics = analysis.journey, analysis.metrics
    tps = journey.touchpoints
    owner = journey.functions.get(journey.owner) if journey.owner else None
    by_transition: dict[tuple[str, str], list[Finding]] = {}
    for finding in analysis.findings:
        key = _finding_transition(finding)
        if key is not None and not is_per_handoff(finding.rule):
            by_transition.setdefault(key, []).append(finding)
    transitions = {t.key: t for t in journey.transitions()}
    handoff_rows = []
    for h in analysis.handoffs:
        transition = transitions.get((h.source, h.target))
        found = sorted_findings(by_transition.get((h.source, h.target), ()), by_severity=True)
        handoff_rows.append(
            {
                "handoff": h,
                "source": tps[h.source].name if h.source in tps else h.source,
                "target": tps[h.target].name if h.target in tps else h.target,
                "from_function": _function_name(analysis, h.from_function),
                "to_function": _function_name(analysis, h.to_function),
                "findings": found,
                "codes": list(dict.fromkeys(f.rule for f in found)),
                "severity": min(
                    (f.severity for f in found), key=SEVERITY_ORDER.__getitem__, default="info"
                ),
                "owner": _function_name(analysis, transition.owner) if transition else "",
                "wait": transition.wait_hours if transition else None,
                "target_id": edge_id(h.source, h.target),
            }
        )
    handoff_keys = {(h.source, h.target) for h in analysis.handoffs}
    other = []
    for finding in sorted_findings(analysis.findings, by_severity=True):
        key = _finding_transition(finding)
        if is_per_handoff(finding.rule) or key in handoff_keys:
            continue
        if finding.transition is not None:
            target = edge_id(*finding.transition)
        elif finding.touchpoints:
            target = f"tp-{finding.touchpoints[-1 if is_asked_again(finding.rule) else 0]}"
        else:
            target = ""
        other.append({"finding": finding, "target_id": target})
    # Stage x function grid: functions in file order, only those owning a touchpoint.
    used = {t.function for t in tps.values()}
    columns = [(f.id, f.name) for f in journey.functions.values() if f.id in used]
    columns += [(fid, fid) for fid in sorted(used - set(journey.functions))]
    grid = []
    for stage in journey.stages:
        cells = [
            [t for t in tps.values() if t.stage == stage.id and t.function == fid]
            for fid, _ in columns
        ]
        grid.append(
            {
                "stage": stage,
                "cells": cells,
                "count": len(metrics.stage_functions.get(stage.id, ())),
                "fragmentation": metrics.stage_fragmentation.get(stage.id, 0.0),
            }
        )
    fragmented: dict[str, str] = {}  # stage id -> the code marking it (JM201)
    for f in analysis.findings:
        if marks_stage(f.rule):
            for t in f.touchpoints:
                if t in tps:
                    fragmented.setdefault(tps[t].stage, f.rule)
    function_shares = [
        {
            "name": _function_name(analysis, fid),
            "lead": (journey.functions[fid].lead or "") if fid in journey.functions else "",
            "share": share,
        }
        for fid, share in sorted(
            metrics.function_flow_share.items(), key=lambda kv: (-kv[1], kv[0])
        )
    ]
    backstage = [
        {"name": _function_name(analysis, fid), "share": share}
        for fid, share in sorted(
            metrics.system_owner_flow_share.items(), key=lambda kv: (-kv[1], kv[0])
        )
    ]
    leads = sorted(metrics.lead_flow_share.items(), key=lambda kv: (-kv[1], kv[0]))
    details = [
        t
        for t in (tps[i] for i in charts.display_order(analysis))
        if t.pains or t.gains or t.kpis or t.ideas or t.notes
    ]
    stage_names = {s.id: s.name for s in journey.stages}
    # ids a finding's message may quote, with the names the page shows for them (a touchpoint
    # wins over a system, stage or function of the same id)
    names: dict[str, str] = {journey.id: journey.title}
    names.update((f.id, f.name) for f in journey.functions.values())
    names.update(stage_names)
    names.update((s.id, s.name) for s in journey.systems.values())
    names.update((t.id, t.name) for t in tps.values())
    counts = _severity_counts(analysis.findings)
    data = {
        "format": "journeymap-report/1",
        "journey": journey.id,
        "title": journey.title,
        "file": journey.path,
        "metrics": {
            "touchpoints": metrics.touchpoints,
            "transitions": metrics.transitions,
            "handoffs": metrics.handoffs,
            "expected_handoffs_per_customer": round(metrics.expected_handoffs_per_customer, 6),
            "outcomes": {k: round(v, 6) for k, v in sorted(metrics.outcomes.items())},
        },
        "handoffs": [
            {
                "number": h.number,
                "from": h.source,
                "to": h.target,
                "risk": round(h.risk, 6),
                "rules": list(h.rules),
            }
            for h in analysis.handoffs
        ],
    }
    return {
        "journey": journey,
        "metrics": metrics,
        "owner": owner,
        "outcomes": sorted(metrics.outcomes.items(), key=lambda kv: (-kv[1], kv[0])),
        "handoff_rows": handoff_rows,
        "other_findings": other,
        "counts": counts,
        "columns": columns,
        "grid": grid,
        "fragmented": fragmented,
        "function_shares": function_shares,
        "lead_shares": leads,
        "backstage": backstage,
        "details": details,
        "stage_names": stage_names,
        "names": names,
        # the codes shown: every finding but the per-handoff ones (the handoff rows)
        "glossary": _glossary([f.rule for f in analysis.findings if not is_per_handoff(f.rule)]),
        "evidence": EVIDENCE,
        "function_name": lambda fid: _function_name(analysis, fid),
        "total_risk": total_risk(analysis),
        "vs": context_slot,
        "emotion_curve": charts.emotion_curve(analysis),
        "share_bar": charts.share_bar,
        "data": data,
    }


def gate_limits(analysis: JourneyAnalysis, config: Config | None) -> dict[str, str]:
    """The headline figures' limits in the ``check`` gate (config ``check:``), in words: the
    limit and whether the journey is over it; a figure without a limit is ""."""
    metrics = analysis.metrics

    def words(value: float, limit: float | None, digits: int) -> str:
        if limit is None:
            return ""
        verdict = "over" if value > limit else "within"
        return f"check limit {limit:.{digits}f}: {verdict}"

    return {
        "expected_handoffs": words(
            metrics.expected_handoffs_per_customer,
            config.max_expected_handoffs if config else None,
            2,
        ),
        "max_handoffs_on_path": words(
            metrics.max_handoffs_on_path, config.max_handoffs_on_path if config else None, 0
        ),
    }


FIXES_SHOWN = 5  # "Fix these first": at most this many changes on a journey page


def fixes_together(
    analysis: JourneyAnalysis, fixes: Sequence[Fix], config: Config | None = None
) -> list[dict[str, str]]:
    """What the first three and all the fixes shown buy when made together (their effects
    overlap, so they do not add up): total risk before and after, predicted by what-if."""
    before = total_risk(analysis)
    rows: list[dict[str, str]] = []
    words = {2: "both", 3: "all three", 4: "all four", 5: "all five"}
    for count, label in ((3, "the first three"), (len(fixes), words.get(len(fixes), "all"))):
        if count < 2 or count > len(fixes) or (rows and count == 3):
            continue
        after = total_risk(
            combined(analysis.journey, fixes[:count], config, before=analysis).after
        )
        rows.append(
            {
                "label": label,
                "before": f"{before:.2f}",
                "after": f"{after:.2f}",
                "removed": f"{before - after:.2f}",
            }
        )
    return rows


def fix_rows(
    analysis: JourneyAnalysis,
    config: Config | None = None,
    limit: int = FIXES_SHOWN,
    fixes: Sequence[Fix] | None = None,
) -> list[dict[str, Any]]:
    """The top fixes (journeymap.analysis.fixes) as rows: what to change, who makes it, what
    it is predicted to buy, the handoffs it touches. ``fixes``: ``ranked_fixes`` already
    computed (else computed here)."""
    journey = analysis.journey
    risk = total_risk(analysis)
    rows = []
    if fixes is None:
        fixes = ranked_fixes(journey, analysis, config, limit=limit)
    for fix in fixes[:limit]:
        fn = journey.functions.get(fix.function or "")
        d = fix.prediction.deltas
        rows.append(
            {
                "title": fix.title[:1].upper() + fix.title[1:],
                "function": fn.name if fn else None,
                "executive": fix.executive,
                "risk_removed": f"{fix.risk_removed:.2f}",
                "risk_share": f"{fix.risk_removed / risk:.0%}" if risk else "",
                "findings": len(fix.resolves),
                "handoffs": list(touched_handoffs(fix, analysis)),
                "handoffs_delta": d["expected_handoffs_per_customer"],
            }
        )
    return rows


def render_journey_page(
    analysis: JourneyAnalysis,
    svg: bytes | str | None,
    *,
    theme: str = "default",
    index_href: str | None = "index.html",
    live: bool = False,
    config: Config | None = None,
    fixes: Sequence[Fix] | None = None,
    scenarios: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The HTML page of one journey; ``svg`` is its diagram from :func:`journeymap.render`.

    ``index_href`` links back to the portfolio (``None``: no link); ``live`` marks pages the live
    server serves (the template shows a small badge, nothing else changes). ``fixes``: the
    journey's ``ranked_fixes`` if the caller has them (else computed with ``config``);
    ``scenarios`` are the blocks of :func:`journeymap.report.scenarios.scenario_blocks` (as-is
    against to-be). ``config`` is the one ``analysis`` was made with (the fixes' predictions
    start from ``analysis`` itself).
    """
    env = make_environment()
    title = analysis.journey.title
    diagram = inline_svg(svg, f"Journey diagram of {title}") if svg is not None else None
    context = _journey_context(analysis)
    if fixes is None:
        fixes = ranked_fixes(analysis.journey, analysis, config, limit=FIXES_SHOWN)
    context["fixes"] = fix_rows(analysis, config, fixes=fixes)
    context["together"] = fixes_together(analysis, fixes[:FIXES_SHOWN], config)
    context["limits"] = gate_limits(analysis, config)
    context.update(
        assets=assets(),
        theme=theme,
        version=__version__,
        diagram=diagram,
        index_href=index_href,
        live=live,
        page_title=f"{title} \u2014 journeymap",
        scenarios=list(scenarios),
    )
    return env.get_template("journey.html.j2").render(context)


def journey_summary(
    analysis: JourneyAnalysis | JourneySummary, href: str | None = None
) -> dict[str, Any]:
    """The key figures of one journey for the portfolio table."""
    journey = summarize(analysis)
    emotions = journey.emotions
    scored = [e for e in emotions if e is not None]
    label = (
        f"Emotion along {journey.title}: from {scored[0]} to {scored[-1]}, lowest {min(scored)}"
        if scored
        else f"No emotion scores in {journey.title}"
    )
    return {
        "journey": journey,
        "href": href or page_name(journey.id),
        "metrics": journey.metrics,
        "worst": journey.worst,
        "counts": journey.counts,
        "sparkline": charts.sparkline(
            [float(e) if e is not None else None for e in emotions], label
        ),
    }


def silo_markup(silo_svg: bytes | str) -> Markup:
    """The organisation-wide silo map (an SVG from Graphviz) as the index inlines it."""
    return inline_svg(
        silo_svg,
        "Silo map: handoffs between functions across all journeys",
        css_class="diagram silo",
    )


def render_index(
    analyses: Sequence[JourneyAnalysis | JourneySummary],
    portfolio: Portfolio,
    silo_svg: bytes | str | Markup | None,
    *,
    hrefs: Mapping[str, str] | None = None,
    theme: str = "default",
    live: bool = False,
    title: str = "Journey portfolio",
) -> str:
    """The portfolio index: every journey, the organisation-wide silo map, heat map and leads.

    ``silo_svg`` is the silo map's SVG from Graphviz, or :class:`~markupsafe.Markup` already made
    by :func:`silo_markup` (the site build caches that), or ``None`` (no map). ``analyses`` may be
    full analyses or their :class:`~journeymap.analysis.portfolio.JourneySummary` (what the
    report cache keeps); the page is the same. A full analysis's ranked fixes are computed here
    with the default config: pass :func:`~journeymap.report.summary.index_summary` made with the
    journey's config (and its fixes, if computed) when it has one.
    """
    env = make_environment()
    hrefs = hrefs or {}
    journeys = [index_summary(a) for a in analyses]
    summaries = [journey_summary(j, hrefs.get(j.id)) for j in journeys]
    context: dict[str, Any] = {
        "summaries": summaries,
        "silo_map": silo_svg
        if silo_svg is None or isinstance(silo_svg, Markup)
        else silo_markup(silo_svg),
        "assets": assets(),
        "theme": theme,
        "version": __version__,
        "live": live,
        "page_title": f"{title} \u2014 journeymap",
        "title": title,
        "hrefs": {j.id: hrefs.get(j.id) or page_name(j.id) for j in journeys},
        "share_bar": charts.share_bar,
    }
    context.update(portfolio_view.view(portfolio, journeys, hrefs))
    return env.get_template("index.html.j2").render(context)
