"""Journey pages and the index: figures of the worked example, CSP, and hostile text."""

from __future__ import annotations

import base64
import hashlib
import html as html_module
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from journeymap.analysis.portfolio import portfolio
from journeymap.analysis.types import JourneyAnalysis
from journeymap.report import render_index, render_journey_page
from journeymap.report.pages import page_name


class Collect(HTMLParser):
    """Every start tag with its attributes, and the text of each <style>/<script>."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"style": [], "script": []}
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in][-1] += data


def parse(html: str) -> Collect:
    parser = Collect()
    parser.feed(html)
    return parser


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def edges(analysis: JourneyAnalysis) -> list[tuple[str, str]]:
    return [(h.source, h.target) for h in analysis.handoffs]


def test_headline_figures_of_the_worked_example(broadband: JourneyAnalysis, tiny_svg: Any) -> None:
    html = render_journey_page(broadband, tiny_svg(edges(broadband)))
    text = re.sub(r"<[^>]+>", " ", html)
    text = re.sub(r"\s+", " ", text)
    # broadband.md: 6 touchpoints, 6 transitions, 5 handoffs (5/6 = 83%), 1.135294 per customer,
    # live 0.352941, churn-risk 0.047059, drop-off 1 - both = 0.6, max 4 handoffs on a path.
    assert "6 touchpoints" in text
    assert "Handoffs 5 83% of 6 transitions" in text
    assert "Expected handoffs per customer 1.14" in text
    assert "Most handoffs on one path 4" in text
    assert "live 35.3%" in text and "churn-risk 4.7%" in text and "drop-off 60.0%" in text
    risk = sum(h.risk for h in broadband.handoffs)
    assert f"Total risk {risk:.1f} weighted handoff problems per customer" in text
    # no portfolio and no gate: the context slots stay empty and no limit is named
    assert html.count('<span class="vs" data-vs="') == 5
    assert "portfolio median" not in text and "check limit" not in text


def test_handoffs_are_ranked_and_linked_to_edges(broadband: JourneyAnalysis, tiny_svg: Any) -> None:
    html = render_journey_page(broadband, tiny_svg(edges(broadband)))
    rows = [
        a for t, a in parse(html).tags if t == "tr" and (a.get("id") or "").startswith("handoff-")
    ]
    assert [r["id"] for r in rows] == [f"handoff-{n}" for n in range(1, 6)]
    for row, h in zip(rows, broadband.handoffs, strict=True):
        assert row["data-target"] == f"edge-{h.source}--{h.target}"
    # The repeat ask at care-call (JM103) is listed with the handoff visit -> care-call.
    row3 = html.split('id="handoff-', 4)[3].split("</tr>")[0]
    assert broadband.handoffs[2].source == "visit" and "JM103" in row3
    assert "broadband.yaml:" in row3  # YAML location shown


def test_csp_allows_exactly_the_inline_style_and_script(
    broadband: JourneyAnalysis, tiny_svg: Any
) -> None:
    html = render_journey_page(broadband, tiny_svg(edges(broadband)))
    page = parse(html)
    csp = [
        a["content"]
        for t, a in page.tags
        if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert len(csp) == 1
    policy = csp[0]
    assert policy.startswith("default-src 'none';")
    assert f"style-src {sha(page.raw['style'][0])}" in policy
    code = [
        s
        for (t, a), s in zip(
            [x for x in page.tags if x[0] == "script"], page.raw["script"], strict=True
        )
        if not a.get("type")
    ]
    assert len(code) == 1 and f"script-src {sha(code[0])}" in policy
    assert "img-src data:" in policy and "unsafe" not in policy


def test_same_input_same_bytes(broadband: JourneyAnalysis, tiny_svg: Any) -> None:
    svg = tiny_svg(edges(broadband))
    assert render_journey_page(broadband, svg) == render_journey_page(broadband, svg)


def test_hostile_text_stays_text(hostile: JourneyAnalysis, tiny_svg: Any) -> None:
    html = render_journey_page(hostile, tiny_svg(edges(hostile)))
    page = parse(html)
    tags = [t for t, _ in page.tags]
    assert tags.count("script") == 2  # our JSON data block and our code, nothing else
    assert "img" not in tags and "iframe" not in tags and tags.count("style") == 1
    for tag, attrs in page.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "xlink:href", "action", "formaction"):
                assert not (value or "").strip().lower().startswith("javascript:"), (tag, name)
    assert "{{7*7}} Hostile" in html.replace("&#39;", "'") or "{{7*7}}" in html
    assert "Hostile 49" not in html
    data = json.loads(page.raw["script"][0])
    assert data["title"] == hostile.journey.title
    assert "</script" not in page.raw["script"][0].lower()


def test_index_lists_every_journey(
    broadband: JourneyAnalysis, hostile: JourneyAnalysis, tiny_svg: Any
) -> None:
    analyses = [broadband, hostile]
    html = render_index(analyses, portfolio(analyses), tiny_svg([]))
    page = parse(html)
    hrefs = [a.get("href") for t, a in page.tags if t == "a"]
    assert "broadband.html" in hrefs and "hostile.html" in hrefs
    assert "broadband.html#handoff-1" in hrefs  # worst handoffs link to their rows
    assert [t for t, _ in page.tags].count("script") == 1
    for _, attrs in page.tags:
        assert not any(name.startswith("on") for name in attrs)
    assert "&lt;script&gt;window.__pwned" in html


def test_page_names_stay_inside_the_site() -> None:
    assert page_name("b2b-purchase") == "b2b-purchase.html"
    for evil in ("../../etc/passwd", "a/b", "index", "", "Caps", "x.html"):
        name = page_name(evil)
        assert "/" not in name and ".." not in name and name != "index.html"
        assert re.fullmatch(r"[a-z0-9_-]+\.html", name)


def test_page_ids_do_not_clash_with_diagram_ids(
    broadband: JourneyAnalysis, hostile: JourneyAnalysis
) -> None:
    # The inlined Graphviz SVG brings its own ids (graph, clusters, nodes, edges): none may be
    # one of the page's own (the silo map's graph is called "silos", as the index section was).
    from journeymap.render import build_dot, build_silo_dot, render_dot

    def ids(html: str) -> list[str]:
        return [str(attrs["id"]) for _, attrs in parse(html).tags if attrs.get("id")]

    analyses = [broadband, hostile]
    cases = [
        (render_journey_page(a, None), render_dot(build_dot(a), "svg").decode()) for a in analyses
    ]
    cases.append(
        (
            render_index(analyses, portfolio(analyses), None),
            render_dot(build_silo_dot(analyses), "svg").decode(),
        )
    )
    for page, svg in cases:
        own = ids(page)
        assert len(own) > 5 and len(set(own)) == len(own)
        assert set(own).isdisjoint(ids(svg)), set(own) & set(ids(svg))


def test_journey_page_leads_with_the_top_fixes() -> None:
    """'Fix these first' comes before the headline figures and lists the ranked fixes' top five,
    each with its executive and predicted risk removed (issue 12)."""
    import html
    import re
    from pathlib import Path

    from journeymap import project
    from journeymap.analysis.fixes import ranked_fixes
    from journeymap.report.pages import render_journey_page

    path = Path(__file__).resolve().parents[2] / "journeys" / "claims-before.yaml"
    item = project.analyse_file(path)
    page = render_journey_page(item.analysis, None, config=item.config)
    assert page.index('id="fixes"') < page.index('id="figures"')
    titles = re.findall(r'<p class="fix-title">(.*?)</p>', page)
    expected = ranked_fixes(item.analysis.journey, item.analysis, item.config)[:5]
    assert len(titles) == 5
    assert [html.unescape(t) for t in titles] == [
        f.title[:1].upper() + f.title[1:] for f in expected
    ]
    assert f"removes {expected[0].risk_removed:.2f} risk" in page
    assert "COO" in page.split('id="figures"')[0]


def test_claims_page_speaks_plainly_and_explains_its_codes() -> None:
    """Issue 12: no backticks in the text, ids shown as names, locations as small tags, each
    code chip titled with its rule, and a glossary of exactly the codes on the page."""
    from pathlib import Path

    from journeymap import project
    from journeymap.catalog import RULES, is_per_handoff
    from journeymap.report.pages import EVIDENCE

    path = Path(__file__).resolve().parents[2] / "journeys" / "claims-before.yaml"
    item = project.analyse_file(path)
    page = render_journey_page(item.analysis, None, config=item.config)
    body = page.split("<main", 1)[1].split('<script type="application/json"', 1)[0]
    text = re.sub(r"<[^>]+>", " ", body)
    assert "`" not in text
    assert "claims-before.yaml:105</span>" in page and 'class="loc"' in page
    journey = item.analysis.journey
    # "stage `report`" -> the stage's name; "handoff fnol-phone -> claim-setup" -> names
    assert "Report the claim by phone \u2192 Claim set up by a handler" in page
    assert "fnol-phone -&gt; claim-setup" not in body
    shown = {f.rule for f in item.analysis.findings if not is_per_handoff(f.rule)}
    glossary = re.findall(r'<div id="code-(JM\d+)">', page)
    assert set(glossary) == shown and len(glossary) == len(shown)
    for code in shown:  # each explained in the catalogue's words, without backticks
        sentence = getattr(RULES[code], "why", "") or RULES[code].summary
        assert html_escape(sentence.replace("`", "")) in page, code
    assert html_escape(EVIDENCE) in page and "75,000" in EVIDENCE and "96%" in EVIDENCE
    rule = RULES["JM101"]
    assert f'title="JM101 {rule.title}: {rule.summary.replace("`", "")}"' in page
    assert journey.touchpoints["fnol-phone"].name == "Report the claim by phone"


def html_escape(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def test_the_index_names_each_function_the_organisation_files_way(tmp_path: Path) -> None:
    """b2b-purchase renames the shared `sales` for its own page ("Account executives"); the
    portfolio index calls it what journeys/organisation.yaml calls it, "Sales", everywhere."""
    import shutil

    from journeymap.report import build_site

    folder = tmp_path / "journeys"
    shutil.copytree(Path(__file__).resolve().parents[2] / "journeys", folder)
    out = build_site([folder], tmp_path / "site", jobs=1, cache=False).out_dir
    index = (out / "index.html").read_text("utf-8")
    assert "Account executives" not in index
    assert ">Sales<" in index or "Sales " in index
    own_page = (out / "b2b-purchase.html").read_text("utf-8")
    assert "Account executives" in own_page  # the journey's own page keeps its name


def test_claims_before_page_predicts_what_its_top_three_fixes_buy_together(
    tmp_path: Path, tiny_svg: Any
) -> None:
    """The page's "made together" figure equals analysing the journey file edited with the
    first three fixes it lists (issue 12: the top three lower the risk by what the page says)."""
    from journeymap import project
    from journeymap.analysis.fixes import ranked_fixes
    from journeymap.analysis.whatif import total_risk
    from tests.analysis.test_whatif import JOURNEYS, reanalysed

    x = project.analyse_file(JOURNEYS / "claims-before.yaml")
    html = render_journey_page(x.analysis, tiny_svg([]), config=x.config)
    text = html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))
    text = text.replace("\u2212", "-")
    found = re.search(
        r"the first three lower the journey's total risk from ([\d.]+) to ([\d.]+) \(-([\d.]+)\)",
        text,
    )
    assert found, text[:2000]
    before, after, removed = (float(g) for g in found.groups())
    top = ranked_fixes(x.analysis.journey, x.analysis, x.config)[:3]
    edited = reanalysed("claims-before", [c for f in top for c in f.changes], tmp_path)
    assert before == round(total_risk(x.analysis), 2)
    assert after == round(total_risk(edited), 2)
    assert removed == round(total_risk(x.analysis) - total_risk(edited), 2)
    assert removed > 10  # a real share of the journey's 71.9
