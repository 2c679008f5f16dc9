"""One error hierarchy for journeymap, independent of the command line.

``str(error)`` of a located error is ``path:line:col: error: message; hint``, the one-line form
every command prints. The CLI maps these to exit code 2.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from journeymap.model import Location

__all__ = [
    "JourneymapError",
    "Problem",
    "InputError",
    "OutputError",
    "RenderError",
    "SUMMARY_KEEP",
    "SUMMARY_LIMIT",
    "UsageError",
    "summarised",
]


class JourneymapError(Exception):
    """Base class of every error journeymap raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, at a place in a file."""

    location: Location
    message: str
    hint: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: error: {self.message}"
        return f"{text}; {self.hint}" if self.hint else text


_QUOTED = re.compile(r"'[^']*'|`[^`]*`|\"[^\"]*\"|[*&][\w.-]+|\b\d+\b")


def _kind(problem: Problem) -> str:
    """What a problem says with its names and numbers taken out: problems of one kind."""
    return _QUOTED.sub("…", problem.message)


#: How repeats are summarised, here and in what an import says it guessed: a kind repeated more
#: than SUMMARY_LIMIT times shows its first SUMMARY_KEEP and a count of the rest.
SUMMARY_KEEP = 3
SUMMARY_LIMIT = 10


def summarised(
    problems: Sequence[Problem], keep: int = SUMMARY_KEEP, limit: int = SUMMARY_LIMIT
) -> list[str]:
    """One line per problem, except that a kind of problem repeated more than ``limit`` times
    shows its first ``keep`` and then one line saying how many more there are (20,000 unknown
    keys are 4 lines, not 20,000). Each line is ``path:line:col: error: ...``."""
    counts: dict[str, int] = {}
    for p in problems:
        counts[_kind(p)] = counts.get(_kind(p), 0) + 1
    shown: dict[str, int] = {}
    lines: list[str] = []
    for p in problems:
        kind = _kind(p)
        n = shown[kind] = shown.get(kind, 0) + 1
        if counts[kind] <= limit or n <= keep:
            lines.append(str(p))
        elif n == keep + 1:
            more = counts[kind] - keep
            lines.append(f"{p.location}: error: ... and {more:,} more like the above ({kind})")
    return lines


class InputError(JourneymapError):
    """Bad input: one or more problems, each with a location. Exit code 2."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: Sequence[Problem] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def at(cls, location: Location, message: str, hint: str | None = None) -> InputError:
        return cls([Problem(location, message, hint)])


class UsageError(JourneymapError):
    """A command was asked for something it cannot do (bad option, missing tool). Exit code 2."""


class RenderError(JourneymapError):
    """Graphviz could not lay out or render a diagram (missing renderer, timeout, bad DOT)."""


class OutputError(JourneymapError):
    """An output could not be written (missing folder, no permission, disk full). Exit code 2.

    ``str(error)`` is ``path: error: cannot write (reason); hint``, the line every command prints;
    the previous file at ``path``, if any, is left as it was.
    """

    def __init__(self, path: str, reason: str, hint: str | None = None) -> None:
        self.path = path
        self.reason = reason
        self.hint = hint or "check that the folder exists and that you may write there"
        super().__init__(f"{path}: error: cannot write ({reason}); {self.hint}")

    @classmethod
    def from_os_error(cls, path: str, err: OSError) -> OutputError:
        """The error for an :class:`OSError` raised while writing ``path``."""
        return cls(path, err.strerror or type(err).__name__)
