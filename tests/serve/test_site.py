"""LiveSite without a browser: what gets rebuilt, what the events carry, the watcher."""

from __future__ import annotations

import json
import os
from pathlib import Path

from journeymap.serve.events import Broadcaster, Event
from journeymap.serve.page import live_policy, make_live, state_json
from journeymap.serve.site import LiveSite
from journeymap.serve.watch import Watcher

ORG = """journeymap: 1
functions:
  mkt: {name: Marketing, lead: CMO}
  sales: {name: Sales, lead: VP Sales}
systems:
  crm: {name: CRM, owner: sales}
"""

JOURNEY = """journeymap: 1
id: {id}
title: {title}
owner: sales
uses: org.yaml
stages: [a]
touchpoints:
  ad: {{name: Ad, stage: a, function: mkt, channel: web, next: [call]}}
  call: {{name: Call, stage: a, function: sales, channel: web, systems: [crm], outcome: won}}
"""


def _folder(tmp_path: Path) -> Path:
    (tmp_path / "org.yaml").write_text(ORG, encoding="utf-8")
    (tmp_path / "one.yaml").write_text(JOURNEY.format(id="one", title="One"), encoding="utf-8")
    (tmp_path / "two.yaml").write_text(JOURNEY.format(id="two", title="Two"), encoding="utf-8")
    return tmp_path


def test_change_rebuilds_only_what_reads_the_file(tmp_path: Path) -> None:
    site = LiveSite([str(_folder(tmp_path))])
    try:
        site.build_all()
        pages = sorted(s.page for s in site.journeys.values())
        assert pages == ["one.html", "two.html"]
        assert {p.name for p in site.root.iterdir()} >= {"index.html", "one.html", "two.html"}
        versions = {s.page: s.version for s in site.journeys.values()}
        hit = site.on_change([str(tmp_path / "one.yaml")])
        assert [s.page for s in hit] == ["one.html"]
        hit = site.on_change([str(tmp_path / "org.yaml")])
        assert sorted(s.page for s in hit) == ["one.html", "two.html"]
        after = {s.page: s.version for s in site.journeys.values()}
        # each good rebuild sends two events (the picture, then the page): one.html was rebuilt
        # twice, two.html once
        step = after["two.html"] - versions["two.html"]
        assert step > 0
        assert after["one.html"] - versions["one.html"] == 2 * step
        assert site.on_change([str(tmp_path / "unrelated.txt")]) == []
    finally:
        site.close()
    assert not site.root.exists()


def test_broken_save_keeps_last_good_page_and_reports_file_line(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    site = LiveSite([str(folder / "one.yaml")])
    q = site.events.subscribe()
    try:
        site.build_all()
        state = next(iter(site.journeys.values()))
        good_body = state.body
        assert good_body and "tp-call" in good_body
        text = JOURNEY.format(id="one", title="One").replace("function: sales", "function: salez")
        (folder / "one.yaml").write_text(text, encoding="utf-8")
        site.on_change([str(folder / "one.yaml")])
        line = next(i for i, t in enumerate(text.splitlines(), 1) if "salez" in t)
        assert state.errors and state.errors[0].startswith(f"{folder / 'one.yaml'}:{line}:")
        assert state.body == good_body  # the last good picture stays
        page_html = (site.root / "one.html").read_text(encoding="utf-8")
        assert "tp-call" in page_html and "salez" in page_html  # errors in the embedded state
        events = []
        while not q.empty():
            events.append(q.get_nowait())
        last = [e for e in events if e.data["page"] == "one.html"][-1]
        assert last.data["body"] is None and last.data["errors"] == list(state.errors)
        # a broken organisation file is watched too, and reported with its own line
        (folder / "one.yaml").write_text(JOURNEY.format(id="one", title="One"), encoding="utf-8")
        (folder / "org.yaml").write_text(ORG.replace("owner: sales", "owner: nobody"))
        site.on_change([str(folder / "org.yaml")])
        assert any("org.yaml:" in e for e in state.errors)
        assert str(folder / "org.yaml") in state.deps
    finally:
        site.close()


def test_journey_that_never_loaded_gets_a_waiting_page(tmp_path: Path) -> None:
    (tmp_path / "bad.yaml").write_text("journeymap: 1\ntitle: [\n", encoding="utf-8")
    site = LiveSite([str(tmp_path / "bad.yaml")])
    try:
        site.build_all()
        html = (site.root / "bad.html").read_text(encoding="utf-8")
        assert "has not loaded yet" in html
        assert "jm-live-state" in html
    finally:
        site.close()


def test_watcher_poll_sees_writes_and_renames(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    a.write_text("1")
    seen: list[set[str]] = []
    w = Watcher(lambda: [str(a)], seen.append)
    w.prime()
    assert w.poll() == set()
    a.write_text("22")
    assert w.poll() == {str(a)}
    b = tmp_path / "b.tmp"
    b.write_text("22")
    os.replace(b, a)  # editors that save by rename: new inode
    assert w.poll() == {str(a)}
    a.unlink()
    assert w.poll() == {str(a)}


def test_policy_widened_only_for_self() -> None:
    policy = live_policy(
        "default-src 'none'; style-src 'sha256-x'; script-src 'sha256-y'; img-src data:"
    )
    parts = dict(p.strip().split(" ", 1) for p in policy.split(";"))
    assert parts["connect-src"] == "'self'"
    assert parts["script-src"] == "'sha256-y' 'self'"
    assert parts["style-src"] == "'sha256-x' 'self'"
    assert parts["default-src"] == "'none'"
    assert parts["img-src"] == "data:"


def test_embedded_state_cannot_close_the_script() -> None:
    text = state_json({"errors": ["</script><script>alert(1)</script>"]})
    assert "<" not in text and ">" not in text
    assert json.loads(text)["errors"][0].startswith("</script>")
    page, _ = make_live("<html><head></head><body></body></html>", {"errors": ["</script>"]})
    assert page.count("</script>") == 2  # the state block and the client script, nothing else


def test_broadcaster_drops_a_stuck_subscriber() -> None:
    b = Broadcaster(backlog=2)
    q = b.subscribe()
    for i in range(5):
        b.publish(Event("page", {"i": i}))
    assert b.subscribers == 0
    drained = []
    while not q.empty():
        drained.append(q.get_nowait().name)
    assert drained[-1] == "close"
