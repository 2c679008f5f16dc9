"""Which handoff a ``check`` finding is about, shared by the grouped text and the SARIF output.

A finding belongs to a handoff when its transition is one of the journey's handoffs; a repeat ask
(JM103) carries no transition and belongs to the last step of its path (where the customer is
asked again) when that step is a handoff, as in the report pages. Every other finding (journey,
stage, touchpoint, non-handoff transition) belongs to no handoff.
"""

from __future__ import annotations

from collections.abc import Iterable

from journeymap.analysis.types import Finding, Handoff, JourneyAnalysis
from journeymap.catalog import is_asked_again

__all__ = ["HandoffKey", "handoff_index", "finding_step", "finding_handoff"]

HandoffKey = tuple[str, str, str]
"""(journey id, source touchpoint id, target touchpoint id)."""


def handoff_index(analyses: Iterable[JourneyAnalysis]) -> dict[HandoffKey, Handoff]:
    """Every handoff of ``analyses`` by (journey id, source, target)."""
    return {(a.journey.id, h.source, h.target): h for a in analyses for h in a.handoffs}


def finding_step(finding: Finding) -> tuple[str, str] | None:
    """The transition a finding is about; a repeat ask is about the last step of its path."""
    if finding.transition is not None:
        return finding.transition
    if is_asked_again(finding.rule) and len(finding.touchpoints) >= 2:
        return (finding.touchpoints[-2], finding.touchpoints[-1])
    return None


def finding_handoff(finding: Finding, index: dict[HandoffKey, Handoff]) -> Handoff | None:
    """The handoff ``finding`` is about, or ``None`` (see the module doc)."""
    step = finding_step(finding)
    if step is None:
        return None
    return index.get((finding.journey, *step))
