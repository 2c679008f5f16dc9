"""SARIF 2.1.0 for ``check --format sarif``, so code-scanning tools annotate the journey file.

One run; ``tool.driver.rules`` lists the whole rule catalogue (plus any code the engine reported
that the catalogue lacks); each result cites its rule, level, message and the YAML location,
with a URI relative to the current directory (``uriBaseId`` ``%SRCROOT%``). Results stay one per
finding; those about the same handoff share the ``partialFingerprints`` entry
``journeymapHandoff/v1`` and point at the handoff's two touchpoints in ``relatedLocations``.
"""

from __future__ import annotations

import hashlib
from typing import Any
from urllib.parse import quote

from journeymap.analysis.types import Finding, Handoff
from journeymap.catalog import GATE_CODES, RULES
from journeymap.gate import GateResult
from journeymap.model import Journey, Location
from journeymap.output import display_path, has_location
from journeymap.output.grouping import finding_handoff, handoff_index
from journeymap.output.json import dumps

__all__ = [
    "PROJECT_URL",
    "METHODOLOGY_URL",
    "RULE_TABLE_URL",
    "SARIF_SCHEMA",
    "LEVELS",
    "HANDOFF_FINGERPRINT",
    "artifact_uri",
    "handoff_fingerprint",
    "sarif_log",
    "render_sarif",
]

PROJECT_URL = "https://github.com/journeymap/journeymap"
"""The project's home page (``tool.driver.informationUri``)."""
METHODOLOGY_URL = f"{PROJECT_URL}/blob/main/docs/methodology.md"
"""Rule help: each rule's ``helpUri`` is this page with the lower-case code as anchor."""
RULE_TABLE_URL = f"{PROJECT_URL}/blob/main/docs/cli.md#rule-codes"
"""Help of the gate's own codes (JM401-JM403), which the methodology page does not cover."""
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
HANDOFF_FINGERPRINT = "journeymapHandoff/v1"
"""The ``partialFingerprints`` key every finding about the same handoff shares."""


def artifact_uri(path: str, cwd: str | None = None) -> tuple[str, str | None]:
    """The SARIF URI of ``path`` and its ``uriBaseId``: relative to the current directory under
    ``%SRCROOT%`` when possible, else an absolute ``file://`` URI with no base."""
    shown = display_path(path, cwd)
    if shown.startswith("/"):
        return "file://" + quote(shown, safe="/"), None
    return quote(shown, safe="/"), "%SRCROOT%"


def _rule_descriptor(code: str) -> dict[str, Any]:
    known = RULES.get(code)
    title = known.title if known else code
    summary = known.summary if known else f"Rule {code}."
    level = LEVELS[known.default_severity] if known else "warning"
    return {
        "id": code,
        "name": "".join(word.capitalize() for word in title.replace("-", " ").split()),
        "shortDescription": {"text": title[0].upper() + title[1:]},
        "fullDescription": {"text": summary},
        "helpUri": RULE_TABLE_URL if code in GATE_CODES else f"{METHODOLOGY_URL}#{code.lower()}",
        "defaultConfiguration": {"level": level},
    }


def _fingerprint(finding: Finding) -> str:
    """Stable across line moves: rule, journey and what the finding concerns."""
    parts = [finding.rule, finding.journey, *finding.touchpoints]
    if finding.transition:
        parts += ["->".join(finding.transition)]
    if not finding.touchpoints and not finding.transition:
        parts.append(finding.message)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def handoff_fingerprint(journey: str, source: str, target: str) -> str:
    """Stable across line moves and rule changes: the journey and the handoff's two touchpoints."""
    parts = [journey, source, target]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


def _physical(path: str, location: Location, cwd: str | None) -> dict[str, Any]:
    uri, base = artifact_uri(path, cwd)
    artifact: dict[str, Any] = {"uri": uri}
    if base:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if has_location(location):
        physical["region"] = {"startLine": location.line, "startColumn": max(1, location.col)}
    return physical


def _related(handoff: Handoff, journey: Journey | None, cwd: str | None) -> list[dict[str, Any]]:
    """The handoff's two touchpoints (those defined in a file): id 1 where customers leave, id 2
    where they arrive."""
    if journey is None:
        return []
    related = []
    ends = (
        ("from", handoff.source, handoff.from_function),
        ("to", handoff.target, handoff.to_function),
    )
    for number, (end, tp_id, function_id) in enumerate(ends, start=1):
        touchpoint = journey.touchpoints.get(tp_id)
        if touchpoint is None or not has_location(touchpoint.location):
            continue
        function = journey.functions.get(function_id)
        function_name = function.name if function is not None else function_id
        related.append(
            {
                "id": number,
                "physicalLocation": _physical(touchpoint.location.path, touchpoint.location, cwd),
                "message": {"text": f"handoff {end} '{touchpoint.name}' ({function_name})"},
            }
        )
    return related


def _result(
    finding: Finding,
    index: int,
    cwd: str | None,
    journey: Journey | None,
    handoff: Handoff | None,
) -> dict[str, Any]:
    journey_path = journey.path if journey is not None else None
    path = finding.location.path if has_location(finding.location) else journey_path
    fingerprints = {"journeymap/v1": _fingerprint(finding)}
    if handoff is not None:
        fingerprints[HANDOFF_FINGERPRINT] = handoff_fingerprint(
            finding.journey, handoff.source, handoff.target
        )
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": index,
        "level": LEVELS.get(finding.severity, "warning"),
        "message": {"text": finding.message},
        "partialFingerprints": fingerprints,
    }
    if path:
        result["locations"] = [
            {
                "physicalLocation": _physical(path, finding.location, cwd),
                "logicalLocations": [{"name": finding.journey, "kind": "module"}],
            }
        ]
    if handoff is not None:
        related = _related(handoff, journey, cwd)
        if related:
            result["relatedLocations"] = related
    return result


def sarif_log(
    result: GateResult, version: str | None = None, cwd: str | None = None
) -> dict[str, Any]:
    """The SARIF 2.1.0 log of a check as a dict (see :func:`render_sarif`)."""
    if version is None:
        from journeymap import __version__ as version
    codes = list(RULES) + sorted({f.rule for f in result.findings} - set(RULES))
    index = {code: i for i, code in enumerate(codes)}
    journeys = {a.journey.id: a.journey for a in result.analyses}
    handoffs = handoff_index(result.analyses)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "journeymap",
                        "version": version,
                        "informationUri": PROJECT_URL,
                        "rules": [_rule_descriptor(code) for code in codes],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    _result(
                        f,
                        index[f.rule],
                        cwd,
                        journeys.get(f.journey),
                        finding_handoff(f, handoffs),
                    )
                    for f in result.findings
                ],
            }
        ],
    }


def render_sarif(result: GateResult, version: str | None = None, cwd: str | None = None) -> str:
    """``check --format sarif``: the SARIF log as canonical JSON text."""
    return dumps(sarif_log(result, version, cwd))
