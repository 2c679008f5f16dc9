"""Build the static report site: one page per journey plus the portfolio index.

Journeys are analysed and rendered in parallel (a process pool, results kept in file order),
reused from the incremental cache when nothing they depend on changed, and written into a
temporary sibling folder that is exchanged with the previous site in one atomic step (Linux
``renameat2``; two renames elsewhere, repaired by the next build), so a failed or killed build
leaves a complete site, old or new, at every instant. The same input gives byte-identical
files.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import errno
import gc
import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from journeymap.analysis.portfolio import FIXES_KEPT
from journeymap.atomic import os_error, write_bytes_atomic
from journeymap.config import Config
from journeymap.errors import InputError, Problem, UsageError
from journeymap.report import cache as cache_mod
from journeymap.report.context import fill, medians
from journeymap.report.pages import (
    FIXES_SHOWN,
    page_name,
    render_index,
    render_journey_page,
    silo_markup,
)
from journeymap.report.summary import JourneySummary, index_summary

if TYPE_CHECKING:
    from journeymap.analysis.types import JourneyAnalysis

__all__ = ["SiteResult", "build_site", "SITE_MARKER", "Progress"]

FIXES_NEEDED = max(FIXES_SHOWN, FIXES_KEPT)
"""Ranked fixes a journey needs: those its page shows and those its index summary keeps."""

SITE_MARKER = ".journeymap-site"
"""A file every built site carries; a folder without it is never replaced or deleted."""

Progress = Callable[[int, int, str], None]
"""``progress(done, total, label)``, called as journeys finish and once for the index."""


@dataclass(frozen=True)
class SiteResult:
    """What a build produced."""

    out_dir: Path
    index: Path
    pages: tuple[Path, ...]  # one per journey, in file order
    journeys: tuple[str, ...]  # journey ids, in file order
    rendered: int  # journeys analysed and rendered by this build
    cached: int  # journeys taken from the cache
    cache_dir: Path | None


@dataclass(frozen=True)
class _Job:
    index: int
    path: str
    config_file: str | None
    theme: str
    renderer: str
    timeout: float | None


@dataclass(frozen=True)
class _Done:
    index: int
    problems: tuple[Problem, ...]
    page: str | None = None
    summary: JourneySummary | None = None  # the journey's index_summary
    deps: dict[str, str] | None = None  # organisation and scenario files used -> sha256


def _settings(theme: str, renderer: str, config: Config) -> tuple[str, ...]:
    return (f"theme={theme}", f"renderer={renderer}", f"config={config!r}")


def _render(job: _Job) -> _Done:
    """Load, analyse, lay out and render one journey (runs in a worker process)."""
    from journeymap.analysis.fixes import ranked_fixes
    from journeymap.project import analyse_file, predict_scenarios
    from journeymap.report.scenarios import scenario_blocks

    try:
        item = analyse_file(job.path, job.config_file)
        scenarios = predict_scenarios(item)
    except InputError as err:
        return _Done(job.index, tuple(err.problems), None)
    analysis = item.analysis
    svg = _draw(job)(analysis, None)
    blocks = scenario_blocks(analysis, scenarios, svg, _draw(job))
    # ranked fixes cost what-if runs: computed once, for the page and for the index's summary
    fixes = ranked_fixes(analysis.journey, analysis, item.config, limit=FIXES_NEEDED)
    page = render_journey_page(
        analysis, svg, theme=job.theme, config=item.config, fixes=fixes, scenarios=blocks
    )
    own = os.path.abspath(job.path)
    deps = {
        path: cache_mod.file_digest(path)
        for path in (*item.files, *scenarios.files)  # a missing scenario file: digest ""
        if path != own
    }
    return _Done(job.index, (), page, index_summary(analysis, fixes), deps)


def _draw(job: _Job) -> Callable[[JourneyAnalysis, Sequence[str] | None], bytes]:
    """The journey diagram of an analysis as this build draws it (SVG)."""
    from journeymap.render import build_dot, render_dot

    def draw(analysis: JourneyAnalysis, lane_order: Sequence[str] | None = None) -> bytes:
        dot = build_dot(
            analysis,
            view="journey",
            theme=job.theme,
            renderer=job.renderer,
            timeout=job.timeout,
            lane_order=lane_order,
        )
        return render_dot(dot, "svg", job.renderer, job.timeout)

    return draw


_MEDIANS = "portfolio-medians.txt"  # in the cache folder: the medians of its last build


def _read_note(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").rstrip("\n")
    except (OSError, UnicodeDecodeError):
        return None


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(text)


def _place(source: Path, target: Path) -> None:
    """Put the cached page ``source`` at ``target``: a hard link, or a copy where links fail."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _check_out_dir(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out}: exists and is not a folder; choose another -o")
    if out.is_dir() and any(out.iterdir()) and not (out / SITE_MARKER).is_file():
        raise UsageError(
            f"{out}: is a folder that journeymap did not build; refusing to replace it "
            "(choose an empty or new folder with -o)"
        )


def _clean_leftovers(out: Path) -> None:
    """Repair and tidy after earlier builds that died (their process is gone).

    A build killed between the two renames of the fallback swap (systems without an atomic
    exchange) left no ``out`` but the previous site, whole, as ``.<out>.old-PID-*``: it is put
    back first. Then the temporary folders of dead builds are removed.
    """
    prefix = f".{out.name}."
    stale: list[tuple[str, Path]] = []
    for path in sorted(out.parent.glob(prefix + "*-*-*")):
        kind, _, rest = path.name[len(prefix) :].partition("-")
        pid = rest.split("-", 1)[0]
        if kind not in ("building", "old") or not pid.isdigit() or not path.is_dir():
            continue
        if int(pid) != os.getpid() and _alive(int(pid)):
            continue  # another build is running right now
        stale.append((kind, path))
    if not out.exists():
        for kind, path in stale:
            if kind == "old" and (path / SITE_MARKER).is_file():
                os.rename(path, out)  # the previous site, back in place
                stale.remove((kind, path))
                break
    for _, path in stale:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _step(name: str) -> None:
    """Called once the new site is complete (``built``) and between the steps of
    :func:`_swap` (``exchanged``, ``renamed-old``, ``renamed-new``, ``removed-old``); does
    nothing. Tests replace it to kill a build there."""


_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap the folders ``a`` and ``b`` in one atomic step (Linux ``renameat2`` with
    ``RENAME_EXCHANGE``). False where the system or the file system cannot; ``OSError`` for
    any other failure."""
    import ctypes
    import ctypes.util
    import sys

    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):  # no libc, or a libc older than glibc 2.28
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p]
    renameat2.argtypes += [ctypes.c_uint]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False  # an old kernel, or a file system without exchange
    raise OSError(code, os.strerror(code), os.fspath(a))


def _swap(tmp: Path, out: Path) -> None:
    """Put the complete site ``tmp`` in place of ``out``; the old site is removed afterwards.

    Where the system can (Linux 3.15+ on most file systems), the two folders are exchanged in
    one atomic step, so at every instant ``out`` is a complete site, the old one or the new
    one; a build killed after the exchange leaves the old site under ``tmp``'s name, which the
    next build removes. Elsewhere ``out`` is renamed aside and ``tmp`` into place: killed in
    between, no ``out`` exists until the next build puts the old one back
    (:func:`_clean_leftovers`).
    """
    if not out.exists():
        os.rename(tmp, out)
        _step("renamed-new")
        return
    if _exchange(tmp, out):
        _step("exchanged")
        shutil.rmtree(tmp, ignore_errors=True)  # now the old site
        _step("removed-old")
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}-{tmp.name.rsplit('-', 1)[-1]}"
    os.rename(out, old)
    _step("renamed-old")
    try:
        os.rename(tmp, out)
    except OSError:
        os.rename(old, out)  # the previous site, back
        raise
    _step("renamed-new")
    shutil.rmtree(old, ignore_errors=True)
    _step("removed-old")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def build_site(
    paths: Sequence[str | Path],
    out_dir: str | Path,
    theme: str = "default",
    jobs: int | None = None,
    cache: bool = True,
    progress: Progress | None = None,
    *,
    cache_dir: str | Path | None = None,
    config_file: str | None = None,
    renderer: str = "auto",
    timeout: float | None = 60.0,
) -> SiteResult:
    """Build the report site for the journeys under ``paths`` into ``out_dir``.

    ``jobs``: worker processes (default: CPU count; 1 renders in this process). ``cache``:
    reuse unchanged journeys from ``cache_dir`` (default ``<out parent>/.journeymap-cache/
    report-<out name>``). Raises :class:`InputError` (nothing written) on bad journeys,
    :class:`UsageError` when ``out_dir`` is not a journeymap site and, before any work,
    :class:`OutputError` when the cache folder cannot be used (through a file, inside the site).
    """
    from journeymap.project import ConfigLookup, find_journeys

    out = Path(os.path.abspath(out_dir))
    if out.parent.is_dir():
        try:
            _clean_leftovers(out)  # first of all, put back a site a killed build took away
        except OSError as err:
            raise os_error(str(out_dir), err) from None
    _check_out_dir(out)
    cache_folder = Path(cache_dir) if cache_dir else cache_mod.default_cache_dir(out)
    if cache:
        from journeymap.outputs import check_cache_folder

        check_cache_folder(cache_folder, out)
    files = [str(f) for f in find_journeys(paths)]
    configs = ConfigLookup(config_file)
    total = len(files) + 1
    done = 0

    def tick(label: str) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total, label)

    store = cache_mod.Cache(cache_folder) if cache else None
    # Per journey: its index summary, and its page as a cached file or as text to write.
    summaries: list[JourneySummary | None] = [None] * len(files)
    pages: list[Path | str | None] = [None] * len(files)
    deps: list[Mapping[str, str]] = [{}] * len(files)  # organisation files used -> sha256
    keys: list[str] = []
    todo: list[_Job] = []
    settings: dict[str, tuple[str, ...]] = {}  # folder -> settings: one config lookup per folder
    collecting = gc.isenabled()
    gc.disable()  # unpickling many small objects: the collector would rescan them again and again
    try:
        for i, path in enumerate(files):
            folder = configs.folder_of(path)
            if folder not in settings:
                settings[folder] = _settings(theme, renderer, configs(path))
            data = Path(path).read_bytes()
            key = cache_mod.journey_key(path, data, settings[folder])
            keys.append(key)
            hit = store.get(key) if store is not None else None
            if hit is not None:
                summaries[i], pages[i], deps[i] = hit.summary, hit.page, hit.deps
                tick(path)
            else:
                todo.append(_Job(i, path, config_file, theme, renderer, timeout))
    finally:
        if collecting:
            gc.enable()

    problems: list[Problem] = []
    for result in _run(todo, jobs, tick):
        problems.extend(result.problems)
        if result.page is None:
            continue
        summaries[result.index] = result.summary
        pages[result.index] = result.page
        deps[result.index] = result.deps or {}
    if problems:
        raise InputError(problems)
    analyses = _unique(summaries)
    # Headline figures against the portfolio's median: known only now that every journey is in.
    median = medians(analyses)
    # Every page the cache holds was filled with the medians of the build that last used it, and
    # the cache notes those of its last complete build: while they hold, cached pages are true
    # as they are and need not even be read. The note goes before any page is re-filled and
    # comes back only once all are, so a build that dies in between leaves no note to trust.
    signature = repr((median.journeys, sorted(median.values.items())))
    note = store.directory / _MEDIANS if store is not None else None
    unchanged = note is not None and _read_note(note) == signature
    if note is not None and not unchanged:
        # an unusable cache folder: the page writes below say so, in one line
        with contextlib.suppress(OSError):
            note.unlink(missing_ok=True)
    for i, page in enumerate(pages):
        summary = summaries[i]
        if page is None or summary is None or (unchanged and isinstance(page, Path)):
            continue
        text = page.read_text(encoding="utf-8") if isinstance(page, Path) else page
        filled = fill(text, summary, median)
        if isinstance(page, Path) and filled == text:
            continue  # cached and still true: hard-linked as it is
        pages[i] = store.put(keys[i], deps[i], summary, filled.encode()).page if store else filled
    if note is not None and not unchanged:
        write_bytes_atomic(note, (signature + "\n").encode("utf-8"), durable=False)
    ids = [a.id for a in analyses]
    index_html = _render_index(analyses, theme, renderer, timeout, store)
    tick("index.html")

    names = [page_name(i) for i in ids]
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        _clean_leftovers(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-{os.getpid()}-", dir=out.parent))
    except OSError as err:
        raise os_error(str(out_dir), err) from None
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        for name, page in zip(names, (p for p in pages if p is not None), strict=True):
            if isinstance(page, Path):
                _place(page, tmp / name)
            else:
                _write(tmp / name, page)
        _write(tmp / "index.html", index_html)
        _write(
            tmp / SITE_MARKER,
            "This folder is a journeymap report site; `journeymap report` replaces it.\n",
        )
        _step("built")
        _swap(tmp, out)
    except OSError as err:
        shutil.rmtree(tmp, ignore_errors=True)
        raise os_error(str(out_dir), err) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if store is not None:
        store.prune()
    return SiteResult(
        out_dir=out,
        index=out / "index.html",
        pages=tuple(out / n for n in names),
        journeys=tuple(ids),
        rendered=len(todo),
        cached=len(files) - len(todo),
        cache_dir=store.directory if store is not None else None,
    )


def _run(todo: list[_Job], jobs: int | None, tick: Callable[[str], None]) -> list[_Done]:
    """Run the jobs, in worker processes when there are several; results in job order."""
    workers = min(jobs or os.cpu_count() or 1, len(todo))
    results: list[_Done] = []
    if workers <= 1:
        for job in todo:
            results.append(_render(job))
            tick(job.path)
        return results
    with concurrent.futures.ProcessPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(_render, job): job for job in todo}
        for future in concurrent.futures.as_completed(futures):
            results.append(future.result())
            tick(futures[future].path)
    return sorted(results, key=lambda r: r.index)


def _unique(summaries: list[JourneySummary | None]) -> list[JourneySummary]:
    """The journeys' summaries in file order; :class:`InputError` if two share an id."""
    analyses = [s for s in summaries if s is not None]
    seen: dict[str, JourneySummary] = {}
    problems = []
    for analysis in analyses:
        other = seen.setdefault(analysis.id, analysis)
        if other is not analysis:
            problems.append(
                Problem(
                    analysis.location,
                    f"journey id {analysis.id!r} is also used by {other.path}",
                    "give each journey its own id",
                )
            )
    if problems:
        raise InputError(problems)
    return analyses


def _render_index(
    analyses: list[JourneySummary],
    theme: str,
    renderer: str,
    timeout: float | None,
    store: cache_mod.Cache | None,
) -> str:
    from journeymap.analysis.portfolio import portfolio
    from journeymap.render import build_silo_dot, render_dot

    dot = build_silo_dot(analyses, theme)
    # The silo map is kept as the index inlines it (laying out and cleaning it up both cost).
    salt = f"{cache_mod.fingerprint()}\0{renderer}\0{dot}"
    key = "silo-" + hashlib.sha256(salt.encode("utf-8", "surrogatepass")).hexdigest()
    svg: Markup | None = None
    if store is not None:
        hit = store.get(key)
        try:
            svg = Markup(hit.page.read_text(encoding="utf-8")) if hit is not None else None
        except (OSError, UnicodeDecodeError):
            svg = None
    if svg is None:
        svg = silo_markup(render_dot(dot, "svg", renderer, timeout))
        if store is not None:
            store.put(key, {}, None, str(svg).encode("utf-8"))
    hrefs = {a.id: page_name(a.id) for a in analyses}
    return render_index(analyses, portfolio(analyses), svg, hrefs=hrefs, theme=theme)
