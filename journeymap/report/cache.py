"""The incremental build cache: one entry per journey, keyed by content hash.

The key hashes everything a journey page depends on that can be known before loading it: the
journey file's path and bytes, its analysis config, the theme and renderer, and a fingerprint of
journeymap itself (version, code and templates). An entry also records the files the journey
pulled in with ``uses:`` and their hashes; the entry counts only while those are unchanged. An
entry holds the rendered page and the analysis (for the portfolio), pickled.

Entries live in ``<site parent>/.journeymap-cache/report-<site name>/`` unless told otherwise;
a build removes the entries it did not use, so the folder holds one entry per journey.
"""

from __future__ import annotations

import copyreg
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from journeymap import __version__

__all__ = ["Entry", "Cache", "default_cache_dir", "fingerprint", "file_digest", "journey_key"]


# The model keeps mappings read-only (MappingProxyType), which pickle does not know: teach it.
def _read_only(items: dict[Any, Any]) -> MappingProxyType[Any, Any]:
    return MappingProxyType(items)


def _reduce_read_only(m: MappingProxyType[Any, Any]) -> tuple[Any, tuple[dict[Any, Any]]]:
    return _read_only, (dict(m),)


copyreg.pickle(MappingProxyType, _reduce_read_only)

_SUFFIX = ".entry"
_FORMAT = b"journeymap-report-cache/1\0"


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
    """What the cache keeps about one journey."""

    deps: Mapping[str, str]  # file path -> sha256 of the organisation files it used
    page: str
    analysis: Any  # JourneyAnalysis


class Cache:
    """A folder of entries; reads tolerate corruption (a bad entry is a miss)."""

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.used: set[str] = set()

    def get(self, key: str) -> Entry | None:
        """The entry for ``key`` if present, readable and its dependencies unchanged."""
        try:
            blob = (self.directory / (key + _SUFFIX)).read_bytes()
            if not blob.startswith(_FORMAT):
                return None
            entry = pickle.loads(blob[len(_FORMAT) :])
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
        if not isinstance(entry, Entry):
            return None
        if any(file_digest(path) != digest for path, digest in entry.deps.items()):
            return None
        self.used.add(key)
        return entry

    def put(self, key: str, entry: Entry) -> None:
        """Store ``entry`` atomically (write aside, then rename)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        blob = _FORMAT + pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=_SUFFIX, dir=self.directory)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(blob)
            os.replace(tmp, self.directory / (key + _SUFFIX))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self.used.add(key)

    def prune(self) -> int:
        """Remove entries this build did not use; returns how many went."""
        removed = 0
        if not self.directory.is_dir():
            return 0
        for file in self.directory.iterdir():
            if file.suffix == _SUFFIX and file.stem not in self.used:
                file.unlink(missing_ok=True)
                removed += 1
        return removed
