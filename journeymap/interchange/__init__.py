"""Interchange formats: journeys out to the tools CX and process teams use, and back in.

:data:`FORMATS` is the one table of formats: its name, what it is, and the function that
exports a journey to it and/or imports it into journey YAML. ``journeymap export`` and
``journeymap import`` take their choices and help from it, and docs/cli.md follows. To add a
format, write its module and add one line.

- an exporter takes a :class:`~journeymap.model.Journey` and returns text or bytes;
- an importer takes the source's bytes, the source path (for messages), the title (None: the
  source's own or one made from the file name) and the ``uses`` organisation file (or None),
  and returns journey YAML text whose leading comments say what was guessed.
"""

from __future__ import annotations

import importlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.errors import InputError, Problem, UsageError
from journeymap.model import Journey, Location

if TYPE_CHECKING:
    from journeymap.interchange.bpmn import export_bpmn
    from journeymap.interchange.bpmn_import import import_bpmn
    from journeymap.interchange.csv_table import export_csv, import_csv
    from journeymap.interchange.graphml import export_graphml
    from journeymap.interchange.mermaid import export_mermaid, export_mermaid_flowchart
    from journeymap.interchange.mermaid_import import import_mermaid
    from journeymap.interchange.plain import export_json
    from journeymap.interchange.xlsx import export_xlsx, import_xlsx

Exporter = Callable[[Journey], "str | bytes"]
Importer = Callable[[bytes, str, "str | None", "str | None"], str]
#: An exporter that also says what it had to escape, change or leave out (notes for stderr).
NotedExporter = Callable[[Journey], "tuple[str, tuple[str, ...]]"]

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS",
    "IMPORT_FORMATS",
    "Format",
    "export",
    "export_bpmn",
    "export_csv",
    "export_file",
    "export_graphml",
    "export_json",
    "export_mermaid",
    "export_mermaid_flowchart",
    "export_noted",
    "export_xlsx",
    "import_bpmn",
    "import_csv",
    "import_file",
    "import_journey",
    "import_mermaid",
    "import_xlsx",
]


#: Where each format function lives. They are imported when first used, not with this package:
#: the CLI builds its help from :data:`FORMATS` and must start without every format's parser.
_HOMES = {
    "export_bpmn": "bpmn",
    "import_bpmn": "bpmn_import",
    "export_csv": "csv_table",
    "import_csv": "csv_table",
    "export_graphml": "graphml",
    "export_mermaid": "mermaid",
    "export_mermaid_flowchart": "mermaid",
    "mermaid_flowchart": "mermaid",
    "mermaid_journey": "mermaid",
    "import_mermaid": "mermaid_import",
    "export_json": "plain",
    "export_xlsx": "xlsx",
    "import_xlsx": "xlsx",
}


def _function(name: str) -> Any:
    """Format function ``name``, from its module (imported now if it was not yet)."""
    return getattr(importlib.import_module(f"journeymap.interchange.{_HOMES[name]}"), name)


def __getattr__(name: str) -> Any:
    """The format functions of ``__all__``, imported from their module on first use."""
    if name in _HOMES:
        return _function(name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))


class _Lazy:
    """Calls format function ``name``, importing its module on the first call; pickles, and
    shows the function's docstring, as the function would."""

    def __init__(self, name: str) -> None:
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return _function(self.__name__)(*args, **kwargs)

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (_Lazy, (self.__name__,))

    @property
    def __doc__(self) -> str | None:  # type: ignore[override]
        return str(_function(self.__name__).__doc__ or "") or None

    def __repr__(self) -> str:
        return f"<format function {self.__name__} (imported on first call)>"


def _text(data: bytes, path: str) -> str:
    """UTF-8 text of a source (a byte order mark allowed), or a one-line located error."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise InputError.at(
            Location(path, 1, 1), f"not UTF-8 text ({err.reason})", "save it as UTF-8 (CSV UTF-8)"
        ) from None


def _csv_in(data: bytes, path: str, title: str | None, uses: str | None) -> str:
    return _function("import_csv")(_text(data, path), path, title, uses)


def _mermaid_in(data: bytes, path: str, title: str | None, uses: str | None) -> str:
    return _function("import_mermaid")(_text(data, path), path, title)


def _bpmn_in(data: bytes, path: str, title: str | None, uses: str | None) -> str:
    return _function("import_bpmn")(_text(data, path), path, title)


@dataclass(frozen=True)
class Format:
    """One interchange format: name, help, suffix, and its exporter and/or importer.

    ``noted``: the exporter's form that also returns notes on what it changed (the CLI prints
    them on stderr); ``also``: more suffixes an import recognises the format by; ``uses``:
    whether an import may name an organisation file (spreadsheets: their rows name functions;
    Mermaid and BPMN bring their own)."""

    name: str
    help: str
    suffix: str
    exporter: Exporter | None = None
    importer: Importer | None = None
    noted: NotedExporter | None = None
    also: tuple[str, ...] = ()
    uses: bool = False  # its rows may name an organisation file's functions (--uses)


# One line per format: name, help, file suffix, exporter, importer.
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format("csv", "the spreadsheet layout as one CSV, a '# section' per table", ".csv", _Lazy("export_csv"), _csv_in, uses=True),
        Format("xlsx", "the spreadsheet layout as an Excel workbook, a sheet per table", ".xlsx", _Lazy("export_xlsx"), _Lazy("import_xlsx"), uses=True),
        Format("mermaid", "a Mermaid journey diagram (tasks, scores, actors)", ".mmd", _Lazy("export_mermaid"), _mermaid_in, _Lazy("mermaid_journey"), (".mermaid",)),
        Format("mermaid-flowchart", "a Mermaid flowchart: a subgraph per function, handoffs numbered by risk", ".mmd", _Lazy("export_mermaid_flowchart"), None, _Lazy("mermaid_flowchart")),
        Format("bpmn", "BPMN 2.0 XML: a lane per function, a task per touchpoint, laid out", ".bpmn", _Lazy("export_bpmn"), _bpmn_in, None, (".xml",)),
        Format("json", "the journey model as data", ".json", _Lazy("export_json")),
        Format("graphml", "GraphML for network tools: touchpoints, transitions, flows, handoffs", ".graphml", _Lazy("export_graphml")),
    )
}  # fmt: skip

EXPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.exporter is not None)
IMPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.importer is not None)


def _format(name: str, kind: str, names: tuple[str, ...]) -> Format:
    if name not in names:
        raise UsageError(f"cannot {kind} {name!r}; formats: {', '.join(names)}")
    return FORMATS[name]


def export(journey: Journey, fmt: str) -> str | bytes:
    """The journey in format ``fmt`` (one of :data:`EXPORT_FORMATS`): text, or bytes (xlsx)."""
    exporter = _format(fmt, "export to", EXPORT_FORMATS).exporter
    assert exporter is not None
    return exporter(journey)


def export_noted(journey: Journey, fmt: str) -> tuple[str | bytes, tuple[str, ...]]:
    """The journey in format ``fmt`` and the exporter's notes on what it changed (none for a
    format that changes nothing)."""
    format_ = _format(fmt, "export to", EXPORT_FORMATS)
    if format_.noted is not None:
        return format_.noted(journey)
    return export(journey, fmt), ()


def export_file(
    fmt: str,
    journey_path: str | os.PathLike[str],
    output: str | os.PathLike[str] | None = None,
    on_note: Callable[[str], None] | None = None,
) -> str | bytes:
    """Read the journey file, export it to ``fmt`` and, with ``output``, write it there
    atomically; returns what was exported. ``on_note`` hears each note of the exporter on
    what it had to escape, change or leave out."""
    from journeymap.atomic import write_bytes_atomic
    from journeymap.load import load_journey_with_files

    journey, files = load_journey_with_files(journey_path)
    if output is not None:  # not over the journey nor any file it uses (checked once read)
        from journeymap.outputs import check_output

        check_output(output, (journey_path, *files))
    data, notes = export_noted(journey, fmt)
    if output is not None:
        write_bytes_atomic(output, data.encode("utf-8") if isinstance(data, str) else data)
    if on_note is not None:  # once the output is safe: a failed write says only that
        for note in notes:
            on_note(note)
    return data


def import_journey(
    fmt: str,
    data: bytes,
    source: str,
    output: str | os.PathLike[str],
    title: str | None = None,
    uses: str | None = None,
) -> str:
    """Journey YAML from ``data`` (read from ``source``) in format ``fmt``, validated as the
    journey file ``output`` would be (so ``uses`` is found relative to it)."""
    from journeymap.interchange.sheets import SHARED_NAMES
    from journeymap.load import load_journey_with_files

    format_ = _format(fmt, "import", IMPORT_FORMATS)
    importer = format_.importer
    assert importer is not None
    if uses and not format_.uses:
        takes = ", ".join(n for n, f in FORMATS.items() if f.uses)
        raise UsageError(
            f"--uses applies to spreadsheets ({takes}); a {fmt} file brings its own functions"
        )
    token = SHARED_NAMES.set(_shared_names(output, uses) if uses else None)
    try:
        text = importer(data, source, title, uses)
    finally:
        SHARED_NAMES.reset(token)
    try:
        load_journey_with_files(output, text)
    except InputError as err:  # what the importer could not see row by row
        raise InputError(
            Problem(
                _in_source(p.location.line, text, data, source),
                p.message,
                _unwritten(p.hint, p.location.line, output),
            )
            for p in err.problems
        ) from None
    return text


_TOUCHPOINT_KEY = re.compile(r"^  ([^\s#:][^:]*):")
_NAME_LINE = re.compile(r"^    name: (.+)$")


def _in_source(line: int, text: str, data: bytes, source: str) -> Location:
    """Where in ``source`` to look for a problem found at ``line`` of the journey an import
    would write: the first place the touchpoint's name appears there, else the file's start.
    Errors must cite a file that exists, and the journey was never written."""
    lines = text.splitlines()
    start = next((n for n, t in enumerate(lines) if t == "touchpoints:"), len(lines))
    name = None
    for n in range(min(line, len(lines)) - 1, start, -1):
        if _TOUCHPOINT_KEY.match(lines[n]):
            block = lines[n + 1 : n + 12]
            found = next((m for b in block if (m := _NAME_LINE.match(b))), None)
            if found:
                name = found.group(1).strip().strip("'\"")
            break
    if name:
        source_text = data.decode("utf-8", errors="replace")
        for row, content in enumerate(source_text.splitlines(), start=1):
            col = content.find(name)
            if col >= 0:
                return Location(source, row, col + 1)
    return Location(source, 1, 1)


def _unwritten(hint: str | None, line: int, output: str | os.PathLike[str]) -> str:
    said = f"{hint}; " if hint else ""
    return f"{said}found in the journey the import would write to {output} (line {line}; nothing written)"


def _shared_names(output: str | os.PathLike[str], uses: str) -> dict[str, dict[str, str]]:
    """The functions and systems of the organisation file ``uses`` (relative to ``output``),
    id -> name, read as the imported journey will read them (its problems reported so)."""
    from journeymap.load import load_journey_with_files

    shared = Path(output).parent / uses
    if not shared.is_file():
        raise UsageError(f"--uses {uses}: no such file beside {output} (looked for {shared})")
    probe = (
        f"journeymap: 1\nuses: {json.dumps(uses)}\nstages: [s]\n"
        "functions: {probe-function: {}}\n"
        "touchpoints: {t: {stage: s, function: probe-function}}\n"
    )
    journey = load_journey_with_files(output, probe)[0]
    return {
        "function": {i: f.name for i, f in journey.functions.items() if i != "probe-function"},
        "system": {i: s.name for i, s in journey.systems.items()},
    }


def import_file(
    fmt: str | None,
    source: str | os.PathLike[str],
    output: str | os.PathLike[str],
    title: str | None = None,
    uses: str | None = None,
) -> str:
    """Import the file ``source`` (format ``fmt``, or guessed from its suffix) into a new
    journey file ``output``, validated first and never overwriting one; returns its text."""
    from journeymap.atomic import write_text_atomic

    path = Path(source)
    if fmt is None:
        by_suffix = {
            suffix: name
            for name, f in FORMATS.items()
            if f.importer is not None
            for suffix in (f.suffix, *f.also)
        }
        fmt = by_suffix.get(path.suffix.lower())
        if fmt is None:
            raise UsageError(
                f"cannot tell the format of {path}; name it: journeymap import FORMAT {path} "
                f"(formats: {', '.join(IMPORT_FORMATS)})"
            )
    if Path(output).exists():
        raise UsageError(f"{output} exists; choose another --output or remove it first")
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UsageError(f"cannot read {path}: {err.strerror or type(err).__name__}") from None
    text = import_journey(fmt, data, os.fspath(source), output, title, uses)
    write_text_atomic(output, text, overwrite=False)
    return text
