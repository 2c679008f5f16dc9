"""`journeymap conform` and `journeymap check --log` with real files (tests/data/conform; the
expected figures are worked out by hand in tests/mining/test_conform.py)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from journeymap.cli import main

DATA = Path(__file__).resolve().parent / "data" / "conform"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_is_versioned_and_stable() -> None:
    code, out, _ = _run("conform", str(DATA / "shop.yaml"), str(DATA / "log.csv"), "-f", "json")
    assert code == 0
    data = json.loads(out)
    assert (data["format"], data["version"]) == ("journeymap-conform", 1)
    assert (data["steps"], data["designed_steps"], data["conforming_cases"]) == (14, 11, 2)
    assert [a["activity"] for a in data["ad_hoc"]] == ["Fax form"]
    assert [m["touchpoint"] for m in data["missing"]] == ["survey"]
    again = _run("conform", str(DATA / "shop.yaml"), str(DATA / "log.csv"), "-f", "json")[1]
    assert again == out


def test_text_leads_with_the_worst(tmp_path: Path) -> None:
    code, out, _ = _run(
        "conform",
        str(DATA / "shop.yaml"),
        str(DATA / "org-log.csv"),
        "--mapping",
        str(DATA / "mapping.yaml"),
    )
    assert code == 0
    lines = out.splitlines()
    assert "conformance 87.5% of 8 steps" in lines[1]
    at = lines.index("  Silos handing customers over more than designed (per case)")
    assert lines[at + 1] == "    Sales -> Customer Service: 1.50 lived vs 0.80 designed (+0.70)"
    assert lines[at + 2] == "    Customer Service -> Sales: 0.50 lived vs 0.00 designed (+0.50)"


def test_format_from_the_output_suffix(tmp_path: Path) -> None:
    out = tmp_path / "c.json"
    code, _, err = _run("conform", str(DATA / "shop.yaml"), str(DATA / "log.csv"), "-o", str(out))
    assert code == 0 and f"wrote {out}" in err
    assert json.loads(out.read_text(encoding="utf-8"))["format"] == "journeymap-conform"


def test_html_escapes_hostile_names(tmp_path: Path) -> None:
    log = tmp_path / "evil.csv"
    log.write_text(
        "case:concept:name,concept:name,time:timestamp\n"
        "c1,ad,2024-01-01T10:00:00Z\n"
        'c1,"<script>alert(1)</script>",2024-01-01T11:00:00Z\n'
        'c1,"<img src=x onerror=alert(2)>",2024-01-01T12:00:00Z\n',
        encoding="utf-8",
    )
    page = tmp_path / "c.html"
    code, _, _ = _run("conform", str(DATA / "shop.yaml"), str(log), "-o", str(page))
    assert code == 0
    html = page.read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Content-Security-Policy" in html and "default-src &#39;none&#39;" in html
    assert "http://" not in html.replace("http://www.w3.org", "")


def test_bad_mapping_is_one_line_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "m.yaml"
    bad.write_text("functions:\n  Mktg: marketting\n", encoding="utf-8")
    code, _, err = _run(
        "conform", str(DATA / "shop.yaml"), str(DATA / "log.csv"), "--mapping", str(bad)
    )
    assert code == 2
    assert err == f"{bad}:2:9: error: unknown function `marketting`; did you mean 'marketing'?\n"


def _project(tmp_path: Path, config: str) -> Path:
    shutil.copy(DATA / "shop.yaml", tmp_path / "shop.yaml")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".journeymap.yaml").write_text(config, encoding="utf-8")
    return tmp_path / "shop.yaml"


def test_check_gate_fails_on_lived_thresholds(tmp_path: Path) -> None:
    journey = _project(
        tmp_path,
        "check:\n  min_conformance: 0.9\n  max_ad_hoc_touchpoints: 0\n"
        "  max_missing_touchpoints: 1\n  max_irregular_cases: 0.5\n",
    )
    code, out, _ = _run(
        "check",
        str(journey),
        "--log",
        str(DATA / "log.csv"),
        "--select",
        "JM5",
        "--one-line",
    )
    assert code == 1
    found = [line.split(": ")[1].split()[0] for line in out.splitlines() if ": JM5" in line]
    # score 11/14 = 78.6% < 90%; 1 ad hoc > 0; missing 1 <= 1; irregular share 0.5 <= 0.5
    assert found == ["JM501", "JM502"]


def test_check_gate_passes_within_thresholds(tmp_path: Path) -> None:
    journey = _project(tmp_path, "check:\n  min_conformance: 0.75\n  max_ad_hoc_touchpoints: 1\n")
    code, _, _ = _run("check", str(journey), "--log", str(DATA / "log.csv"), "--select", "JM5")
    assert code == 0
    code, _, _ = _run("check", str(journey), "--select", "JM5")
    assert code == 0


def test_check_irregular_cases_threshold(tmp_path: Path) -> None:
    journey = _project(tmp_path, "check:\n  max_irregular_cases: 0.4\n")
    code, out, _ = _run(
        "check", str(journey), "--log", str(DATA / "log.csv"), "--select", "JM5", "--one-line"
    )
    assert code == 1 and "JM504 error: 50.0% of cases (2 of 4)" in out


def test_check_bad_threshold_is_exit_2(tmp_path: Path) -> None:
    journey = _project(tmp_path, "check:\n  min_conformance: 1.5\n")
    code, _, err = _run("check", str(journey), "--log", str(DATA / "log.csv"))
    assert code == 2
    assert "min_conformance` must be a number from 0 to 1" in err


def test_check_log_needs_one_journey(tmp_path: Path) -> None:
    _project(tmp_path, "")
    text = (DATA / "shop.yaml").read_text(encoding="utf-8").replace("id: shop", "id: shop2")
    (tmp_path / "shop2.yaml").write_text(text, encoding="utf-8")
    code, _, err = _run("check", str(tmp_path), "--log", str(DATA / "log.csv"))
    assert code == 2 and "give one journey file" in err
