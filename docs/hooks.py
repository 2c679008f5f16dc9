"""MkDocs hook: the references and the gallery, generated from the code at every build.

mkdocs.yml names this file under ``hooks:``. It adds pages that exist in no file, so they cannot
drift from the code:

- ``reference/cli.md``: every command of ``journeymap`` (click), its usage, options, arguments
  and exit codes, with its ``--help`` as docs/gen_cli.py renders it;
- ``reference/rules.md``: every rule of the catalogue (journeymap/catalog.py) with its severity,
  what it detects, why it hurts customers, how to fix it, its risk weight and its evidence;
- ``reference/fields.md``: every key of the journey format (journeymap/fields.py);
- ``reference/config.md``: every key of ``.journeymap.yaml`` (journeymap/config.py);
- ``reference/schemas.md``: the JSON Schemas of journey and scenario files and of the JSON outputs;
- ``gallery/*.svg``: every view in every theme of the examples in journeys/, drawn by the
  library's renderer, shown by docs/gallery.md (where it says ``<!-- gallery -->``).

It also regenerates the two generated pages docs/cli.md and docs/format.md in the site (their
committed copies are checked by tests/test_docs_cli.py and tests/test_docs_format.py), and maps
links that leave docs/ (``../tests/data/worked/broadband.md``) to copies of those files in the
site, under ``source/``.

Anchors (the tests in tests/docs/ look them up): a command ``cmd-NAME``, its option
``NAME-OPTION`` (the parameter's name, ``_`` as ``-``), a rule its lower-case code ``jm101``, a
format key ``SECTION-KEY``, a config key ``SECTION-KEY``, a source ``source-KEY``.
"""

from __future__ import annotations

import dataclasses
import html
import importlib.util
import inspect
import json
import re
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from types import ModuleType

import click
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
JOURNEYS = ROOT / "journeys"
GALLERY_MARK = "<!-- gallery -->"
WORKER_SHIM = "assets/javascripts/iframe-worker-shim.js"  # the site's copy of _hooks/worker-shim.js
EXTRA_CSS = "assets/stylesheets/journeymap.css"  # the site's copy of _hooks/extra.css
EXTRA_JS = "assets/javascripts/journeymap.js"  # the site's copy of _hooks/extra.js
# Material's search dialog has no accessible name (axe: aria-dialog-name); the hook adds one.
_SEARCH_DIALOG = '<div class="md-search" data-md-component="search" role="dialog">'
_SEARCH_DIALOG_NAMED = (
    '<div class="md-search" data-md-component="search" role="dialog" aria-label="Search">'
)
SOURCE_PREFIX = "source/"


def _module(name: str) -> ModuleType:
    """A script of docs/ (gen_cli.py, gen_format.py) imported as a module."""
    spec = importlib.util.spec_from_file_location(f"_docs_{name}", DOCS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cell(text: str) -> str:
    """``text`` safe inside a Markdown table cell: one line, pipes and angle brackets escaped."""
    text = " ".join(text.split())
    return text.replace("|", "\\|").replace("<", "&lt;").replace("*", "\\*")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --------------------------------------------------------------------------------------------
# Commands


def walk_commands(
    group: click.Group, parent: click.Context, prefix: str = ""
) -> Iterator[tuple[str, click.Command, click.Context]]:
    """Every subcommand below ``group``, by full name (``import``, or ``a b`` for a group's)."""
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        ctx = click.Context(
            command, info_name=name, parent=parent, terminal_width=100, max_content_width=100
        )
        yield full, command, ctx
        if isinstance(command, click.Group):
            yield from walk_commands(command, ctx, f"{full} ")


def exit_codes(command: click.Command) -> dict[int, str]:
    """The exit codes ``command`` can end with: read from the module of its callback, which
    returns the constants of journeymap/cli/_common.py (2 is every command's bad input)."""
    from journeymap.cli import _common

    codes = {
        _common.EXIT_OK: "success",
        _common.EXIT_BAD_INPUT: "bad input or usage (one line per problem on stderr)",
    }
    callback = command.callback
    if callback is not None:
        source = inspect.getsource(sys.modules[_original(callback).__module__])
        if "EXIT_CHECK_FAILED" in source:
            codes[_common.EXIT_CHECK_FAILED] = "the check failed (the gate, or a threshold)"
    return dict(sorted(codes.items()))


def _original(func: Callable[..., object]) -> Callable[..., object]:
    """The function a decorator wrapped: through ``__wrapped__``, or the function of the same
    name its closure holds (journeymap/cli/_mining.py's ``log_options`` wraps that way)."""
    while True:
        inner = getattr(func, "__wrapped__", None)
        if inner is None:
            cells = [c.cell_contents for c in getattr(func, "__closure__", None) or ()]
            named = [
                c for c in cells if callable(c) and getattr(c, "__name__", None) == func.__name__
            ]
            inner = named[0] if named else None
        if inner is None:
            return func
        func = inner


def anchor_of(command_name: str, param: click.Parameter) -> str:
    return f"{slug(command_name)}-{(param.name or '').replace('_', '-')}"


def cli_page() -> str:
    from journeymap.cli import main

    gen_cli = _module("gen_cli")
    settings = {**main.context_settings, "terminal_width": 100, "max_content_width": 100}
    root = click.Context(main, info_name="journeymap", **settings)
    out = [
        "# Commands",
        "",
        "Generated at build time from the commands themselves (click), so it always matches the "
        "installed `journeymap`. Every error is one line `path:line:col: error: message; hint` "
        "on stderr. Rule codes: [rules](rules.md); configuration: [config keys](config.md).",
        "",
        "| command | what it does | exit codes |",
        "| --- | --- | --- |",
    ]
    commands = list(walk_commands(main, root))
    for name, command, _ctx in commands:
        codes = ", ".join(str(c) for c in exit_codes(command))
        out.append(
            f"| [`journeymap {name}`](#cmd-{slug(name)}) | "
            f"{cell(command.get_short_help_str(limit=200))} | {codes} |"
        )
    out.append("")
    for name, command, ctx in commands:
        out += [f"## journeymap {name} {{ #cmd-{slug(name)} }}", ""]
        pieces = " ".join(command.collect_usage_pieces(ctx))
        out += [f"`journeymap {name} {pieces}`", ""]
        out += [cell(command.get_short_help_str(limit=300)), ""]
        arguments = [p for p in command.params if isinstance(p, click.Argument)]
        options = [p for p in command.params if isinstance(p, click.Option) and not p.hidden]
        if arguments:
            out += ["| argument | required | value |", "| --- | --- | --- |"]
            for p in arguments:
                kind = p.type.get_metavar(p, ctx) if hasattr(p.type, "get_metavar") else None
                value = kind or p.type.name
                out.append(
                    f'| <span id="{anchor_of(name, p)}"></span>`{p.human_readable_name}` | '
                    f"{'yes' if p.required else 'no'} | {cell(str(value))} |"
                )
            out.append("")
        if options:
            out += ["| option | meaning |", "| --- | --- |"]
            for option in options:
                record = option.get_help_record(ctx)
                names, text = record if record else ("/".join(option.opts), "")
                out.append(
                    f'| <span id="{anchor_of(name, option)}"></span>`{cell(names)}` | {cell(text)} |'
                )
            out.append("")
        out += ["| exit code | meaning |", "| --- | --- |"]
        out += [f"| {code} | {meaning} |" for code, meaning in exit_codes(command).items()]
        out += ["", '??? note "The full `--help`"', ""]
        help_text = gen_cli.command_help(command, name.split()[-1], ctx.parent)
        out += ["    ```text"] + [f"    {line}".rstrip() for line in help_text.splitlines()]
        out += ["    ```", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Rules


def rules_page() -> str:
    from journeymap.catalog import RULES, SOURCES

    out = [
        "# Rules",
        "",
        "Every finding code journeymap reports, generated at build time from the rule "
        "catalogue (`journeymap/catalog.py`). The risk score of a handoff is "
        "`(w[JM100] + Σ w[rule] for each rule hitting it) × per_customer` "
        "([the method](../guides/method.md#the-risk-score)); override a weight under "
        "`risk: weights:` in `.journeymap.yaml` ([config keys](config.md#risk-weights)). "
        "`journeymap check --select/--ignore` takes these codes.",
        "",
        "| code | title | severity | risk weight |",
        "| --- | --- | --- | --- |",
    ]
    for r in RULES.values():
        weight = "—" if r.weight is None else f"{r.weight:g}"
        out.append(
            f"| [{r.code}](#{r.anchor}) | {cell(r.title)} | {r.default_severity} | {weight} |"
        )
    out.append("")
    for r in RULES.values():
        out += [f"## {r.code} {r.title} {{ #{r.anchor} }}", ""]
        facts = [f"**Severity:** {r.default_severity}"]
        if r.weight is None:
            facts.append("**Risk weight:** none (not part of the handoff risk score)")
        elif r.per_handoff:
            facts.append(f"**Risk weight:** {r.weight:g}, the base every handoff carries")
        else:
            facts.append(f"**Risk weight:** {r.weight:g} for each handoff it hits")
        if r.gate:
            facts.append("**Produced by:** `journeymap check`, from the config's thresholds")
        out += [" · ".join(facts), ""]
        out += [f"**What it detects.** {r.summary}", ""]
        if r.why:
            out += [f"**Why it hurts customers.** {r.why}", ""]
        if r.fix:
            out += [f"**How to fix it.** {r.fix}", ""]
        if r.evidence:
            cites = ", ".join(f"[{_short(SOURCES[k])}](#source-{k})" for k in r.evidence)
            out += [f"**Evidence.** {cites}.", ""]
        if not r.gate:
            out += [f"More: [methodology](../methodology.md#{r.anchor}).", ""]
    out += ["## Sources { #sources }", "", "The published work each rule cites.", ""]
    for key, text in SOURCES.items():
        out.append(f'- <span id="source-{key}"></span>{text}')
    out.append("")
    return "\n".join(out)


def _short(citation: str) -> str:
    """``Rummler and Brache 1990`` from a full citation."""
    authors, _, rest = citation.partition(" (")
    year = rest[:4]
    names = [a.strip().split(",")[0] for a in re.split(r", (?:and )?| and ", authors)]
    surnames = [n for n in names if n and not re.fullmatch(r"(?:[A-Z]\.\s?)+", n)]
    who = f"{surnames[0]} et al." if len(surnames) > 2 else " and ".join(surnames)
    return f"{who} {year}"


# --------------------------------------------------------------------------------------------
# Format fields, config keys, schemas


def fields_page() -> str:
    from journeymap.fields import FIELDS, SECTIONS

    out = [
        "# Journey format fields",
        "",
        "Every key of journey and organisation files, generated at build time from the field "
        "table (`journeymap/fields.py`) that also drives the loader and the JSON Schema. The "
        "format explained with examples: [journey format](../format.md).",
        "",
    ]
    for section in SECTIONS:
        out += [f"## {section.name} {{ #{section.name} }}", "", section.doc, ""]
        out += ["| key | value | default | meaning |", "| --- | --- | --- | --- |"]
        for f in FIELDS:
            if section.name not in f.sections:
                continue
            if section.name in f.required:
                default = "required"
            else:
                text = f.default_text()
                # as docs/format.md's tables: literal values in code, defaults in words as words
                default = "—" if text is None else f"`{text}`" if text in ("true", "false") else text
            meaning = f.doc if not f.notes else f"{f.doc} {f.notes[0].upper()}{f.notes[1:]}"
            meaning = _FORMAT_LINK.sub(r"](../format.md#", meaning)
            meaning = _PAGE_LINK.sub(r"](../\g<page>", meaning)
            out.append(
                f'| <span id="{section.name}-{f.name}"></span>`{f.name}` | {cell(f.type.doc)} | '
                f"{cell(default)} | {cell(meaning)} |"
            )
        out.append("")
    return "\n".join(out)


# The notes of the field table link within docs/format.md (``](#touchpoints)``) or to its
# sibling pages (``](errors.md)``); from reference/ they point one folder up.
_FORMAT_LINK = re.compile(r"\]\(#")
_PAGE_LINK = re.compile(r"\]\((?P<page>[a-z][a-z0-9_-]*\.md)")


CONFIG_KINDS = {
    "hours": "hours, or a duration (`90m`, `.5h`, `1 d`, `2w`)",
    "count": "whole number, 1 or more",
    "count0": "whole number, 0 or more",
    "number": "number",
    "fraction": "number from 0 to 1",
    "weights": "rule code → number",
    "scenarios": "journey id → scenario file, or a list of them",
}


def config_page() -> str:
    from journeymap import config as config_module
    from journeymap.catalog import RULES

    defaults = config_module.Config.default()
    attrs = {f.name for f in dataclasses.fields(defaults)}
    out = [
        "# Configuration keys",
        "",
        "Every key of `.journeymap.yaml`, generated at build time from the config reader "
        "(`journeymap/config.py`). Every key is optional; unset `check:` limits mean no limit. "
        "Where the file is looked up and an example: [configuration](../config.md).",
        "",
    ]
    for section, keys in config_module._SCHEMA.items():
        out += [f"## {section} {{ #{section} }}", ""]
        out += ["| key | value | default |", "| --- | --- | --- |"]
        for key, kind in keys.items():
            if kind not in CONFIG_KINDS:
                raise ValueError(
                    f"docs/hooks.py: config kind {kind!r} of {section}.{key} has no description"
                )
            value = getattr(defaults, key) if key in attrs else None
            if kind == "weights":
                default = ", ".join(
                    f"[{c}](rules.md#{RULES[c].anchor}): {w:g}" for c, w in defaults.weights.items()
                )
            elif kind == "scenarios":
                default = "none"
            elif value is None:
                default = "no limit"
            else:
                default = f"`{value:g}`" if isinstance(value, float) else f"`{value}`"
            out.append(
                f'| <span id="{section}-{key}"></span>`{key}` | {CONFIG_KINDS[kind]} | {default} |'
            )
        out.append("")
    return "\n".join(out)


def schemas_page() -> str:
    from journeymap.schema import render_schema

    scenario = (ROOT / "journeymap" / "schema" / "scenario.schema.json").read_text(encoding="utf-8")
    journey = render_schema()
    out = [
        "# Schemas",
        "",
        "The JSON Schemas journeymap ships (`journeymap schema` prints the journey one), "
        "generated at build time from the code. The JSON that `analyze --format json` and "
        "`check --format json` print is specified in [the JSON interface](../json.md).",
        "",
        "## Journey and organisation files { #journey-schema }",
        "",
        "Built from the field table (`journeymap/schema.py`, `journeymap/fields.py`); every "
        "key is described in [journey format fields](fields.md).",
        "",
        "```json",
        journey.rstrip(),
        "```",
        "",
        "## Scenario files { #scenario-schema }",
        "",
        "What-if scenario files (`*.scenarios.yaml`, `journeymap whatif --scenarios FILE`): "
        "[what-if guide](../guides/whatif.md).",
        "",
        "```json",
        json.dumps(json.loads(scenario), indent=2, sort_keys=True),
        "```",
        "",
        "## JSON outputs { #output-schemas }",
        "",
        "Of `analyze`, `check` and `whatif --format json` "
        "(`journeymap/schema/*.output.schema.json`, written by hand and strict: every object "
        "closed); the contract is [the JSON interface](../json.md).",
        "",
    ]
    for command in ("analyze", "check", "whatif"):
        name = f"{command}.output.schema.json"
        text = (ROOT / "journeymap" / "schema" / name).read_text(encoding="utf-8")
        out += [
            f"### `journeymap {command} --format json` {{ #{command}-output-schema }}",
            "",
            "```json",
            json.dumps(json.loads(text), indent=2, sort_keys=True),
            "```",
            "",
        ]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# The gallery


@cache
def gallery() -> tuple[tuple[str, bytes], ...]:
    """Every picture of the gallery: (path in the site, SVG bytes), in page order."""
    from journeymap import project
    from journeymap.render import THEMES, VIEWS, render_journey

    items = sorted(project.analyse([str(JOURNEYS)]), key=lambda i: i.journey.id)
    pictures: list[tuple[str, bytes]] = []
    for view in VIEWS:
        if view == "silos":
            for theme in THEMES:
                svg = render_journey([i.analysis for i in items], view="silos", theme=theme)
                pictures.append((f"gallery/silos-{theme}.svg", svg))
            continue
        for item in items:
            for theme in THEMES:
                svg = render_journey(item.analysis, view=view, theme=theme)
                pictures.append((f"gallery/{item.journey.id}-{view}-{theme}.svg", svg))
    return tuple(pictures)


def gallery_markdown() -> str:
    from journeymap import project
    from journeymap.render import THEMES, VIEWS

    titles = {i.journey.id: i.journey.title for i in project.analyse([str(JOURNEYS)])}
    out = [
        "<style>.jm-gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(16rem,1fr));"
        "gap:1rem}.jm-gallery figure{margin:0;text-align:center}.jm-gallery img{width:100%;"
        "height:12rem;object-fit:contain;border:1px solid #ccc;background:#fff}</style>",
        "",
    ]
    paths = [p for p, _ in gallery()]
    for view in VIEWS:
        out += [f"## The {view} view {{ #{view} }}", ""]
        groups: list[tuple[str, list[str]]] = []
        if view == "silos":
            groups.append(("All the examples", [f"gallery/silos-{t}.svg" for t in THEMES]))
        else:
            for jid, title in sorted(titles.items()):
                groups.append((title, [f"gallery/{jid}-{view}-{t}.svg" for t in THEMES]))
        for title, files in groups:
            out += [f"### {html.escape(title)}: {view} {{ #{slug(view + ' ' + title)} }}", ""]
            out.append('<div class="jm-gallery">')
            for path, theme in zip(files, THEMES, strict=True):
                assert path in paths, path
                alt = f"{title}, {view} view, {theme} theme"
                out.append(
                    f'<figure><a href="{path}"><img src="{path}" alt="{html.escape(alt)}" '
                    f'loading="lazy"></a><figcaption>{theme}</figcaption></figure>'
                )
            out += ["</div>", ""]
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# Links that leave docs/

_LINK = re.compile(r"\]\((?P<target>[^)\s#]+)(?P<anchor>#[^)\s]*)?\)")


def outside_targets(page_uri: str, markdown: str) -> dict[str, str]:
    """Link targets of a page that leave docs/ but stay in the repository: target -> the path
    of the copy in the site (``source/tests/...``)."""
    found = {}
    base = (DOCS / page_uri).parent
    for m in _LINK.finditer(markdown):
        target = m.group("target")
        if "://" in target or target.startswith(("mailto:", "/")):
            continue
        path = (base / target).resolve()
        if DOCS in path.parents or not path.is_file() or ROOT not in path.parents:
            continue
        found[target] = SOURCE_PREFIX + path.relative_to(ROOT).as_posix()
    return found


def _relative(from_uri: str, to_uri: str) -> str:
    depth = from_uri.count("/")
    return "../" * depth + to_uri


# --------------------------------------------------------------------------------------------
# The hook's events

PAGES: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_page,
    "reference/rules.md": rules_page,
    "reference/fields.md": fields_page,
    "reference/config.md": config_page,
    "reference/schemas.md": schemas_page,
}


@event_priority(-100)  # after Material's offline plugin added its CDN shim
def on_config(config: MkDocsConfig) -> MkDocsConfig:
    """Replace the iframe-worker shim that Material's offline plugin loads from a CDN with our
    own copy (docs/_hooks/worker-shim.js), so the site needs nothing from outside."""
    polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, WORKER_SHIM]
    if EXTRA_CSS not in config.extra_css:
        config.extra_css.append(EXTRA_CSS)
    if EXTRA_JS not in [str(s) for s in config.extra_javascript]:
        config.extra_javascript.append(EXTRA_JS)
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    files.append(
        File.generated(config, WORKER_SHIM, abs_src_path=str(DOCS / "_hooks" / "worker-shim.js"))
    )
    files.append(File.generated(config, EXTRA_CSS, abs_src_path=str(DOCS / "_hooks" / "extra.css")))
    files.append(File.generated(config, EXTRA_JS, abs_src_path=str(DOCS / "_hooks" / "extra.js")))
    for uri, make in PAGES.items():
        files.append(File.generated(config, uri, content=make()))
    for uri, data in gallery():
        files.append(File.generated(config, uri, content=data))
    copies: set[str] = set()
    for file in list(files):
        if file.src_uri.endswith(".md") and file.abs_src_path:
            text = Path(file.abs_src_path).read_text(encoding="utf-8")
            copies.update(outside_targets(file.src_uri, text).values())
    for uri in sorted(copies):
        if files.get_file_from_path(uri) is None:
            files.append(
                File.generated(config, uri, abs_src_path=str(ROOT / uri[len(SOURCE_PREFIX) :]))
            )
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    uri = page.file.src_uri
    if uri == "cli.md":
        markdown = _module("gen_cli").render()
    elif uri == "format.md":
        from journeymap.fields import update_format_doc

        markdown = update_format_doc(markdown)
    elif uri == "gallery.md":
        markdown = markdown.replace(GALLERY_MARK, gallery_markdown())
    if uri.startswith(SOURCE_PREFIX):
        return markdown
    targets = outside_targets(uri, markdown)
    if targets:

        def repl(m: re.Match[str]) -> str:
            target = m.group("target")
            if target not in targets:
                return m.group(0)
            return f"]({_relative(uri, targets[target])}{m.group('anchor') or ''})"

        markdown = _LINK.sub(repl, markdown)
    return markdown


def on_post_page(output: str, page: Page, config: MkDocsConfig) -> str:
    return output.replace(_SEARCH_DIALOG, _SEARCH_DIALOG_NAMED)
