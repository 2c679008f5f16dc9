"""Export a journey as a Mermaid ``journey`` diagram (sections = stages, actors = functions)."""

from __future__ import annotations

import re

from journeymap.model import Journey
from journeymap.render.escape import clean_text

__all__ = ["export_mermaid"]

NEUTRAL_SCORE = 3
# Mermaid's journey grammar splits on ':' and treats ';' and '#' specially, and ends a task
# at a newline; such characters in names are replaced by a space. Control characters (NUL) and
# bidi overrides (U+202E would make a label read backwards) go as in diagrams (clean_text).
_UNSAFE = re.compile(r"[:;#\r\n\t%{}]+")


def _clean(text: str) -> str:
    return " ".join(_UNSAFE.sub(" ", clean_text(text)).split()) or "-"


def export_mermaid(journey: Journey) -> str:
    """Mermaid ``journey`` text: touchpoints by stage in file order, emotion as the score.

    Mermaid needs a score for every task; a touchpoint without an emotion gets 3 (neutral).
    """
    lines = ["journey", f"  title {_clean(journey.title)}"]
    for stage in journey.stages:
        members = [t for t in journey.touchpoints.values() if t.stage == stage.id]
        if not members:
            continue
        lines.append(f"  section {_clean(stage.name)}")
        for tp in members:
            score = tp.emotion if tp.emotion is not None else NEUTRAL_SCORE
            function = journey.functions[tp.function]
            lines.append(f"    {_clean(tp.name)}: {score}: {_clean(function.name)}")
    return "\n".join(lines) + "\n"
