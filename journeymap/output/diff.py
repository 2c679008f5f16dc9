"""Presenting a :class:`~journeymap.diff.JourneyDiff`: text, JSON, Markdown and an HTML page.

Text, JSON and Markdown are pure functions of a diff; the HTML page (templates/diff.html.j2) also
draws both versions' diagrams. Every format is byte-identical for the same input.
:func:`render_diff` compares two analysed versions and formats their diff, as the
``journeymap diff`` command does (it loads both sides through
:func:`journeymap.project.analyse_pair`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence

from journeymap.analysis.types import Finding, Handoff, JourneyAnalysis
from journeymap.catalog import is_per_handoff, risk_factors
from journeymap.diff import (
    EPSILON,
    ElementChange,
    FieldChange,
    JourneyDiff,
    MetricDelta,
    diff_journeys,
)
from journeymap.model import Journey

# --------------------------------------------------------------------------------------------
# Presentation: text, JSON and Markdown. Pure functions of a JourneyDiff, byte-identical output.

DIFF_FORMATS: tuple[str, ...] = ("text", "json", "markdown", "html")
DIFF_JSON_VERSION = 1

_METRIC_LABELS: Mapping[str, str] = {
    "handoffs": "handoffs",
    "expected_handoffs_per_customer": "expected handoffs per customer",
    "total_risk": "total handoff risk",
    "max_handoffs_on_path": "most handoffs on a path",
    "handoff_ratio": "handoff ratio",
    "touchpoints": "touchpoints",
    "transitions": "transitions",
    "functions_touched": "functions touched",
    "drop_off": "drop-off",
    "expected_wait_hours_per_customer": "expected wait hours per customer",
}


def _num(value: float | None) -> str:
    if value is None:
        return "-"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.3f}"


def _signed(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) < EPSILON:
        return "±0"
    text = _num(abs(value))
    return f"+{text}" if value > 0 else f"-{text}"


def _value(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _num(value)
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _handoff_line(h: Handoff) -> str:
    rules = " ".join(risk_factors(h.rules)) or "-"
    return (
        f"{h.source} -> {h.target}  ({h.from_function} -> {h.to_function})  "
        f"risk {_num(h.risk)}  flow {_num(h.flow)}  [{rules}]"
    )


def _finding_line(f: Finding) -> str:
    from journeymap.output import display_path, has_location

    where = (
        f"{display_path(f.location.path)}:{f.location.line}: " if has_location(f.location) else ""
    )
    return f"{where}{f.rule} {f.severity}: {f.message}"


def _changes(changes: Iterable[FieldChange]) -> str:
    return "; ".join(f"{c.field} {_value(c.old)} -> {_value(c.new)}" for c in changes)


def format_text(diff: JourneyDiff, old_label: str, new_label: str) -> str:
    """The terminal report: handoffs and scores first, then findings, then the structure."""
    lines = [f"journeymap diff {old_label} -> {new_label}"]
    if diff.old_id != diff.new_id:
        lines.append(f"journey id {diff.old_id!r} -> {diff.new_id!r}")
    if diff.is_empty:
        lines.append("no changes")
        return "\n".join(lines) + "\n"
    h = diff.metric("handoffs")
    lines.append("")
    lines.append(
        f"Handoffs: {_num(h.old)} -> {_num(h.new)} ({_signed(h.delta)}): "
        f"{len(diff.handoffs_removed)} removed, {len(diff.handoffs_created)} created, "
        f"{len(diff.handoffs_changed)} changed"
    )
    lines += [f"  - removed  {_handoff_line(x)}" for x in diff.handoffs_removed]
    lines += [f"  + created  {_handoff_line(x)}" for x in diff.handoffs_created]
    for c in diff.handoffs_changed:
        rules_old = " ".join(risk_factors(c.old.rules)) or "-"
        rules_new = " ".join(risk_factors(c.new.rules)) or "-"
        lines.append(
            f"  ~ changed  {c.new.source} -> {c.new.target}  risk {_num(c.old.risk)} -> "
            f"{_num(c.new.risk)} ({_signed(c.risk_delta)})  [{rules_old}] -> [{rules_new}]"
        )
    lines += ["", "Scores:"]
    width = max(len(label) for label in _METRIC_LABELS.values())
    for m in diff.metrics:
        if m.name == "handoffs" or (not m.changed and m.name not in _HEADLINE):
            continue
        label = _METRIC_LABELS.get(m.name, m.name)
        lines.append(f"  {label:<{width}}  {_num(m.old)} -> {_num(m.new)}  {_signed(m.delta)}")
    for o in diff.outcomes:
        label = f"outcome {o.name}"
        lines.append(f"  {label:<{width}}  {_num(o.old)} -> {_num(o.new)}  {_signed(o.delta)}")
    if diff.findings_fixed or diff.findings_introduced:
        lines += [
            "",
            f"Findings: {len(diff.findings_fixed)} fixed, "
            f"{len(diff.findings_introduced)} introduced",
        ]
        lines += [f"  {line}" for line in _rule_counts(diff)]
        # The handoffs' own findings (JM100) are the handoff lines above.
        lines += [
            f"  + introduced  {_finding_line(f)}"
            for f in diff.findings_introduced
            if not is_per_handoff(f.rule)
        ]
        lines += [
            f"  - fixed       {_finding_line(f)}"
            for f in diff.findings_fixed
            if not is_per_handoff(f.rule)
        ]
    if diff.touchpoints_added or diff.touchpoints_removed or diff.touchpoints_changed:
        lines += [
            "",
            f"Touchpoints: {len(diff.touchpoints_added)} added, "
            f"{len(diff.touchpoints_removed)} removed, {len(diff.touchpoints_changed)} changed",
        ]
        lines += [f"  - {i}" for i in diff.touchpoints_removed]
        lines += [f"  + {i}" for i in diff.touchpoints_added]
        lines += [f"  ~ {c.label}: {_changes(c.changes)}" for c in diff.touchpoints_changed]
    if diff.transitions_added or diff.transitions_removed or diff.transitions_changed:
        lines += [
            "",
            f"Transitions: {len(diff.transitions_added)} added, "
            f"{len(diff.transitions_removed)} removed, {len(diff.transitions_changed)} changed",
        ]
        lines += [f"  - {a} -> {b}" for a, b in diff.transitions_removed]
        lines += [f"  + {a} -> {b}" for a, b in diff.transitions_added]
        lines += [f"  ~ {c.label}: {_changes(c.changes)}" for c in diff.transitions_changed]
    if diff.journey_changed:
        lines += ["", "Journey:"]
        lines += [f"  ~ {_changes([c])}" for c in diff.journey_changed]
    return "\n".join(lines) + "\n"


def _rule_counts(diff: JourneyDiff) -> list[str]:
    """One line per rule code: how many findings it fixed and introduced (JM100 = handoffs)."""
    fixed = Counter(f.rule for f in diff.findings_fixed)
    introduced = Counter(f.rule for f in diff.findings_introduced)
    return [
        f"{code}: {fixed[code]} fixed, {introduced[code]} introduced"
        for code in sorted(set(fixed) | set(introduced))
    ]


# Shown in the text "Scores" block even when unchanged.
_HEADLINE = frozenset({"expected_handoffs_per_customer", "total_risk"})


def _jsonable(value: object) -> object:
    from journeymap.output import number

    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, (int, float)):
        return number(value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return str(value)


def _handoff_dict(h: Handoff) -> dict[str, object]:
    return {
        "from": h.source,
        "to": h.target,
        "from_function": h.from_function,
        "to_function": h.to_function,
        "flow": _jsonable(h.flow),
        "per_customer": _jsonable(h.per_customer),
        "risk": _jsonable(h.risk),
        "rules": list(h.rules),
        "number": h.number,
    }


def _finding_dict(f: Finding) -> dict[str, object]:
    from journeymap.output import display_path, has_location

    located = has_location(f.location)
    return {
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "file": display_path(f.location.path) if located else None,
        "line": f.location.line if located else None,
        "touchpoints": list(f.touchpoints),
        "transition": list(f.transition) if f.transition else None,
    }


def _delta_dict(m: MetricDelta) -> dict[str, object]:
    return {"old": _jsonable(m.old), "new": _jsonable(m.new), "delta": _jsonable(m.delta)}


def _element_dict(c: ElementChange, key_names: tuple[str, ...]) -> dict[str, object]:
    out: dict[str, object] = dict(zip(key_names, c.key, strict=True))
    out["changes"] = [
        {"field": x.field, "old": _jsonable(x.old), "new": _jsonable(x.new)} for x in c.changes
    ]
    return out


def to_dict(diff: JourneyDiff, old_label: str, new_label: str) -> dict[str, object]:
    """The diff as plain JSON data (``diff_format`` versions this shape; see docs/workshop.md)."""
    return {
        "diff_format": DIFF_JSON_VERSION,
        "old": {"journey": diff.old_id, "source": old_label},
        "new": {"journey": diff.new_id, "source": new_label},
        "changed": not diff.is_empty,
        "handoffs": {
            "created": [_handoff_dict(h) for h in diff.handoffs_created],
            "removed": [_handoff_dict(h) for h in diff.handoffs_removed],
            "changed": [
                {"old": _handoff_dict(c.old), "new": _handoff_dict(c.new)}
                for c in diff.handoffs_changed
            ],
        },
        "metrics": {m.name: _delta_dict(m) for m in diff.metrics},
        "outcomes": {m.name: _delta_dict(m) for m in diff.outcomes},
        "findings": {
            "introduced": [_finding_dict(f) for f in diff.findings_introduced],
            "fixed": [_finding_dict(f) for f in diff.findings_fixed],
        },
        "touchpoints": {
            "added": list(diff.touchpoints_added),
            "removed": list(diff.touchpoints_removed),
            "changed": [_element_dict(c, ("id",)) for c in diff.touchpoints_changed],
        },
        "transitions": {
            "added": [list(k) for k in diff.transitions_added],
            "removed": [list(k) for k in diff.transitions_removed],
            "changed": [_element_dict(c, ("from", "to")) for c in diff.transitions_changed],
        },
        "journey": [
            {"field": c.field, "old": _jsonable(c.old), "new": _jsonable(c.new)}
            for c in diff.journey_changed
        ],
    }


def format_json(diff: JourneyDiff, old_label: str, new_label: str) -> str:
    """The diff as indented, key-stable JSON text."""
    import json

    return json.dumps(to_dict(diff, old_label, new_label), indent=2, ensure_ascii=False) + "\n"


def _md(text: object) -> str:
    """Escape text for a Markdown table cell."""
    s = str(text)
    for ch in "\\`*_[]<>|":
        s = s.replace(ch, "\\" + ch)
    return s.replace("\n", " ")


def format_markdown(diff: JourneyDiff, old_label: str, new_label: str) -> str:
    """The diff as GitHub-flavoured Markdown, for a pull-request comment."""
    out = [f"## Journey diff: {_md(old_label)} → {_md(new_label)}", ""]
    if diff.is_empty:
        return "\n".join(out + ["No changes.", ""])
    h = diff.metric("handoffs")
    out += [
        f"**Handoffs: {_num(h.old)} → {_num(h.new)} ({_signed(h.delta)})** — "
        f"{len(diff.handoffs_removed)} removed, {len(diff.handoffs_created)} created, "
        f"{len(diff.handoffs_changed)} changed",
        "",
    ]
    rows = [("removed", x) for x in diff.handoffs_removed]
    rows += [("created", x) for x in diff.handoffs_created]
    if rows:
        out += ["| | handoff | functions | risk | flow | rules |", "|---|---|---|---|---|---|"]
        for tag, x in rows:
            rules = " ".join(risk_factors(x.rules)) or "-"
            out.append(
                f"| {tag} | {_md(x.source)} → {_md(x.target)} | {_md(x.from_function)} → "
                f"{_md(x.to_function)} | {_num(x.risk)} | {_num(x.flow)} | {rules} |"
            )
        out.append("")
    if diff.handoffs_changed:
        out += ["| changed handoff | risk | rules |", "|---|---|---|"]
        for c in diff.handoffs_changed:
            out.append(
                f"| {_md(c.new.source)} → {_md(c.new.target)} | {_num(c.old.risk)} → "
                f"{_num(c.new.risk)} ({_signed(c.risk_delta)}) | "
                f"{' '.join(c.old.rules)} → {' '.join(c.new.rules)} |"
            )
        out.append("")
    out += ["### Scores", "", "| figure | before | after | change |", "|---|---|---|---|"]
    for m in diff.metrics:
        label = _METRIC_LABELS.get(m.name, m.name)
        out.append(f"| {label} | {_num(m.old)} | {_num(m.new)} | {_signed(m.delta)} |")
    for o in diff.outcomes:
        out.append(
            f"| outcome {_md(o.name)} | {_num(o.old)} | {_num(o.new)} | {_signed(o.delta)} |"
        )
    out.append("")
    if diff.findings_fixed or diff.findings_introduced:
        out += ["### Findings", "", "| | rule | severity | message |", "|---|---|---|---|"]
        for tag, fs in (("fixed", diff.findings_fixed), ("introduced", diff.findings_introduced)):
            for f in fs:
                out.append(f"| {tag} | {f.rule} | {f.severity} | {_md(f.message)} |")
        out.append("")
    structure = [
        *(f"- removed touchpoint `{i}`" for i in diff.touchpoints_removed),
        *(f"- added touchpoint `{i}`" for i in diff.touchpoints_added),
        *(
            f"- changed touchpoint `{c.label}`: {_md(_changes(c.changes))}"
            for c in diff.touchpoints_changed
        ),
        *(f"- removed transition `{a} -> {b}`" for a, b in diff.transitions_removed),
        *(f"- added transition `{a} -> {b}`" for a, b in diff.transitions_added),
        *(
            f"- changed transition `{c.label}`: {_md(_changes(c.changes))}"
            for c in diff.transitions_changed
        ),
        *(f"- journey {_md(_changes([c]))}" for c in diff.journey_changed),
    ]
    if structure:
        out += ["### Structure", "", *structure, ""]
    return "\n".join(out)


def source_label(spec: str) -> str:
    """How a diff names its input: ``git:REV:path`` as given, a file relative to the cwd."""
    from journeymap.gitsource import is_git_spec
    from journeymap.output import display_path

    return spec if is_git_spec(spec) else display_path(spec)


def render_diff(
    old: JourneyAnalysis,
    new: JourneyAnalysis,
    old_label: str,
    new_label: str,
    fmt: str = "text",
    *,
    theme: str = "default",
    renderer: str = "auto",
) -> str:
    """Compare two analysed versions of a journey, formatted as ``fmt`` (see DIFF_FORMATS);
    ``theme`` and ``renderer`` draw the html page's two diagrams."""
    from journeymap.errors import UsageError

    if fmt not in DIFF_FORMATS:
        raise UsageError(f"unknown diff format {fmt!r}; choose one of {', '.join(DIFF_FORMATS)}")
    result = diff_journeys(old, new)
    if fmt == "json":
        return format_json(result, old_label, new_label)
    if fmt == "markdown":
        return format_markdown(result, old_label, new_label)
    if fmt == "html":
        return format_html(result, old, new, old_label, new_label, theme=theme, renderer=renderer)
    return format_text(result, old_label, new_label)


# --------------------------------------------------------------------------------------------
# HTML: a report page (templates/diff.html.j2, the report's stylesheet and script) that leads
# with what changed for customers, in names, never ids, and shows the before and after diagrams
# side by side: on the before picture the handoffs resolved or changed are highlighted, on the
# after picture the new or changed ones (a class and a wide halo under the edge, found by its
# diagram id; every id of each picture is prefixed with its side so the two never collide).

MINUS = "\u2212"
# Highlight classes on a picture's edges, by what happened to the handoff.
HIGHLIGHTS = {"resolved": "diff-resolved", "new": "diff-new", "changed": "diff-changed"}

# The figures of the metrics table, in reading order: (metric, label, lower is better).
_HTML_METRICS: tuple[tuple[str, str, bool | None], ...] = (
    ("total_risk", "Total handoff risk", True),
    ("expected_handoffs_per_customer", "Handoffs per customer (expected)", True),
    ("handoffs", "Handoffs", True),
    ("max_handoffs_on_path", "Most handoffs on one path", True),
    ("handoff_ratio", "Share of transitions that are handoffs", True),
    ("functions_touched", "Functions touched", True),
    ("expected_wait_hours_per_customer", "Expected wait per customer", True),
    ("drop_off", "Drop-off", True),
    ("touchpoints", "Touchpoints", None),
    ("transitions", "Transitions", None),
)


def _figure(name: str, value: float | None) -> str:
    from journeymap.report.filters import num, pct

    if value is None:
        return "\u2014"
    if name in ("handoff_ratio", "drop_off"):
        return pct(value, 1)
    if name == "expected_wait_hours_per_customer":
        return f"{num(value / 24, 1)} days"
    if name in (
        "handoffs",
        "max_handoffs_on_path",
        "functions_touched",
        "touchpoints",
        "transitions",
    ):
        return num(int(value))
    if name == "total_risk":
        return f"{value:,.1f}"
    if name == "expected_handoffs_per_customer":
        return f"{value:,.2f}"
    return num(value, 2)


def _delta_text(name: str, delta: float | None) -> str:
    """A change as people write it: ``+3``, ``−59.6``, ``−12.0 pts`` for shares, ``no change``."""
    if delta is None:
        return ""
    if abs(delta) < EPSILON:
        return "no change"
    sign = "+" if delta > 0 else MINUS
    if name in ("handoff_ratio", "drop_off", "outcome"):
        return f"{sign}{abs(delta) * 100:.1f} pts"
    return sign + _figure(name, abs(delta))


def _direction(delta: float | None, lower_is_better: bool | None) -> str:
    """``better``, ``worse`` or ``""`` (no change, or a figure that is neither)."""
    if delta is None or lower_is_better is None or abs(delta) < EPSILON:
        return ""
    return "better" if (delta < 0) == lower_is_better else "worse"


def _humane(slug: str) -> str:
    """A slug in words: ``policy-number`` -> ``policy number``."""
    return slug.replace("-", " ").replace("_", " ")


def _names(journey: Journey) -> dict[str, str]:
    """Every id a message may quote, with the name the page shows for it (a touchpoint wins
    over a system, stage or function of the same id; items asked for or carried, and KPIs, have
    no names in the file: their slugs are written as words)."""
    names: dict[str, str] = {}
    items = {x for tp in journey.touchpoints.values() for x in tp.asks}
    items |= {x for t in journey.transitions() for x in t.carries}
    names.update((i, _humane(i)) for i in sorted(items))
    names.update((c.id, c.name) for c in journey.channels.values())
    names[journey.id] = journey.title
    names.update((f.id, f.name) for f in journey.lanes())
    names.update((f.id, f.name) for f in journey.functions.values())
    names.update((s.id, s.name) for s in journey.stages)
    names.update((s.id, s.name) for s in journey.systems.values())
    names.update((t.id, t.name) for t in journey.touchpoints.values())
    return names


class _Side:
    """Names on one side of the diff: touchpoints, functions, systems, stages, channels."""

    def __init__(self, journey: Journey) -> None:
        self.journey = journey
        self.names = _names(journey)

    def tp(self, tid: str) -> str:
        tp = self.journey.touchpoints.get(tid)
        return tp.name if tp is not None else _humane(tid)

    def function(self, fid: str | None) -> str:
        if fid is None:
            return "nobody"
        f = self.journey.functions.get(fid)
        return f.name if f is not None else self.names.get(fid, _humane(fid))

    def system(self, sid: str) -> str:
        s = self.journey.systems.get(sid)
        return s.name if s is not None else _humane(sid)

    def stage(self, sid: str) -> str:
        return next((s.name for s in self.journey.stages if s.id == sid), _humane(sid))

    def channel(self, cid: str | None) -> str:
        if cid is None:
            return "none"
        c = self.journey.channels.get(cid)
        return c.name if c is not None else _humane(cid)

    def route(self, source: str, target: str) -> str:
        return f"{self.tp(source)} \u2192 {self.tp(target)}"

    def functions(self, h: Handoff) -> str:
        return f"{self.function(h.from_function)} \u2192 {self.function(h.to_function)}"


def _edge_id(source: str, target: str) -> str:
    """The diagram id of the (first) edge ``source -> target`` (journeymap.render.journey_view)."""
    from journeymap.render.escape import svg_id

    return f"edge-{svg_id(source)}--{svg_id(target)}"


def scoped_id(element_id: str, side: str) -> str:
    """An id of one side's picture made unique on the page: ``before-tp-x``. Lane ids keep their
    ``lane-``/``lane-label-`` head (``lane-before-x``): the report's script pairs a lane with its
    label by it."""
    for head in ("lane-label-", "lane-"):
        if element_id.startswith(head):
            return f"{head}{side}-{element_id[len(head) :]}"
    return f"{side}-{element_id}"


def _resolved_reason(h: Handoff, old: _Side, new: _Side) -> str:
    """Why a handoff of the old version is none in the new one, in words."""
    tps = new.journey.touchpoints
    gone = [t for t in (h.source, h.target) if t not in tps]
    if gone:
        return " and ".join(old.tp(t) for t in gone) + " removed from the journey"
    if any(t.key == (h.source, h.target) for t in new.journey.transitions()):
        a, b = tps[h.source].function, tps[h.target].function
        if a == b:
            return f"both steps now run by {new.function(a)}"
        return "no longer a handoff"
    return "customers no longer go this way"


def _new_reason(h: Handoff, old: _Side, new: _Side) -> str:
    """Why a handoff of the new version was none in the old one, in words."""
    tps = old.journey.touchpoints
    came = [t for t in (h.source, h.target) if t not in tps]
    if came:
        return "new step " + " and ".join(new.tp(t) for t in came)
    if any(t.key == (h.source, h.target) for t in old.journey.transitions()):
        a, b = tps[h.source].function, tps[h.target].function
        if a == b:
            return f"both steps were run by {old.function(a)}"
        return "was not a handoff"
    return "a new way for customers"


def _handoff_rows(diff: JourneyDiff, old: _Side, new: _Side) -> dict[str, list[dict[str, object]]]:
    resolved: list[dict[str, object]] = [
        {
            "route": old.route(h.source, h.target),
            "functions": old.functions(h),
            "risk": f"{h.risk:.2f}",
            "rules": risk_factors(h.rules),
            "why": _resolved_reason(h, old, new),
            "target": scoped_id(_edge_id(h.source, h.target), "before"),
        }
        for h in diff.handoffs_removed
    ]
    created: list[dict[str, object]] = [
        {
            "route": new.route(h.source, h.target),
            "functions": new.functions(h),
            "risk": f"{h.risk:.2f}",
            "rules": risk_factors(h.rules),
            "why": _new_reason(h, old, new),
            "target": scoped_id(_edge_id(h.source, h.target), "after"),
        }
        for h in diff.handoffs_created
    ]
    changed: list[dict[str, object]] = []
    for c in diff.handoffs_changed:
        before, after = old.functions(c.old), new.functions(c.new)
        changed.append(
            {
                "route": new.route(c.new.source, c.new.target),
                "was": old.route(c.old.source, c.old.target),
                "functions": after,
                "functions_before": before if before != after else "",
                "risk_old": f"{c.old.risk:.2f}",
                "risk_new": f"{c.new.risk:.2f}",
                "delta": _delta_text("total_risk", c.risk_delta),
                "direction": _direction(c.risk_delta, True),
                "resolved": risk_factors(c.rules_resolved),
                "added": risk_factors(c.rules_added),
                "kept": risk_factors(tuple(r for r in c.new.rules if r in c.old.rules)),
                "target": scoped_id(_edge_id(c.new.source, c.new.target), "after"),
            }
        )
    return {"resolved": resolved, "new": created, "changed": changed}


def _statement(message: str) -> str:
    """A finding's message without its closing hint (``problem; what to do``)."""
    head, sep, _ = message.rpartition("; ")
    text = head if sep else message
    return text[:1].upper() + text[1:]


def _finding_rows(findings: Iterable[Finding], side: _Side) -> list[dict[str, object]]:
    from journeymap.analysis.types import sorted_findings
    from journeymap.report.filters import loc, plain_message, where

    return [
        {
            "severity": f.severity,
            "rule": f.rule,
            "text": plain_message(_statement(f.message), side.names),
            "loc": loc(f.location),
            "where": where(f.location),
        }
        for f in sorted_findings(findings, by_severity=True)
        if not is_per_handoff(f.rule)
    ]


def _quoted(text: str) -> str:
    return f"\u201c{' '.join(text.split())}\u201d"


def _item(label: str, **parts: object) -> dict[str, object]:
    out: dict[str, object] = {"label": label, "text": "", "before": "", "after": ""}
    out["gone"], out["came"] = [], []
    out.update(parts)
    return out


def _set_words(
    old: Sequence[str],
    new: Sequence[str],
    name_old: Callable[[str], str],
    name_new: Callable[[str], str],
    now: str,
    gone: str,
) -> str:
    came = [name_new(x) for x in new if x not in old]
    went = [name_old(x) for x in old if x not in new]
    parts = []
    if came:
        parts.append(f"{now} {', '.join(came)}")
    if went:
        parts.append(f"{gone} {', '.join(went)}")
    return "; ".join(parts) or "same, in another order"


def _strs(value: object) -> tuple[str, ...]:
    return tuple(str(x) for x in value) if isinstance(value, (tuple, list)) else ()


def _opt(value: object) -> str | None:
    return None if value is None else str(value)


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) else None


def _kpi_words(old: Iterable[tuple[str, str]], new: Iterable[tuple[str, str]]) -> str:
    a, b = dict(old), dict(new)
    parts = []
    for k in list(a) + [k for k in b if k not in a]:
        if k not in b:
            parts.append(f"{_humane(k)} no longer measured")
        elif k not in a:
            parts.append(f"{_humane(k)} {b[k]} (new)")
        elif " ".join(a[k].split()) != " ".join(b[k].split()):
            parts.append(f"{_humane(k)} {a[k]} \u2192 {b[k]}")
    return "; ".join(parts)


def _text_or_none(value: object) -> str:
    return "none" if value is None else " ".join(str(value).split())


_TP_LABELS = {
    "name": "Name",
    "stage": "Stage",
    "function": "Run by",
    "channel": "Channel",
    "systems": "Systems",
    "emotion": "Emotion (1 frustrated, 5 delighted)",
    "entry": "Way in",
    "volume": "Customers entering",
    "asks": "Asks the customer for",
    "pains": "Pains",
    "gains": "Gains",
    "notes": "Notes",
    "ideas": "Ideas",
    "kpis": "KPIs",
    "outcome": "Outcome",
    "description": "Description",
    "evidence": "What the customer sees or keeps",
}
_TR_LABELS = {
    "share": "Share of customers",
    "carries": "Carries",
    "owner": "Accountable owner",
    "wait_hours": "Wait",
    "note": "Note",
}
_PROSE = {"pains", "gains", "notes", "ideas", "evidence"}


def _field_item(c: FieldChange, old: _Side, new: _Side) -> dict[str, object]:
    """One field change of a touchpoint or transition, in words."""
    from journeymap.report.filters import hours, num, pct

    f, a, b = c.field, c.old, c.new
    label = _TP_LABELS.get(f) or _TR_LABELS.get(f) or _humane(f).capitalize()
    if f in ("name", "description", "note"):
        return _item(label, before=_text_or_none(a), after=_text_or_none(b))
    if f in _PROSE:
        went = [_quoted(x) for x in _strs(a) if x not in _strs(b)]
        came = [_quoted(x) for x in _strs(b) if x not in _strs(a)]
        return _item(label, gone=went, came=came, text="" if went or came else "reordered")
    arrow = " \u2192 "
    x, y = _number(a), _number(b)
    if f == "stage":
        text = old.stage(str(a)) + arrow + new.stage(str(b))
    elif f in ("function", "owner"):
        text = old.function(_opt(a)) + arrow + new.function(_opt(b))
    elif f == "channel":
        text = old.channel(_opt(a)) + arrow + new.channel(_opt(b))
    elif f == "systems":
        text = _set_words(_strs(a), _strs(b), old.system, new.system, "adds", "drops")
    elif f == "asks":
        text = _set_words(
            _strs(a), _strs(b), _humane, _humane, "now also asks for", "no longer asks for"
        )
    elif f == "carries":
        text = _set_words(_strs(a), _strs(b), _humane, _humane, "now carries", "no longer carries")
    elif f == "emotion":
        text = f"{_text_or_none(a)}{arrow}{_text_or_none(b)} of 5"
    elif f == "entry":
        text = "now a way in" if b else "no longer a way in"
    elif f == "kpis":
        pairs_a = a if isinstance(a, tuple) else ()
        pairs_b = b if isinstance(b, tuple) else ()
        text = _kpi_words(pairs_a, pairs_b)
    elif f == "share":
        text = pct(x, 0) + arrow + pct(y, 0)
    elif f == "wait_hours":
        text = ("none" if x is None else hours(x)) + arrow + ("none" if y is None else hours(y))
    elif f == "volume":
        text = ("not set" if x is None else num(x)) + arrow + ("not set" if y is None else num(y))
    elif f == "outcome":
        text = _text_or_none(a) + arrow + _text_or_none(b)
    else:
        text = _value(a) + arrow + _value(b)
    return _item(label, text=text)


def _element_rows(diff: JourneyDiff, old: _Side, new: _Side) -> dict[str, object]:
    """Touchpoints and transitions added, removed and changed, field by field, in words."""
    on, nn = old.journey.touchpoints, new.journey.touchpoints

    def where(side: _Side, tid: str) -> str:
        tp = side.journey.touchpoints[tid]
        return f"{side.stage(tp.stage)} \u00b7 {side.function(tp.function)}"

    tp_changed = []
    for c in diff.touchpoints_changed:
        tid = c.key[0]
        tp_changed.append(
            {
                "name": new.tp(tid),
                "where": where(new, tid),
                "fields": [_field_item(x, old, new) for x in c.changes],
            }
        )
    tr_changed = [
        {
            "name": new.route(*c.key),
            "fields": [_field_item(x, old, new) for x in c.changes],
        }
        for c in diff.transitions_changed
    ]
    return {
        "tp_added": [{"name": new.tp(t), "where": where(new, t)} for t in diff.touchpoints_added],
        "tp_removed": [
            {"name": old.tp(t), "where": where(old, t)} for t in diff.touchpoints_removed if t in on
        ],
        "tp_changed": tp_changed,
        "tr_added": [new.route(*k) for k in diff.transitions_added if k[0] in nn],
        "tr_removed": [old.route(*k) for k in diff.transitions_removed if k[0] in on],
        "tr_changed": tr_changed,
    }


def _integration_words(side: _Side, a: str, b: str, one_way: bool) -> str:
    arrow = "\u2192" if one_way else "\u2194"
    return f"{side.system(a)} {arrow} {side.system(b)}"


def _journey_rows(diff: JourneyDiff, old: _Side, new: _Side) -> list[dict[str, object]]:
    """Journey-level changes in words (the id change is the title's; not shown)."""
    rows: list[dict[str, object]] = []
    for c in diff.journey_changed:
        f = c.field
        if f == "id":
            continue
        if f in ("title", "persona", "description"):
            rows.append(
                _item(f.capitalize(), before=_text_or_none(c.old), after=_text_or_none(c.new))
            )
        elif f == "owner":
            rows.append(
                _item(
                    "End-to-end owner",
                    text=f"{old.function(_opt(c.old))} \u2192 {new.function(_opt(c.new))}",
                )
            )
        elif f == "uses":
            rows.append(_item("Organisation files", text=f"{_value(c.old)} \u2192 {_value(c.new)}"))
        elif f.startswith(("functions.", "systems.", "channels.")):
            rows.append(_collection_item(c, old, new))
        elif f == "stages":
            before = ", ".join(s.name for s in old.journey.stages)
            after = ", ".join(s.name for s in new.journey.stages)
            rows.append(_item("Stages", before=before, after=after))
        elif f == "integrations":
            a = {(i.a, i.b, i.one_way) for i in old.journey.integrations}
            b = {(i.a, i.b, i.one_way) for i in new.journey.integrations}
            rows.append(
                _item(
                    "Integrated systems",
                    gone=[_integration_words(old, *i) for i in _in_file_order(old, a - b)],
                    came=[_integration_words(new, *i) for i in _in_file_order(new, b - a)],
                )
            )
    return rows


def _in_file_order(side: _Side, keys: set[tuple[str, str, bool]]) -> list[tuple[str, str, bool]]:
    """``keys`` in the order the side's file lists its integrations."""
    return [k for k in ((i.a, i.b, i.one_way) for i in side.journey.integrations) if k in keys]


def _collection_item(c: FieldChange, old: _Side, new: _Side) -> dict[str, object]:
    """A function, system or channel added, removed or changed, in words."""
    kind, _, key = c.field.partition(".")
    a = c.old if isinstance(c.old, Mapping) else None
    b = c.new if isinstance(c.new, Mapping) else None
    noun = {"functions": "Function", "systems": "System", "channels": "Channel"}[kind]
    name = str((b or a or {}).get("name", _humane(key)))
    if a is None:
        return _item(noun, text=f"{name} (new)")
    if b is None:
        return _item(noun, text=f"{name} no longer in the journey")
    parts = []
    if a.get("name") != b.get("name"):
        parts.append(f"renamed from {a.get('name')}")
    if a.get("lead") != b.get("lead"):
        parts.append(f"led by {a.get('lead') or 'nobody'} \u2192 {b.get('lead') or 'nobody'}")
    if a.get("owner") != b.get("owner"):
        parts.append(
            f"owned by {old.function(_opt(a.get('owner')))} \u2192 "
            f"{new.function(_opt(b.get('owner')))}"
        )
    if a.get("shadow") != b.get("shadow"):
        parts.append("now shadow IT" if b.get("shadow") else "no longer shadow IT")
    return _item(noun, text=f"{name}: {'; '.join(parts) or 'changed'}")


def _glossary(codes: Iterable[str]) -> list[dict[str, str]]:
    """The codes the page shows, in catalogue order, each with why it hurts customers (the
    catalogue's words, as on a journey page)."""
    from journeymap.catalog import RULES

    shown = set(codes)
    return [
        {"code": code, "title": rule.title, "why": (rule.why or rule.summary).replace("`", "")}
        for code, rule in RULES.items()
        if code in shown
    ]


def _highlight_svg(
    svg: bytes | str,
    side: str,
    edges: Mapping[str, str],
    markers: Mapping[str, str],
    nodes: Mapping[str, str],
) -> tuple[str, int]:
    """One side's picture with its ids scoped and its changed handoffs highlighted.

    ``edges`` maps a diagram edge id to its highlight class, ``markers`` a handoff's number disc
    id to one, ``nodes`` a touchpoint id to one. Each highlighted edge gets the class and, under
    each of its lines, a wide ``diff-halo`` copy. Returns the SVG text and how many edges were
    highlighted.
    """
    import re
    import xml.etree.ElementTree as ET

    from journeymap.errors import RenderError
    from journeymap.report.svg import SVG_NS, XLINK_NS

    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    if "<!ENTITY" in text:
        raise RenderError("refusing to process an SVG that declares XML entities")
    text = re.sub(r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>\s*)?", "", text)
    root = ET.fromstring(text)
    g_tag, path_tag = f"{{{SVG_NS}}}g", f"{{{SVG_NS}}}path"
    href = f"{{{XLINK_NS}}}href"
    url = re.compile(r"url\(#([^)]+)\)")
    count = 0
    for el in root.iter():
        for name in (href, "href"):
            value = el.get(name)
            if value and value.startswith("#"):
                el.set(name, "#" + scoped_id(value[1:], side))
        for name, value in list(el.items()):
            if "url(#" in value:
                el.set(name, url.sub(lambda m: f"url(#{scoped_id(m.group(1), side)})", value))
        element_id = el.get("id")
        if element_id is None:
            continue
        el.set("id", scoped_id(element_id, side))
        if el.tag != g_tag:
            continue
        extra = edges.get(element_id) or markers.get(element_id) or nodes.get(element_id)
        if extra is None:
            continue
        el.set("class", f"{el.get('class', '')} diff-hl {extra}".strip())
        if element_id in edges:
            count += 1
            for parent in list(el.iter()):
                for i, child in reversed(list(enumerate(parent))):
                    if child.tag == path_tag:
                        halo = ET.Element(
                            path_tag,
                            {
                                "class": f"diff-halo {extra}",
                                "fill": "none",
                                "d": child.get("d", ""),
                            },
                        )
                        parent.insert(i, halo)
    return ET.tostring(root, encoding="unicode"), count


def _pictures(
    old: JourneyAnalysis,
    new: JourneyAnalysis,
    diff: JourneyDiff,
    theme: str,
    renderer: str,
) -> list[dict[str, object]]:
    """The before and after diagrams, each with its highlights (or the reason it is missing)."""
    from journeymap.errors import RenderError
    from journeymap.render import build_dot, render_dot
    from journeymap.render.escape import svg_id
    from journeymap.report.svg import inline_svg

    resolved = [(h, "resolved") for h in diff.handoffs_removed]
    changed_old = [(c.old, "changed") for c in diff.handoffs_changed]
    changed_new = [(c.new, "changed") for c in diff.handoffs_changed]
    created = [(h, "new") for h in diff.handoffs_created]
    plan = (
        ("before", old, resolved + changed_old, diff.touchpoints_removed, "diff-gone"),
        ("after", new, created + changed_new, diff.touchpoints_added, "diff-added"),
    )
    out = []
    for side, analysis, handoffs, tps, tp_class in plan:
        edges = {_edge_id(h.source, h.target): HIGHLIGHTS[kind] for h, kind in handoffs}
        markers = {f"marker-{h.number}": HIGHLIGHTS[kind] for h, kind in handoffs}
        nodes = {f"tp-{svg_id(t)}": tp_class for t in tps}
        title = analysis.journey.title
        picture: dict[str, object] = {"side": side, "title": title, "svg": None, "error": ""}
        try:
            dot = build_dot(analysis, view="journey", theme=theme, renderer=renderer, timeout=60)
            svg = render_dot(dot, "svg", renderer=renderer, timeout=60)
            text, count = _highlight_svg(svg, side, edges, markers, nodes)
            label = f"{side.capitalize()}: journey diagram of {title}, {count} handoffs highlighted"
            picture.update(svg=inline_svg(text, label), highlighted=count)
        except RenderError as err:
            picture["error"] = str(err)
        out.append(picture)
    return out


def html_context(
    diff: JourneyDiff,
    old: JourneyAnalysis,
    new: JourneyAnalysis,
    old_label: str,
    new_label: str,
    *,
    theme: str = "default",
    renderer: str = "auto",
) -> dict[str, object]:
    """Everything templates/diff.html.j2 shows, in words and names (no ids in prose)."""
    from journeymap import __version__
    from journeymap.report.pages import EVIDENCE, assets

    before, after = _Side(old.journey), _Side(new.journey)
    metrics = {m.name: m for m in diff.metrics}
    rows = []
    for name, label, lower in _HTML_METRICS:
        m = metrics[name]
        rows.append(
            {
                "label": label,
                "old": _figure(name, m.old),
                "new": _figure(name, m.new),
                "delta": _delta_text(name, m.delta),
                "direction": _direction(m.delta, lower),
            }
        )
    outcomes = [
        {
            "label": o.name,
            "old": "\u2014" if o.old is None else f"{o.old * 100:.1f}%",
            "new": "\u2014" if o.new is None else f"{o.new * 100:.1f}%",
            "delta": _delta_text("outcome", o.delta),
        }
        for o in diff.outcomes
    ]
    handoffs = _handoff_rows(diff, before, after)
    risk, per_customer = metrics["total_risk"], metrics["expected_handoffs_per_customer"]
    counts = {k: len(v) for k, v in handoffs.items()}
    summary = (
        f"Total risk {_figure('total_risk', risk.old)} \u2192 {_figure('total_risk', risk.new)}"
        f" ({_delta_text('total_risk', risk.delta)}); "
        f"{_figure(per_customer.name, per_customer.old)} \u2192 {_figure(per_customer.name, per_customer.new)} handoffs per"
        f" customer; {counts['resolved']} handoff{'s' if counts['resolved'] != 1 else ''}"
        f" resolved, {counts['new'] or 'none'} new, {counts['changed']} changed."
    )
    fixed = _finding_rows(diff.findings_fixed, before)
    introduced = _finding_rows(diff.findings_introduced, after)
    fixed_by = Counter(str(f["rule"]) for f in fixed)
    new_by = Counter(str(f["rule"]) for f in introduced)
    codes = sorted(set(fixed_by) | set(new_by))
    rule_counts = [{"code": c, "resolved": fixed_by[c], "new": new_by[c]} for c in codes]
    chips = [r for h in diff.handoffs_removed + diff.handoffs_created for r in h.rules]
    chips += [r for c in diff.handoffs_changed for r in (*c.old.rules, *c.new.rules)]
    title_old, title_new = old.journey.title, new.journey.title
    heading = title_new if title_old == title_new else f"{title_old} \u2192 {title_new}"
    return {
        "assets": assets(),
        "theme": theme,
        "version": __version__,
        "live": False,
        "page_title": f"What changed: {heading} \u2014 journeymap",
        "heading": heading,
        "old_label": old_label,
        "new_label": new_label,
        "empty": diff.is_empty,
        "summary": summary,
        "metrics": rows,
        "outcomes": outcomes,
        "handoffs": handoffs,
        "fixed": fixed,
        "introduced": introduced,
        "rule_counts": rule_counts,
        "elements": _element_rows(diff, before, after),
        "journey_rows": _journey_rows(diff, before, after),
        "pictures": [] if diff.is_empty else _pictures(old, new, diff, theme, renderer),
        "glossary": _glossary([*codes, *risk_factors(chips)]),
        "evidence": EVIDENCE,
    }


def format_html(
    diff: JourneyDiff,
    old: JourneyAnalysis,
    new: JourneyAnalysis,
    old_label: str,
    new_label: str,
    *,
    theme: str = "default",
    renderer: str = "auto",
) -> str:
    """A self-contained page in the report's style: what changed for customers, in names, and
    the before and after diagrams side by side with the changed handoffs highlighted."""
    from journeymap.report.environment import make_environment

    context = html_context(diff, old, new, old_label, new_label, theme=theme, renderer=renderer)
    return make_environment().get_template("diff.html.j2").render(context)
