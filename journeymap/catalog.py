"""The rule catalogue: every finding code journeymap reports, with its properties.

Plain data at the bottom of the package (it imports nothing of journeymap), so the config (the
default risk weights), the analyses and every presentation can all read it.

One table, used by the engine (codes, severities and risk weights), the ``check`` gate
(``--select``/``--ignore`` validation), SARIF output (``tool.driver.rules``), the presentations
(which codes are risk factors, which finding stands for a handoff itself) and the docs.
``docs/methodology.md`` explains each rule; its anchor is the lower-case code (``#jm102``), and
its table of risk weights is checked against this one (tests/test_catalog.py).

Presentation code asks the catalogue (:func:`risk_factors`, :func:`is_per_handoff`, ...) instead
of spelling out rule codes, so a new rule needs one row here and nothing else.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Literal

__all__ = [
    "Severity",
    "Rule",
    "RULES",
    "SOURCES",
    "GATE_CODES",
    "DEFAULT_WEIGHTS",
    "rule",
    "risk_factors",
    "is_per_handoff",
    "is_asked_again",
    "marks_stage",
    "code_ranges",
]


Severity = Literal["error", "warning", "info"]
"""How serious a finding is; the gate fails on ``error`` (or ``warning`` with ``--fail-on``)."""


@dataclass(frozen=True)
class Rule:
    """One finding code: ``JM102``, its short title, default severity, a one-line summary, and
    what it means for handoffs.

    ``weight`` is the default risk weight (``None``: the rule does not count in the handoff
    risk score). ``risk_factor``: the rule hits handoffs as one of their factors (it is listed in
    a handoff's ``rules`` and adds its weight). ``per_handoff``: the rule reports one finding for
    every handoff, standing for the handoff itself (JM100): presentations show it as the handoff's
    row, not among the findings; its weight is the base every handoff carries.
    ``context_loss``: a factor meaning the customer's context did not make it across.
    ``asked_again``: each finding is a touchpoint asking the customer again for something already
    given (JM103); its ``touchpoints`` are the path from where it was given, ending at the one
    asking again: the blueprint marks them "asked again", the report links the last step.
    ``marks_stage``: each finding is about a stage, its ``touchpoints`` the stage's (JM201): the
    report marks the stage's row in the stage x function grid.
    ``gate``: produced only by ``journeymap check`` from the config's thresholds.
    ``why``: why it hurts customers, in one sentence, for people (the report's glossary).
    ``fix``: how to fix what it flags, in one sentence (the documentation's rule reference).
    ``evidence``: keys of :data:`SOURCES`, the published work behind the rule.
    """

    code: str
    title: str
    default_severity: Severity
    summary: str
    weight: float | None = None
    risk_factor: bool = False
    per_handoff: bool = False
    context_loss: bool = False
    asked_again: bool = False
    marks_stage: bool = False
    gate: bool = False
    why: str = ""  # why it hurts customers, one sentence (the report's glossary)
    fix: str = ""  # how to fix it, one sentence (the docs' rule reference)
    evidence: tuple[str, ...] = ()  # keys of SOURCES

    @property
    def anchor(self) -> str:
        """The anchor of this rule's section in docs/methodology.md."""
        return self.code.lower()

    @property
    def risky(self) -> bool:
        """A risk factor of warning level: a handoff it hits counts as *risky* in the portfolio."""
        return self.risk_factor and self.default_severity == "warning"


_TABLE: tuple[Rule, ...] = (
    Rule(
        "JM100",
        "handoff",
        "info",
        "A transition between touchpoints of two functions, with its risk score.",
        weight=1.0,
        per_handoff=True,
    ),
    Rule(
        "JM101",
        "handoff without owner",
        "warning",
        "A handoff names no accountable `owner`: nobody answers for the gap.",
        weight=2.0,
        risk_factor=True,
    ),
    Rule(
        "JM102",
        "context loss",
        "warning",
        "A handoff carries nothing and the two sides share no connected system.",
        weight=3.0,
        risk_factor=True,
        context_loss=True,
    ),
    Rule(
        "JM103",
        "repeat ask",
        "warning",
        "The customer is asked again for something already given, which did not reach here.",
        weight=3.0,
        risk_factor=True,
        context_loss=True,
        asked_again=True,
    ),
    Rule(
        "JM104",
        "channel switch",
        "info",
        "The customer changes channel at a handoff.",
        weight=1.0,
        risk_factor=True,
    ),
    Rule(
        "JM105",
        "emotion drop",
        "warning",
        "Emotion drops by 2 or more across a handoff.",
        weight=2.0,
        risk_factor=True,
    ),
    Rule(
        "JM106",
        "long wait",
        "warning",
        "A handoff's wait is longer than the threshold (default 1 day).",
        weight=2.0,
        risk_factor=True,
    ),
    Rule(
        "JM107",
        "shadow system",
        "warning",
        "A shadow system on either side of a handoff is not integrated with the other side.",
        weight=2.0,
        risk_factor=True,
    ),
    Rule(
        "JM108",
        "ping-pong",
        "warning",
        "A handoff from A to B is followed, as the next handoff, by one from B back to A.",
        weight=3.0,
        risk_factor=True,
    ),
    Rule(
        "JM201",
        "fragmented stage",
        "warning",
        "A stage is spread over too many functions (default 3 or more).",
        marks_stage=True,
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
        gate=True,
    ),
    Rule(
        "JM402",
        "too many handoffs on a path",
        "error",
        "Some path has more handoffs than `max_handoffs_on_path`.",
        gate=True,
    ),
    Rule(
        "JM403",
        "too long expected wait",
        "error",
        "Expected wait per customer exceeds `max_wait_hours`.",
        gate=True,
    ),
    # Lived-journey gate codes: `journeymap check --log LOG` against the config's thresholds.
    Rule(
        "JM501",
        "conformance below minimum",
        "error",
        "The share of the log's steps that follow the design is below `min_conformance`.",
        gate=True,
    ),
    Rule(
        "JM502",
        "too many ad hoc touchpoints",
        "error",
        "The log has more activities the design lacks than `max_ad_hoc_touchpoints`.",
        gate=True,
    ),
    Rule(
        "JM503",
        "too many missing touchpoints",
        "error",
        "More designed touchpoints than `max_missing_touchpoints` are met by no case.",
        gate=True,
    ),
    Rule(
        "JM504",
        "too many irregular cases",
        "error",
        "The share of cases with an irregular sequence exceeds `max_irregular_cases`.",
        gate=True,
    ),
)

# Why each finding hurts customers, one sentence each (the evidence: docs/methodology.md).
_WHY: dict[str, str] = {
    "JM101": "Nobody answers for the customer between the two teams, so a stalled case is "
    "nobody's problem and the customer has to chase it.",
    "JM102": "The next team starts without what the customer already said, so the customer "
    "explains it all again.",
    "JM103": "Customers asked again for what they already gave feel unheard and spend effort "
    "repeating themselves.",
    "JM104": "Switching channel (email to phone, web to branch) makes the customer start over "
    "and adds effort.",
    "JM105": "A sharp fall in how the customer feels at a handoff is where they complain or leave.",
    "JM106": "Long silent waits between teams make customers call back to ask what is "
    "happening: repeat contacts.",
    "JM107": "Data kept in a spreadsheet or side tool does not travel, so the next team asks "
    "the customer again.",
    "JM108": "Being passed back and forth between the same teams is the transfer customers "
    "hate most.",
    "JM201": "A stage run by many teams means several transfers for one step of the "
    "customer's job.",
    "JM202": "With no end-to-end owner every team optimises its own step and nobody fixes "
    "the journey as the customer lives it.",
    "JM301": "A touchpoint no customer can reach is effort spent on nobody, or a step the "
    "map gets wrong.",
    "JM302": "A dead end leaves the customer stuck with no way forward.",
    "JM303": "Shares above 1 mean the map counts customers twice, so its risks are overstated.",
    "JM401": "Every extra expected handoff is another transfer and another chance to lose "
    "the customer.",
    "JM402": "Some customers meet many handoffs on their way: each one a transfer and a "
    "chance to repeat themselves.",
    "JM403": "The longer customers wait in all, the more they chase and the more of them give up.",
    "JM501": "Where customers do not follow the designed journey, the design's fixes and "
    "promises miss what they live.",
    "JM502": "Steps nobody designed have no owner, no script and no system: customers meet "
    "improvisation.",
    "JM503": "A designed touchpoint no customer meets is effort spent on nobody, or a promise "
    "the service does not keep.",
    "JM504": "Customers taking unplanned routes are bounced, sent back or stuck where the "
    "design did not expect them.",
}

# How to fix what each rule flags, one sentence each (docs/methodology.md says more).
_FIX: dict[str, str] = {
    "JM100": "Review the highest-ranked handoffs first and remove those that exist only because "
    "of the org chart: let one function own consecutive touchpoints.",
    "JM101": "Add `owner: <function id>` to the transition: the function that answers for the "
    "customer arriving on the other side.",
    "JM102": "Hand the context over (`carries: [...]`, e.g. a case summary or a warm transfer), "
    "or integrate the two sides' systems.",
    "JM103": "Carry the item along the path (`carries`), integrate the systems on it, or give "
    "the asking touchpoint a system that holds the item.",
    "JM104": "Keep the channel, or make the new channel pick up the conversation (a reference "
    "number, a call-back with context).",
    "JM105": "Find what the customer loses at this step (waiting, repeating, uncertainty) and "
    "fix it first.",
    "JM106": "Shorten the wait, or keep the customer informed while they wait.",
    "JM107": "Integrate the shadow system with the other side, or move its data into a governed "
    "system.",
    "JM108": "Let the first function resolve the case, or give the loop a single owner.",
    "JM201": "Give one function responsibility for the stage, or merge its touchpoints.",
    "JM202": "Add `owner: <function id>` to the journey (a CX office, or the function that owns "
    "most of the flow).",
    "JM301": "Add the missing transition, mark the touchpoint `entry: true`, or remove it.",
    "JM302": "Add a way out of the loop (a transition to a terminal touchpoint, or shares below "
    "1), or add `outcome:` to the terminal touchpoint.",
    "JM303": "Lower the shares to sum to at most 1 (the rest drops off).",
    "JM401": "Remove handoffs on the busiest paths (see `journeymap whatif --suggest`), or "
    "raise `max_expected_handoffs` deliberately.",
    "JM402": "Shorten the path with the most handoffs: merge touchpoints or let one function "
    "own consecutive steps.",
    "JM403": "Shorten the longest waits on the busiest transitions, or raise `max_wait_hours` "
    "deliberately.",
    "JM501": "Compare the design with the log (`journeymap conform`): change the design to what "
    "works, or the service to follow it.",
    "JM502": "Add the ad hoc activities the log shows to the design, with an owner, or stop "
    "them in the service.",
    "JM503": "Remove designed touchpoints nobody meets, or find why customers never reach them.",
    "JM504": "Look at the irregular variants (`journeymap conform`) and design for the routes "
    "customers actually take.",
}

# The published work behind the rules: key -> citation (the documentation's bibliography).
SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "rummler-brache-1990": "Rummler, G. A. and Brache, A. P. (1990). *Improving "
        "Performance: How to Manage the White Space on the Organization Chart*. Jossey-Bass.",
        "shostack-1984": "Shostack, G. L. (1984). Designing Services That Deliver. *Harvard "
        "Business Review* 62(1), 133-139.",
        "bitner-2008": "Bitner, M. J., Ostrom, A. L. and Morgan, F. N. (2008). Service "
        "Blueprinting: A Practical Technique for Service Innovation. *California Management "
        "Review* 50(3), 66-94.",
        "dixon-2010": "Dixon, M., Freeman, K. and Toman, N. (2010). Stop Trying to Delight Your "
        "Customers. *Harvard Business Review* 88(7/8), 116-122.",
        "dixon-2013": "Dixon, M., Toman, N. and DeLisi, R. (2013). *The Effortless Experience: "
        "Conquering the New Battleground for Customer Loyalty*. Portfolio/Penguin.",
        "rawson-2013": "Rawson, A., Duncan, E. and Jones, C. (2013). The Truth About Customer "
        "Experience. *Harvard Business Review* 91(9), 90-98.",
        "maister-1985": "Maister, D. H. (1985). The Psychology of Waiting Lines. In Czepiel, "
        "J. A. et al. (eds.), *The Service Encounter*, 113-123. Lexington Books.",
        "redelmeier-kahneman-1996": "Redelmeier, D. A. and Kahneman, D. (1996). Patients' "
        "memories of painful medical treatments: real-time and retrospective evaluations of "
        "two minimally invasive procedures. *Pain* 66(1), 3-8.",
        "haag-eckhardt-2017": "Haag, S. and Eckhardt, A. (2017). Shadow IT. *Business & "
        "Information Systems Engineering* 59(6), 469-473.",
        "van-der-aalst-1997": "van der Aalst, W. M. P. (1997). Verification of Workflow Nets. "
        "In *Application and Theory of Petri Nets 1997*, LNCS 1248, 407-426. Springer.",
        "van-der-aalst-2016": "van der Aalst, W. M. P. (2016). *Process Mining: Data Science in "
        "Action*, 2nd ed. Springer.",
        "halvorsrud-2016": "Halvorsrud, R., Kvale, K. and Følstad, A. (2016). Improving service "
        "quality through customer journey analysis. *Journal of Service Theory and Practice* "
        "26(6), 840-867.",
        "kemeny-snell-1960": "Kemeny, J. G. and Snell, J. L. (1960). *Finite Markov Chains*. "
        "Van Nostrand.",
    }
)

_EVIDENCE: dict[str, tuple[str, ...]] = {
    "JM100": ("rummler-brache-1990", "rawson-2013"),
    "JM101": ("rummler-brache-1990",),
    "JM102": ("dixon-2010", "bitner-2008"),
    "JM103": ("dixon-2010", "dixon-2013"),
    "JM104": ("dixon-2010", "dixon-2013"),
    "JM105": ("redelmeier-kahneman-1996",),
    "JM106": ("maister-1985",),
    "JM107": ("haag-eckhardt-2017",),
    "JM108": ("dixon-2013", "rummler-brache-1990"),
    "JM201": ("rawson-2013", "bitner-2008"),
    "JM202": ("rawson-2013", "rummler-brache-1990"),
    "JM301": ("van-der-aalst-1997",),
    "JM302": ("van-der-aalst-1997", "kemeny-snell-1960"),
    "JM303": ("kemeny-snell-1960",),
    "JM401": ("rummler-brache-1990", "dixon-2013"),
    "JM402": ("dixon-2013",),
    "JM403": ("maister-1985",),
    "JM501": ("halvorsrud-2016", "van-der-aalst-2016"),
    "JM502": ("halvorsrud-2016", "van-der-aalst-2016"),
    "JM503": ("halvorsrud-2016", "van-der-aalst-2016"),
    "JM504": ("halvorsrud-2016", "van-der-aalst-2016"),
}
_TABLE = tuple(
    replace(
        r,
        why=_WHY.get(r.code, ""),
        fix=_FIX.get(r.code, ""),
        evidence=_EVIDENCE.get(r.code, ()),
    )
    for r in _TABLE
)

RULES: Mapping[str, Rule] = MappingProxyType({r.code: r for r in _TABLE})
"""Every rule by code, in code order."""

GATE_CODES: tuple[str, ...] = tuple(r.code for r in _TABLE if r.gate)
"""Codes only the ``check`` gate produces (never the engine)."""

DEFAULT_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {r.code: r.weight for r in _TABLE if r.weight is not None}
)
"""The default risk weight of every rule that counts in the handoff risk score, by code."""


def rule(code: str) -> Rule:
    """The rule of ``code``; raises ``KeyError`` for an unknown code."""
    return RULES[code]


def is_per_handoff(code: str) -> bool:
    """Whether ``code`` reports one finding per handoff, standing for the handoff (JM100)."""
    found = RULES.get(code)
    return found is not None and found.per_handoff


def is_asked_again(code: str) -> bool:
    """Whether ``code``'s findings are touchpoints asking again (JM103); see :class:`Rule`."""
    found = RULES.get(code)
    return found is not None and found.asked_again


def marks_stage(code: str) -> bool:
    """Whether ``code``'s findings are about a stage (JM201); see :class:`Rule`."""
    found = RULES.get(code)
    return found is not None and found.marks_stage


def risk_factors(codes: Iterable[str]) -> tuple[str, ...]:
    """The codes of ``codes`` that are risk factors, in the order given (unknown codes kept)."""
    return tuple(c for c in codes if c not in RULES or RULES[c].risk_factor)


def code_ranges(codes: Iterable[str], sep: str = "-", joiner: str = ", ") -> str:
    """``JM101-JM103, JM105-JM108``: runs of consecutive codes as ranges, in the order given."""
    runs: list[list[str]] = []
    for code in codes:
        if runs and code[:2] == runs[-1][-1][:2] and _next_code(runs[-1][-1]) == code:
            runs[-1].append(code)
        else:
            runs.append([code])
    return joiner.join(r[0] if len(r) == 1 else f"{r[0]}{sep}{r[-1]}" for r in runs)


def _next_code(code: str) -> str:
    digits = code[2:]
    return code[:2] + str(int(digits) + 1).zfill(len(digits)) if digits.isdigit() else ""
