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
from journeymap.change_kinds import KINDS, ChangeError, Kind
from journeymap.config import Config
from journeymap.durations import DURATION_EXAMPLES, MAX_DURATION_HOURS, parse_duration
from journeymap.errors import InputError, Problem, UsageError
from journeymap.model import Journey, Location
from journeymap.suggest import did_you_mean
from journeymap.yamlnodes import (
    BadNode,
    MapNode,
    Node,
    Scalar,
    SeqNode,
    describe,
    is_null,
    key_pairs,
    location,
)

__all__ = [
    "KINDS",
    "SCENARIO_SCHEMA_FILE",
    "ChangeError",
    "Kind",
    "Scenario",
    "build_scenario_schema",
    "change_text",
    "parse_change",
    "parse_scenario",
    "predict_scenario",
    "read_scenarios",
    "render_scenario_schema",
]


_BY_NAME = {kind.name: kind for kind in KINDS}


@dataclass(frozen=True)
class Scenario:
    """Named changes: ``items`` pairs each option name and text with the change it parses to."""

    name: str
    items: tuple[tuple[str, str, Change], ...]
    #: Where each item was written (scenario files), parallel to ``items``; empty otherwise.
    locations: tuple[Location, ...] = ()

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


def parse_scenario(
    name: str, options: Sequence[tuple[str, str]], locations: Sequence[Location] = ()
) -> Scenario:
    """A scenario from ``(option name, text)`` pairs, applied in the order of :data:`KINDS`
    (then in the order given). With ``locations`` (one per pair), an error is an
    :class:`InputError` at the pair's location instead of a :class:`ChangeError`."""
    order = {kind.name: i for i, kind in enumerate(KINDS)}
    ranked = sorted(range(len(options)), key=lambda i: (order.get(options[i][0], -1), i))
    items = []
    for i in ranked:
        kind, text = options[i]
        try:
            items.append((kind, text, parse_change(kind, text)))
        except ChangeError as err:
            if not locations:
                raise
            raise _located(err, locations[i]) from None
    return Scenario(name, tuple(items), tuple(locations[i] for i in ranked) if locations else ())


def _located(err: ChangeError, where: Location) -> InputError:
    return InputError.at(where, f"{err.option} {err.text}: {err.message}", err.hint)


def predict_scenario(
    journey: Journey, scenario: Scenario, config: Config | None = None
) -> Prediction:
    """Check each change of ``scenario`` against ``journey`` (as edited by the ones before it)
    and predict the analysis after them all; a change it cannot take is a :class:`ChangeError`."""
    edited = journey
    for i, (option, text, change) in enumerate(scenario.items):
        try:
            _check(option, text, change, edited)
            try:
                edited = whatif.apply(edited, [change])
            except ChangeError:
                raise
            except UsageError as err:
                message = str(err).removeprefix("what-if: ")
                raise ChangeError(option, text, message) from None
        except ChangeError as err:
            if not scenario.locations:
                raise
            raise _located(err, scenario.locations[i]) from None
    return whatif.predict(journey, scenario.changes, config)


# -- scenario files ------------------------------------------------------------------------------

SCENARIO_SCHEMA_FILE = "scenario.schema.json"
"""The scenario file schema's name inside the package folder ``journeymap/schema/``."""


def _scalar_text(node: Node) -> str | None:
    return node.value if isinstance(node, Scalar) and not is_null(node) else None


def _value_text(node: Node, name: str, problems: list[Problem]) -> str | None:
    """The right-hand side of ``KEY: VALUE`` as option text: a scalar, a list of scalars (joined
    with commas) or, for shares, a mapping of target to share."""
    text = _scalar_text(node)
    if text is not None:
        return text
    parts: list[str] = []
    if isinstance(node, SeqNode):
        for item in node.items:
            item_text = _scalar_text(item)
            if item_text is None:
                problems.append(Problem(location(name, item), f"expected an id, not {describe(item)}"))
                return None
            parts.append(item_text)
        return ",".join(parts)
    if isinstance(node, MapNode):
        for key, value in node.pairs:
            key_text, value_text = _scalar_text(key), _scalar_text(value)
            if key_text is None or value_text is None:
                bad = value if key_text is not None else key
                problems.append(
                    Problem(location(name, bad), f"expected TARGET: SHARE, not {describe(bad)}")
                )
                return None
            parts.append(f"{key_text}:{value_text}")
        return ",".join(parts)
    return None


def _entries(kind: str, node: Node, name: str, problems: list[Problem]) -> list[tuple[str, Node]]:
    """The option texts one ``kind: ...`` entry of a scenario stands for, with their nodes."""
    text = _scalar_text(node)
    if text is not None:
        return [(text, node)]
    if isinstance(node, SeqNode):
        items = [_scalar_text(item) for item in node.items]
        if kind.startswith("integrate") and all(t and "," not in t for t in items):
            return [(",".join(t for t in items if t), node)]  # integrate: [a, b]
        out: list[tuple[str, Node]] = []
        for item in node.items:
            if isinstance(item, SeqNode):  # [[a, b], [c, d]]
                joined = _value_text(item, name, problems)
                if joined is not None:
                    out.append((joined, item))
                continue
            out.extend(_entries(kind, item, name, problems))
        return out
    if isinstance(node, MapNode):
        out = []
        for key, value in node.pairs:
            key_text = _scalar_text(key)
            if key_text is None:
                problems.append(Problem(location(name, key), f"expected a {kind} key"))
                continue
            if is_null(value):
                out.append((key_text, key))
                continue
            value_text = _value_text(value, name, problems)
            if value_text is not None:
                out.append((f"{key_text}={value_text}", key))
        return out
    if not isinstance(node, BadNode):
        problems.append(
            Problem(
                location(name, node),
                f"`{kind}` must be text, a list or a mapping, not {describe(node)}",
            )
        )
    return []


def _mapping(node: Node | None, name: str, what: str, problems: list[Problem]) -> MapNode | None:
    if isinstance(node, MapNode):
        return node
    if node is not None and not isinstance(node, BadNode):
        where = location(name, node) if node is not None else Location(name, 1, 1)
        problems.append(Problem(where, f"{what} must be a mapping, not {describe(node)}"))
    return None


def _keys(mapping: MapNode, name: str, problems: list[Problem]) -> list[tuple[Scalar, Node]]:
    return key_pairs(name, mapping, problems, null_keys=False)


def read_scenarios(path: str) -> list[Scenario]:
    """The named scenarios of a scenario file, in file order (``scenarios: {NAME: {OPTION:
    VALUE, ...}}``, option names as on the command line). Read with the hardened YAML reader;
    every problem is an :class:`InputError` line ``path:line:col: error: message; hint``."""
    from journeymap.yamlnodes import parse_file

    parsed = parse_file(path, kind="config")
    if parsed.problems:  # YAML the reader refuses: one message per mistake, nothing more
        raise InputError(parsed.problems)
    problems: list[Problem] = []
    scenarios: list[Scenario] = []
    root = None if parsed.root is None or is_null(parsed.root) else parsed.root
    top = _mapping(root, path, "a scenario file", problems)
    if top is None and not problems:
        problems.append(
            Problem(Location(path, 1, 1), "no scenarios", "write scenarios: {NAME: {...}}")
        )
    body: MapNode | None = None
    for key, value in _keys(top, path, problems) if top is not None else []:
        if key.value != "scenarios":
            hint = did_you_mean(key.value, ["scenarios"]) or "expected `scenarios`"
            problems.append(Problem(location(path, key), f"unknown key `{key.value}`", hint))
            continue
        body = _mapping(value, path, "`scenarios`", problems)
        if body is not None and not body.pairs:
            problems.append(Problem(location(path, key), "`scenarios` is empty"))
    if top is not None and body is None and not problems:
        problems.append(
            Problem(location(path, top), "no `scenarios`", "write scenarios: {NAME: {...}}")
        )
    kinds = [kind.name for kind in KINDS]
    for name_key, spec in _keys(body, path, problems) if body is not None else []:
        mapping = _mapping(spec, path, f"scenario `{name_key.value}`", problems)
        if mapping is None:
            continue
        options: list[tuple[str, str]] = []
        locations: list[Location] = []
        for kind_key, value in _keys(mapping, path, problems):
            if kind_key.value not in _BY_NAME:
                hint = did_you_mean(kind_key.value, kinds) or f"expected one of {', '.join(kinds)}"
                problems.append(
                    Problem(location(path, kind_key), f"unknown change `{kind_key.value}`", hint)
                )
                continue
            for text, node in _entries(kind_key.value, value, path, problems):
                options.append((kind_key.value, text))
                locations.append(location(path, node))
        try:
            scenarios.append(parse_scenario(name_key.value, options, locations))
        except InputError as err:
            problems.extend(err.problems)
    if problems:
        problems.sort(key=lambda p: (p.location.line, p.location.col))
        raise InputError(problems)
    return scenarios


def build_scenario_schema() -> dict[str, object]:
    """The JSON Schema of scenario files (published as journeymap/schema/scenario.schema.json)."""
    scalar = {"type": ["string", "number", "boolean"]}
    value = {
        "oneOf": [
            scalar,
            {"type": "array", "items": scalar},
            {"type": "object", "additionalProperties": scalar},
            {"type": "null"},
        ]
    }
    change = {
        "oneOf": [
            scalar,
            {"type": "array", "items": {"oneOf": [scalar, {"type": "array", "items": scalar}]}},
            {"type": "object", "additionalProperties": value},
        ]
    }
    properties = {
        kind.name: {**change, "description": f"--{kind.name} {kind.syntax}: {kind.help}"}
        for kind in KINDS
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "journeymap what-if scenario file",
        "description": "Named what-if scenarios for `journeymap whatif --scenario`; each change "
        "is written as on the command line (`owner: a:b=claims`), as a list of such texts, or "
        "as a mapping of the text before `=` to the text after it (`owner: {a:b: claims}`, a "
        "list joined with commas, shares as a mapping of target to share); see docs/cli.md.",
        "type": "object",
        "required": ["scenarios"],
        "additionalProperties": False,
        "properties": {
            "scenarios": {
                "type": "object",
                "minProperties": 1,
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": properties,
                },
            }
        },
    }


def render_scenario_schema() -> str:
    """The scenario schema as published: indented JSON with a final newline."""
    import json

    return json.dumps(build_scenario_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # regenerate the packaged copy
    from pathlib import Path

    from journeymap.atomic import write_text_atomic

    target = Path(__file__).with_name("schema") / SCENARIO_SCHEMA_FILE
    write_text_atomic(target, render_scenario_schema())
    print(f"wrote {target}")
