"""The one pipeline every command and the library share: find journeys, load each with its
configuration and organisation files, analyse.

``validate``, ``analyze``, ``check``, ``render``, ``report``, ``serve``, ``diff`` and ``export``
all come through here; no other module walks folders, reads a config file or calls the loader
for a command. The steps:

1. **find**: the journey files under the given paths (:func:`find_journeys`; folders are walked
   recursively, organisation files recognised and set aside);
2. **load**: each journey with the ``.journeymap.yaml`` found from its folder upwards, or with
   the one config file given for all (:class:`ConfigLookup`), its ``uses:`` organisation files,
   and the list of files it depends on (for caches and the live preview);
3. **analyse**: :func:`journeymap.analyze` with that config.

Errors over all files are raised together as one :class:`~journeymap.errors.InputError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from journeymap.config import Config, find_config, load_config, read_config
from journeymap.errors import InputError, Problem, UsageError
from journeymap.load import (
    SCENARIO_SUFFIXES,
    find_files,
    load_journey,
    load_journey_with_files,
    load_journeys_with_files,
    load_organisation,
    yaml_files,
)
from journeymap.model import Journey, Location

if TYPE_CHECKING:
    from journeymap.analysis.types import Finding, JourneyAnalysis
    from journeymap.analysis.whatif import Prediction
    from journeymap.gate import FailOn, GateResult
    from journeymap.mining.conform import Conformance
    from journeymap.scenario import Scenario

__all__ = [
    "Analysed",
    "ConfigLookup",
    "Loaded",
    "SCENARIO_SUFFIXES",
    "Scenarios",
    "analyse",
    "analyse_pair",
    "analyse_file",
    "analyse_source",
    "check",
    "conform_log",
    "find_journeys",
    "read_journey",
    "predict_scenarios",
    "render_path",
    "scenario_files",
    "yaml_files_under",
    "load",
    "load_file",
    "load_source",
    "validate",
]


@dataclass(frozen=True)
class Loaded:
    """A journey loaded with its configuration.

    ``files`` are the absolute paths whose change changes the result: the journey file, the
    organisation files it uses and the config file it is analysed with.
    """

    journey: Journey
    config: Config
    files: tuple[str, ...]


@dataclass(frozen=True)
class Analysed:
    """A loaded journey and its analysis."""

    journey: Journey
    config: Config
    files: tuple[str, ...]
    analysis: JourneyAnalysis


class ConfigLookup:
    """The config of each journey: ``config_file`` for all, else the ``.journeymap.yaml`` found
    from the journey's folder upwards (read once per folder)."""

    def __init__(self, config_file: str | os.PathLike[str] | None = None) -> None:
        self.config_file = os.fspath(config_file) if config_file is not None else None
        self._fixed: Config | None = None
        self._by_folder: dict[str, tuple[Config, str | None]] = {}

    def folder_of(self, journey_path: str | os.PathLike[str]) -> str:
        """The key configs are cached by: the config file given, or the journey's real folder."""
        if self.config_file is not None:
            return self.config_file
        return os.path.dirname(os.path.realpath(journey_path))

    def lookup(self, journey_path: str | os.PathLike[str]) -> tuple[Config, str | None]:
        """The config for the journey at ``journey_path`` and the file it came from (or None)."""
        if self.config_file is not None:
            if self._fixed is None:
                self._fixed = read_config(self.config_file)
            return self._fixed, os.path.abspath(self.config_file)
        folder = self.folder_of(journey_path)
        cached = self._by_folder.get(folder)
        if cached is None:
            found = find_config(folder)
            config = load_config(found) if found is not None else Config.default()
            cached = self._by_folder[folder] = (config, str(found) if found else None)
        return cached

    def __call__(self, journey_path: str | os.PathLike[str]) -> Config:
        return self.lookup(journey_path)[0]


@dataclass(frozen=True)
class Scenarios:
    """The scenarios shown with one journey, each predicted.

    ``results`` pairs each scenario (in file order, files in :func:`scenario_files` order) with
    its prediction; ``sources`` names the file of each. ``files`` are the absolute paths whose
    change changes them: the scenario files read, and the places a scenario file beside the
    journey would be (present or not: creating one counts too).
    """

    results: tuple[tuple[Scenario, Prediction], ...]
    sources: tuple[str, ...]
    files: tuple[str, ...]


def _beside(journey_path: str | os.PathLike[str]) -> tuple[str, ...]:
    """Where scenario files for the journey at ``journey_path`` may sit beside it."""
    folder, name = os.path.split(os.fspath(journey_path))
    stem, ext = os.path.splitext(name)
    stem = stem if ext in (".yaml", ".yml") else name
    return tuple(os.path.join(folder, stem + suffix) for suffix in SCENARIO_SUFFIXES)


def scenario_files(journey: Journey, config: Config) -> tuple[str, ...]:
    """The scenario files of ``journey``: the one beside its file (``<stem>.scenarios.yaml``),
    then those its config names for its id (``report.scenarios``), each once (absolute)."""
    found = [p for p in _beside(journey.path) if os.path.isfile(p)]
    found += config.scenarios.get(journey.id, ())
    unique: dict[str, str] = {}
    for path in found:
        unique.setdefault(os.path.realpath(path), path)
    return tuple(unique.values())


def predict_scenarios(item: Analysed | Loaded) -> Scenarios:
    """Read the scenario files of ``item``'s journey (see :func:`scenario_files`) and predict
    each scenario; a broken file, or a change the journey cannot take, is an
    :class:`InputError` located in the scenario file."""
    from journeymap.scenario import predict_scenario, read_scenarios

    files = scenario_files(item.journey, item.config)
    results: list[tuple[Scenario, Prediction]] = []
    sources: list[str] = []
    problems: list[Problem] = []
    for path in files:
        try:
            for scenario in read_scenarios(path):
                results.append((scenario, predict_scenario(item.journey, scenario, item.config)))
                sources.append(path)
        except InputError as err:
            problems += [p for p in err.problems if p not in problems]
    if problems:
        raise InputError(problems)
    watched = tuple(
        dict.fromkeys(os.path.abspath(p) for p in (*_beside(item.journey.path), *files))
    )
    return Scenarios(tuple(results), tuple(sources), watched)


def find_journeys(paths: Iterable[str | os.PathLike[str]], required: bool = True) -> list[Path]:
    """The journey files under ``paths`` (see :func:`journeymap.load.find_journey_files`).

    With ``required`` (the default) a path that does not exist is an :class:`InputError`, so
    is a broken organisation file found in a folder (as :func:`load` reports it, whether a
    journey uses it or not), and finding no journey at all is a :class:`UsageError`. Without it
    (the live preview, which waits for files to appear and shows errors per journey) none of
    these is an error.
    """
    given = [Path(p) for p in paths]
    missing = [p for p in given if not p.exists()]
    if missing and required:
        raise InputError(Problem(Location(str(p), 1, 1), "no such file or folder") for p in missing)
    files, organisations = find_files(given)
    if not required:
        return files
    problems: list[Problem] = []
    for organisation in organisations:
        try:
            load_organisation(organisation)
        except InputError as err:
            problems += [p for p in err.problems if p not in problems]
    if problems:
        raise InputError(problems)
    if not files:
        raise UsageError("no journey files found in " + ", ".join(str(p) for p in given))
    return files


def yaml_files_under(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Every YAML file in the folders among ``paths`` (names only, nothing parsed): what the
    live preview polls for new journeys."""
    return [f for p in paths if os.path.isdir(p) for f in yaml_files(p)]


def read_journey(path: str | os.PathLike[str], *, text: str | None = None) -> Journey:
    """One journey file (or its ``text``, named by ``path``), without a config: for commands
    that convert a journey and analyse nothing (``export``, ``import``)."""
    return load_journey_with_files(path, text)[0]


def _depends_on(
    journey: Journey, organisation_files: Iterable[str], config_path: str | None
) -> tuple[str, ...]:
    files = [os.path.abspath(journey.path), *organisation_files]
    if config_path is not None:
        files.append(os.path.abspath(config_path))
    return tuple(dict.fromkeys(files))


def load(
    paths: Iterable[str | os.PathLike[str]],
    config_file: str | os.PathLike[str] | None = None,
) -> list[Loaded]:
    """Every journey under ``paths`` with its config, in a stable order.

    Problems in any journey, organisation or config file are raised together as one
    :class:`InputError`; nothing is analysed.
    """
    given = [Path(p) for p in paths]
    journeys = load_journeys_with_files(given)  # walks folders; checks organisation files too
    if not journeys:
        raise UsageError("no journey files found in " + ", ".join(str(p) for p in given))
    configs = ConfigLookup(config_file)
    out: list[Loaded] = []
    problems: list[Problem] = []
    for journey, organisation_files in journeys:
        try:
            config, source = configs.lookup(journey.path)
        except InputError as err:
            problems += [p for p in err.problems if p not in problems]
            continue
        out.append(Loaded(journey, config, _depends_on(journey, organisation_files, source)))
    if problems:
        raise InputError(problems)
    return out


def analyse(
    paths: Iterable[str | os.PathLike[str]],
    config_file: str | os.PathLike[str] | None = None,
) -> list[Analysed]:
    """Load (see :func:`load`) and analyse every journey under ``paths``."""
    return [_analysed(item) for item in load(paths, config_file)]


def _analysed(item: Loaded) -> Analysed:
    """``item`` with the engine's analysis under its config."""
    from journeymap.analysis.engine import analyze

    return Analysed(item.journey, item.config, item.files, analyze(item.journey, item.config))


def load_file(
    path: str | os.PathLike[str],
    config_file: str | os.PathLike[str] | None = None,
    *,
    text: str | None = None,
    configs: ConfigLookup | None = None,
) -> Loaded:
    """One journey file (or its ``text``, named by ``path``) with its config."""
    journey, organisation_files = load_journey_with_files(path, text)
    config, source = (configs or ConfigLookup(config_file)).lookup(path)
    return Loaded(journey, config, _depends_on(journey, organisation_files, source))


def analyse_file(
    path: str | os.PathLike[str],
    config_file: str | os.PathLike[str] | None = None,
    *,
    configs: ConfigLookup | None = None,
) -> Analysed:
    """Load (see :func:`load_file`) and analyse one journey file."""
    return _analysed(load_file(path, config_file, configs=configs))


def load_source(
    spec: str,
    config_file: str | os.PathLike[str] | None = None,
    *,
    configs: ConfigLookup | None = None,
    config_from: str | None = None,
) -> Loaded:
    """A journey from a file or a ``git:REV:path`` spec (see :mod:`journeymap.gitsource`).

    Its config is ``config_file``, else the one found for ``config_from`` (a file or git spec;
    default ``spec`` itself); a journey from git takes the config of its path in the working
    tree.
    """
    from journeymap.gitsource import is_git_spec, load_git_journey

    lookup = configs or ConfigLookup(config_file)
    from_git = is_git_spec(spec)
    organisation_files: tuple[str, ...] = ()
    if from_git:
        journey = load_git_journey(spec, load_journey)  # its files live in git, not here
    elif not os.path.exists(spec):
        raise InputError.at(Location(spec, 1, 1), "no such file or folder")
    elif os.path.isdir(spec):
        raise UsageError(f"{spec} is a folder; give one journey file")
    else:
        journey, organisation_files = load_journey_with_files(spec)
    config, source = lookup.lookup(_config_anchor(config_from or spec))
    if from_git:
        return Loaded(journey, config, (source,) if source else ())
    return Loaded(journey, config, _depends_on(journey, organisation_files, source))


def _config_anchor(spec: str) -> str:
    """The working-tree file whose folder a config is looked up from."""
    from journeymap.gitsource import is_git_spec, working_path

    return working_path(spec) if is_git_spec(spec) else spec


def analyse_source(
    spec: str,
    config_file: str | os.PathLike[str] | None = None,
    *,
    configs: ConfigLookup | None = None,
    config_from: str | None = None,
) -> Analysed:
    """Load (see :func:`load_source`) and analyse one journey from a file or git."""
    return _analysed(load_source(spec, config_file, configs=configs, config_from=config_from))


def analyse_pair(
    old: str, new: str, config_file: str | os.PathLike[str] | None = None
) -> tuple[Analysed, Analysed]:
    """Both sides of a diff (files or git specs), analysed with one config: ``config_file``,
    else the one found for ``new``, so that the diff measures the journey's change, not a
    change of weights."""
    configs = ConfigLookup(config_file)
    return (
        analyse_source(old, configs=configs, config_from=new),
        analyse_source(new, configs=configs),
    )


def validate(
    paths: Iterable[str | os.PathLike[str]],
    config_file: str | os.PathLike[str] | None = None,
) -> list[Analysed]:
    """Load and analyse every journey under ``paths``; raise :class:`InputError` listing every
    error-severity problem: load errors, then the engine's error findings (unreachable
    touchpoints, dead ends, shares above 1: JM301-JM303) as ``path:line:col`` problems."""
    analysed = analyse(paths, config_file)
    problems = [
        _as_problem(finding)
        for item in analysed
        for finding in item.analysis.findings
        if finding.severity == "error"
    ]
    if problems:
        raise InputError(problems)
    return analysed


def _as_problem(finding: Finding) -> Problem:
    location = finding.location
    if location.line <= 0:
        location = Location(location.path, 1, 1)
    return Problem(location, f"{finding.message} ({finding.rule})")


def check(
    paths: Iterable[str | os.PathLike[str]],
    config_file: str | os.PathLike[str] | None = None,
    *,
    fail_on: FailOn = "error",
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    log: str | None = None,
    mapping: str | None = None,
    log_options: dict[str, Any] | None = None,
) -> GateResult:
    """The CI gate over every journey under ``paths`` (see :func:`journeymap.gate.evaluate`),
    each with its own config's thresholds. With ``log`` (an event log of the one journey under
    ``paths``), the lived-journey thresholds too (JM501-JM504, :func:`conform_log`)."""
    from journeymap.gate import conformance_findings, evaluate

    items = analyse(paths, config_file)
    extra: list[Finding] = []
    if log is not None:
        if len(items) != 1:
            raise UsageError(
                f"--log compares one journey with its log, but the paths hold {len(items)} "
                "journeys; give one journey file"
            )
        (item,) = items
        conformance = _conformance(item, log, mapping, log_options)
        extra = conformance_findings(conformance, item.journey, item.config)
    elif mapping is not None:
        raise UsageError("--mapping applies to --log only")
    return evaluate(
        [i.analysis for i in items],
        [i.config for i in items],
        fail_on=fail_on,
        select=select,
        ignore=ignore,
        extra=extra,
    )


def _conformance(
    item: Analysed, log: str, mapping: str | None, log_options: dict[str, Any] | None
) -> Conformance:
    from journeymap.mining.conform import conform
    from journeymap.mining.lived import mine_lived, read_mapping

    log_map = read_mapping(mapping, item.journey) if mapping is not None else None
    mined, variants = mine_lived(log, **(log_options or {}))
    return conform(item.journey, mined, variants, log_map, item.config, analysis=item.analysis)


def conform_log(
    designed: str,
    log: str,
    *,
    mapping: str | None = None,
    config_file: str | os.PathLike[str] | None = None,
    log_options: dict[str, Any] | None = None,
) -> tuple[Analysed, Conformance]:
    """The journey file ``designed`` (loaded and analysed with its config) against its event log
    ``log``: :func:`journeymap.mining.conform.conform` after reading the log
    (:func:`journeymap.mining.lived.mine_lived`, ``log_options`` = its keyword arguments:
    ``columns``, ``engine``, ...) and the ``mapping`` file."""
    item = analyse_source(designed, config_file)
    return item, _conformance(item, log, mapping, log_options)


RENDER_FORMATS = ("svg", "png", "pdf", "dot", "json")
"""The output formats of :func:`render_path`, by file extension."""


def render_path(
    path: str | os.PathLike[str],
    output: str | os.PathLike[str],
    *,
    view: str = "journey",
    theme: str = "default",
    renderer: str = "auto",
    timeout: float | None = None,
    config_file: str | os.PathLike[str] | None = None,
) -> None:
    """Draw the journey in ``path`` (a folder too, for the silo view) into ``output``, whose
    extension picks the format (:data:`RENDER_FORMATS`), written atomically."""
    from journeymap.atomic import write_bytes_atomic
    from journeymap.render import render_journey

    fmt = Path(output).suffix.lower().lstrip(".")
    if fmt not in RENDER_FORMATS:
        raise UsageError(
            f"{os.fspath(output)}: unknown output format {fmt!r}; "
            f"use one of .{', .'.join(RENDER_FORMATS)}"
        )
    if Path(path).is_dir() and view != "silos":
        raise UsageError(
            f"{os.fspath(path)} is a folder; the {view} view draws one journey (use --view silos)"
        )
    analyses = [item.analysis for item in analyse([path], config_file)]
    subject = analyses if view == "silos" else analyses[0]
    data = render_journey(
        subject, fmt=fmt, view=view, theme=theme, renderer=renderer, timeout=timeout
    )
    write_bytes_atomic(output, data)
