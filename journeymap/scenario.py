"""What-if changes written as short strings, as ``journeymap whatif`` takes them.

Each kind of change has one option name and one compact syntax (:data:`KINDS`), for example
``owner`` with ``SOURCE:TARGET=FUNCTION``. :func:`parse_change` turns one such string into a
:mod:`journeymap.analysis.whatif` change; :func:`predict_scenario` checks every change against the
journey (unknown ids get a "did you mean" hint) and predicts the analysis after them. Errors are
:class:`ChangeError`, one line naming the option: ``--owner a:b=c: error: message; hint``. Pure
functions: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from journeymap.analysis import whatif
from journeymap.analysis.whatif import (
    AlignChannel,
    AssignOwner,
    Carry,
    Change,
    ChangeShares,
    ChangeWait,
    HandOver,
    Integrate,
    MoveTouchpoint,
    Prediction,
    RemoveTouchpoint,
)
from journeymap.config import Config
from journeymap.durations import DURATION_EXAMPLES, MAX_DURATION_HOURS, parse_duration
from journeymap.errors import UsageError
from journeymap.model import Journey
from journeymap.suggest import did_you_mean

__all__ = [
    "KINDS",
    "ChangeError",
    "Kind",
    "Scenario",
    "change_text",
    "parse_change",
    "predict_scenario",
]


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

_BY_NAME = {kind.name: kind for kind in KINDS}


class ChangeError(UsageError):
    """A change the command line cannot take: ``--option TEXT: error: message; hint``."""

    def __init__(self, option: str, text: str, message: str, hint: str | None = None) -> None:
        self.option, self.text, self.message, self.hint = option, text, message, hint
        line = f"--{option} {text}: error: {message}"
        super().__init__(f"{line}; {hint}" if hint else line)


@dataclass(frozen=True)
class Scenario:
    """Named changes: ``items`` pairs each option name and text with the change it parses to."""

    name: str
    items: tuple[tuple[str, str, Change], ...]

    @property
    def changes(self) -> tuple[Change, ...]:
        return tuple(change for _, _, change in self.items)


# -- parsing -------------------------------------------------------------------------------------


def _split(
    kind: Kind, text: str, value: str, sep: str, required: bool = True
) -> tuple[str, str | None]:
    head, found, tail = value.partition(sep)
    if not found:
        if required:
            raise ChangeError(kind.name, text, f"expected {kind.syntax}", f"missing '{sep}'")
        return head.strip(), None
    return head.strip(), tail.strip()


def _ids(kind: Kind, text: str, value: str, what: str) -> tuple[str, ...]:
    items = tuple(part.strip() for part in value.split(","))
    if not items or any(not item for item in items):
        raise ChangeError(kind.name, text, f"expected {kind.syntax}", f"an empty {what}")
    return items


def _one(kind: Kind, text: str, value: str | None, what: str) -> str:
    if not value or any(c in value for c in ":=,"):
        raise ChangeError(kind.name, text, f"expected {kind.syntax}", f"the {what} is missing")
    return value


def _pair(kind: Kind, text: str, value: str) -> tuple[str, str]:
    source, target = _split(kind, text, value, ":")
    return _one(kind, text, source, "SOURCE"), _one(kind, text, target, "TARGET")


def _share(kind: Kind, text: str, value: str) -> float:
    try:
        share = float(value)
    except ValueError:
        share = -1.0
    if not 0.0 <= share <= 1.0 or value.strip().lower() in {"nan", "inf"}:
        raise ChangeError(
            kind.name, text, f"share {value!r} is not a fraction", "write a number from 0 to 1"
        )
    return share


def parse_change(kind_name: str, text: str) -> Change:
    """The change that ``--kind_name text`` asks for (a :class:`ChangeError` if malformed)."""
    try:
        kind = _BY_NAME[kind_name]
    except KeyError:
        hint = did_you_mean(kind_name, _BY_NAME)
        raise ChangeError(kind_name, text, "no such kind of change", hint) from None
    name = kind.name
    if name in ("owner", "carry", "wait"):
        pair, value = _split(kind, text, text, "=")
        source, target = _pair(kind, text, pair or "")
        if name == "owner":
            return AssignOwner(source, target, _one(kind, text, value, "FUNCTION"))
        if name == "carry":
            return Carry(source, target, _ids(kind, text, value or "", "item"))
        if (value or "").lower() == "none":
            return ChangeWait(source, target, None)
        hours = parse_duration(value or "")
        if hours is None or hours > MAX_DURATION_HOURS:
            raise ChangeError(
                name, text, f"{value!r} is not a duration", f"write {DURATION_EXAMPLES}"
            )
        return ChangeWait(source, target, hours)
    if name in ("integrate", "integrate-one-way"):
        systems = _ids(kind, text, text, "system")
        if len(systems) != 2:
            raise ChangeError(name, text, f"expected {kind.syntax}", "name exactly two systems")
        return Integrate(systems[0], systems[1], one_way=name == "integrate-one-way")
    if name == "move":
        tp, function = _split(kind, text, text, "=")
        return MoveTouchpoint(
            _one(kind, text, tp, "TOUCHPOINT"), _one(kind, text, function, "FUNCTION")
        )
    if name == "hand-over":
        function, tps = _split(kind, text, text, "=")
        return HandOver(
            _one(kind, text, function, "FUNCTION"), touchpoints=_ids(kind, text, tps or "", "id")
        )
    if name == "hand-over-stage":
        stage, function = _split(kind, text, text, "=")
        return HandOver(
            _one(kind, text, function, "FUNCTION"), stage=_one(kind, text, stage, "STAGE")
        )
    if name == "align-channel":
        pair, channel = _split(kind, text, text, "=", required=False)
        source, target = _pair(kind, text, pair)
        if channel is not None:
            channel = _one(kind, text, channel, "CHANNEL")
        return AlignChannel(source, target, channel)
    if name == "shares":
        source, rest = _split(kind, text, text, "=")
        shares = []
        for item in _ids(kind, text, rest or "", "TARGET:SHARE"):
            target, _, share = item.partition(":")
            shares.append((_one(kind, text, target.strip(), "TARGET"), _share(kind, text, share)))
        targets = [t for t, _ in shares]
        if len(set(targets)) != len(targets):
            raise ChangeError(name, text, "a target is given twice", "give each target once")
        return ChangeShares(_one(kind, text, source, "SOURCE"), tuple(shares))
    tp, reroute = _split(kind, text, text, "=", required=False)
    if reroute is not None:
        reroute = _one(kind, text, reroute, "REROUTE_TO")
    return RemoveTouchpoint(_one(kind, text, tp, "TOUCHPOINT"), reroute)


def change_text(change: Change) -> tuple[str, str]:
    """The option name and text that :func:`parse_change` reads back as ``change``."""
    if isinstance(change, AssignOwner):
        return "owner", f"{change.source}:{change.target}={change.owner}"
    if isinstance(change, Integrate):
        return ("integrate-one-way" if change.one_way else "integrate"), f"{change.a},{change.b}"
    if isinstance(change, Carry):
        return "carry", f"{change.source}:{change.target}={','.join(change.items)}"
    if isinstance(change, MoveTouchpoint):
        return "move", f"{change.touchpoint}={change.function}"
    if isinstance(change, HandOver):
        if change.stage is not None and not change.touchpoints:
            return "hand-over-stage", f"{change.stage}={change.function}"
        return "hand-over", f"{change.function}={','.join(change.touchpoints)}"
    if isinstance(change, AlignChannel):
        pair = f"{change.source}:{change.target}"
        return "align-channel", pair if change.channel is None else f"{pair}={change.channel}"
    if isinstance(change, ChangeWait):
        wait = "none" if change.hours is None else f"{change.hours:g}h"
        return "wait", f"{change.source}:{change.target}={wait}"
    if isinstance(change, ChangeShares):
        return "shares", f"{change.source}=" + ",".join(f"{t}:{s:g}" for t, s in change.shares)
    return "remove", change.touchpoint + (f"={change.reroute_to}" if change.reroute_to else "")


# -- checking against a journey ------------------------------------------------------------------


def _known(
    option: str, text: str, value: str, pool: Iterable[str], what: str, journey: Journey
) -> None:
    names = list(pool)
    if value not in names:
        hint = did_you_mean(value, names) or f"see the {what}s of {journey.path}"
        raise ChangeError(option, text, f"no {what} {value!r} in journey {journey.id!r}", hint)


def _transition(option: str, text: str, source: str, target: str, journey: Journey) -> None:
    _known(option, text, source, journey.touchpoints, "touchpoint", journey)
    targets = [t.target for t in journey.touchpoints[source].next]
    if target not in targets:
        hint = did_you_mean(target, targets) or (
            f"{source} leads to {', '.join(targets)}" if targets else f"{source} leads nowhere"
        )
        raise ChangeError(option, text, f"no transition {source} -> {target}", hint)


def _check(option: str, text: str, change: Change, journey: Journey) -> None:
    """Unknown ids in ``change`` as a :class:`ChangeError` with a "did you mean" hint."""
    tps, fns = journey.touchpoints, journey.functions

    def known(value: str, pool: Iterable[str], what: str) -> None:
        _known(option, text, value, pool, what, journey)

    if isinstance(change, (AssignOwner, Carry, ChangeWait, AlignChannel)):
        _transition(option, text, change.source, change.target, journey)
    if isinstance(change, AssignOwner):
        known(change.owner, fns, "function")
    elif isinstance(change, Integrate):
        known(change.a, journey.systems, "system")
        known(change.b, journey.systems, "system")
    elif isinstance(change, MoveTouchpoint):
        known(change.touchpoint, tps, "touchpoint")
        known(change.function, fns, "function")
    elif isinstance(change, HandOver):
        known(change.function, fns, "function")
        for tp in change.touchpoints:
            known(tp, tps, "touchpoint")
        if change.stage is not None:
            known(change.stage, [s.id for s in journey.stages], "stage")
    elif isinstance(change, AlignChannel) and change.channel is not None:
        known(change.channel, journey.channels, "channel")
    elif isinstance(change, ChangeShares):
        known(change.source, tps, "touchpoint")
        for target, _ in change.shares:
            _transition(option, text, change.source, target, journey)
    elif isinstance(change, RemoveTouchpoint):
        known(change.touchpoint, tps, "touchpoint")
        if change.reroute_to is not None:
            known(change.reroute_to, tps, "touchpoint")


def parse_scenario(name: str, options: Sequence[tuple[str, str]]) -> Scenario:
    """A scenario from ``(option name, text)`` pairs, applied in the order of :data:`KINDS`
    (then in the order given)."""
    order = {kind.name: i for i, kind in enumerate(KINDS)}
    ranked = sorted(enumerate(options), key=lambda item: (order.get(item[1][0], -1), item[0]))
    return Scenario(name, tuple((k, t, parse_change(k, t)) for _, (k, t) in ranked))


def predict_scenario(
    journey: Journey, scenario: Scenario, config: Config | None = None
) -> Prediction:
    """Check each change of ``scenario`` against ``journey`` (as edited by the ones before it)
    and predict the analysis after them all; a change it cannot take is a :class:`ChangeError`."""
    edited = journey
    for option, text, change in scenario.items:
        _check(option, text, change, edited)
        try:
            edited = whatif.apply(edited, [change])
        except ChangeError:
            raise
        except UsageError as err:
            message = str(err).removeprefix("what-if: ")
            raise ChangeError(option, text, message) from None
    return whatif.predict(journey, scenario.changes, config)
