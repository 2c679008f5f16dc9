"""The rule catalogue: every finding code journeymap reports, with its title and default severity.

One table, used by the engine (codes and severities), the ``check`` gate (``--select``/``--ignore``
validation), SARIF output (``tool.driver.rules``) and the docs. ``docs/methodology.md`` explains
each rule; its anchor is the lower-case code (``#jm102``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from journeymap.analysis.types import Severity

__all__ = ["Rule", "RULES", "GATE_CODES", "rule"]


@dataclass(frozen=True)
class Rule:
    """One finding code: ``JM102``, its short title, default severity and a one-line summary."""

    code: str
    title: str
    default_severity: Severity
    summary: str

    @property
    def anchor(self) -> str:
        """The anchor of this rule's section in docs/methodology.md."""
        return self.code.lower()


_TABLE: tuple[Rule, ...] = (
    Rule(
        "JM100",
        "handoff",
        "info",
        "A transition between touchpoints of two functions, with its risk score.",
    ),
    Rule(
        "JM101",
        "handoff without owner",
        "warning",
        "A handoff names no accountable `owner`: nobody answers for the gap.",
    ),
    Rule(
        "JM102",
        "context loss",
        "warning",
        "A handoff carries nothing and the two sides share no connected system.",
    ),
    Rule(
        "JM103",
        "repeat ask",
        "warning",
        "The customer is asked again for something already given, which did not reach here.",
    ),
    Rule("JM104", "channel switch", "info", "The customer changes channel at a handoff."),
    Rule("JM105", "emotion drop", "warning", "Emotion drops by 2 or more across a handoff."),
    Rule(
        "JM106",
        "long wait",
        "warning",
        "A handoff's wait is longer than the threshold (default 1 day).",
    ),
    Rule(
        "JM107",
        "shadow system",
        "warning",
        "A shadow system on either side of a handoff is not integrated with the other side.",
    ),
    Rule(
        "JM108",
        "ping-pong",
        "warning",
        "A handoff from A to B is followed, as the next handoff, by one from B back to A.",
    ),
    Rule(
        "JM201",
        "fragmented stage",
        "warning",
        "A stage is spread over too many functions (default 3 or more).",
    ),
    Rule(
        "JM202",
        "no end-to-end owner",
        "warning",
        "The journey names no `owner` accountable for it end to end.",
    ),
    Rule(
        "JM301",
        "unreachable touchpoint",
        "error",
        "No customer can reach this touchpoint from an entry.",
    ),
    Rule(
        "JM302",
        "dead end",
        "error",
        "A non-terminal touchpoint customers cannot leave, or a terminal with no outcome.",
    ),
    Rule(
        "JM303",
        "shares above 1",
        "error",
        "The shares of the transitions out of a touchpoint sum above 1.",
    ),
    # Gate codes: produced by `journeymap check` from the thresholds of the config file.
    Rule(
        "JM401",
        "too many expected handoffs",
        "error",
        "Expected handoffs per customer exceed `max_expected_handoffs`.",
    ),
    Rule(
        "JM402",
        "too many handoffs on a path",
        "error",
        "Some path has more handoffs than `max_handoffs_on_path`.",
    ),
    Rule(
        "JM403",
        "too long expected wait",
        "error",
        "Expected wait per customer exceeds `max_wait_hours`.",
    ),
)

RULES: Mapping[str, Rule] = MappingProxyType({r.code: r for r in _TABLE})
"""Every rule by code, in code order."""

GATE_CODES: tuple[str, ...] = ("JM401", "JM402", "JM403")
"""Codes only the ``check`` gate produces (never the engine)."""


def rule(code: str) -> Rule:
    """The rule of ``code``; raises ``KeyError`` for an unknown code."""
    return RULES[code]
