"""One target under atheris (libFuzzer), in its own process:

    python -m fuzz.worker TARGET [libFuzzer options] CORPUS_DIR [SEED_DIR ...]

journeymap is imported under ``atheris.instrument_imports`` so that its line and branch coverage
guides the mutations. Inputs that break the contract the same way as an input already saved
under tests/data/fuzz/TARGET/ (same exception type at the same line) are passed over, so a long
run goes on looking for new crashes instead of stopping at a known one.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

import atheris

with atheris.instrument_imports(include=["journeymap"]):
    from fuzz import targets

REGRESSIONS = targets.REPO / "tests" / "data" / "fuzz"


def signature(err: BaseException) -> tuple[str, str]:
    """An exception's kind: its type and the innermost journeymap (else any) frame it left."""
    frames = traceback.extract_tb(err.__traceback__)
    ours = [f for f in frames if "/journeymap/" in f.filename] or frames
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return type(err).__name__, where


def known_signatures(target: targets.Target) -> set[tuple[str, str]]:
    known = set()
    folder = REGRESSIONS / target.name
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if path.name.startswith(".") or path.suffix == ".md":
            continue
        try:
            targets.check(target, path.read_bytes())
        except Exception as err:  # noqa: BLE001 - a saved crash not fixed yet
            known.add(signature(err))
    return known


def main() -> None:
    name = sys.argv[1]
    target = targets.TARGETS[name]
    known = known_signatures(target)

    def one(data: bytes) -> None:
        try:
            targets.check(target, data)
        except Exception as err:
            if signature(err) in known:
                return
            raise

    atheris.Setup([sys.argv[0], *sys.argv[2:]], one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
