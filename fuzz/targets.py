"""The fuzz targets: each takes raw bytes and feeds them to one of journeymap's input readers.

A target's contract (docs/fuzzing.md): the only exceptions allowed out of journeymap are its
user-error types, :class:`~journeymap.errors.InputError` (problems located in the input) and
:class:`~journeymap.errors.UsageError`; any other exception, a hang (more than
:data:`TIMEOUT_SECONDS` on one input) or a non-finite figure in an analysis or mined log is a
crash. :func:`check` runs one input and raises :class:`Crash` (or lets the unexpected exception
out) when the contract is broken.

Every journeymap module a target reaches is imported here at the top, so that a worker that
imports this module under ``atheris.instrument_imports`` gets all of them instrumented.
"""

from __future__ import annotations

import dataclasses
import io
import math
import os
import re
import shutil
import signal
import tempfile
import threading
import types
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import journeymap
import journeymap.analysis.engine
import journeymap.interchange.bpmn_import
import journeymap.interchange.csv_table
import journeymap.interchange.mermaid_import
import journeymap.interchange.sheets
import journeymap.interchange.xlsx
import journeymap.mining.duckdb_engine
import journeymap.mining.engine
import journeymap.mining.log
import journeymap.project
import journeymap.serve.http
from journeymap.config import read_config
from journeymap.errors import InputError, UsageError
from journeymap.interchange import (
    export_bpmn,
    export_csv,
    export_mermaid,
    export_xlsx,
    import_journey,
)
from journeymap.load import load_journey, load_journey_text
from journeymap.mining import LogColumns, mine
from journeymap.serve.events import Broadcaster
from journeymap.yamlnodes import decode

__all__ = ["ALLOWED", "TARGETS", "TIMEOUT_SECONDS", "Crash", "Hang", "Target", "check"]

REPO = Path(__file__).resolve().parent.parent
#: The user-error types a target may raise: anything else is a crash.
ALLOWED: tuple[type[BaseException], ...] = (InputError, UsageError)
#: Seconds one input may take before it counts as a hang.
TIMEOUT_SECONDS = 10.0


class Crash(AssertionError):
    """A broken contract that is not an exception of journeymap's own (a non-finite figure, a
    served file from outside the site)."""


class Hang(Crash):
    """One input ran longer than :data:`TIMEOUT_SECONDS`."""


@dataclass(frozen=True)
class Target:
    name: str
    help: str
    run: Callable[[bytes], None]
    seeds: Callable[[], list[bytes]]


# -- shared scratch --------------------------------------------------------------------------

_WORK: Path | None = None


def workdir() -> Path:
    """A scratch folder for this process (removed at exit), with the organisation file the
    example journeys name in ``uses:`` beside where fuzzed journeys "live"."""
    global _WORK
    if _WORK is None:
        import atexit

        _WORK = Path(tempfile.mkdtemp(prefix="journeymap-fuzz-"))
        atexit.register(shutil.rmtree, _WORK, True)
        shutil.copy(REPO / "journeys" / "organisation.yaml", _WORK / "organisation.yaml")
    return _WORK


def _journey_files() -> list[Path]:
    found = sorted((REPO / "journeys").glob("*.yaml"))
    found += sorted((REPO / "tests" / "data").rglob("*.yaml"))
    return [p for p in found if not p.name.endswith(".scenarios.yaml")]


def _examples() -> Iterator[Any]:
    """The journeys of the repository that load, for seeds made by exporting them."""
    for path in sorted((REPO / "journeys").glob("*.yaml")) + sorted(
        (REPO / "tests" / "data").glob("*/*.yaml")
    ):
        try:
            yield load_journey(path)
        except (InputError, UsageError):
            continue


# -- the contract ----------------------------------------------------------------------------


def non_finite(value: Any, where: str = "result") -> str | None:
    """Where in ``value`` (dataclasses, mappings, sequences, walked) a float is inf or NaN."""
    seen: set[int] = set()
    stack: list[tuple[Any, str]] = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, float):
            if not math.isfinite(item):
                return f"{at} = {item!r}"
            continue
        if isinstance(item, (str, bytes, int, bool, type(None))):
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            for f in dataclasses.fields(item):
                stack.append((getattr(item, f.name), f"{at}.{f.name}"))
        elif isinstance(item, Mapping):
            for k, v in item.items():
                stack.append((k, f"{at}[key {k!r}]"))
                stack.append((v, f"{at}[{k!r}]"))
        elif isinstance(item, (list, tuple, set, frozenset)):
            for i, v in enumerate(item):
                stack.append((v, f"{at}[{i}]"))
    return None


def _finite(value: Any, where: str) -> None:
    found = non_finite(value, where)
    if found is not None:
        raise Crash(f"non-finite figure: {found}")


def check(target: Target, data: bytes, timeout: float | None = TIMEOUT_SECONDS) -> None:
    """Run ``data`` through ``target``: return when the contract holds (the result was fine or
    one of :data:`ALLOWED` was raised); raise otherwise. The timeout needs the main thread."""

    def alarm(signum: int, frame: types.FrameType | None) -> None:
        raise Hang(f"one input took more than {timeout:g} s")

    timed = timeout is not None and threading.current_thread() is threading.main_thread()
    if timeout is not None and timed:
        previous = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        target.run(data)
    except ALLOWED:
        pass
    finally:
        if timed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


# -- journeys --------------------------------------------------------------------------------


def _analysed(text: str, path: Path) -> None:
    journey = load_journey_text(text, str(path))
    _finite(journeymap.analyze(journey), "analysis")


def run_journey(data: bytes) -> None:
    path = workdir() / "fuzzed.yaml"
    text, problems = decode(data, str(path))
    if text is None:
        raise InputError(problems)
    _analysed(text, path)


def seeds_journey() -> list[bytes]:
    return [p.read_bytes() for p in _journey_files()]


# -- config ----------------------------------------------------------------------------------

_CONFIG_JOURNEY: list[Any] = []


def run_config(data: bytes) -> None:
    if not _CONFIG_JOURNEY:
        _CONFIG_JOURNEY.append(load_journey(REPO / "journeys" / "claims-before.yaml"))
    path = workdir() / ".journeymap.yaml"
    path.write_bytes(data)
    config = read_config(path)
    _finite(journeymap.analyze(_CONFIG_JOURNEY[0], config), "analysis")


def seeds_config() -> list[bytes]:
    import journeymap.config as config_module

    doc = config_module.__doc__ or ""
    example = doc.split(".. code-block:: yaml", 1)[1]
    lines = [line[4:] for line in example.splitlines() if line.startswith("    ")]
    # the docstring's example, with a scenario file that exists beside the fuzzed config
    shutil.copy(
        REPO / "journeys" / "claims-before.scenarios.yaml", workdir() / "claims.scenarios.yaml"
    )
    full = "\n".join(lines).replace("scenarios/claims-office.yaml", "claims.scenarios.yaml")
    return [
        full.encode(),
        b"thresholds:\n  wait_hours: 1d\n  stage_functions: 2\n",
        b"risk:\n  weights: {JM100: 0, JM102: 1e6}\n",
        b"search:\n  path_budget: 10\n  state_budget: 10\n",
        b"check:\n  max_expected_handoffs: 0\n  min_conformance: 1\n",
    ]


# -- interchange -----------------------------------------------------------------------------


def _importer(fmt: str, suffix: str) -> Callable[[bytes], None]:
    def run(data: bytes) -> None:
        output = workdir() / "imported.yaml"
        text = import_journey(fmt, data, f"fuzzed{suffix}", output)
        _analysed(text, output)

    run.__name__ = f"run_{fmt}"
    return run


def _exported(export: Callable[[Any], str | bytes]) -> Callable[[], list[bytes]]:
    def seeds() -> list[bytes]:
        out = []
        for journey in _examples():
            data = export(journey)
            out.append(data.encode() if isinstance(data, str) else data)
        return out

    return seeds


def seeds_csv() -> list[bytes]:
    extra = [
        p.read_bytes() for p in sorted((REPO / "tests" / "data" / "interchange").glob("*.csv"))
    ]
    return _exported(export_csv)() + extra


# -- event logs ------------------------------------------------------------------------------


def _mine(data: bytes, suffix: str) -> None:
    path = workdir() / f"log{suffix}"
    path.write_bytes(data)
    _finite(mine(str(path), LogColumns(), threads=1, memory_limit="512MB"), "mined")


def run_log_csv(data: bytes) -> None:
    _mine(data, ".csv")


def run_log_xes(data: bytes) -> None:
    _mine(data, ".xes")


def _logs() -> list[Path]:
    return sorted((REPO / "tests" / "data" / "conform").glob("*.csv"))


def seeds_log_csv() -> list[bytes]:
    return [p.read_bytes() for p in _logs()]


def seeds_log_xes() -> list[bytes]:
    import csv
    from xml.sax.saxutils import quoteattr

    out = []
    for path in _logs():
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<log xes.version="1.0">']
        for case in dict.fromkeys(r["case:concept:name"] for r in rows):
            lines.append(f'<trace><string key="concept:name" value={quoteattr(case)}/>')
            for r in (r for r in rows if r["case:concept:name"] == case):
                lines.append("<event>")
                for key, value in r.items():
                    if key == "case:concept:name":
                        continue
                    tag = "date" if key == "time:timestamp" else "string"
                    lines.append(f"<{tag} key={quoteattr(key)} value={quoteattr(value)}/>")
                lines.append("</event>")
            lines.append("</trace>")
        lines.append("</log>")
        out.append("\n".join(lines).encode())
    return out


# -- the live server's request handling ------------------------------------------------------

_SECRET = b"FUZZ-SECRET-OUTSIDE-THE-SITE"
_SITE: list[Any] = []


def _site() -> Any:
    """A served folder with pages, a dot-file and a symlink out of it, and a secret beside it:
    no response may ever carry the secret."""
    if not _SITE:
        base = workdir() / "serve"
        root = base / "site"
        (root / "sub").mkdir(parents=True)
        (root / "index.html").write_text(
            '<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;">'
            "<p>index</p>"
        )
        (root / "sub" / "page.html").write_text("<p>page</p>")
        (root / "app.js").write_text("console.log(1)")
        (root / ".hidden").write_bytes(_SECRET)
        (base / "secret.txt").write_bytes(_SECRET)
        os.symlink(base / "secret.txt", root / "link.txt")
        _SITE.append(
            types.SimpleNamespace(
                root=root, events=Broadcaster(), page_payload=lambda page: {"page": page}
            )
        )
    return _SITE[0]


class _Server:
    """What the request handler reads from its server: the site, the port and bound host, and
    the stop flag (set, so that an event stream ends after its first event)."""

    def __init__(self) -> None:
        self.site = _site()
        self.port = 8765
        self.bound_host = "127.0.0.1"
        self.stopping = threading.Event()
        self.stopping.set()


def _served(path: Any) -> None:
    if path is not None and _SECRET in Path(path).read_bytes():
        raise Crash(f"a request resolves to a file outside the site (or a dot-file): {path}")


def _serve_parsed(http: Any, data: bytes) -> None:
    """The server's own request parser (``parse_head``, where it has one) on the request head,
    then the Host check and the path resolution on what it parsed."""
    head = re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0]
    refused = getattr(http, "RequestError", None)
    try:
        request = http.parse_head(head)
    except Exception as err:
        if refused is not None and isinstance(err, refused):
            return
        raise
    server = _Server()
    get = getattr(request, "get", None)
    http.host_allowed(get("host") if get else None, server.port, server.bound_host)
    target = getattr(request, "target", None) or getattr(request, "path", "")
    _served(http.resolve_site_path(server.site.root, target))


def _serve_handler(http: Any, data: bytes) -> None:
    """The raw bytes as one connection's requests to the stdlib-based ``Handler`` (its
    ``handle_one_request`` parses, our guards answer)."""
    handler_class = http.Handler
    handler = handler_class.__new__(handler_class)
    handler.rfile = io.BytesIO(data)
    handler.wfile = io.BytesIO()
    handler.server = _Server()
    handler.client_address = ("127.0.0.1", 40000)
    handler.request = None
    handler.close_connection = True
    handler.handle()
    if _SECRET in handler.wfile.getvalue():
        raise Crash("a response carries a file from outside the site (or a dot-file)")


class _Hub:
    """Event streams are not opened here: every one is refused as busy."""

    def reserve(self) -> bool:
        return False

    def release(self) -> None:
        pass


def _serve_answered(http: Any, data: bytes) -> bool:
    """The request head through the server's whole answer (``LiveHTTPServer._answer``, where
    the server has one), on a server object that has no socket; False when that is not
    possible (no such method, or it needs something this stand-in lacks)."""
    server_class = getattr(http, "LiveHTTPServer", None)
    if server_class is None or not hasattr(server_class, "_answer"):
        return False
    stand_in = _Server()
    server = server_class.__new__(server_class)
    for name, value in vars(stand_in).items():
        if name != "port":
            setattr(server, name, value)
    server.server_address = ("127.0.0.1", stand_in.port)
    server.hub = _Hub()
    server.refused_busy = 0
    head = re.split(rb"\r?\n\r?\n", data, maxsplit=1)[0]
    try:
        answer = server._answer(head)
    except AttributeError as err:
        if getattr(err, "obj", None) is server:
            return False
        raise
    if _SECRET in bytes(answer[0]):
        raise Crash("a response carries a file from outside the site (or a dot-file)")
    return True


def run_serve(data: bytes) -> None:
    """Raw bytes as requests to the live server, kept working with either of its designs:
    through its own request parser (``parse_head``) and answer when it has them, else through
    its stdlib-based ``Handler``."""
    http = journeymap.serve.http
    if hasattr(http, "parse_head"):
        if not _serve_answered(http, data):
            _serve_parsed(http, data)
    else:
        _serve_handler(http, data)


def seeds_serve() -> list[bytes]:
    host = b"Host: localhost:8765\r\n"
    return [
        b"GET / HTTP/1.1\r\n" + host + b"\r\n",
        b"HEAD /sub/page.html HTTP/1.1\r\n" + host + b"Connection: keep-alive\r\n\r\n"
        b"GET /app.js?x=1 HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /../secret.txt HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /%2e%2e/secret.txt HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /link.txt HTTP/1.1\r\n" + host + b"\r\n",
        b"GET /.hidden HTTP/1.0\r\n" + host + b"\r\n",
        b"GET //evil.com/ HTTP/1.1\r\nHost: [::1]:8765\r\n\r\n",
        b"GET /_live/events?page=index HTTP/1.1\r\n" + host + b"\r\n",
        b"POST / HTTP/1.1\r\n" + host + b"Content-Length: 3\r\n\r\nabc",
        b"GET / HTTP/1.1\r\nHost: evil.example:8765\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        b"GET /sub/ HTTP/1.1\r\n" + host + b"Expect: 100-continue\r\n\r\n",
    ]


# -- the table -------------------------------------------------------------------------------

TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("journey", "journey YAML: load, analyse", run_journey, seeds_journey),
        Target("config", ".journeymap.yaml: read, analyse a journey with it", run_config, seeds_config),
        Target("csv", "CSV import (the spreadsheet layout), then analyse", _importer("csv", ".csv"), seeds_csv),
        Target("xlsx", "XLSX import, then analyse", _importer("xlsx", ".xlsx"), _exported(export_xlsx)),
        Target("mermaid", "Mermaid journey import, then analyse", _importer("mermaid", ".mmd"), _exported(export_mermaid)),
        Target("bpmn", "BPMN 2.0 XML import, then analyse", _importer("bpmn", ".bpmn"), _exported(export_bpmn)),
        Target("log-csv", "event log CSV, mined on DuckDB", run_log_csv, seeds_log_csv),
        Target("log-xes", "event log XES, mined on DuckDB", run_log_xes, seeds_log_xes),
        Target("serve", "raw HTTP requests to the live server's handler", run_serve, seeds_serve),
    )
}  # fmt: skip
