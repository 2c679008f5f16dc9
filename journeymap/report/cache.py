"""The incremental build cache: one entry per journey, keyed by content hash.

The key hashes everything a journey page depends on that can be known before loading it: the
journey file's path and bytes, its analysis config, the theme and renderer, and a fingerprint of
journeymap itself (version, code and templates). An entry also records the files the journey
pulled in with ``uses:``, its config file and its scenario files (those read, and the places a
scenario file beside it would be, hashed as empty while absent) with their hashes; the entry
counts only while those are unchanged, so editing, adding or removing a scenario file renders the
page again. An entry holds the rendered page (its own file, hard-linked into the site when the
site is built) and the journey's :func:`~journeymap.report.summary.index_summary` (for the
portfolio), pickled.

Entries live in ``<site parent>/.journeymap-cache/report-<site name>/`` unless told otherwise;
a build removes the entries it did not use, so the folder holds one entry per journey.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from journeymap import __version__
from journeymap.analysis.portfolio import JourneySummary
from journeymap.atomic import write_bytes_atomic

__all__ = ["Entry", "Cache", "default_cache_dir", "fingerprint", "file_digest", "journey_key"]


# The model keeps mappings read-only (MappingProxyType), which pickle does not know: teach it.
def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_read_only(m: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _read_only, (dict(m),)


copyreg.pickle(MappingProxyType, _reduce_read_only)

_SUFFIX = ".entry"
_PAGE = ".html"
#: An entry's name: its key, a SHA-256 in hex, ``silo-`` before the silo map's (what
#: :meth:`Cache.prune` may delete; nothing else in the folder is touched).
_KEY = re.compile(r"(silo-)?[0-9a-f]{64}")
_FORMAT = b"journeymap-report-cache/3\0"  # 3: summaries are JourneySummary


def default_cache_dir(out_dir: Path) -> Path:
    """``<site parent>/.journeymap-cache/report-<site name>``."""
    out_dir = Path(os.path.abspath(out_dir))
    return out_dir.parent / ".journeymap-cache" / f"report-{out_dir.name}"


def file_digest(path: str | Path) -> str:
    """SHA-256 of a file's bytes (empty string when it cannot be read)."""
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return ""


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """A hash of journeymap's version, code and report templates: any change busts the cache."""
    from journeymap.report.environment import templates_dir

    digest = hashlib.sha256(_FORMAT + __version__.encode())
    package = Path(__file__).resolve().parents[1]
    for root, pattern in ((package, "*.py"), (templates_dir(), "*")):
        for file in sorted(root.rglob(pattern)):
            if file.is_file():
                name = file.relative_to(root).as_posix().encode()
                digest.update(name + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def journey_key(path: str, data: bytes, settings: Iterable[str]) -> str:
    """The cache key of one journey file given its bytes and the build settings."""
    digest = hashlib.sha256(_FORMAT + fingerprint().encode())
    for part in (path, *settings):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    digest.update(data)
    return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    """What the cache keeps about one journey (or the silo map)."""

    deps: Mapping[str, str]  # file path -> sha256 of the organisation/scenario files it used
    summary: JourneySummary | None  # the journey's index summary; None for the silo map
    page: Path  # the rendered page (or SVG) in the cache, ready to be hard-linked


@dataclass(frozen=True)
class _Record:
    """The pickled part of an entry; the page lives beside it in its own file."""

    deps: Mapping[str, str]
    summary: JourneySummary | None
    page_size: int
    page_mtime_ns: int


class Cache:
    """A folder of entries; reads tolerate corruption (a bad entry is a miss).

    Each entry is two files: ``<key>.entry`` (pickled :class:`_Record`) and ``<key>.html`` (the
    page's bytes, readable like any site file since the site hard-links it). The record keeps the
    page file's size and modification time: a page changed in place (through a hard link in a
    published site, say) no longer matches and the entry is a miss.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.used: set[str] = set()

    def page_path(self, key: str) -> Path:
        """Where the page of ``key`` lives."""
        return self.directory / (key + _PAGE)

    def get(self, key: str) -> Entry | None:
        """The entry for ``key`` if present, readable and its dependencies unchanged."""
        page = self.page_path(key)
        try:
            blob = (self.directory / (key + _SUFFIX)).read_bytes()
            if not blob.startswith(_FORMAT):
                return None
            record = pickle.loads(blob[len(_FORMAT) :])
            if not isinstance(record, _Record):
                return None
            info = page.stat()
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            TypeError,
            ValueError,
        ):
            return None
        if (info.st_size, info.st_mtime_ns) != (record.page_size, record.page_mtime_ns):
            return None
        if any(file_digest(path) != digest for path, digest in record.deps.items()):
            return None
        self.used.add(key)
        return Entry(record.deps, record.summary, page)

    def put(
        self, key: str, deps: Mapping[str, str], summary: JourneySummary | None, page: bytes
    ) -> Entry:
        """Store an entry atomically (each file written aside, then renamed): page first."""
        target = self.page_path(key)  # the atomic writer creates the folder
        self._replace(target, page, 0o666 & ~_umask())
        info = target.stat()
        record = _Record(dict(deps), summary, info.st_size, info.st_mtime_ns)
        blob = _FORMAT + pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        self._replace(self.directory / (key + _SUFFIX), blob, 0o600)
        self.used.add(key)
        return Entry(record.deps, summary, target)

    def _replace(self, target: Path, data: bytes, mode: int) -> None:
        write_bytes_atomic(target, data, mode=mode, durable=False)

    def prune(self) -> int:
        """Remove entries (and leftover temporary files) this build did not use; how many went."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        for file in self.directory.iterdir():
            ours = _KEY.fullmatch(file.stem) is not None  # never a file of someone else's
            if ours and file.suffix in (_SUFFIX, _PAGE) and file.stem not in self.used:
                file.unlink(missing_ok=True)
                removed += file.suffix == _SUFFIX
            elif file.name.startswith(".") and file.suffix == ".tmp" and _KEY.match(file.name[1:]):
                file.unlink(missing_ok=True)
        return removed


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
