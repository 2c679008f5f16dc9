"""Our Mermaid exports as Mermaid itself reads them: the `mermaid` npm package (the version in
tests/js/package-lock.json) parses and renders each export in headless Chromium, and we read the
rendered SVG back.

Journey: the same task names, scores (read from where the face is drawn: y = 300 + (5 - score)
* 30 in Mermaid's renderer), actors (each task's actor circles) and sections, and every task's
box inside its section's box. Flowchart: the same node labels and subgraph titles, every node's
box inside its function's subgraph box, one edge per transition, handoff edges labelled with
their risk rank. For the five examples, the hostile names of tests/adversarial-corpus.md and
the names Mermaid's grammars cannot hold as typed (tests/data/interchange/mermaid-hostile.yaml).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from journeymap.analysis.engine import analyze
from journeymap.interchange.mermaid import mermaid_flowchart, mermaid_journey
from journeymap.load import load_journey, yaml_files
from journeymap.model import Journey
from journeymap.render.escape import clean_text

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
MERMAID_JS = ROOT / "tests" / "js" / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
HOSTILE = ROOT / "tests" / "data" / "interchange" / "mermaid-hostile.yaml"
JOURNEYS = sorted(p for p in yaml_files(ROOT / "journeys") if p.name != "organisation.yaml")
BROADBAND = ROOT / "tests" / "data" / "interchange" / "broadband.yaml"
CASES = [*JOURNEYS, HOSTILE, BROADBAND, "adversarial"]


def load_case(path: Path | str, tmp_path: Path) -> Journey:
    """A case by path; "adversarial" is tests/test_adversarial.py's hostile journey (the
    corpus's names: DOT injection, script and SVG tags, comment ends, IMG, template, javascript:
    link, 'C:\\dir\\', 'Login:Page', a right-to-left override)."""
    if path == "adversarial":
        from tests.test_adversarial import HOSTILE_YAML

        source = tmp_path / "hostile.yaml"
        source.write_text(HOSTILE_YAML, encoding="utf-8")
        return load_journey(source)
    return load_journey(path)


RENDER = r"""
async (text) => {
  window.__n = (window.__n || 0) + 1;
  const parsed = await mermaid.parse(text);
  const {svg} = await mermaid.render('m' + window.__n, text);
  const host = document.getElementById('out');
  host.innerHTML = svg;
  const root = host.querySelector('svg');
  const box = (el) => { const r = el.getBoundingClientRect();
    return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom}; };
  const result = {type: parsed.diagramType, svg,
    accTitle: root.querySelector(':scope > title')?.textContent ?? null,
    accDescr: root.querySelector(':scope > desc')?.textContent ?? null};
  if (parsed.diagramType === 'journey') {
    result.title = [...root.querySelectorAll(':scope > text[font-weight="bold"]')].map(t => t.textContent);
    result.tasks = [...root.querySelectorAll('line.task-line')].map(line => {
      const g = line.parentNode;
      return {name: g.querySelector('foreignObject div.label').textContent,
              cy: parseFloat(g.querySelector('circle.face').getAttribute('cy')),
              actors: [...g.querySelectorAll('circle > title')].map(t => t.textContent),
              box: box(g.querySelector('rect.task'))};
    });
    result.sections = [...root.querySelectorAll('rect.journey-section')].map(r => (
      {name: r.parentNode.querySelector('foreignObject div.label').textContent, box: box(r)}));
  } else {
    result.clusters = [...root.querySelectorAll('g.cluster')].map(g => (
      {id: g.id, label: g.querySelector('.cluster-label').textContent,
       box: box(g.querySelector(':scope > rect'))}));
    result.nodes = [...root.querySelectorAll('g.node')].map(g => (
      {id: g.id, label: g.querySelector('.nodeLabel').textContent, box: box(g),
       text: box(g.querySelector('.nodeLabel'))}));
    result.edges = [...root.querySelectorAll('path.flowchart-link')].map(p => (
      {id: p.id, style: p.getAttribute('style') || ''}));
    result.edgeLabels = [...root.querySelectorAll('g.edgeLabel')].map(g => g.textContent);
  }
  return result;
}
"""


@pytest.fixture(scope="module")
def mermaid_page(browser: Any) -> Iterator[Any]:
    if not MERMAID_JS.is_file():
        pytest.fail(
            f"{MERMAID_JS} is missing: run `make tests/js/node_modules/.installed-stamp` "
            "(make test does it) to install the Mermaid these tests check against",
            pytrace=False,
        )
    page = browser.new_page(viewport={"width": 1600, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda err: errors.append(str(err)))
    page.set_content("<!doctype html><html><body><div id='out'></div></body></html>")
    page.add_script_tag(path=str(MERMAID_JS))
    page.evaluate("() => mermaid.initialize({startOnLoad: false})")
    yield page
    page.close()
    assert errors == []


def render(page: Any, text: str) -> dict[str, Any]:
    """Mermaid's parse and render of ``text``, read back from the SVG in the page."""
    result: dict[str, Any] = page.evaluate(RENDER, text)
    return result


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 0.5) -> bool:
    return (
        inner["x0"] >= outer["x0"] - slack
        and inner["x1"] <= outer["x1"] + slack
        and inner["y0"] >= outer["y0"] - slack
        and inner["y1"] <= outer["y1"] + slack
    )


def shown(text: str) -> str:
    """What a diagram shows for journey text: clean_text (line breaks and runs of spaces as one
    space, bidi controls dropped), as our own diagrams do."""
    return clean_text(text)


def flow_shown(text: str) -> str:
    """What a flowchart label shows: :func:`shown`, with a word joiner inside Mermaid's own
    entity markers (U+FB02 U+00B0 and U+00B6 U+00DF), which an HTML label cannot hold."""
    return re.sub("\ufb02(?=\u00b0)|\u00b6(?=\u00df)", lambda m: m.group(0) + "\u2060", shown(text))


def by_stage(journey: Journey) -> list[Any]:
    return [t for s in journey.stages for t in journey.touchpoints.values() if t.stage == s.id]


@pytest.mark.parametrize("path", CASES, ids=lambda p: getattr(p, "stem", p))
def test_mermaid_reads_our_journey_back(mermaid_page: Any, path: Path, tmp_path: Path) -> None:
    journey = load_case(path, tmp_path)
    out = render(mermaid_page, mermaid_journey(journey).text)
    assert out["type"] == "journey"
    assert out["title"] == [shown(journey.title)]
    assert out["accTitle"] == shown(journey.title)
    if journey.description:
        assert out["accDescr"] == shown(journey.description)
    touchpoints = by_stage(journey)
    assert [t["name"] for t in out["tasks"]] == [shown(t.name) for t in touchpoints]
    scores = [5 - (t["cy"] - 300) / 30 for t in out["tasks"]]
    assert scores == [t.emotion if t.emotion is not None else 3 for t in touchpoints]
    assert [t["actors"] for t in out["tasks"]] == [
        [shown(journey.functions[t.function].name)] for t in touchpoints
    ]
    stages = [s for s in journey.stages if any(t.stage == s.id for t in touchpoints)]
    assert [s["name"] for s in out["sections"]] == [shown(s.name) for s in stages]
    # each task is drawn under its own section: its box within the section's columns
    for task, tp in zip(out["tasks"], touchpoints, strict=True):
        section = out["sections"][[s.id for s in stages].index(tp.stage)]["box"]
        assert section["x0"] - 0.5 <= task["box"]["x0"] and task["box"]["x1"] <= section["x1"] + 0.5


@pytest.mark.parametrize("path", CASES, ids=lambda p: getattr(p, "stem", p))
def test_mermaid_reads_our_flowchart_back(mermaid_page: Any, path: Path, tmp_path: Path) -> None:
    journey = load_case(path, tmp_path)
    analysis = analyze(journey)
    out = render(mermaid_page, mermaid_flowchart(journey, analysis).text)
    assert out["type"] == "flowchart-v2"
    assert out["accTitle"] == shown(journey.title)
    lanes = [
        f for f in journey.lanes() if any(t.function == f.id for t in journey.touchpoints.values())
    ]
    assert sorted(c["label"] for c in out["clusters"]) == sorted(flow_shown(f.name) for f in lanes)
    assert sorted(n["label"] for n in out["nodes"]) == sorted(
        flow_shown(t.name) for t in journey.touchpoints.values()
    )
    assert len(out["nodes"]) == len(journey.touchpoints)
    # every node drawn inside its function's subgraph, and its label inside its box
    cluster_of = {re.sub(r"^m\d+-", "", c["id"]): c for c in out["clusters"]}
    for node in out["nodes"]:
        tp_key = re.match(r"^m\d+-flowchart-(tp_\w+?)-\d+$", node["id"])
        assert tp_key, node["id"]
        tp = next(
            t
            for t in journey.touchpoints.values()
            if "tp_" + t.id.replace("-", "_") == tp_key.group(1)
        )
        cluster = cluster_of["fn_" + tp.function.replace("-", "_")]
        assert cluster["label"] == flow_shown(journey.functions[tp.function].name)
        assert node["label"] == flow_shown(tp.name)
        assert inside(node["box"], cluster["box"]), (node["label"], cluster["label"])
        assert inside(node["text"], node["box"], slack=1.0), node["label"]
    transitions = list(journey.transitions())
    assert len(out["edges"]) == len(transitions)
    numbers = sorted(
        int(m.group(1)) for label in out["edgeLabels"] if (m := re.match(r"handoff (\d+)", label))
    )
    assert numbers == list(range(1, len(analysis.handoffs) + 1))
    # handoff edges are styled (thick, coloured); the others are not
    styled = [e for e in out["edges"] if "stroke-width:" in e["style"].replace(" ", "")]
    assert len(styled) == len(analysis.handoffs)


ELEMENTS = r"""
() => {
  const all = [...document.querySelectorAll('#out svg *')];
  return {tags: [...new Set(all.map(e => e.localName))].sort(),
          handlers: all.flatMap(e => [...e.attributes].map(a => a.name)).filter(n => n.startsWith('on'))};
}
"""


@pytest.mark.parametrize("path", [HOSTILE, "adversarial"], ids=lambda p: getattr(p, "stem", p))
def test_hostile_names_stay_text(mermaid_page: Any, path: Path, tmp_path: Path) -> None:
    """The tags, handlers and icons in the names become no elements or attributes."""
    journey = load_case(path, tmp_path)
    for text in (mermaid_journey(journey).text, mermaid_flowchart(journey).text):
        render(mermaid_page, text)
        found = mermaid_page.evaluate(ELEMENTS)
        assert found["handlers"] == []
        assert not {"script", "img", "iframe", "a", "i", "b", "br", "strong", "code"} & set(
            found["tags"]
        )


# Diagrams in Mermaid's documented syntax and its corners: Mermaid and our import must read
# the same title, sections, tasks, scores and first actors.
READ_ALIKE = {
    "documented": (
        "---\ntitle: My working day\n---\njourney\n    accTitle: A day at work\n"
        "    accDescr {\n        How my day goes:\n        work first, then home.\n    }\n"
        "    section Go to work\n      Make tea: 5: Me\n      Go upstairs: 3: Me\n"
        "      Do work: 1: Me, Cat\n    section Go home\n      Go downstairs: 5: Me\n"
        "      Sit down: 5: Me\n"
    ),
    "title-line": "journey\n  title Day\n  section S\n    Title of it: 5: Me\n    Task: 3: Me\n",
    "entities": (
        "journey\n  title A#58; b\n  section Buy#58; now\n    #115;ection 5: 3: Sales#44; EMEA\n"
        "    #quot;Q#quot; #amp; #35;1 #lt;b#gt;: 4: Ops\n"
    ),
    "comments": (
        "%%{init: {'theme': 'forest'}}%%\njourney\n  %% a comment\n  section S\n"
        "    # hash comment\n    Pay: 2: Billing # trailing\n    Ring: 4: Ops %% kept\n"
    ),
    "no-section-no-actor": "journey\n  Wake up: 3\n  section Day\n    Work: 2: Me, You ,Them\n",
    "crlf-and-tags": 'journey\r\n  section S\r\n    Tag <b class="x">: 2: Ops\r\n    x: 1: A: ignored\r\n',
    "case": "journey\n  TITLE Shout\n  SECTION Loud\n    Task: 4: Me\n",
    "one-line-description": "journey\n  accDescr: Short: really\n  section S\n    T: 3: Me\n",
}
# Diagrams both refuse.
REFUSED = {
    "no-score": "journey\n  section A\n    Task\n",
    "section-task": "journey\n  section A\n    section 5: 3: Me\n",
    "journey-task": "journey\n  section A\n    journey planning: 3: Me\n",
    "semicolon": "journey\n  section A\n    T: 3: Me; x\n",
    "colon-first": "journey\n  section A\n    : 3: Me\n",
    "unclosed-description": "journey\n  section S\n    T: 3: Me\n  accDescr {\n  to the end\n",
    "upper-keyword": "JOURNEY\n  section A\n    T: 3: Me\n",
}


@pytest.mark.parametrize("name", sorted(READ_ALIKE))
def test_import_reads_diagrams_as_mermaid_does(mermaid_page: Any, name: str) -> None:
    from journeymap.interchange import import_mermaid
    from journeymap.load import load_journey_text

    text = READ_ALIKE[name]
    out = render(mermaid_page, text)
    yaml_text = import_mermaid(text, f"{name}.mmd")
    journey = load_journey_text(yaml_text, f"{name}.yaml")
    if out["title"]:
        assert out["title"] == [journey.title]
    else:  # Mermaid shows none: ours is made from the file name, and says so
        assert "title: made from the file name" in yaml_text
    if out["accDescr"] is not None:  # each line trimmed in the journey file
        assert " ".join(out["accDescr"].split()) == " ".join((journey.description or "").split())
    else:
        assert journey.description is None
    tps = list(journey.touchpoints.values())
    assert [t["name"] for t in out["tasks"]] == [t.name for t in tps]
    assert [5 - (t["cy"] - 300) / 30 for t in out["tasks"]] == [t.emotion for t in tps]
    firsts = [t["actors"][0] if t["actors"] else "Unassigned" for t in out["tasks"]]
    assert firsts == [journey.functions[t.function].name for t in tps]
    others = [", ".join(t["actors"][1:]) for t in out["tasks"]]
    assert others == [t.notes[0].split(": ", 1)[1] if t.notes else "" for t in tps]
    stage = {s.id: s.name for s in journey.stages}
    # Mermaid draws no section box for the tasks before the first section
    named = [stage[t.stage] for t in tps if stage[t.stage] != "(no section)"]
    assert [s["name"] for s in out["sections"]] == list(dict.fromkeys(named))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_import_refuses_what_mermaid_refuses(mermaid_page: Any, name: str) -> None:
    from journeymap.errors import InputError
    from journeymap.interchange import import_mermaid

    ok = mermaid_page.evaluate(
        "async (t) => { try { await mermaid.parse(t); return true; } catch (e) { return false; } }",
        REFUSED[name],
    )
    assert ok is False
    with pytest.raises(InputError):
        import_mermaid(REFUSED[name], f"{name}.mmd")
