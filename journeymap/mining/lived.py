"""Reading what conformance needs: a log's figures with its variants, and the mapping file.

:func:`mine_lived` runs :func:`journeymap.mining.engine.compute` and then, on the same engine,
reads the distinct activity sequences with their cases (portable SQL over the ``steps`` table,
so every engine gives the same variants). :func:`read_mapping` reads the YAML mapping file with the hardened
reader journeys use; an unknown touchpoint or function id is one located line.
"""

from __future__ import annotations

import tempfile
from types import MappingProxyType

from journeymap.errors import InputError, Problem
from journeymap.mining import queries
from journeymap.mining.conform import LogMapping, Variant, normal_name
from journeymap.mining.engine import Engine, compute, open_engine
from journeymap.mining.figures import MinedLog
from journeymap.mining.log import LogColumns, log_source
from journeymap.model import Journey
from journeymap.suggest import did_you_mean
from journeymap.yamlnodes import MapNode, Scalar, SeqNode, is_null, key_pairs, location, parse_file

__all__ = ["mine_lived", "read_mapping", "read_variants"]

def read_variants(engine: Engine) -> tuple[Variant, ...]:
    """The distinct activity sequences of the log in ``engine`` (after ``compute``), with their
    cases; most cases first, then by sequence. Computed in the engine (one row per variant, not
    per event), so a log of millions of events sends Python only its variants."""
    rows = engine.rows(queries.VARIANTS(engine.sequence("activity", "pos")))
    counts = {tuple(str(variant).split(queries.VARIANT_SEPARATOR)): int(n) for variant, n in rows}
    return tuple(
        Variant(seq, n) for seq, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def mine_lived(
    path: str,
    columns: LogColumns | None = None,
    *,
    engine: str = "duckdb",
    log_format: str | None = None,
    master: str | None = None,
    memory_limit: str | None = None,
    threads: int | None = None,
) -> tuple[MinedLog, tuple[Variant, ...]]:
    """The figures of the log at ``path`` (as :func:`journeymap.mining.mine` computes them) and
    its variants, from one read of the log."""
    source = log_source(path, log_format)
    with tempfile.TemporaryDirectory(prefix="journeymap-conform-") as work:
        runner = open_engine(
            engine, workdir=work, master=master, memory_limit=memory_limit, threads=threads
        )
        try:
            mined = compute(runner, source, columns or LogColumns())
            return mined, read_variants(runner)
        finally:
            runner.close()


_KEYS = ("activities", "functions", "bad_outcomes")
_EXAMPLE = 'for example activities: {"Demo booked": demo}'


def read_mapping(path: str, journey: Journey) -> LogMapping:
    """The mapping file at ``path`` for ``journey``::

        activities: {"Log activity name": touchpoint-id}
        functions: {"Org unit": function-id}
        bad_outcomes: [lost, churned]     # optional: replaces the built-in list

    Every problem (unknown key, unknown id, wrong type) is one ``path:line:col`` line."""
    parsed = parse_file(path, kind="config")
    problems: list[Problem] = list(parsed.problems)
    root = parsed.root
    activities: dict[str, str] = {}
    functions: dict[str, str] = {}
    bad: frozenset[str] | None = None
    if root is not None and not is_null(root) and not problems:
        if not isinstance(root, MapNode):
            problems.append(
                Problem(location(path, root), "the mapping file must be a mapping", _EXAMPLE)
            )
        else:
            for key, node in key_pairs(path, root, problems):
                if key.value not in _KEYS:
                    hint = did_you_mean(key.value, _KEYS) or f"expected {', '.join(_KEYS)}"
                    problems.append(
                        Problem(location(path, key), f"unknown key `{key.value}`", hint)
                    )
                elif is_null(node):
                    continue
                elif key.value == "bad_outcomes":
                    bad = _outcomes(path, node, problems)
                else:
                    known = journey.touchpoints if key.value == "activities" else journey.functions
                    what = "touchpoint" if key.value == "activities" else "function"
                    target = activities if key.value == "activities" else functions
                    _names(path, key.value, node, known, what, target, problems)
    if problems:
        raise InputError(problems)
    return LogMapping(MappingProxyType(activities), MappingProxyType(functions), bad, source=path)


def _names(
    path: str,
    section: str,
    node: object,
    known: object,
    what: str,
    target: dict[str, str],
    problems: list[Problem],
) -> None:
    ids = list(known)  # type: ignore[call-overload]
    if not isinstance(node, MapNode):
        where = location(path, node)  # type: ignore[arg-type]
        problems.append(Problem(where, f"`{section}` must map log names to {what} ids", _EXAMPLE))
        return
    seen: dict[str, int] = {}
    for name, value in key_pairs(path, node, problems):
        if not isinstance(value, Scalar) or is_null(value):
            problems.append(
                Problem(location(path, value), f"`{name.value}` must name a {what} id", _EXAMPLE)
            )
            continue
        if value.value not in ids:
            hint = did_you_mean(value.value, ids) or f"{what}s of the journey: {', '.join(ids)}"
            problems.append(Problem(location(path, value), f"unknown {what} `{value.value}`", hint))
            continue
        key = normal_name(name.value)
        if key in seen:
            problems.append(
                Problem(
                    location(path, name),
                    f"`{name.value}` is mapped twice (names compare case-insensitively; "
                    f"first at line {seen[key]})",
                    "keep one of them",
                )
            )
            continue
        seen[key] = name.line + 1
        target[name.value] = value.value


def _outcomes(path: str, node: object, problems: list[Problem]) -> frozenset[str] | None:
    if not isinstance(node, SeqNode) or not all(isinstance(i, Scalar) for i in node.items):
        where = location(path, node)  # type: ignore[arg-type]
        problems.append(
            Problem(where, "`bad_outcomes` must be a list of outcomes", "[lost, churned]")
        )
        return None
    return frozenset(normal_name(i.value) for i in node.items)  # type: ignore[union-attr]
