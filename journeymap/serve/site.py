"""The live site: journeys loaded, analysed and rendered into a private folder, kept current.

One :class:`LiveSite` owns a temporary folder holding exactly the files the server may serve:
``index.html``, one page per journey, and the live client under ``_live/``. When a file changes,
only the journeys that read it (the journey file itself, its ``uses:`` organisation file, the
``.journeymap.yaml`` beside it) are re-loaded, re-analysed and re-rendered; their page is
rewritten atomically and an event carrying the new page body (with its SVG) goes to every open
browser. A save that does not load keeps the last good page and sends the error lines instead.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.atomic import write_bytes_atomic
from journeymap.errors import InputError, JourneymapError
from journeymap.serve import page as live_page
from journeymap.serve.assets import LIVE_CSS, LIVE_JS
from journeymap.serve.events import Broadcaster, Event

if TYPE_CHECKING:
    from journeymap.analysis.portfolio import JourneySummary
    from journeymap.analysis.types import JourneyAnalysis

__all__ = ["JourneyState", "LiveSite", "INDEX", "SITE_PREFIX", "sweep_stale_sites"]

INDEX = "index.html"
SITE_PREFIX = "journeymap-serve-"  # then the server's pid, a dash and a random part
_SITE_NAME = re.compile(re.escape(SITE_PREFIX) + r"([0-9]+)-[A-Za-z0-9_]+\Z")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or a pid we cannot ask about): leave it
    return True


def sweep_stale_sites(folder: str | None = None) -> list[Path]:
    """Delete the site folders of earlier ``journeymap serve`` runs whose process is gone
    (killed with SIGKILL, or the machine lost power); return them.

    Only folders named ``journeymap-serve-<pid>-<random>`` in the temporary folder, owned by
    this user, not symbolic links, and whose pid is not running are touched.
    """
    removed: list[Path] = []
    getuid = getattr(os, "getuid", None)
    if os.name != "posix" or getuid is None:
        return removed  # no cheap, harmless "is this pid alive" (os.kill would end it)
    base = Path(folder or tempfile.gettempdir())
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        found = _SITE_NAME.match(entry.name)
        if found is None:
            continue
        try:
            st = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not entry.is_dir(follow_symlinks=False) or st.st_uid != getuid():
            continue
        pid = int(found.group(1))
        if pid == os.getpid() or _alive(pid):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(Path(entry.path))
    return sorted(removed)


_SLUG = re.compile(r"[^a-z0-9_-]+")


@dataclass
class JourneyState:
    """One journey file as the server knows it: its page, its last good build, its errors."""

    path: str  # as the user named it (relative paths stay relative, for error lines)
    page: str  # file name of its page in the site, fixed for the server's lifetime
    version: int = 0
    deps: frozenset[str] = frozenset()  # absolute paths whose change rebuilds this journey
    analysis: JourneyAnalysis | None = None  # last good
    summary: JourneySummary | None = None  # of the last good analysis: index, median context
    body: str | None = None  # last good page body (inner HTML of <body>)
    body_class: str = ""
    title: str = ""
    focus: dict[str, Any] | None = None
    errors: tuple[str, ...] = ()
    timings: dict[str, float] = field(default_factory=dict)


def _write(path: Path, text: str) -> None:
    """Atomic replace; no fsync for a throwaway preview folder (the server never serves the
    temporary dot-files)."""
    write_bytes_atomic(path, text.encode("utf-8"), durable=False)


def _focus(analysis: JourneyAnalysis) -> dict[str, Any]:
    """What the client's focus mode needs: stages, functions and who is where."""
    j = analysis.journey
    used_functions = {t.function for t in j.touchpoints.values()}
    return {
        "stages": [[s.id, s.name] for s in j.stages],
        "functions": [[f.id, f.name] for f in j.functions.values() if f.id in used_functions],
        "touchpoints": {t.id: [t.stage, t.function] for t in j.touchpoints.values()},
        "edges": [[t.source, t.target] for t in j.transitions()],
    }


class LiveSite:
    """Builds and rebuilds the preview site; thread-safe (one lock around every rebuild)."""

    def __init__(
        self,
        paths: Sequence[str],
        *,
        theme: str = "workshop",
        view: str = "journey",
        renderer: str = "auto",
        config_file: str | None = None,
        render_timeout: float = 60.0,
    ) -> None:
        self.paths = list(paths)
        self.theme = theme
        self.view = view
        self.renderer = renderer
        self.config_file = config_file
        self.render_timeout = render_timeout
        self.sid = secrets.token_hex(8)  # a new server run makes open pages reload
        sweep_stale_sites()
        self.root = Path(tempfile.mkdtemp(prefix=f"{SITE_PREFIX}{os.getpid()}-")).resolve()
        self.events = Broadcaster()
        self.journeys: dict[str, JourneyState] = {}  # by absolute path
        self.index_version = 0
        self.index_body = ""
        self.index_class = ""
        self._lock = threading.RLock()
        self._pages: set[str] = {INDEX}
        self._last_listing: tuple[str, ...] | None = None
        (self.root / "_live").mkdir()
        _write(self.root / "_live" / "live.js", LIVE_JS)
        _write(self.root / "_live" / "live.css", LIVE_CSS)

    # -- discovery ---------------------------------------------------------------------------

    def _discover(self) -> list[str]:
        from journeymap.project import find_journeys

        return [str(p) for p in find_journeys(self.paths, required=False)]

    def _page_for(self, path: str) -> str:
        stem = Path(path).name.split(".")[0].lower()
        base = _SLUG.sub("-", stem).strip("-") or "journey"
        if base == "index" or base.startswith("_"):
            base = f"j-{base.lstrip('_')}"
        name, n = f"{base}.html", 2
        while name in self._pages:
            name, n = f"{base}-{n}.html", n + 1
        self._pages.add(name)
        return name

    def build_all(self) -> None:
        """Discover every journey under the paths and build each one, then the index."""
        with self._lock:
            self._last_listing = self._listing()
            for path in self._discover():
                self._add(path)
            self.build_index()

    def _add(self, path: str) -> JourneyState:
        key = os.path.abspath(path)
        state = self.journeys.get(key)
        if state is None:
            state = JourneyState(path=path, page=self._page_for(path))
            self.journeys[key] = state
            self.rebuild(state)
        return state

    def _listing(self) -> tuple[str, ...]:
        """The YAML files in the served folders (a cheap walk: names only, nothing parsed)."""
        from journeymap.project import yaml_files_under

        return tuple(str(p) for p in yaml_files_under(self.paths))

    def rescan(self) -> None:
        """Pick up journey files created since the start (removed ones keep their last page).

        Only when the folder listing changed are the files parsed to tell journeys from
        organisation files, so an idle rescan costs a directory walk."""
        listing = self._listing()
        if listing == self._last_listing:
            return
        self._last_listing = listing
        try:
            found = self._discover()
        except JourneymapError:
            return
        with self._lock:
            fresh = [p for p in found if os.path.abspath(p) not in self.journeys]
            for path in fresh:
                self._add(path)
            if fresh:
                self.build_index()

    # -- watching ----------------------------------------------------------------------------

    def watched_files(self) -> list[str]:
        """Every file whose change matters: journeys and what they read."""
        with self._lock:
            files = set(self.journeys)
            for state in self.journeys.values():
                files |= state.deps
            return sorted(files)

    def on_change(self, changed: Iterable[str]) -> list[JourneyState]:
        """Rebuild the journeys that read any of ``changed``; return them."""
        changed_abs = {os.path.abspath(p) for p in changed}
        with self._lock:
            hit = [
                s for key, s in self.journeys.items() if key in changed_abs or s.deps & changed_abs
            ]
            for state in hit:
                self.rebuild(state)
            if hit:
                self.build_index()
            return hit

    # -- building ----------------------------------------------------------------------------

    def rebuild(self, state: JourneyState) -> JourneyState:
        """Load, analyse, render and write one journey's page; publish the result."""
        from journeymap.analysis.engine import analyze
        from journeymap.analysis.fixes import ranked_fixes
        from journeymap.project import load_file, predict_scenarios
        from journeymap.render import render_journey
        from journeymap.report.pages import render_journey_page
        from journeymap.report.scenarios import scenario_blocks
        from journeymap.report.site import FIXES_NEEDED
        from journeymap.report.summary import index_summary

        t0 = time.perf_counter()
        deps = {os.path.abspath(state.path)}
        with self._lock:
            try:
                # a fresh config lookup each time: an edited .journeymap.yaml counts at once
                item = load_file(state.path, self.config_file)
                deps |= set(item.files)
                scenarios = predict_scenarios(item)  # a scenario file beside it counts at once
                deps |= set(scenarios.files)
                t1 = time.perf_counter()
                analysis = analyze(item.journey, item.config)
                t2 = time.perf_counter()
                svg = render_journey(
                    analysis,
                    fmt="svg",
                    view=self.view,
                    theme=self.theme,
                    renderer=self.renderer,
                    timeout=self.render_timeout,
                )
                t3 = time.perf_counter()
                self._publish_picture(state, analysis, svg)

                def draw(after: JourneyAnalysis, lane_order: Sequence[str] | None) -> bytes:
                    return render_journey(
                        after,
                        fmt="svg",
                        view=self.view,
                        theme=self.theme,
                        renderer=self.renderer,
                        timeout=self.render_timeout,
                        lane_order=lane_order,
                    )

                # page and index
                fixes = ranked_fixes(item.journey, analysis, item.config, limit=FIXES_NEEDED)
                html = render_journey_page(
                    analysis,
                    svg,
                    theme=self.theme,
                    index_href=INDEX,
                    live=True,
                    config=item.config,
                    fixes=fixes,
                    scenarios=scenario_blocks(analysis, scenarios, svg, draw),
                )
                summary = index_summary(analysis, fixes)
                html = self._in_context(html, state, summary)
            except InputError as err:
                state.errors = tuple(str(p) for p in err.problems)
                deps |= {
                    os.path.abspath(p.location.path)
                    for p in err.problems
                    if p.location.line > 0 and os.path.isfile(p.location.path)
                }
                state.deps = frozenset(deps | state.deps)
                return self._publish(state)
            except JourneymapError as err:
                state.errors = (f"{state.path}: error: {err}",)
                state.deps = frozenset(deps | state.deps)
                return self._publish(state)
            except RecursionError:
                state.errors = (f"{state.path}: error: the file is nested too deeply to read",)
                return self._publish(state)
            except Exception as err:  # noqa: BLE001 - a bug must not stop the workshop
                state.errors = (
                    f"{state.path}: error: internal error ({type(err).__name__}: {err}); "
                    "please report it",
                )
                return self._publish(state)
            state.timings = {
                "load": t1 - t0,
                "analyse": t2 - t1,
                "render": t3 - t2,
                "page": time.perf_counter() - t3,
            }
            state.deps = frozenset(deps)
            state.analysis = analysis
            state.summary = summary
            state.errors = ()
            state.title = f"{analysis.journey.title} \u2014 journeymap"
            state.focus = _focus(analysis)
            state.body_class, state.body = live_page.body_of(html)
            return self._publish(state, html=html)

    def _in_context(self, html: str, state: JourneyState, own: JourneySummary) -> str:
        """The page with its headline figures set against the median of the journeys served
        (the others as last analysed; see journeymap.report.context)."""
        from journeymap.report.context import fill, medians

        others = [s.summary for s in self.journeys.values() if s is not state and s.summary]
        return fill(html, own, medians([*others, own]))

    def _publish_picture(self, state: JourneyState, analysis: JourneyAnalysis, svg: bytes) -> None:
        """Send the new diagram at once, before the page around it is rendered: the picture is
        what the room is looking at; figures and findings follow in the full page event."""
        from journeymap.report.svg import inline_svg

        markup = str(inline_svg(svg, f"Journey diagram of {analysis.journey.title}"))
        state.version += 1
        state.focus = _focus(analysis)
        data = self._state_for_client(state)
        data.update(body=None, svg=markup, title=state.title)
        data["errors"] = []
        self.events.publish(Event("page", data))

    def _state_for_client(self, state: JourneyState) -> dict[str, object]:
        return {
            "page": state.page,
            "version": state.version,
            "sid": self.sid,
            "errors": list(state.errors),
            "focus": state.focus,
        }

    def _publish(self, state: JourneyState, *, html: str | None = None) -> JourneyState:
        """Write the page (fresh, last good with new errors, or waiting) and tell browsers."""
        state.version += 1
        client = self._state_for_client(state)
        target = self.root / state.page
        if html is not None:
            text, _ = live_page.make_live(html, client)
        elif state.body is not None and target.exists():
            text = _restate(target.read_text(encoding="utf-8"), client)
        else:
            waiting = live_page.waiting_page(Path(state.path).name, state.path, state.errors, INDEX)
            text, _ = live_page.make_live(waiting, client)
        _write(target, text)
        self.events.publish(Event("page", self.payload(state, with_body=html is not None)))
        return state

    def payload(self, state: JourneyState, *, with_body: bool = True) -> dict[str, object]:
        """The event a browser showing ``state.page`` receives."""
        data = self._state_for_client(state)
        data["body"] = state.body if with_body else None
        data["body_class"] = state.body_class
        data["title"] = state.title
        return data

    def page_payload(self, page: str) -> dict[str, object] | None:
        """The current full event for ``page`` (sent when a browser connects)."""
        with self._lock:
            if page == INDEX:
                return self._index_payload()
            for state in self.journeys.values():
                if state.page == page:
                    return self.payload(state, with_body=state.body is not None)
        return None

    # -- the index ---------------------------------------------------------------------------

    def _index_payload(self) -> dict[str, object]:
        return {
            "page": INDEX,
            "version": self.index_version,
            "sid": self.sid,
            "errors": [e for s in self.journeys.values() for e in s.errors],
            "focus": None,
            "body": self.index_body,
            "body_class": self.index_class,
            "title": "Journey portfolio \u2014 journeymap",
        }

    def build_index(self) -> None:
        """Rewrite the portfolio index from every journey's last good analysis."""
        from journeymap.report.pages import render_index

        with self._lock:
            good = [s for s in self.journeys.values() if s.summary is not None]
            analyses = [s.summary for s in good if s.summary is not None]
            hrefs = {s.summary.id: s.page for s in good if s.summary is not None}
            self.index_version += 1
            try:
                portfolio = _portfolio(analyses)
                html = render_index(
                    analyses, portfolio, None, hrefs=hrefs, theme=self.theme, live=True
                )
            except Exception as err:  # noqa: BLE001 - the index must never stop the server
                html = live_page.waiting_page(
                    "Journey portfolio", ", ".join(self.paths), [f"index: {err}"], INDEX
                )
            state = self._index_payload()
            html, _ = live_page.make_live(html, {k: state[k] for k in _CLIENT_KEYS})
            self.index_class, self.index_body = live_page.body_of(html)
            _write(self.root / INDEX, html)
            self.events.publish(Event("page", self._index_payload()))

    def close(self) -> None:
        """Stop the event streams and delete the site folder."""
        self.events.close()
        shutil.rmtree(self.root, ignore_errors=True)


_CLIENT_KEYS = ("page", "version", "sid", "errors", "focus")


def _portfolio(analyses: Sequence[JourneySummary]) -> Any:
    from journeymap.analysis import portfolio

    return portfolio.portfolio(list(analyses))


def _restate(html: str, state: dict[str, object]) -> str:
    """Replace the embedded client state of a live page (after a failed save)."""
    start = html.find('<script type="application/json" id="jm-live-state">')
    if start < 0:
        return html
    end = html.find("</script>", start)
    head = '<script type="application/json" id="jm-live-state">'
    return html[:start] + head + live_page.state_json(state) + html[end:]
