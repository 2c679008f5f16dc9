"""The handoff risk score: the weights of the factors that hit a handoff, times its flow.

``risk = (w[JM100] + sum of w[rule] for each factor rule hitting the handoff) x per_customer``

JM100, the rule that stands for the handoff itself (``per_handoff`` in the catalogue), gives the
base weight every handoff carries; the factors are the catalogue's ``risk_factor`` rules.
``per_customer`` is the handoff's flow divided by the total entry volume (the expected number of
times one entering customer crosses it), so scores compare across journeys of any volume. The
default weights are the catalogue's (:data:`journeymap.catalog.DEFAULT_WEIGHTS`, also
:data:`journeymap.config.DEFAULT_WEIGHTS`); docs/methodology.md explains them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from journeymap.catalog import RULES

__all__ = ["risk_score"]

_BASE: tuple[str, ...] = tuple(code for code, r in RULES.items() if r.per_handoff)


def risk_score(rules: Iterable[str], per_customer: float, weights: Mapping[str, float]) -> float:
    """The risk of one handoff hit by ``rules`` (JM100, the handoff itself, always counts)."""
    total = 0.0
    for code in _BASE:
        total += float(weights.get(code, 0.0))
    for code in set(rules) - set(_BASE):
        total += float(weights.get(code, 0.0))
    return total * per_customer
