"""Check an output path before any work starts.

Every command that writes (``-o``, ``init PATH``, ``report -o SITE``) calls
:func:`check_output` first, so a path that cannot work is refused in one line before minutes
of analysis or rendering, and an output can never replace one of the command's inputs:

* the folder it goes in must exist and be a folder (no folder is created for an output);
* it must not be one of the inputs: a journey, a log, a mapping or config file given on the
  command line, or a YAML file found in a folder given there (as :func:`journeymap.load.
  yaml_files` finds them: dot-files, dot-folders and scenario files are not read);
* it must not be inside a folder the command reads (``report journeys/ -o journeys/site``);
* a folder output (the report site) must not hold an input.

Refusals are :class:`~journeymap.errors.OutputError`: ``path: error: cannot write (reason);
hint``, exit code 2. Failures while writing (disk full, read-only file system, no
permission) are reported the same way by :mod:`journeymap.atomic`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from journeymap.errors import OutputError

__all__ = ["check_cache_folder", "check_output"]

PathLike = str | os.PathLike[str]


def _real(path: PathLike) -> Path:
    return Path(os.path.realpath(os.fspath(path)))


def _inside(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or below it (both resolved)."""
    return path == folder or folder in path.parents


def _input_files(inputs: Iterable[PathLike | None]) -> tuple[list[Path], list[Path]]:
    """(files read, folders read) of ``inputs``, resolved; paths that do not exist are left
    out (the command reports them), as are ``git:REV:path`` sources and ``None``."""
    from journeymap.load import yaml_files

    files: list[Path] = []
    folders: list[Path] = []
    for given in inputs:
        if given is None or not os.path.exists(given):
            continue
        if os.path.isdir(given):
            folders.append(_real(given))
            files += [_real(p) for p in yaml_files(given)]
        else:
            files.append(_real(given))
    return files, folders


def check_output(
    path: PathLike,
    inputs: Iterable[PathLike | None] = (),
    reads: Iterable[PathLike] = (),
    *,
    folder: bool = False,
    option: str = "-o",
) -> None:
    """Refuse ``path`` as an output, before any work, unless it can be written safely.

    ``inputs``: the files and folders the command reads (folders stand for the YAML files
    :func:`journeymap.load.yaml_files` finds in them, and are read folders too). ``reads``:
    more folders the command reads. ``folder``: the output is a folder (the report site)
    rather than a file. ``option``: how the command line names the output, for the hints.
    Raises :class:`OutputError` naming ``path``.
    """
    name = os.fspath(path)
    target = Path(os.path.abspath(name))
    parent = target.parent
    if not parent.is_dir():
        raise _missing_parent(name, parent, option)
    if target.is_dir() and not folder:
        raise OutputError(name, "it is a folder", f"give a file name with {option}")
    if folder and target.exists() and not target.is_dir():
        raise OutputError(name, "it is a file, not a folder", f"give a folder with {option}")
    real = _real(target)
    files, folders = _input_files(inputs)
    folders += [_real(f) for f in reads]
    for read in files:
        if read == real:
            raise OutputError(
                name,
                "it is an input of this command and would be replaced",
                f"write to another file with {option}",
            )
        if folder and real in read.parents:
            raise OutputError(
                name,
                f"it holds the input {_shown(read)}, which the site would replace",
                f"give the site its own folder with {option}",
            )
    for read in folders:
        if _inside(real, read):
            raise OutputError(
                name,
                f"it is inside {_shown(read)}, a folder this command reads",
                f"write outside the folders given as inputs with {option}",
            )


def check_cache_folder(path: PathLike, site: PathLike, *, option: str = "--cache-dir") -> None:
    """Refuse ``path`` as ``report``'s cache folder, before any work, unless it can be used: a
    missing folder is made (with its parents), but not through a file, and never inside the
    ``site`` folder, which each build replaces (the cache would go with it, and be published).
    Raises :class:`OutputError` naming ``path``."""
    name = os.fspath(path)
    target = Path(os.path.abspath(name))
    if target.exists() and not target.is_dir():
        raise OutputError(name, "it is a file, not a folder", f"give a folder with {option}")
    if not target.exists():
        blocker = _nearest_existing(target.parent)
        if not blocker.is_dir():
            raise OutputError(
                name,
                f"{_shown(blocker)} is a file, not a folder",
                f"move that file away or choose another {option}",
            )
    if _inside(_real(target), _real(site)):
        raise OutputError(
            name,
            f"it is inside the site folder {_shown(_real(site))}, which each build replaces",
            f"keep the cache outside the site with {option}",
        )


def _nearest_existing(path: Path) -> Path:
    """``path`` or its nearest ancestor that exists (a file there is in the way of a folder)."""
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _missing_parent(name: str, parent: Path, option: str) -> OutputError:
    """The error for an output whose folder is missing, or is a file (a file in the way)."""
    blocker = _nearest_existing(parent)
    if blocker.exists() and not blocker.is_dir():
        return OutputError(
            name,
            f"{_shown(blocker)} is a file, not a folder",
            f"move that file away or choose another {option}",
        )
    return OutputError(
        name,
        f"the folder {_shown(parent)} does not exist",
        f"create it first (mkdir -p) or choose another {option}",
    )


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is below it."""
    try:
        return os.fspath(path.relative_to(Path.cwd()))
    except ValueError:
        return os.fspath(path)
