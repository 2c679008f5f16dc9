"""Every writer is safe: an output is checked before any work, and a failed write is one line.

* Refused before work (journeymap/outputs.py): an output that is one of the command's inputs
  (as journeymap.load.yaml_files finds them in folders), inside a folder the command reads, in
  a folder that does not exist, or below a file.
* Failed writes (journeymap/atomic.py, the site build): a real full disk (a small tmpfs filled
  up) and a real read-only file system (the tmpfs remounted read-only), both in a private
  mount namespace (``unshare -rm``), and no permission (EACCES, injected: we run as root, who
  may write anywhere). Each is one line ``path: error: cannot write (reason); hint``, exit 2,
  the previous output byte for byte as it was and no temporary file left.
"""

from __future__ import annotations

import errno
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from journeymap.cli import main
from journeymap.errors import OutputError
from journeymap.outputs import check_output

ROOT = Path(__file__).resolve().parents[1]
JOURNEY = ROOT / "journeys" / "claims-after.yaml"
SCENARIOS = ROOT / "journeys" / "claims-before.scenarios.yaml"
TABLE = ROOT / "tests" / "data" / "interchange" / "two-steps.csv"
CONFORM = ROOT / "tests" / "data" / "conform"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder with a journey j.yaml, its twin k.yaml, a table, a log and a mapping."""
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(JOURNEY, folder / "j.yaml")
    shutil.copy(JOURNEY, folder / "k.yaml")
    shutil.copy(TABLE, folder / "table.csv")
    shutil.copy(CONFORM / "shop.yaml", folder / "shop.yaml")
    shutil.copy(CONFORM / "log.csv", folder / "log.csv")
    shutil.copy(CONFORM / "mapping.yaml", folder / "mapping.yaml")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# --- refused before any work: an output that is an input ------------------------------------

# (command, the input it would replace); {d} is the inputs folder.
SAME_AS_INPUT = {
    "analyze": (["analyze", "{d}/j.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "analyze-folder": (["analyze", "{d}", "-o", "{d}/k.yaml"], "k.yaml"),
    "check": (["check", "{d}/j.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "export": (["export", "csv", "{d}/j.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "export-old-form": (["export", "{d}/j.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "diff-old": (["diff", "{d}/j.yaml", "{d}/k.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "diff-new": (["diff", "{d}/j.yaml", "{d}/k.yaml", "-o", "{d}/k.yaml"], "k.yaml"),
    "whatif": (["whatif", "{d}/j.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "render": (["render", "{d}/j.yaml", "-o", "{d}/j.yaml"], "j.yaml"),
    "import": (["import", "{d}/table.csv", "-o", "{d}/table.csv"], "table.csv"),
    "mine": (["mine", "{d}/log.csv", "-o", "{d}/log.csv"], "log.csv"),
    "conform-designed": (
        ["conform", "{d}/shop.yaml", "{d}/log.csv", "-o", "{d}/shop.yaml"],
        "shop.yaml",
    ),
    "conform-mapping": (
        [
            "conform",
            "{d}/shop.yaml",
            "{d}/log.csv",
            "--mapping",
            "{d}/mapping.yaml",
            "-o",
            "{d}/mapping.yaml",
        ],
        "mapping.yaml",
    ),
    "config": (["analyze", "{d}/j.yaml", "--config", "{d}/k.yaml", "-o", "{d}/k.yaml"], "k.yaml"),
}


@pytest.mark.parametrize("name", sorted(SAME_AS_INPUT))
def test_an_output_that_is_an_input_is_refused(name: str, inputs: Path) -> None:
    template, victim = SAME_AS_INPUT[name]
    args = [a.format(d=inputs) for a in template]
    before = snapshot(inputs)
    code, out, err = invoke(*args)
    assert (code, out) == (2, ""), err
    assert err == (
        f"{inputs / victim}: error: cannot write (it is an input of this command and would be "
        "replaced); write to another file with -o\n"
    )
    assert snapshot(inputs) == before  # the input as it was, and nothing written beside it


def test_a_link_to_an_input_is_an_input(inputs: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.yaml"
    link.symlink_to(inputs / "j.yaml")
    code, _, err = invoke("export", "csv", inputs / "j.yaml", "-o", link)
    assert code == 2 and "it is an input of this command" in err
    assert (inputs / "j.yaml").read_bytes() == JOURNEY.read_bytes()


def test_the_inputs_of_a_folder_are_its_yaml_files(inputs: Path) -> None:
    """Within the folder every output is refused (the folder is read); the inputs themselves
    are the YAML files journeymap.load.yaml_files finds there, and no others."""
    with pytest.raises(OutputError, match=r"it is an input of this command"):
        check_output(inputs / "k.yaml", [inputs])
    with pytest.raises(OutputError, match=r"it is inside .*in, a folder this command reads"):
        check_output(inputs / ".hidden.yaml", [inputs])  # not read, but in a read folder
    with pytest.raises(OutputError, match=r"it is inside"):
        check_output(inputs / "log.csv", [inputs])
    check_output(inputs.parent / "elsewhere.txt", [inputs])  # beside the folder: fine
    check_output(inputs.parent / "k.yaml", [inputs / "j.yaml"])  # a same-named other file
    check_output(inputs / "new.txt", [inputs / "j.yaml"])  # beside a file given: fine


def test_git_sources_and_missing_inputs_are_not_paths(inputs: Path) -> None:
    check_output(inputs / "out.txt", ["git:HEAD:j.yaml", inputs / "no-such.yaml", None])


# --- refused before any work: inside a folder the command reads -----------------------------


def test_a_report_into_the_journeys_folder_is_refused(inputs: Path) -> None:
    before = snapshot(inputs)
    code, out, err = invoke("report", inputs, "-o", inputs / "site", "-j", "1")
    assert (code, out) == (2, "")
    assert err == (
        f"{inputs / 'site'}: error: cannot write (it is inside {inputs}, a folder this "
        "command reads); write outside the folders given as inputs with -o\n"
    )
    assert snapshot(inputs) == before and not (inputs / "site").exists()


def test_a_site_folder_holding_an_input_is_refused(inputs: Path) -> None:
    code, _, err = invoke("report", inputs / "j.yaml", "-o", inputs, "-j", "1")
    assert code == 2
    assert err.startswith(f"{inputs}: error: cannot write (it holds the input {inputs}/")
    assert err.count("\n") == 1


def test_an_analysis_into_the_folder_it_reads_is_refused(inputs: Path) -> None:
    code, _, err = invoke("analyze", inputs, "-o", inputs / "report.md")
    assert code == 2 and f"it is inside {inputs}, a folder this command reads" in err
    assert not (inputs / "report.md").exists()


# --- refused before any work: the folder -----------------------------------------------------


def test_a_file_in_the_way_is_one_line(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    for out in (afile / "x.svg", afile / "deeper" / "x.svg"):
        code, _, err = invoke("render", JOURNEY, "-o", out)
        assert code == 2
        assert err == (
            f"{out}: error: cannot write ({afile} is a file, not a folder); move that file "
            "away or choose another -o\n"
        )
    assert afile.read_text() == "keep me\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


def test_a_missing_folder_is_refused_not_created(tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "out.csv"
    code, _, err = invoke("export", "csv", JOURNEY, "-o", out)
    assert code == 2
    assert err == (
        f"{out}: error: cannot write (the folder {out.parent} does not exist); create it "
        "first (mkdir -p) or choose another -o\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_the_output_is_checked_before_the_input_is_read(tmp_path: Path) -> None:
    """A broken journey and an impossible output: the output is what is reported (no work)."""
    broken = tmp_path / "broken.yaml"
    broken.write_text("journeymap: 7\n")
    for args in (
        ["analyze", broken, "-o", tmp_path / "no" / "x"],
        ["report", broken, "-o", tmp_path / "no" / "site"],
        ["render", broken, "-o", tmp_path / "no" / "x.svg"],
        ["init", tmp_path / "no" / "j.yaml"],
        ["schema", "-o", tmp_path / "no" / "s.json"],
    ):
        code, _, err = invoke(*args)
        assert code == 2 and f"{tmp_path / 'no'} does not exist" in err, args


def test_init_names_its_argument_in_the_hint(tmp_path: Path) -> None:
    code, _, err = invoke("init", tmp_path / "no" / "j.yaml")
    assert code == 2 and err.endswith("or choose another PATH\n")


# --- failed writes: no permission (injected) --------------------------------------------------


def test_no_permission_is_one_line_and_keeps_the_previous_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "claims.csv"
    assert invoke("export", "csv", JOURNEY, "-o", out)[0] == 0
    before = out.read_bytes()

    def refuse(*args: object, **kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    code, _, err = invoke("export", "csv", JOURNEY, "-o", out)
    assert code == 2
    assert err == (
        f"{out}: error: cannot write (Permission denied); you may not write in that folder; "
        "check its permissions or write elsewhere\n"
    )
    assert out.read_bytes() == before and sorted(tmp_path.iterdir()) == [out]


# --- failed writes: a real full disk and a real read-only file system ------------------------

# Runs inside `unshare -rm` (a private mount namespace): mounts a small tmpfs at argv[1],
# writes a previous output of each command there, fills the disk, runs each command again
# onto its previous output (but import and init, which never replace a file) and onto a new one, then remounts read-only and does it again.
INNER = r"""
import json, os, subprocess, sys
from pathlib import Path
from click.testing import CliRunner
from journeymap.cli import main

mnt, journey, table = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)

def commands(out):
    return {
        "analyze": ["analyze", journey, "-o", f"{out}.txt"],
        "check": ["check", journey, "-o", f"{out}.check"],
        "render": ["render", journey, "-o", f"{out}.svg"],
        "export": ["export", "csv", journey, "-o", f"{out}.csv"],
        "diff": ["diff", journey, journey, "-o", f"{out}.diff"],
        "whatif": ["whatif", journey, "-o", f"{out}.whatif"],
        "schema": ["schema", "-o", f"{out}.json"],
        "report": ["report", journey, "-o", f"{out}-site", "-j", "1", "--no-cache"],
        "report-cached": ["report", journey, "-o", f"{out}-cached", "-j", "1"],
        "import": ["import", table, "-o", f"{out}-imported.yaml"],
        "init": ["init", f"{out}-init.yaml"],
    }

NEVER_REPLACE = ("import", "init")  # they refuse an existing file, by design

def run(args):
    result = CliRunner().invoke(main, args)
    exc = result.exception
    return {
        "code": result.exit_code,
        "stderr": result.stderr,
        "exception": None if exc is None or isinstance(exc, SystemExit) else repr(exc),
    }

def files():
    return {
        str(p.relative_to(mnt)): p.read_bytes().hex()
        for p in sorted(mnt.rglob("*"))
        if p.is_file() and p.name != "fill" and ".journeymap-cache" not in p.parts
    }

first = {name: run(args) for name, args in commands(mnt / "old").items()}
before = files()
with open(mnt / "fill", "wb", buffering=0) as fill:
    try:
        while True:
            fill.write(b"\0" * 4096)
    except OSError as err:
        assert err.errno == 28, err
results = {"first": first, "full": {}, "readonly": {}}
for name, args in commands(mnt / "old").items():
    if name not in NEVER_REPLACE:
        results["full"][name + ":replace"] = run(args)
for name, args in commands(mnt / "new").items():
    results["full"][name + ":new"] = run(args)
results["after_full"] = files() == before
subprocess.run(["mount", "-o", "remount,ro", str(mnt)], check=True)
for name, args in commands(mnt / "old").items():
    if name not in NEVER_REPLACE:
        results["readonly"][name + ":replace"] = run(args)
for name, args in commands(mnt / "new").items():
    results["readonly"][name + ":new"] = run(args)
results["after_readonly"] = files() == before
results["mnt"] = str(mnt)
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def disk_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    unshare = shutil.which("unshare")
    if unshare is None:
        pytest.fail("unshare (util-linux) is missing: the full-disk and read-only tests need it")
    base = tmp_path_factory.mktemp("disk")
    mnt = base / "mnt"
    mnt.mkdir()
    probe = subprocess.run(
        [unshare, "-rm", "mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
        capture_output=True,
        text=True,
    )
    if probe.returncode != 0:
        pytest.fail(
            "cannot mount a tmpfs in a private mount namespace (`unshare -rm mount -t tmpfs`: "
            f"{probe.stderr.strip()}); these tests need root or unprivileged user namespaces"
        )
    done = subprocess.run(
        [unshare, "-rm", sys.executable, "-c", INNER, str(mnt), str(JOURNEY), str(TABLE)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results: dict[str, object] = json.loads(done.stdout)
    return results


HINTS = {
    "full": (
        "No space left on device",
        "the disk is full; free some space or write to another disk",
    ),
    "readonly": ("Read-only file system", "that file system is read-only; write somewhere else"),
}


def test_the_previous_outputs_were_written(disk_results: dict[str, object]) -> None:
    first = disk_results["first"]
    assert isinstance(first, dict)
    assert {name: r["code"] for name, r in first.items()} == dict.fromkeys(first, 0)


@pytest.mark.parametrize("failure", ["full", "readonly"])
def test_a_failed_write_is_one_line_exit_2(failure: str, disk_results: dict[str, object]) -> None:
    runs = disk_results[failure]
    assert isinstance(runs, dict) and len(runs) == 11 + 9
    reason, hint = HINTS[failure]
    mnt = str(disk_results["mnt"])
    for name, result in runs.items():
        assert result["exception"] is None, (name, result["exception"])  # no traceback
        assert result["code"] == 2, (name, result)
        lines = result["stderr"].splitlines()
        assert len(lines) == 1, (name, result["stderr"])
        # the path named is the output, or (report with a cache) the cache file that failed
        assert lines[0].startswith(mnt + "/"), (name, lines)
        assert lines[0].endswith(f": error: cannot write ({reason}); {hint}"), (name, lines)


@pytest.mark.parametrize("failure", ["full", "readonly"])
def test_nothing_is_lost_and_nothing_left(failure: str, disk_results: dict[str, object]) -> None:
    """Every previous output byte for byte as it was, and no new file (no temporary file, no
    half-written output, no half-built site folder)."""
    assert disk_results["after_" + failure] is True


def test_a_shared_organisation_file_is_an_input_too(tmp_path: Path) -> None:
    """Known once the journey is read: its ``uses:`` file is refused as an output before
    anything is written."""
    folder = tmp_path / "journeys"
    folder.mkdir()
    shutil.copy(JOURNEY, folder / "claims.yaml")
    shutil.copy(ROOT / "journeys" / "organisation.yaml", tmp_path / "organisation.yaml")
    text = (folder / "claims.yaml").read_text(encoding="utf-8")
    assert "uses: organisation.yaml" in text
    (folder / "claims.yaml").write_text(
        text.replace("uses: organisation.yaml", "uses: ../organisation.yaml"), encoding="utf-8"
    )
    org = tmp_path / "organisation.yaml"
    before = org.read_bytes()
    journey = folder / "claims.yaml"
    for args in (
        ["analyze", journey, "-o", org],
        ["whatif", journey, "-o", org],
        ["diff", journey, journey, "-o", org],
        ["export", "json", journey, "-o", org],
        ["export", "csv", journey, "-o", org],
        ["export", journey, "-o", org],
    ):
        code, _, err = invoke(*args)
        assert (code, err.count("\n")) == (2, 1), (args, err)
        assert err.startswith(f"{org}: error: cannot write (it is an input of this command")
        assert org.read_bytes() == before


def test_export_file_refuses_its_own_journey_and_its_uses_file(tmp_path: Path) -> None:
    """The library checks too (the CLI checks the journey before reading it)."""
    from journeymap.interchange import export_file

    folder = tmp_path / "journeys"
    shutil.copytree(ROOT / "journeys", folder)
    journey = folder / "claims-after.yaml"
    for output in (journey, folder / "organisation.yaml"):
        before = output.read_bytes()
        with pytest.raises(OutputError, match="it is an input"):
            export_file("json", journey, output)
        assert output.read_bytes() == before

