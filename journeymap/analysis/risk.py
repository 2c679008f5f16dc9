"""The handoff risk score: the weights of the factors that hit a handoff, times its flow.

``risk = (w[JM100] + sum of w[rule] for each factor rule hitting the handoff) x per_customer``

``per_customer`` is the handoff's flow divided by the total entry volume (the expected number of
times one entering customer crosses it), so scores compare across journeys of any volume. The
default weights are :data:`journeymap.config.DEFAULT_WEIGHTS`; docs/methodology.md explains them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

__all__ = ["risk_score"]


def risk_score(rules: Iterable[str], per_customer: float, weights: Mapping[str, float]) -> float:
    """The risk of one handoff hit by ``rules`` (JM100, the handoff itself, always counts)."""
    total = float(weights.get("JM100", 0.0))
    for code in set(rules) - {"JM100"}:
        total += float(weights.get(code, 0.0))
    return total * per_customer
