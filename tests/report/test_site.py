"""Building the site: pages, determinism, cache, atomic replacement, refusals, the CLI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.errors import InputError, UsageError
from journeymap.report import build_site
from journeymap.report.site import SITE_MARKER

DATA = Path(__file__).resolve().parents[1] / "data" / "report"


@pytest.fixture
def journeys(tmp_path: Path) -> Path:
    folder = tmp_path / "journeys"
    folder.mkdir()
    for name in ("broadband.yaml", "hostile.yaml"):
        shutil.copy(DATA / name, folder / name)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_one_page_per_journey_and_an_index(journeys: Path, tmp_path: Path) -> None:
    result = build_site([journeys], tmp_path / "site", jobs=1)
    files = sorted(snapshot(result.out_dir))
    assert files == [SITE_MARKER, "broadband.html", "hostile.html", "index.html"]
    assert result.journeys == ("broadband", "hostile")
    assert (result.rendered, result.cached) == (2, 0)
    index = (result.out_dir / "index.html").read_text(encoding="utf-8")
    assert 'href="broadband.html"' in index and 'href="hostile.html"' in index


def test_identical_input_gives_identical_bytes(journeys: Path, tmp_path: Path) -> None:
    a = build_site([journeys], tmp_path / "a" / "site", jobs=2, cache=False)
    b = build_site([journeys], tmp_path / "b" / "site", jobs=1, cache=False)
    assert snapshot(a.out_dir) == snapshot(b.out_dir)


def test_cache_reuses_unchanged_journeys(journeys: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    first = build_site([journeys], out, jobs=1)
    before = snapshot(out)
    second = build_site([journeys], out, jobs=1)
    assert (second.rendered, second.cached) == (0, 2)
    assert snapshot(out) == before
    assert second.cache_dir == tmp_path / ".journeymap-cache" / "report-site"
    # Change one journey: only it is rendered again, and its page changes.
    path = journeys / "broadband.yaml"
    path.write_text(path.read_text().replace("Broadband installation", "Fibre installation"))
    third = build_site([journeys], out, jobs=1)
    assert (third.rendered, third.cached) == (1, 1)
    after = snapshot(out)
    assert after["hostile.html"] == before["hostile.html"]
    assert b"Fibre installation" in after["broadband.html"]
    assert (
        first.cache_dir is not None and len(list(first.cache_dir.glob("*.entry"))) == 3
    )  # 2 + silo map


def test_a_changed_organisation_file_invalidates_the_journeys_using_it(tmp_path: Path) -> None:
    folder = tmp_path / "j"
    folder.mkdir()
    (folder / "org.yaml").write_text(
        "journeymap: 1\nfunctions:\n  a: {name: Alpha, lead: CEO}\n  b: {name: Beta, lead: CFO}\n"
    )
    (folder / "one.yaml").write_text(
        "journeymap: 1\nid: one\ntitle: One\nuses: org.yaml\nstages: [s]\ntouchpoints:\n"
        "  x: {name: X, stage: s, function: a, next: [y]}\n"
        "  y: {name: Y, stage: s, function: b, outcome: done}\n"
    )
    out = tmp_path / "site"
    build_site([folder], out, jobs=1)
    assert build_site([folder], out, jobs=1).cached == 1
    (folder / "org.yaml").write_text((folder / "org.yaml").read_text().replace("Beta", "Gamma"))
    result = build_site([folder], out, jobs=1)
    assert (result.rendered, result.cached) == (1, 0)
    assert "Gamma" in (out / "one.html").read_text()


def test_a_failing_build_leaves_the_old_site_untouched(journeys: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site([journeys], out, jobs=1)
    before = snapshot(out)
    (journeys / "broadband.yaml").write_text("journeymap: 1\ntitle: [unclosed\n")
    with pytest.raises(InputError):
        build_site([journeys], out, jobs=1)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".journeymap-cache", "journeys", "site"]


def test_a_crash_while_writing_leaves_the_old_site(
    journeys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build_site([journeys], out, jobs=1)
    before = snapshot(out)
    import journeymap.report.site as site

    def boom(path: Path, text: str) -> None:
        if path.name == "index.html":
            raise KeyboardInterrupt  # as if the build were killed mid-way
        path.write_text(text)

    monkeypatch.setattr(site, "_write", boom)
    with pytest.raises(KeyboardInterrupt):
        build_site([journeys], out, jobs=1, cache=False)
    assert snapshot(out) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.")]


def test_leftovers_of_a_killed_build_are_cleaned(journeys: Path, tmp_path: Path) -> None:
    stale = tmp_path / ".site.building-999999999-abc"
    stale.mkdir()
    (stale / "index.html").write_text("half")
    build_site([journeys], tmp_path / "site", jobs=1)
    assert not stale.exists()


def test_refuses_to_replace_a_folder_it_did_not_build(journeys: Path, tmp_path: Path) -> None:
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "thesis.tex").write_text("years of work")
    with pytest.raises(UsageError, match="did not build"):
        build_site([journeys], precious, jobs=1)
    assert (precious / "thesis.tex").read_text() == "years of work"


def test_cli_builds_and_says_where_to_open(journeys: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["report", str(journeys), "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    assert "2 journey pages (2 rendered, 0 from cache)" in result.output
    assert f"open {(out / 'index.html').as_uri()}" in result.output


def test_cli_bad_journey_is_one_line_and_exit_2(journeys: Path, tmp_path: Path) -> None:
    (journeys / "broadband.yaml").write_text(
        "journeymap: 1\ntitle: T\nstages: [s]\ntouchpoints: {}\nbogus: 1\n"
    )
    result = CliRunner().invoke(main, ["report", str(journeys), "-o", str(tmp_path / "site")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert all(
        line.startswith(str(journeys / "broadband.yaml")) for line in result.output.splitlines()
    )
    assert not (tmp_path / "site").exists()


def test_cached_pages_are_hard_links_with_the_site_mode_and_the_same_bytes(
    journeys: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    build_site([journeys], out, jobs=1)
    second = build_site([journeys], out, jobs=1)
    assert second.cache_dir is not None
    fresh = build_site([journeys], tmp_path / "fresh" / "site", jobs=1, cache=False)
    assert snapshot(out) == snapshot(fresh.out_dir)
    cached = {p.read_bytes(): p for p in second.cache_dir.glob("*.html")}
    for name in ("broadband.html", "hostile.html"):
        page = out / name
        assert page.stat().st_ino == cached[page.read_bytes()].stat().st_ino
        # Readable by everyone as the umask allows, like the freshly written index.
        assert page.stat().st_mode & 0o777 == (out / "index.html").stat().st_mode & 0o777


def test_a_page_edited_in_place_in_the_site_is_not_reused(journeys: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build_site([journeys], out, jobs=1)
    before = snapshot(out)
    # Write through the hard link (same inode): the cached copy changes with it.
    with open(out / "hostile.html", "r+b") as handle:
        handle.write(b"<!-- defaced -->")
    again = build_site([journeys], out, jobs=1)
    assert (again.rendered, again.cached) == (1, 1)
    assert snapshot(out) == before


def test_pages_are_copied_where_hard_links_fail(
    journeys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build_site([journeys], out, jobs=1)
    before = snapshot(out)

    def no_links(source: object, target: object) -> None:
        raise OSError(18, "Invalid cross-device link")

    monkeypatch.setattr("journeymap.report.site.os.link", no_links)
    again = build_site([journeys], out, jobs=1)
    assert (again.rendered, again.cached) == (0, 2)
    assert snapshot(out) == before
    assert (out / "broadband.html").stat().st_nlink == 1


def test_each_folder_gets_its_own_config(tmp_path: Path) -> None:
    # Two copies of the worked example; only folder `a` raises the base weight of a handoff.
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        text = (DATA / "broadband.yaml").read_text(encoding="utf-8")
        (tmp_path / name / f"{name}.yaml").write_text(
            text.replace("journeymap: 1\n", f"journeymap: 1\nid: {name}\n", 1), encoding="utf-8"
        )
    (tmp_path / ".git").mkdir()  # the config lookup stops here
    config = tmp_path / "a" / ".journeymap.yaml"
    config.write_text("risk:\n  weights: {JM100: 11}\n", encoding="utf-8")
    out = tmp_path / "site"
    build_site([tmp_path / "a", tmp_path / "b"], out, jobs=1)
    # By hand (tests/data/worked/broadband.md): the worst handoff is offer -> call, 0.5 per customer,
    # hit by JM100 (weight 1, or 11 in `a`), JM101 (2) and JM104 (1): risk 0.5 * 4 = 2 with the
    # defaults, 0.5 * 14 = 7 in `a` (call -> visit: 0.4 * 4 = 1.6, or 0.4 * 14 = 5.6).
    index = (out / "index.html").read_text(encoding="utf-8")
    for name, worst in (("a", "7"), ("b", "2")):
        row = index.split(f'href="{name}.html"', 1)[1].split("</tr>", 1)[0]
        assert row.split('data-label="Worst risk">')[1].startswith(f"{worst}</td>"), row
    config.write_text("risk:\n  weights: {JM100: 12}\n", encoding="utf-8")
    again = build_site([tmp_path / "a", tmp_path / "b"], out, jobs=1)
    assert (again.rendered, again.cached) == (1, 1)


def test_a_shared_cache_folder_keeps_every_file_that_is_not_an_entry(
    journeys: Path, tmp_path: Path
) -> None:
    """``--cache-dir`` may name a folder that holds other files: a build removes only the
    entries it did not use, never a page or temporary file of someone else's (it removed
    every *.html it did not know before)."""
    shared = tmp_path / "shared"
    shared.mkdir()
    mine = {"index.html": "<p>my page</p>", "notes.entry": "mine", ".draft.tmp": "mine too"}
    for name, text in mine.items():
        (shared / name).write_text(text)
    build_site([journeys], tmp_path / "site", jobs=1, cache_dir=shared)
    stale, silo = "0" * 64, "silo-" + "1" * 64  # a journey's entry, the silo map's
    for name in (stale, silo):
        (shared / f"{name}.entry").write_bytes(b"old")
        (shared / f"{name}.html").write_bytes(b"old")
        (shared / f".{name}.entry.x1.tmp").write_bytes(b"cut short")
    again = build_site([journeys], tmp_path / "site", jobs=1, cache_dir=shared)
    assert again.cached == 2
    for name, text in mine.items():
        assert (shared / name).read_text() == text, name
    gone = [f"{n}{end}" for n in (stale, silo) for end in (".entry", ".html")]
    gone += [f".{n}.entry.x1.tmp" for n in (stale, silo)]
    assert not any((shared / name).exists() for name in gone)
    # what this build uses stays: 2 journeys and the silo map
    assert len(list(shared.glob("*.entry"))) == 3 + 1  # + notes.entry, not ours


@pytest.mark.parametrize("where", ["through-a-file", "inside-the-site", "default-is-a-file"])
def test_cli_refuses_a_cache_folder_it_cannot_use_before_any_work(
    where: str, journeys: Path, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("x")
    out = tmp_path / "site"
    cache = tmp_path / "afile" / "cache" if where == "through-a-file" else out / "cache"
    option = ["--cache-dir", str(cache)]
    if where == "default-is-a-file":  # SITE/../.journeymap-cache/report-site
        (tmp_path / ".journeymap-cache").write_text("x")
        cache, option = tmp_path / ".journeymap-cache" / "report-site", []
    result = CliRunner().invoke(main, ["report", str(journeys), "-o", str(out), *option])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{cache}: error: cannot write ("), lines
    assert lines[0].endswith("--cache-dir")
    assert not out.exists()  # refused before anything was built
