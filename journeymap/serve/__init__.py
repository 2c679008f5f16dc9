"""``journeymap serve``: a live preview for workshops.

A :class:`LiveServer` builds the report pages of some journeys into a private folder, serves
that folder on 127.0.0.1 (our own small HTTP/1.1 server, standard library only, with bounded
threads and connections: journeymap.serve.http), watches the journey files by polling, and
pushes every re-rendered page to open browsers over server-sent events. See docs/workshop.md.
"""

from __future__ import annotations

import contextlib
import errno
import signal
import threading
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Any

from journeymap.errors import UsageError
from journeymap.serve.http import LiveHTTPServer
from journeymap.serve.site import INDEX, JourneyState, LiveSite
from journeymap.serve.watch import Watcher

__all__ = ["LiveServer", "LiveSite", "JourneyState", "serve", "INDEX"]


class LiveServer:
    """The site, its HTTP server and its watcher, started and stopped together."""

    def __init__(
        self,
        paths: Sequence[str],
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        theme: str = "workshop",
        view: str = "journey",
        renderer: str = "auto",
        config_file: str | None = None,
        interval: float = 0.05,
    ) -> None:
        self.host, self.port = host, port
        self.site = LiveSite(
            paths, theme=theme, view=view, renderer=renderer, config_file=config_file
        )
        self.interval = interval
        self.httpd: LiveHTTPServer | None = None
        self.watcher: Watcher | None = None

    @property
    def url(self) -> str:
        """The address of the portfolio page."""
        host = self.host if self.host not in ("0.0.0.0", "::", "") else "127.0.0.1"
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.port}/"

    def start(self) -> str:
        """Build every page, bind, start serving and watching; return the URL."""
        if self.site.renderer in ("auto", "embedded"):
            from journeymap.render.graphviz import warm_up

            warm_up()  # the layout worker starts while the journeys load
        self.site.build_all()
        try:
            self.httpd = LiveHTTPServer(self.site, self.host, self.port)
        except OSError as err:
            self.site.close()
            if err.errno == errno.EADDRINUSE:
                raise UsageError(
                    f"port {self.port} on {self.host} is in use; choose another with --port "
                    "(--port 0 picks a free one)"
                ) from None
            raise UsageError(f"cannot listen on {self.host}:{self.port}: {err.strerror}") from None
        self.port = self.httpd.port
        self.httpd.start()
        self.watcher = Watcher(
            self.site.watched_files,
            self.site.on_change,
            interval=self.interval,
            rescan=self.site.rescan,
            rescan_every=max(1, round(0.7 / self.interval)),  # new files: within ~0.7 s
        )
        self.watcher.start()
        return self.url

    def stop(self) -> None:
        """Stop watching, end the event streams, stop serving, delete the site folder."""
        if self.watcher is not None:
            self.watcher.stop()
        if self.httpd is not None:
            self.httpd.stopping.set()
            self.site.events.close()
            self.httpd.shutdown()
            self.httpd.server_close()
        self.site.close()

    def __enter__(self) -> LiveServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    paths: Sequence[str],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    theme: str = "workshop",
    view: str = "journey",
    open_browser: bool = True,
    config_file: str | None = None,
    echo: Callable[[str], None] = print,
    stop: threading.Event | None = None,
) -> None:
    """Serve until interrupted (Ctrl+C, SIGTERM, SIGHUP) or ``stop`` is set.

    Each of those signals stops the server the same way: the event streams end, the connections
    close and the site folder is deleted; the function returns normally (exit status 0).
    """
    stop = stop or threading.Event()
    previous = _on_signals(stop)
    server: LiveServer | None = None
    try:
        server = LiveServer(
            paths, host=host, port=port, theme=theme, view=view, config_file=config_file
        )
        url = server.start()
    except BaseException:
        _restore(previous)
        if server is not None:
            server.site.close()
        raise
    try:
        count = len(server.site.journeys)
        echo(f"journeymap serve: {count} journey{'s' if count != 1 else ''} at {url}")
        for state in server.site.journeys.values():
            for line in state.errors:
                echo(line)
        echo("Press Ctrl+C to stop. Saving a journey file updates the open pages.")
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        try:
            server.stop()
        finally:
            _restore(previous)


_STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


def _on_signals(stop: threading.Event) -> dict[int, Any]:
    """Make SIGINT, SIGTERM and SIGHUP set ``stop`` (main thread only); return the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous: dict[int, Any] = {}
    for sig in _STOP_SIGNALS:
        try:
            previous[sig] = signal.signal(sig, lambda _sig, _frame: stop.set())
        except (OSError, ValueError):
            continue
    return previous


def _restore(previous: dict[int, Any]) -> None:
    for sig, handler in previous.items():
        with contextlib.suppress(OSError, ValueError, TypeError):
            signal.signal(sig, handler)
