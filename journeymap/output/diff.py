"""Presenting a :class:`~journeymap.diff.JourneyDiff`: text, JSON, Markdown and an HTML page.

Pure functions of a diff (byte-identical output), plus :func:`render_diff`, which compares two
analysed versions and formats their diff, as the ``journeymap diff`` command does (it loads both
sides through :func:`journeymap.project.analyse_pair`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

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
from journeymap.model import Journey, Touchpoint, Transition

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
) -> str:
    """Compare two analysed versions of a journey, formatted as ``fmt`` (see DIFF_FORMATS)."""
    from journeymap.errors import UsageError

    if fmt not in DIFF_FORMATS:
        raise UsageError(f"unknown diff format {fmt!r}; choose one of {', '.join(DIFF_FORMATS)}")
    result = diff_journeys(old, new)
    if fmt == "json":
        return format_json(result, old_label, new_label)
    if fmt == "markdown":
        return format_markdown(result, old_label, new_label)
    if fmt == "html":
        return format_html(result, old, new, old_label, new_label)
    return format_text(result, old_label, new_label)


# --------------------------------------------------------------------------------------------
# HTML: the new diagram with added, removed and changed elements marked.
#
# Removed touchpoints and transitions are put back into a merged copy of the new journey (with
# the stages and functions they need), so Graphviz lays them out in their own lane and stage; the
# SVG is then tagged with classes (diff-added, diff-removed, diff-changed) that the page's
# stylesheet draws: added green and dashed with a "+" in the name, removed ghosted with a "−",
# changed amber with a "~". Colour is never the only signal.

_ADDED_MARK, _REMOVED_MARK, _CHANGED_MARK = "+ ", "\u2212 ", "~ "


def _effective_shares(j: Journey) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    for tp in j.touchpoints.values():
        for t in tp.next:
            out[t.key] = t.share if t.share is not None else 1.0 / len(tp.next)
    return out


def merged_analysis(
    old: JourneyAnalysis, new: JourneyAnalysis, diff: JourneyDiff
) -> JourneyAnalysis:
    """The new analysis over a journey that also holds what was removed (for drawing only)."""
    from dataclasses import replace

    from journeymap.model import frozen_map

    oj, nj = old.journey, new.journey
    old_shares, new_shares = _effective_shares(oj), _effective_shares(nj)
    removed_tr = set(diff.transitions_removed)
    changed_tp = {c.key[0] for c in diff.touchpoints_changed}
    old_next: dict[str, list[Transition]] = {}
    for t in oj.transitions():
        if t.key in removed_tr:
            old_next.setdefault(t.source, []).append(replace(t, share=old_shares[t.key]))
    touchpoints: dict[str, Touchpoint] = {}
    for tid, tp in nj.touchpoints.items():
        mark = _ADDED_MARK if tid in diff.touchpoints_added else ""
        mark = _CHANGED_MARK if tid in changed_tp else mark
        nxt = tuple(replace(t, share=new_shares[t.key]) for t in tp.next)
        touchpoints[tid] = replace(
            tp,
            name=mark + tp.name,
            next=nxt + tuple(old_next.pop(tid, ())),
        )
    for tid in diff.touchpoints_removed:
        tp = oj.touchpoints[tid]
        touchpoints[tid] = replace(
            tp, name=_REMOVED_MARK + tp.name, next=tuple(old_next.pop(tid, ())), volume=None
        )
    stages = list(nj.stages) + [
        s
        for s in oj.stages
        if s not in nj.stages
        and any(touchpoints[t].stage == s.id for t in diff.touchpoints_removed)
    ]
    functions = dict(nj.functions)
    for tid in diff.touchpoints_removed:
        f = oj.touchpoints[tid].function
        if f not in functions and f in oj.functions:
            functions[f] = oj.functions[f]
    journey = replace(
        nj,
        touchpoints=frozen_map(touchpoints),
        stages=tuple(stages),
        functions=frozen_map(functions),
        systems=frozen_map({**oj.systems, **nj.systems}),
    )
    return replace(new, journey=journey)


def _tag_svg(svg: bytes, diff: JourneyDiff) -> bytes:
    """Add diff classes to the SVG groups of added, removed and changed elements."""
    import xml.etree.ElementTree as ET

    from journeymap.render.escape import svg_id

    def tp(i: str) -> str:
        return f"tp-{svg_id(i)}"

    def edge(k: tuple[str, ...]) -> str:
        return f"edge-{svg_id(k[0])}--{svg_id(k[1])}"

    classes: dict[str, str] = {}
    classes.update({tp(i): "diff-added" for i in diff.touchpoints_added})
    classes.update({tp(i): "diff-removed" for i in diff.touchpoints_removed})
    classes.update({tp(c.key[0]): "diff-changed" for c in diff.touchpoints_changed})
    classes.update({edge(k): "diff-added" for k in diff.transitions_added})
    classes.update({edge(k): "diff-removed" for k in diff.transitions_removed})
    classes.update({edge(c.key): "diff-changed" for c in diff.transitions_changed})
    created = {edge((h.source, h.target)) for h in diff.handoffs_created}
    import re

    text = svg.decode("utf-8")
    text = re.sub(
        r"^\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>\[]*(\[[^\]]*\])?\s*>\s*)?", "", text, count=1
    )
    if "<!ENTITY" in text:
        from journeymap.errors import RenderError

        raise RenderError("refusing to process an SVG that declares XML entities")
    ET.register_namespace("", "http://www.w3.org/2000/svg")
    ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")
    root = ET.fromstring(text)
    for g in root.iter("{http://www.w3.org/2000/svg}g"):
        gid = g.get("id", "")
        extra = classes.get(gid)
        if gid in created:
            extra = f"{extra or ''} diff-handoff-created".strip()
        if extra:
            g.set("class", f"{g.get('class', '')} {extra}".strip())
    return ET.tostring(root, encoding="unicode").encode("utf-8")


_HTML_CSS = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:80rem;padding:1rem 1.5rem;
color:#1b1b1b;background:#fff}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #ccc;padding:.25rem .5rem;
text-align:left;vertical-align:top}td.num{text-align:right;font-variant-numeric:tabular-nums}
.down{color:#006b4f}.up{color:#a63c00}
figure{margin:1rem 0;overflow:auto;border:1px solid #ddd}svg.diagram{max-width:100%;height:auto}
.legend span{display:inline-block;margin-right:1.2rem;padding:.1rem .5rem;border-radius:.25rem}
.legend .a{border:2px dashed #009E73}.legend .r{border:2px dotted #888;opacity:.6}
.legend .c{border:2px solid #E69F00}
g.diff-added polygon,g.diff-added path,g.diff-added ellipse{stroke:#009E73;stroke-width:3;
stroke-dasharray:8 4}
g.diff-removed{opacity:.35}
g.diff-removed polygon,g.diff-removed path,g.diff-removed ellipse{stroke:#777;
stroke-dasharray:2 4}
g.diff-changed polygon,g.diff-changed path,g.diff-changed ellipse{stroke:#E69F00;stroke-width:3}
code{font-size:.92em}
"""

_HTML_TEMPLATE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>Journey diff: {{ old_label }} → {{ new_label }}</title>
<style>{{ css }}</style>
</head>
<body>
<h1>Journey diff: <code>{{ old_label }}</code> → <code>{{ new_label }}</code></h1>
{% if diff.is_empty %}<p>No changes.</p>{% endif %}
<h2>Handoffs: {{ num(handoffs.old) }} → {{ num(handoffs.new) }} ({{ signed(handoffs.delta) }})</h2>
{% if rows %}
<table>
<thead><tr><th></th><th>handoff</th><th>functions</th><th>risk</th><th>flow</th><th>rules</th></tr></thead>
<tbody>
{% for tag, h in rows %}
<tr><td>{{ tag }}</td><td><code>{{ h.source }}</code> → <code>{{ h.target }}</code></td>
<td>{{ h.from_function }} → {{ h.to_function }}</td><td class="num">{{ num(h.risk) }}</td>
<td class="num">{{ num(h.flow) }}</td><td>{{ h.rules | factors | join(" ") }}</td></tr>
{% endfor %}
{% for c in diff.handoffs_changed %}
<tr><td>changed</td><td><code>{{ c.new.source }}</code> → <code>{{ c.new.target }}</code></td>
<td>{{ c.new.from_function }} → {{ c.new.to_function }}</td>
<td class="num">{{ num(c.old.risk) }} → {{ num(c.new.risk) }}</td>
<td class="num">{{ num(c.new.flow) }}</td><td>{{ c.new.rules | factors | join(" ") }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
<h2>Scores</h2>
<table>
<thead><tr><th>figure</th><th>before</th><th>after</th><th>change</th></tr></thead>
<tbody>
{% for m in diff.metrics %}
<tr><td>{{ labels.get(m.name, m.name) }}</td><td class="num">{{ num(m.old) }}</td>
<td class="num">{{ num(m.new) }}</td><td class="num">{{ signed(m.delta) }}</td></tr>
{% endfor %}
{% for o in diff.outcomes %}
<tr><td>outcome {{ o.name }}</td><td class="num">{{ num(o.old) }}</td>
<td class="num">{{ num(o.new) }}</td><td class="num">{{ signed(o.delta) }}</td></tr>
{% endfor %}
</tbody>
</table>
<h2>New diagram, changes marked</h2>
<p class="legend"><span class="a">+ added</span><span class="r">− removed</span><span class="c">~ changed</span></p>
{% if diagram %}<figure>{{ diagram }}</figure>{% else %}<p>No diagram: {{ diagram_error }}</p>{% endif %}
{% if diff.findings_fixed or diff.findings_introduced %}
<h2>Findings: {{ diff.findings_fixed | length }} fixed, {{ diff.findings_introduced | length }} introduced</h2>
<table>
<thead><tr><th></th><th>rule</th><th>severity</th><th>message</th></tr></thead>
<tbody>
{% for f in diff.findings_fixed %}<tr><td>fixed</td><td>{{ f.rule }}</td><td>{{ f.severity }}</td><td>{{ f.message }}</td></tr>
{% endfor %}{% for f in diff.findings_introduced %}<tr><td>introduced</td><td>{{ f.rule }}</td><td>{{ f.severity }}</td><td>{{ f.message }}</td></tr>
{% endfor %}
</tbody>
</table>
{% endif %}
{% if structure %}
<h2>Structure</h2>
<ul>
{% for line in structure %}<li>{{ line }}</li>
{% endfor %}
</ul>
{% endif %}
</body>
</html>
"""


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
    """A self-contained HTML page: the scores and the new diagram with the changes marked."""
    import base64
    import hashlib

    import jinja2
    from markupsafe import Markup

    from journeymap.errors import RenderError
    from journeymap.render import build_dot, render_dot
    from journeymap.report.filters import display_text
    from journeymap.report.svg import inline_svg

    diagram = None
    diagram_error = ""
    try:
        dot = build_dot(
            merged_analysis(old, new, diff),
            view="journey",
            theme=theme,
            renderer=renderer,
            timeout=60,
        )
        svg = _tag_svg(render_dot(dot, "svg", renderer=renderer, timeout=60), diff)
        diagram = inline_svg(svg, f"Diagram of {new.journey.title} with changes marked")
    except RenderError as err:
        diagram_error = str(err)
    css = _HTML_CSS
    digest = base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode()
    csp = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src data:; "
        "base-uri 'none'; form-action 'none'"
    )
    env = jinja2.Environment(
        loader=jinja2.DictLoader({"diff.html": _HTML_TEMPLATE}),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        finalize=display_text,
    )
    env.filters["factors"] = risk_factors
    rows = [("removed", h) for h in diff.handoffs_removed]
    rows += [("created", h) for h in diff.handoffs_created]
    structure = [
        *(f"removed touchpoint {i}" for i in diff.touchpoints_removed),
        *(f"added touchpoint {i}" for i in diff.touchpoints_added),
        *(f"changed touchpoint {c.label}: {_changes(c.changes)}" for c in diff.touchpoints_changed),
        *(f"removed transition {a} -> {b}" for a, b in diff.transitions_removed),
        *(f"added transition {a} -> {b}" for a, b in diff.transitions_added),
        *(f"changed transition {c.label}: {_changes(c.changes)}" for c in diff.transitions_changed),
        *(f"journey {_changes([c])}" for c in diff.journey_changed),
    ]
    return env.get_template("diff.html").render(
        csp=csp,
        css=Markup(css),
        diff=diff,
        old_label=old_label,
        new_label=new_label,
        handoffs=diff.metric("handoffs"),
        rows=rows,
        labels=_METRIC_LABELS,
        num=_num,
        signed=_signed,
        diagram=diagram,
        diagram_error=diagram_error,
        structure=structure,
    )
