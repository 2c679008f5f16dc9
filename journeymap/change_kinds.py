"""The kinds of what-if change as the command line spells them, declared once.

``journeymap whatif`` makes one option of each, :mod:`journeymap.scenario` parses them and the
scenario schema lists them. A module of its own, with no analysis behind it, so the CLI can
build its options without loading the engine.
"""

from __future__ import annotations

from dataclasses import dataclass

from journeymap.durations import DURATION_EXAMPLES
from journeymap.errors import UsageError

__all__ = ["KINDS", "ChangeError", "Kind"]


@dataclass(frozen=True)
class Kind:
    """One kind of change as the command line writes it: ``--name SYNTAX``."""

    name: str
    syntax: str
    help: str


#: Every kind of change, in the order ``whatif`` applies them (then in the order given).
KINDS: tuple[Kind, ...] = (
    Kind(
        "owner",
        "SOURCE:TARGET=FUNCTION",
        "Make FUNCTION accountable for the transition SOURCE -> TARGET.",
    ),
    Kind("integrate", "A,B", "Connect systems A and B (data flows both ways)."),
    Kind("integrate-one-way", "A,B", "Connect systems A and B, data flowing from A to B."),
    Kind(
        "carry",
        "SOURCE:TARGET=ITEM,...",
        "The transition SOURCE -> TARGET also carries these items (what the customer gave).",
    ),
    Kind("move", "TOUCHPOINT=FUNCTION", "FUNCTION runs the touchpoint instead."),
    Kind("hand-over", "FUNCTION=TP,...", "FUNCTION runs these touchpoints."),
    Kind("hand-over-stage", "STAGE=FUNCTION", "FUNCTION runs every touchpoint of STAGE."),
    Kind(
        "align-channel",
        "SOURCE:TARGET[=CHANNEL]",
        "The customer stays on one channel across SOURCE -> TARGET: TARGET takes CHANNEL, or "
        "SOURCE's channel.",
    ),
    Kind(
        "wait",
        "SOURCE:TARGET=DURATION",
        f"The wait on SOURCE -> TARGET becomes DURATION ({DURATION_EXAMPLES}; 'none': no wait).",
    ),
    Kind(
        "shares",
        "SOURCE=TARGET:SHARE,...",
        "Shares of the transitions out of SOURCE (fractions; one for every transition if any "
        "is said).",
    ),
    Kind(
        "remove",
        "TOUCHPOINT[=REROUTE_TO]",
        "Take the touchpoint out: its customers drop off, or go to REROUTE_TO.",
    ),
)


class ChangeError(UsageError):
    """A change the command line cannot take: ``--option TEXT: error: message; hint``."""

    def __init__(self, option: str, text: str, message: str, hint: str | None = None) -> None:
        self.option, self.text, self.message, self.hint = option, text, message, hint
        line = f"--{option} {text}: error: {message}"
        super().__init__(f"{line}; {hint}" if hint else line)
