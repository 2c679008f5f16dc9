"""Fuzz every target (or the ones named) for a time, in parallel, and save what crashes.

    python -m fuzz [--minutes M] [--jobs J] [--runs N] [TARGET ...]

``--minutes`` is the wall time of the whole run, shared out evenly among the targets (``--jobs``
of them at a time); ``--runs`` bounds each target by inputs instead. Each target runs in a
worker process (:mod:`fuzz.worker`); its corpus grows in fuzz/corpus/TARGET/ (not committed)
from seeds made from the repository's examples. A crash is minimised, saved as
tests/data/fuzz/TARGET/crash-<sha1>, and the target restarted for the time left. At the end one
line per target gives the inputs run; the exit code is 1 when anything new crashed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fuzz import targets

CORPUS = targets.REPO / "fuzz" / "corpus"
REGRESSIONS = targets.REPO / "tests" / "data" / "fuzz"
_EXECUTED = re.compile(rb"stat::number_of_executed_units:\s*(\d+)")
_PROGRESS = re.compile(rb"^#(\d+)\s", re.MULTILINE)


@dataclass
class Outcome:
    target: str
    runs: int = 0
    seconds: float = 0.0
    crashes: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def executed(log: bytes) -> int:
    """Inputs a libFuzzer run says it executed (final stats, else its last progress line)."""
    found = _EXECUTED.findall(log)
    if found:
        return int(found[-1])
    progress = _PROGRESS.findall(log)
    return int(progress[-1]) if progress else 0


def _reproduces(target: targets.Target, data: bytes, kind: tuple[str, str] | None) -> bool:
    from fuzz.worker import signature

    try:
        targets.check(target, data)
    except Exception as err:  # noqa: BLE001
        return kind is None or signature(err) == kind
    return False


def minimise(target: targets.Target, data: bytes, budget: float = 60.0) -> bytes:
    """A smaller input that breaks the contract the same way (chunks removed while it still
    does, halving the chunk size), within ``budget`` seconds; ``data`` itself if it does not
    reproduce in this process (a hang libFuzzer saw, say)."""
    from fuzz.worker import signature

    try:
        targets.check(target, data)
        return data
    except Exception as err:  # noqa: BLE001
        kind = signature(err)
    if kind[0] == "Hang":
        return data
    deadline = time.monotonic() + budget
    chunk = max(1, len(data) // 2)
    while chunk >= 1 and time.monotonic() < deadline:
        i, shrunk = 0, False
        while i < len(data) and time.monotonic() < deadline:
            candidate = data[:i] + data[i + chunk :]
            if candidate and _reproduces(target, candidate, kind):
                data, shrunk = candidate, True
            else:
                i += chunk
        if not shrunk:
            chunk //= 2
    return data


def save(target: targets.Target, artifact: Path) -> Path:
    data = minimise(target, artifact.read_bytes())
    folder = REGRESSIONS / target.name
    folder.mkdir(parents=True, exist_ok=True)
    kind = "timeout" if artifact.name.startswith("timeout") else "crash"
    path = folder / f"{kind}-{hashlib.sha1(data).hexdigest()[:16]}"
    path.write_bytes(data)
    return path


def fuzz_target(name: str, seconds: float | None, runs: int | None, seed: int | None) -> Outcome:
    target = targets.TARGETS[name]
    outcome = Outcome(name)
    home = CORPUS / name
    seeds, live, crashes = home / "seeds", home / "live", home / "crashes"
    shutil.rmtree(seeds, ignore_errors=True)
    for folder in (seeds, live, crashes):
        folder.mkdir(parents=True, exist_ok=True)
    for data in target.seeds():
        (seeds / hashlib.sha1(data).hexdigest()).write_bytes(data)
    started = time.monotonic()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(targets.REPO), os.environ.get("PYTHONPATH", "")]),
    }
    while True:
        left = None if seconds is None else seconds - (time.monotonic() - started)
        if left is not None and left < 5:
            break
        limit = [f"-max_total_time={int(left)}"] if left is not None else []
        if runs is not None:
            limit.append(f"-runs={max(0, runs - outcome.runs)}")
        before = set(crashes.iterdir())
        command = [
            sys.executable, "-m", "fuzz.worker", name, *limit,
            f"-timeout={int(targets.TIMEOUT_SECONDS * 2)}", "-rss_limit_mb=4096",
            "-max_len=65536", "-print_final_stats=1", f"-artifact_prefix={crashes}/",
            *([f"-seed={seed}"] if seed is not None else []), str(live), str(seeds),
        ]  # fmt: skip
        done = subprocess.run(command, cwd=targets.REPO, env=env, capture_output=True)
        (home / "last.log").write_bytes(done.stdout + done.stderr)
        outcome.runs += executed(done.stderr)
        new = sorted(set(crashes.iterdir()) - before)
        for artifact in new:
            outcome.crashes.append(save(target, artifact))
        if done.returncode != 0 and not new:
            tail = (done.stderr or done.stdout).decode("utf-8", "replace").strip().splitlines()
            outcome.notes.append(f"worker exited {done.returncode}: {' | '.join(tail[-3:])}")
            break
        if done.returncode == 0 or (runs is not None and outcome.runs >= runs):
            break
    outcome.seconds = time.monotonic() - started
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fuzz", description=__doc__.split("\n")[0])
    parser.add_argument("targets", nargs="*", metavar="TARGET", help=", ".join(targets.TARGETS))
    parser.add_argument("--minutes", type=float, help="wall time of the whole run")
    parser.add_argument("--runs", type=int, help="inputs per target")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, help="libFuzzer's random seed (repeatable runs)")
    args = parser.parse_args(argv)
    names = args.targets or list(targets.TARGETS)
    unknown = [n for n in names if n not in targets.TARGETS]
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {', '.join(targets.TARGETS)}")
    if args.minutes is None and args.runs is None:
        parser.error("give --minutes or --runs")
    jobs = max(1, min(args.jobs, len(names)))
    seconds = None
    if args.minutes is not None:
        rounds = -(-len(names) // jobs)
        seconds = args.minutes * 60 / rounds
    print(f"fuzzing {len(names)} targets, {jobs} at a time"
          + (f", {seconds:.0f} s each" if seconds else "") + (f", {args.runs} inputs each" if args.runs else ""),
          flush=True)  # fmt: skip

    def one(name: str) -> Outcome:
        try:
            outcome = fuzz_target(name, seconds, args.runs, args.seed)
        except Exception:  # noqa: BLE001 - reported, the other targets go on
            outcome = Outcome(name, notes=[traceback.format_exc().strip().splitlines()[-1]])
        line = f"{name:>10}: {outcome.runs:>10,} inputs in {outcome.seconds:6.0f} s"
        if outcome.crashes:
            line += f", {len(outcome.crashes)} new crash(es): " + ", ".join(
                str(p.relative_to(targets.REPO)) for p in outcome.crashes
            )
        for note in outcome.notes:
            line += f"  [{note}]"
        print(line, flush=True)
        return outcome

    with ThreadPoolExecutor(jobs) as pool:
        outcomes = list(pool.map(one, names))
    total = sum(o.runs for o in outcomes)
    print(f"{'total':>10}: {total:>10,} inputs", flush=True)
    return 1 if any(o.crashes or o.notes for o in outcomes) else 0


if __name__ == "__main__":
    sys.exit(main())
