"""Journeys read from a git revision: ``git:REV:path``.

``journeymap diff git:HEAD~1:journeys/claims.yaml journeys/claims.yaml`` compares the committed
version with the working copy. The rules (also in docs/workshop.md):

- ``path`` is relative to the repository root, as in ``git show REV:path``; a path starting with
  ``./`` or ``../`` is relative to the current directory (git's own convention);
- ``REV`` is anything ``git rev-parse`` accepts that contains no ``:`` (``HEAD~1``, ``main``,
  ``v1.2``, a hash); the text after the second ``:`` is the path;
- ``uses:`` files are read from the **same revision**, resolved relative to the journey file's
  folder in that revision, so an old journey is analysed with its old organisation file;
- locations in errors and findings read ``git:REV:path:line:col``.

The files are copied from git (``git show``, no checkout, the working tree is never touched) into
a private temporary folder, loaded by the ordinary loader, and every location is rewritten back to
the ``git:REV:path`` form before the temporary folder is removed.
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType

from journeymap.errors import InputError, Problem, UsageError
from journeymap.model import Journey, Location

__all__ = [
    "GIT_PREFIX",
    "is_git_spec",
    "parse_git_spec",
    "read_git_file",
    "load_git_journey",
    "working_path",
]

GIT_PREFIX = "git:"
_GIT_TIMEOUT = 30.0
_MAX_USES_DEPTH = 8


def is_git_spec(spec: str) -> bool:
    """Whether ``spec`` names a file in a git revision (``git:REV:path``)."""
    return spec.startswith(GIT_PREFIX)


def parse_git_spec(spec: str) -> tuple[str, str]:
    """Split ``git:REV:path`` into ``(REV, path)``; a malformed spec is a :class:`UsageError`."""
    rest = spec[len(GIT_PREFIX) :] if is_git_spec(spec) else spec
    rev, sep, path = rest.partition(":")
    if not sep or not rev or not path:
        raise UsageError(
            f"{spec}: expected git:REV:path (for example git:HEAD~1:journeys/claims.yaml)"
        )
    return rev, path


def _git(args: list[str], cwd: str | None, spec: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            timeout=_GIT_TIMEOUT,
            check=False,
        )
    except FileNotFoundError:
        raise UsageError(
            f"{spec}: git is not installed; install git to read git:REV:path"
        ) from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"{spec}: git did not answer within {_GIT_TIMEOUT:.0f} s") from None


def _first_line(data: bytes) -> str:
    text = data.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else "no message"


def _repo_path(rev: str, path: str, cwd: str | None, spec: str) -> str:
    """The path inside the repository, checking that ``rev`` exists."""
    probe = _git(["rev-parse", "--show-prefix"], cwd, spec)
    if probe.returncode != 0:
        raise UsageError(f"{spec}: not inside a git repository ({_first_line(probe.stderr)})")
    prefix = probe.stdout.decode("utf-8", "replace").strip()
    verify = _git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd, spec
    )
    if verify.returncode != 0:
        raise UsageError(f"{spec}: unknown revision {rev!r}; check it with `git log --oneline`")
    if path.startswith(("./", "../")):
        path = prefix + path
    normal = posixpath.normpath(path)
    if normal.startswith("../") or normal == ".." or posixpath.isabs(normal):
        raise UsageError(f"{spec}: the path leaves the repository")
    return normal


def read_git_file(rev: str, repo_path: str, cwd: str | None = None) -> str | None:
    """The text of ``repo_path`` (relative to the repository root) at ``rev``; None if absent."""
    spec = f"{GIT_PREFIX}{rev}:{repo_path}"
    shown = _git(["show", f"{rev}:{repo_path}"], cwd, spec)
    if shown.returncode != 0:
        return None
    return shown.stdout.decode("utf-8", "surrogateescape")


def _uses_of(text: str) -> list[tuple[str, int, int]]:
    """The ``uses:`` paths of a journey text with their line and column, or nothing if it
    cannot be read (the loader will then report the real problem with its line). Read with the
    hardened reader: the text comes from git, and may be as hostile as any journey."""
    from journeymap.yamlnodes import MapNode, Scalar, parse

    root = parse(text, "<git>").root
    if not isinstance(root, MapNode):
        return []
    for key, value in root.pairs:
        if isinstance(key, Scalar) and key.value == "uses":
            nodes = [value] if isinstance(value, Scalar) else getattr(value, "items", [])
            return [
                (node.value, node.line + 1, node.column + 1)
                for node in nodes
                if isinstance(node, Scalar)
            ]
    return []


def _materialise(rev: str, repo_path: str, root: Path, cwd: str | None) -> None:
    """Copy the journey at ``repo_path`` and the ``uses:`` files it needs into ``root``. A
    ``uses:`` path that leaves the repository (absolute, or up past its root) is refused: a
    revision's journey reads only that revision's files, never the machine's."""
    pending = [(repo_path, 0)]
    seen: set[str] = set()
    while pending:
        current, depth = pending.pop()
        if current in seen or depth > _MAX_USES_DEPTH:
            continue
        seen.add(current)
        text = read_git_file(rev, current, cwd)
        if text is None:
            continue  # a missing uses: file is reported by the loader, with its line
        target = root / current
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", errors="surrogateescape")
        for use, line, col in _uses_of(text):
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(current), use))
            if joined.startswith("../") or joined == ".." or posixpath.isabs(use) or "\\" in use:
                raise InputError.at(
                    Location(f"{GIT_PREFIX}{rev}:{current}", line, col),
                    f"'uses' names a file outside the repository ({use!r})",
                    "a journey read from a revision reads only that revision's files; "
                    "keep the organisation file in the repository",
                )
            pending.append((joined, depth + 1))


def _relocator(root: Path, rev: str) -> Callable[[str], str]:
    prefixes = sorted({str(root) + "/", str(root.resolve()) + "/"}, key=len, reverse=True)

    def fix(text: str) -> str:
        for p in prefixes:
            if p in text:
                text = text.replace(p, f"{GIT_PREFIX}{rev}:")
        return text

    return fix


def _relocate(value: object, fix: Callable[[str], str]) -> object:
    """A copy of ``value`` (model dataclasses, tuples, mappings) with every Location rewritten."""
    if isinstance(value, str):
        return fix(value)
    if isinstance(value, Location):
        return dataclasses.replace(value, path=fix(value.path))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _relocate(old, fix)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_relocate(v, fix) for v in value)
        return value if all(a is b for a, b in zip(items, value, strict=True)) else items
    if isinstance(value, Mapping):
        return MappingProxyType({k: _relocate(v, fix) for k, v in value.items()})
    return value


def load_git_journey(
    spec: str, loader: Callable[[Path], Journey], cwd: str | None = None
) -> Journey:
    """The journey named by ``git:REV:path``, read by ``loader`` from a private copy of the
    revision's files (see the module docstring for the rules); locations point back into git."""
    rev, path = parse_git_spec(spec)
    repo_path = _repo_path(rev, path, cwd, spec)
    if read_git_file(rev, repo_path, cwd) is None:
        raise UsageError(f"{spec}: no file {repo_path!r} in revision {rev!r}")
    tmp = Path(tempfile.mkdtemp(prefix="journeymap-git-"))
    try:
        _materialise(rev, repo_path, tmp, cwd)
        fix = _relocator(tmp, rev)
        try:
            journey = loader(tmp / repo_path)
        except InputError as err:
            raise InputError(
                Problem(
                    dataclasses.replace(p.location, path=fix(p.location.path)),
                    fix(p.message),
                    fix(p.hint) if p.hint else None,
                )
                for p in err.problems
            ) from None
        relocated = _relocate(journey, fix)
        assert isinstance(relocated, Journey)
        return relocated
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def working_path(spec: str, cwd: str | None = None) -> str:
    """Where the file of ``git:REV:path`` lives in the working tree (it may not exist there)."""
    rev, path = parse_git_spec(spec)
    repo_path = _repo_path(rev, path, cwd, spec)
    top = _git(["rev-parse", "--show-toplevel"], cwd, spec)
    root = top.stdout.decode("utf-8", "surrogateescape").strip()
    return os.path.join(root, *repo_path.split("/"))
