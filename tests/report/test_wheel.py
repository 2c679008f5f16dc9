"""The report templates ship in the wheel: build it, install it in a fresh venv, build a site.

Slow (a wheel build and a virtual environment, ~15 s) but part of `make test`: an editable
install finds templates/ in the checkout and would hide a packaging mistake.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "report"


@pytest.mark.slow
def test_installed_wheel_finds_its_templates(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name in ("setup.cfg", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(REPO / "journeymap", src / "journeymap", symlinks=True, ignore=ignore)
    shutil.copytree(REPO / "templates", src / "templates", ignore=ignore)
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(src)],
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheels = list(dist.glob("journeymap-*.whl"))
    assert len(wheels) == 1

    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env)
    python = env / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    # Unpack the wheel with this venv's pip into the fresh one; its dependencies come from the
    # project venv, appended after the fresh site-packages (its .pth files, including the
    # editable install of journeymap, are not processed from there).
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--target",
            str(site),
            str(wheels[0]),
        ],
        capture_output=True,
        text=True,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    (site / "zz_project_deps.pth").write_text(sysconfig.get_path("purelib") + "\n")

    probe = subprocess.run(
        [
            str(python),
            "-c",
            "import journeymap.report as r; print(r.__file__); print(r.templates_dir())",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert probe.returncode == 0, probe.stderr
    module, templates = probe.stdout.split()
    assert module.startswith(str(site)) and templates.startswith(str(site))
    assert not Path(templates).is_symlink()

    out = tmp_path / "site"
    run = subprocess.run(
        [
            str(python),
            "-c",
            "import sys; from journeymap.cli import main; sys.exit(main())",
            "report",
            str(DATA),
            "-o",
            str(out),
            "-j",
            "1",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert (out / "index.html").is_file() and (out / "broadband.html").is_file()
    assert "Broadband installation" in (out / "broadband.html").read_text(encoding="utf-8")
