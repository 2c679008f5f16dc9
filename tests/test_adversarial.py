"""The hostile-input promises of tests/adversarial-corpus.md, end to end through the CLI.

Every case is a real file on disk run through the real commands with click's CliRunner:
- bad input: exit code 2, every stderr line `path:line:col: error: ...` (or `journeymap: error:`
  for problems with no place in a file), no traceback, nothing written (no output, or the
  previous output byte-identical, and no temporary files left beside it);
- hostile but valid journeys: every output (DOT, SVG, HTML, JSON, SARIF, CSV, Mermaid) carries
  the hostile text only as inert text, checked by parsing the output.
Deterministic cases only (no hypothesis).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from journeymap.cli import main

# --------------------------------------------------------------------------------------------
# helpers

ERROR_LINE = re.compile(r"^(?:[^\n]+:\d+:\d+|journeymap): error: \S[^\n]*$")
#: an error line quotes a bad value clipped, never a whole 5,000-digit number or 20,000 characters
MAX_ERROR_LINE = 400


def run(args: list[str]) -> Result:
    return CliRunner().invoke(main, args, catch_exceptions=True)


def assert_clean_failure(result: Result, exit_code: int = 2) -> list[str]:
    """Exit code 2, one-line `path:line:col: error:` messages on stderr, no traceback."""
    out = result.stdout + result.stderr
    assert "Traceback" not in out
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code == exit_code, out
    lines = result.stderr.splitlines()
    assert lines, "no error message"
    for line in lines:
        assert ERROR_LINE.match(line), line
    return lines


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under folder (relative path -> bytes)."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --------------------------------------------------------------------------------------------
# bad input: one file each

GOOD = """\
journeymap: 1
id: good
functions: {a: {name: A}, b: {name: B}}
stages: [s]
touchpoints:
  t1: {name: T1, stage: s, function: a, next: [t2]}
  t2: {name: T2, stage: s, function: b, outcome: won}
"""

BIG = "9" * 5000


def journey(touchpoint_extra: str = "", transition: str = "to: t2", head: str = "") -> str:
    return (
        f"journeymap: 1\n{head}"
        "functions: {a: {name: A}, b: {name: B}}\n"
        "stages: [s]\n"
        "touchpoints:\n"
        "  t1:\n    name: T1\n    stage: s\n    function: a\n"
        f"{touchpoint_extra}"
        f"    next:\n      - {{{transition}}}\n"
        "  t2: {name: T2, stage: s, function: b, outcome: won}\n"
    )


def alias_bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "journeymap: 1\ntitle: bomb\nkpis:\n" + "\n".join("  " + x for x in lines) + "\n"


BAD_INPUTS: dict[str, bytes | str] = {
    "python-tag": journey(head="title: !!python/object/apply:os.system ['touch PWNED']\n"),
    "python-tag-name": journey("    pains: [!!python/object/new:os.system ['touch PWNED']]\n"),
    "alias-bomb": alias_bomb(),
    "deep-flow": "journeymap: 1\ntitle: " + "[" * 5000 + "\n",
    "deep-block": "journeymap: 1\ntitle:\n" + "".join("  " * i + "-\n" for i in range(1100)),
    "duplicate-keys": journey(head="title: one\ntitle: two\n"),
    "note-20000-characters": journey(f"    notes: [{'n' * 20_000}]\n"),
    "int-tag-emotion": journey("    emotion: !!int foo\n"),
    "binary-tag": journey(head="title: !!binary aGVsbG8=\n"),
    "timestamp-tag": journey(head="title: !!timestamp foo\n"),
    "lone-surrogate": journey(head='title: "caf\\ud800"\n'),
    "raw-nul": journey(head="title: a\x00b\n").encode(),
    "invalid-utf8": journey(head="title: caf\xe9\n").encode("latin-1"),
    "utf16": journey().encode("utf-16"),
    "tabs": journey().replace("    stage: s", "\tstage: s"),
    "several-documents": journey() + "---\n" + journey(),
    "empty-file": "",
    "no-touchpoints": "journeymap: 1\nfunctions: {a: {name: A}}\nstages: [s]\ntouchpoints: {}\n",
    "unknown-reference": journey(transition="to: t3"),
    "id-case": journey(transition="to: T2"),
    "unknown-key": journey("    chanel: web\n"),
    "share-nan": journey(transition="to: t2, share: .nan"),
    "share-inf": journey(transition="to: t2, share: .inf"),
    "share-negative": journey(transition="to: t2, share: -0.5"),
    "share-huge": journey(transition=f"to: t2, share: {BIG}"),
    "volume-nan": journey("    volume: .nan\n"),
    "volume-inf": journey("    volume: -.inf\n"),
    "volume-negative": journey("    volume: -5\n"),
    "volume-5000-digits": journey(f"    volume: {BIG}\n"),
    "emotion-5000-digits": journey(f"    emotion: {BIG}\n"),
    "wait-overflow": journey(transition="to: t2, wait: 99999999999w"),
    "wait-5000-digits": journey(transition=f"to: t2, wait: {BIG}w"),
    "wait-float-overflow": journey(transition="to: t2, wait: 1e308w"),
    "uses-self": journey(head="uses: case.yaml\n"),
    "uses-loop": journey(head="uses: loop-a.yaml\n"),
    "uses-etc-passwd": journey(head="uses: ../../etc/passwd\n"),
    "uses-absolute": journey(head="uses: /etc/passwd\n"),
    "uses-missing-outside": journey(head="uses: ../../../../nowhere/org.yaml\n"),
}

XFAIL_BAD: dict[str, str] = {}  # inputs with a known bug, each with its reason


def write_case(folder: Path, name: str) -> Path:
    content = BAD_INPUTS[name]
    path = folder / "case.yaml"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    (folder / "loop-a.yaml").write_text("journeymap: 1\nuses: loop-b.yaml\n", encoding="utf-8")
    (folder / "loop-b.yaml").write_text("journeymap: 1\nuses: loop-a.yaml\n", encoding="utf-8")
    (folder / "good.yaml").write_text(GOOD, encoding="utf-8")
    return path


# (name, arguments after the journey file, output path relative to the work folder or None)
COMMANDS: list[tuple[str, list[str], str | None]] = [
    ("validate", ["validate", "{f}"], None),
    ("analyze-json", ["analyze", "--format", "json", "{f}", "-o", "out/a.json"], "out/a.json"),
    ("check-sarif", ["check", "--format", "sarif", "{f}", "-o", "out/c.sarif"], "out/c.sarif"),
    ("render-svg", ["render", "{f}", "-o", "out/x.svg"], "out/x.svg"),
    ("report", ["report", "{f}", "-o", "out/site", "--no-cache", "-j", "1"], "out/site"),
    ("export-csv", ["export", "-f", "csv", "{f}", "-o", "out/e.csv"], "out/e.csv"),
    ("export-mermaid", ["export", "-f", "mermaid", "{f}", "-o", "out/e.mmd"], "out/e.mmd"),
    ("diff-old", ["diff", "{f}", "{good}", "-o", "out/d.txt"], "out/d.txt"),
    ("diff-new", ["diff", "--format", "html", "{good}", "{f}", "-o", "out/d.html"], "out/d.html"),
]


def bad_params() -> list[Any]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL_BAD[name])]
            if name in XFAIL_BAD
            else [],
        )
        for name in BAD_INPUTS
    ]


@pytest.mark.parametrize("name", bad_params())
def test_bad_input_every_command(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    case = write_case(tmp_path, name)
    names = {"case.yaml", "loop-a.yaml", "loop-b.yaml", "good.yaml"}
    (tmp_path / "out").mkdir()  # an output's folder must exist (journeymap/outputs.py)
    for label, template, output in COMMANDS:
        args = [a.format(f=case.name, good="good.yaml") for a in template]
        # first run: nothing there before, nothing there after
        result = run(args)
        lines = assert_clean_failure(result)
        assert any(line.split(":", 1)[0] in names for line in lines), (label, lines)
        for line in lines:
            assert len(line) <= MAX_ERROR_LINE, (label, line[:200])
        if output is not None:
            assert not (tmp_path / output).exists(), label
        # second run: a previous output stays byte-identical
        previous: dict[str, bytes]
        if output is not None:
            target = tmp_path / output
            if label == "report":
                target.mkdir(parents=True, exist_ok=True)
                (target / "index.html").write_text("<p>previous site</p>", encoding="utf-8")
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(b"previous output\n")
        previous = snapshot(tmp_path / "out") if (tmp_path / "out").exists() else {}
        assert_clean_failure(run(args))
        after = snapshot(tmp_path / "out") if (tmp_path / "out").exists() else {}
        assert after == previous, label
        # no temporary files or caches left beside the inputs
        assert {p.name for p in tmp_path.iterdir()} <= names | {"out"}, label
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.parametrize(
    ("head", "expected_id", "title"),
    [
        ("id: no\n", "no", None),
        ("id: 0\n", "0", None),
        ("title: 1.10\n", "case", "1.10"),
        ("id: 2024-13-45\n", "2024-13-45", None),
    ],
)
def test_implicit_types_stay_text(
    tmp_path: Path, head: str, expected_id: str, title: str | None
) -> None:
    """Scalars are read as written: `no` is not False, `0` not 0, `1.10` not 1.1."""
    case = tmp_path / "case.yaml"
    case.write_text(journey(head=head), encoding="utf-8")
    data = json.loads(ok(["analyze", "--format", "json", str(case)]).stdout)
    assert data["journey"] == expected_id
    if title is not None:
        model = json.loads(ok(["export", "-f", "json", str(case)]).stdout)
        assert model["title"] == title


def test_uses_symlink_to_a_system_file_shows_none_of_it(tmp_path: Path) -> None:
    (tmp_path / "org.yaml").symlink_to("/etc/passwd")
    case = tmp_path / "j.yaml"
    case.write_text(journey(head="uses: org.yaml\n"), encoding="utf-8")
    result = run(["validate", str(case)])
    lines = assert_clean_failure(result)
    assert "root:" not in result.stderr, lines


# --------------------------------------------------------------------------------------------
# hostile but valid

INJECT = '"x"; "y" [label="INJECTED"]; "z"'
SCRIPT = "<script>alert(1)</script>"
SVG_ONLOAD = '"><svg onload=alert(1)>'
COMMENT = "--><script>alert(2)</script>"
END_SCRIPT = "</script><script>alert(3)</script>"
IMG = '<IMG SRC="/etc/passwd">'
TEMPLATE = "{{7*7}}"
JS = "javascript:alert(1)"
RTL = "abc\u202edef"
NOTE_LONG = "N" * 9_980 + "<b>end</b>"  # the longest text allowed is 10,000 characters
HOSTILE_TEXTS = [INJECT, SCRIPT, SVG_ONLOAD, COMMENT, END_SCRIPT, IMG, TEMPLATE, JS]


def yq(text: str) -> str:
    """A YAML double-quoted scalar."""
    return json.dumps(text)


HOSTILE_YAML = f"""\
journeymap: 1
id: hostile-e2e
title: {yq(SCRIPT + " " + TEMPLATE + " " + RTL)}
persona: {yq(SVG_ONLOAD)}
description: {yq(COMMENT + " " + END_SCRIPT + " " + JS)}
owner: graph
functions:
  node: {{name: {yq(INJECT)}, lead: {yq(JS)}}}
  graph: {{name: "C:\\\\dir\\\\", lead: "\\\\N"}}
  subgraph: {{name: "Login:Page", lead: {yq(IMG)}}}
  strict: {{name: {yq(TEMPLATE)}, lead: {yq(END_SCRIPT)}}}
systems:
  edge: {{name: {yq(IMG)}, owner: node, shadow: true}}
  digraph: {{name: {yq(TEMPLATE)}, owner: graph}}
stages:
  - {{id: node, name: {yq(END_SCRIPT)}}}
  - {{id: graph, name: {yq(COMMENT)}}}
touchpoints:
  node:
    name: {yq(INJECT)}
    stage: node
    function: node
    channel: web
    systems: [edge]
    asks: [email]
    emotion: 4
    volume: 100
    description: "\\\\N \\\\G \\\\l C:\\\\dir\\\\ nul\\0byte"
    pains: [{yq(SCRIPT)}]
    gains: [{yq(JS)}]
    ideas: [{yq(SVG_ONLOAD)}]
    kpis:
      "=cmd|' /C calc'!A0": "+SUM(1,2)"
      "@x": "-2+3"
      big: {BIG}
      link: {yq(JS)}
    notes: [{yq("<a href=" + yq(JS) + ">x</a>")}, {yq(RTL)}, {yq(NOTE_LONG)}, "nul\\0byte"]
    next:
      - {{to: graph, note: {yq(INJECT)}, owner: subgraph, wait: 2d, carries: [email]}}
  graph:
    name: "Login:Page"
    stage: graph
    function: graph
    channel: phone
    systems: [digraph]
    asks: [email]
    emotion: 1
    next: [subgraph, strict]
  subgraph:
    name: {yq(IMG)}
    stage: graph
    function: subgraph
    channel: email
    emotion: 2
    outcome: lost
  strict:
    name: "=HYPERLINK(\\"http://evil.example\\",\\"{TEMPLATE}\\")"
    stage: graph
    function: strict
    channel: "mail"
    emotion: 3
    outcome: won
"""

TOUCHPOINT_IDS = {"node", "graph", "subgraph", "strict"}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    path = folder / "hostile.yaml"
    path.write_text(HOSTILE_YAML, encoding="utf-8")
    # a second version for diff: one touchpoint renamed, one transition gone
    (folder / "hostile2.yaml").write_text(
        HOSTILE_YAML.replace("wait: 2d", "wait: 3d")
        .replace("nul\\\\0byte", "nul\\\\0byte\\\\u202eevil")
        .replace('name: "Login:Page"', f"name: {yq(SVG_ONLOAD + TEMPLATE)}"),
        encoding="utf-8",
    )
    return path


def ok(args: list[str]) -> Result:
    result = run(args)
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert result.exit_code in (0, 1), result.stdout + result.stderr
    return result


def test_hostile_validates(hostile: Path) -> None:
    result = ok(["validate", str(hostile)])
    assert result.exit_code == 0
    assert result.stdout == "ok: 1 journey, 4 touchpoints\n"


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from strings_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings_in(v)


def test_hostile_analyze_json_keeps_text_literal(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "a.json"
    ok(["analyze", "--format", "json", str(hostile), "-o", str(out)])
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["journey"] == "hostile-e2e"
    # the JSON names touchpoints by id; findings name them by id too
    assert {h["from"] for h in data["handoffs"]} <= TOUCHPOINT_IDS
    assert "\x00" not in out.read_text(encoding="utf-8")  # JSON escapes it (\u0000) if present


def test_hostile_check_sarif(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "c.sarif"
    ok(["check", "--select", "ALL", "--format", "sarif", str(hostile), "-o", str(out)])
    sarif = json.loads(out.read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    for result in sarif["runs"][0]["results"]:
        for loc in result.get("locations", []):
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.lower().startswith("javascript:"), uri
    # message texts are plain strings (SARIF markdown would need escaping; we send text only)
    for result in sarif["runs"][0]["results"]:
        assert set(result["message"]) <= {"text", "markdown"}


SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"
LINK_ATTRS = {"href", "src", XLINK, "xlink:href", "action", "formaction", "data", "poster"}
SAFE_LINK = re.compile(r"^(https?:|mailto:|#|[a-z0-9_.-]+\.html(#[^\s]*)?$)", re.I)
FORBIDDEN_TAGS = {"iframe", "img", "image", "object", "embed", "foreignobject", "base", "form"}


def check_svg_tree(root: ET.Element) -> list[str]:
    """All text in an SVG tree; asserts no element or attribute could act."""
    texts = []
    for el in root.iter():
        tag = el.tag.split("}")[-1].lower() if isinstance(el.tag, str) else ""
        assert tag not in FORBIDDEN_TAGS | {"script"}, tag
        for name, value in el.attrib.items():
            local = name.split("}")[-1].lower()
            assert not local.startswith("on"), (tag, name, value)
            if name in LINK_ATTRS or local == "href":
                assert SAFE_LINK.match(value.strip()), (tag, name, value)
        texts.append(el.text or "")
        texts.append(el.tail or "")
    return texts


def flat(texts: list[str] | str) -> str:
    joined = "".join(texts) if isinstance(texts, list) else texts
    return re.sub(r"\s+", "", joined)


@pytest.mark.parametrize("view", ["journey", "blueprint", "silos"])
def test_hostile_render_svg_and_dot(hostile: Path, tmp_path: Path, view: str) -> None:
    svg = tmp_path / "x.svg"
    ok(["render", str(hostile), "-o", str(svg), "--view", view])
    raw = svg.read_bytes()
    assert b"\x00" not in raw and "\u202e" not in raw.decode("utf-8")
    root = ET.fromstring(raw)
    texts = check_svg_tree(root)
    # a box shows at most two lines of a name; its hover title (xlink:title) holds all of it
    hover = [a.get("{http://www.w3.org/1999/xlink}title") or "" for a in root.iter()]
    text = flat(texts) + flat(hover).replace("\u29f5", "\\")
    if view == "journey":
        assert flat(INJECT) in text
        assert flat(IMG) in text
        assert "Login:Page" in text
        assert TEMPLATE in text and "49" not in text
        assert "C:\\dir\\" in text
    # the layout has exactly our nodes: nothing injected became a node or an edge end
    layout = tmp_path / "x.json"
    ok(["render", str(hostile), "-o", str(layout), "--view", view])
    names = {
        o["name"] for o in json.loads(layout.read_text("utf-8"))["objects"] if "nodes" not in o
    }
    assert not names & {"INJECTED", "x", "y", "z", "N", "G", "l"}
    if view == "journey":
        boxes = {n for n in names if n.startswith("tp-") and "~" not in n}
        assert boxes == {f"tp-{t}" for t in TOUCHPOINT_IDS}
    dot = tmp_path / "x.dot"
    ok(["render", str(hostile), "-o", str(dot), "--view", view])
    dot_text = dot.read_text("utf-8")
    assert "\x00" not in dot_text and "\u202e" not in dot_text
    # every quote of the hostile names is escaped: the DOT holds no `"INJECTED"` token
    for m in re.finditer("INJECTED", dot_text):
        assert dot_text[m.start() - 2 : m.start()] == '\\"', dot_text[m.start() - 40 : m.end()]


class PageParser(HTMLParser):
    """Collects tags, attributes, script bodies, the CSP and the text of an HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self.csp = ""
        self._in_script: dict[str, str | None] | None = None
        self._script_body: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))
        a = dict(attrs)
        if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy":
            self.csp = a.get("content") or ""
        if tag == "script":
            self._in_script = a
            self._script_body = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_body)))
            self._in_script = None

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._script_body.append(data)
        else:
            self.text.append(data)


def check_page(html: str) -> PageParser:
    """Parse a report page; assert nothing in it came alive from journey text."""
    assert "\x00" not in html and "\u202e" not in html
    parser = PageParser()
    parser.feed(html)
    parser.close()
    for tag, attrs in parser.tags:
        assert tag not in FORBIDDEN_TAGS, tag
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name, value)
            if name in LINK_ATTRS or name.endswith(":href"):
                assert SAFE_LINK.match((value or "").strip()), (tag, name, value)
            assert name != "srcdoc"
    assert "script-src" in parser.csp or "default-src 'none'" in parser.csp
    for attrs, body in parser.scripts:
        assert "src" not in attrs, attrs
        if attrs.get("type") == "application/json":
            json.loads(body)  # data, not code; `</` never appears raw in it
            assert "</" not in body
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"'sha256-{digest}'" in parser.csp, "a script the page did not hash"
        assert "alert(" not in body
    text = flat("".join(parser.text))
    # {{7*7}} is never evaluated: where the title reads "<script>... {{7*7}}", no 49 instead
    assert flat(SCRIPT) + "49" not in text and "{7*7}" not in text.replace(TEMPLATE, "")
    return parser


def test_hostile_report_pages_are_inert(hostile: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    ok(["report", str(hostile), "-o", str(site), "--no-cache", "-j", "1"])
    files = sorted(p.name for p in site.iterdir() if p.suffix == ".html")
    assert files == ["hostile-e2e.html", "index.html"]
    page = check_page((site / "hostile-e2e.html").read_text("utf-8"))
    text = flat("".join(page.text))
    for hostile_text in HOSTILE_TEXTS:
        assert flat(hostile_text) in text, hostile_text
    assert "\u202e" not in "".join(page.text)
    assert NOTE_LONG[-20:] in "".join(page.text)  # the long note is shown whole, as text
    scripts = [s for s in page.scripts if s[0].get("type") != "application/json"]
    assert len(scripts) <= 1
    index = check_page((site / "index.html").read_text("utf-8"))
    assert flat(SCRIPT) in flat("".join(index.text))


def test_hostile_diff_html_is_inert(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "d.html"
    ok(
        [
            "diff",
            "--format",
            "html",
            str(hostile),
            str(hostile.with_name("hostile2.yaml")),
            "-o",
            str(out),
        ]
    )
    page = check_page(out.read_text("utf-8"))
    assert flat(SVG_ONLOAD + TEMPLATE) in flat("".join(page.text))
    for fmt in ("text", "json", "markdown"):
        result = ok(
            ["diff", "--format", fmt, str(hostile), str(hostile.with_name("hostile2.yaml"))]
        )
        assert "\x00" not in result.stdout
        if fmt == "json":
            json.loads(result.stdout)


def test_hostile_csv_export_quotes_formulas(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    ok(["export", "-f", "csv", str(hostile), "-o", str(out)])
    rows = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8"), newline="")))
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    start = rows.index(["# touchpoints"]) + 1  # the touchpoint section (docs/interchange.md)
    touchpoints = rows[start : rows.index([], start)]
    assert len(touchpoints) == 5
    names = {row[0]: row[1] for row in touchpoints[1:]}
    assert names["strict"].startswith("'=HYPERLINK(")
    assert names["node"] == INJECT
    assert names["subgraph"] == IMG
    # the table comes back in unchanged (the formula quote is removed on import)
    back = tmp_path / "back.yaml"
    ok(["import", str(out), "-o", str(back)])
    result = ok(["export", "-f", "csv", str(back)])
    assert list(csv.reader(io.StringIO(result.stdout, newline=""))) == rows


def test_hostile_mermaid_export_keeps_its_grammar(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "e.mmd"
    ok(["export", "-f", "mermaid", str(hostile), "-o", str(out)])
    text = out.read_text("utf-8")
    lines = text.splitlines()
    assert lines[0] == "journey"
    assert lines[1].startswith("  title ")
    tasks = [line for line in lines if line.startswith("    ")]
    sections = [line for line in lines if line.startswith("  section ")]
    assert len(tasks) == 4 and len(sections) == 2
    assert lines[2].startswith("  accTitle: ") and lines[3].startswith("  accDescr: ")
    assert len(lines) == 4 + len(tasks) + len(sections)
    # '#', ';', ':' and '%' only inside Mermaid entity codes (#58;), which Mermaid shows as the
    # characters; tests/browser/test_mermaid_client.py has Mermaid read the names back
    bare = re.sub(r"#\w+;", "", text)
    for task in tasks:
        assert re.sub(r"#\w+;", "", task).count(":") == 2, task
    for bad in ("%", "#", "\x00", "\u202e", ";"):
        assert bad not in bare, repr(bad)


def test_hostile_model_json_export(hostile: Path) -> None:
    result = ok(["export", "-f", "json", str(hostile)])
    data = json.loads(result.stdout)
    texts = list(strings_in(data))
    assert INJECT in texts and IMG in texts and NOTE_LONG in texts
    assert any(BIG in t for t in texts) or BIG in result.stdout


# --------------------------------------------------------------------------------------------
# imports

IMPORT_BAD = {
    "unclosed-quote": 'id,name,stage,function\nt1,"never closed,s,a\n',
    "huge-field": "id,name,stage,function\nt1," + "x" * (130 * 1024) + ",s,a\n",
    "unknown-column": "id,name,stage,function,chanel\nt1,T1,s,a,web\n",
    "bad-id": "id,name,stage,function\n../../x,T1,s,a\n",
    "share-nan": "id,name,stage,function,next\nt1,T1,s,a,t2:nan\nt2,T2,s,a,\n",
}


@pytest.mark.parametrize("name", sorted(IMPORT_BAD))
def test_import_bad_table(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("t.csv").write_text(IMPORT_BAD[name], encoding="utf-8")
    lines = assert_clean_failure(run(["import", "t.csv", "-o", "j.yaml"]))
    for line in lines:
        assert line.startswith(("t.csv:", "j.yaml:")), line
        assert len(line) <= MAX_ERROR_LINE, line[:200]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv"]


def test_import_hostile_table_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    table = (
        "\ufeffid,name,stage,function,next\n"
        f't1,"{INJECT.replace(chr(34), chr(34) * 2)}",s,a,t2\n'
        "t2,'=1+1,s,b,\n"
    )
    Path("t.csv").write_text(table, encoding="utf-8")
    ok(["import", "t.csv", "-o", "j.yaml"])
    result = ok(["export", "-f", "json", "j.yaml"])
    texts = list(strings_in(json.loads(result.stdout)))
    assert INJECT in texts and "=1+1" in texts
    # refuses to overwrite: the journey stays byte-identical
    before = Path("j.yaml").read_bytes()
    assert_clean_failure(run(["import", "t.csv", "-o", "j.yaml"]))
    assert Path("j.yaml").read_bytes() == before


# --------------------------------------------------------------------------------------------
# output paths from ids


def test_report_page_names_stay_in_the_site(tmp_path: Path) -> None:
    """File names give ids; a journey called index must not overwrite the portfolio page."""
    folder = tmp_path / "journeys"
    (folder / "sub").mkdir(parents=True)
    for name in ("index", "sub/..x", "con"):
        text = GOOD.replace("id: good\n", "") if name != "sub/..x" else GOOD.replace("good", "dots")
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    site = tmp_path / "out" / "site"
    site.parent.mkdir()
    ok(["report", str(folder), "-o", str(site), "--no-cache", "-j", "1"])
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    inside = [f for f in files if f.startswith("out/site/")]
    assert all(f.startswith(("journeys/", "out/site/", "out/.journeymap-cache/")) for f in files)
    assert len(inside) == 4 and "out/site/index.html" in inside
    index = (site / "index.html").read_text("utf-8")
    assert "Portfolio" in index or "portfolio" in index


def test_report_id_with_dots_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("j.yaml").write_text(GOOD.replace("id: good", "id: ../../x"), encoding="utf-8")
    assert_clean_failure(run(["report", "j.yaml", "-o", "site"]))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.yaml"]


# --------------------------------------------------------------------------------------------
# budgets: dense graphs end cleanly


def complete_graph(n: int, functions: int) -> str:
    lines = ["journeymap: 1", "functions:"]
    lines += [f"  f{i}: {{name: F{i}}}" for i in range(functions)]
    lines += ["stages: [s]", "touchpoints:"]
    for i in range(n):
        nxt = ", ".join(f"t{j}" for j in range(n) if j != i)
        entry = "entry: true, " if i == 0 else ""
        lines.append(
            f"  t{i}: {{name: T{i}, stage: s, function: f{i % functions}, {entry}next: [{nxt}]}}"
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("renderer", ["embedded", "system"])
def test_complete_graph_render_times_out_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renderer: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("k60.yaml").write_text(complete_graph(60, 6), encoding="utf-8")
    Path("x.svg").write_bytes(b"previous")
    result = run(["render", "k60.yaml", "-o", "x.svg", "--timeout", "1", "--renderer", renderer])
    lines = assert_clean_failure(result)
    assert len(lines) == 1 and "1 s limit" in lines[0], lines
    assert Path("x.svg").read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["k60.yaml", "x.svg"]


def test_dense_path_search_reports_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "k11.yaml"
    path.write_text(complete_graph(11, 11), encoding="utf-8")
    data = json.loads(ok(["analyze", "--format", "json", str(path)]).stdout)
    metrics = data["metrics"]
    assert metrics["max_handoffs_on_path_complete"] is False
    # a simple path over 11 touchpoints has at most 10 transitions, all of them handoffs here
    assert metrics["max_handoffs_on_path"] <= 10
    text = ok(["analyze", str(path)]).stdout
    assert "most handoffs on a path >= " in text
