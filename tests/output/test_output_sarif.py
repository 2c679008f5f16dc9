"""SARIF 2.1.0 output of ``check``.

The OASIS JSON schema is not shipped with any dependency and tests never touch the network, so
the constraints of the schema that apply to the objects we emit are written out below (allowed
and required properties, enums, minimums, from the SARIF 2.1.0 schema's definitions of sarifLog,
run, tool, toolComponent, reportingDescriptor, reportingConfiguration, multiformatMessageString,
result, message, location, physicalLocation, artifactLocation, region and logicalLocation), and
every object of our output is checked against them.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any

from output_fixtures import tiny_analysis

from journeymap import __version__
from journeymap.analysis.types import Finding
from journeymap.catalog import RULES
from journeymap.gate import evaluate
from journeymap.model import Location
from journeymap.output.sarif import artifact_uri, render_sarif, sarif_log

# kind -> (allowed properties, required properties); "anyOf" requirements listed separately.
SHAPES: dict[str, tuple[set[str], set[str]]] = {
    "sarifLog": ({"$schema", "version", "runs", "inlineExternalProperties", "properties"},
                 {"version", "runs"}),
    "run": ({"tool", "invocations", "conversion", "language", "versionControlProvenance",
             "originalUriBaseIds", "artifacts", "logicalLocations", "graphs", "results",
             "automationDetails", "runAggregates", "baselineGuid", "redactionTokens",
             "defaultEncoding", "defaultSourceLanguage", "newlineSequences", "columnKind",
             "externalPropertyFileReferences", "threadFlowLocations", "taxonomies", "addresses",
             "translations", "policies", "webRequests", "webResponses", "specialLocations",
             "properties"}, {"tool"}),
    "tool": ({"driver", "extensions", "properties"}, {"driver"}),
    "toolComponent": ({"guid", "name", "organization", "product", "productSuite",
                       "shortDescription", "fullDescription", "fullName", "version",
                       "semanticVersion", "dottedQuadFileVersion", "releaseDateUtc",
                       "downloadUri", "informationUri", "globalMessageStrings", "notifications",
                       "rules", "taxa", "locations", "language", "contents",
                       "isComprehensive", "localizedDataSemanticVersion",
                       "minimumRequiredLocalizedDataSemanticVersion", "associatedComponent",
                       "translationMetadata", "supportedTaxonomies", "properties"}, {"name"}),
    "reportingDescriptor": ({"id", "deprecatedIds", "guid", "deprecatedGuids", "name",
                             "deprecatedNames", "shortDescription", "fullDescription",
                             "messageStrings", "defaultConfiguration", "helpUri", "help",
                             "relationships", "properties"}, {"id"}),
    "reportingConfiguration": ({"enabled", "level", "rank", "parameters", "properties"}, set()),
    "multiformatMessageString": ({"text", "markdown", "properties"}, {"text"}),
    "result": ({"ruleId", "ruleIndex", "rule", "kind", "level", "message", "analysisTarget",
                "locations", "guid", "correlationGuid", "occurrenceCount",
                "partialFingerprints", "fingerprints", "stacks", "codeFlows", "graphs",
                "graphTraversals", "relatedLocations", "suppressions", "baselineState", "rank",
                "attachments", "hostedViewerUri", "workItemUris", "provenance", "fixes", "taxa",
                "webRequest", "webResponse", "properties"}, {"message"}),
    "message": ({"text", "markdown", "id", "arguments", "properties"}, set()),
    "location": ({"id", "physicalLocation", "logicalLocations", "message", "annotations",
                  "relationships", "properties"}, set()),
    "physicalLocation": ({"address", "artifactLocation", "region", "contextRegion",
                          "properties"}, set()),
    "artifactLocation": ({"uri", "uriBaseId", "index", "description", "properties"}, set()),
    "region": ({"startLine", "startColumn", "endLine", "endColumn", "charOffset", "charLength",
                "byteOffset", "byteLength", "snippet", "message", "sourceLanguage",
                "properties"}, set()),
    "logicalLocation": ({"name", "index", "fullyQualifiedName", "decoratedName", "parentIndex",
                         "kind", "properties"}, set()),
}  # fmt: skip
LEVELS = {"none", "note", "warning", "error"}
ABSOLUTE_URI = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def _shape(kind: str, obj: Any) -> None:
    assert isinstance(obj, dict), (kind, obj)
    allowed, required = SHAPES[kind]
    assert set(obj) <= allowed, (kind, set(obj) - allowed)
    assert required <= set(obj), (kind, required - set(obj))


def validate_sarif(log: dict[str, Any]) -> None:
    """Check ``log`` against the SARIF 2.1.0 schema constraints that apply to what we emit."""
    _shape("sarifLog", log)
    assert log["version"] == "2.1.0"
    assert ABSOLUTE_URI.match(log["$schema"])
    assert isinstance(log["runs"], list)
    for run in log["runs"]:
        _shape("run", run)
        assert run.get("columnKind") in (None, "utf16CodeUnits", "unicodeCodePoints")
        _shape("tool", run["tool"])
        driver = run["tool"]["driver"]
        _shape("toolComponent", driver)
        assert ABSOLUTE_URI.match(driver["informationUri"])
        rules = driver.get("rules", [])
        for descriptor in rules:
            _shape("reportingDescriptor", descriptor)
        assert len({r["id"] for r in rules}) == len(rules)  # uniqueItems
        for descriptor in rules:
            _shape("reportingDescriptor", descriptor)
            _shape("multiformatMessageString", descriptor["shortDescription"])
            _shape("multiformatMessageString", descriptor["fullDescription"])
            _shape("reportingConfiguration", descriptor["defaultConfiguration"])
            assert descriptor["defaultConfiguration"]["level"] in LEVELS
            assert ABSOLUTE_URI.match(descriptor["helpUri"])
        for result in run.get("results", []):
            _shape("result", result)
            _shape("message", result["message"])
            assert "text" in result["message"]
            assert result["level"] in LEVELS
            assert result["ruleIndex"] >= -1
            assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            assert all(isinstance(v, str) for v in result["partialFingerprints"].values())
            for location in result.get("locations", []):
                _shape("location", location)
                physical = location["physicalLocation"]
                _shape("physicalLocation", physical)
                assert "artifactLocation" in physical  # anyOf address / artifactLocation
                _shape("artifactLocation", physical["artifactLocation"])
                if "region" in physical:
                    region = physical["region"]
                    _shape("region", region)
                    assert region["startLine"] >= 1 and region["startColumn"] >= 1
                for logical in location.get("logicalLocations", []):
                    _shape("logicalLocation", logical)


def _result(*analyses: Any, **options: Any) -> Any:
    return evaluate(list(analyses), **options)


def test_tiny_log_is_valid_and_exact_where_it_matters(tmp_path: os.PathLike[str]) -> None:
    log = sarif_log(_result(tiny_analysis()), version="9.9.9", cwd=os.fspath(tmp_path))
    validate_sarif(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("journeymap", "9.9.9")
    assert [r["id"] for r in driver["rules"]] == list(RULES)
    jm102 = driver["rules"][list(RULES).index("JM102")]
    assert jm102["helpUri"].endswith("/docs/methodology.md#jm102")
    assert jm102["shortDescription"] == {"text": "Context loss"}
    assert jm102["defaultConfiguration"] == {"level": "warning"}
    assert driver["rules"][0]["defaultConfiguration"] == {"level": "note"}  # JM100 info
    # default selection: JM202 (no location: the journey file, no region) and JM101
    assert [r["ruleId"] for r in run["results"]] == ["JM202", "JM101"]
    jm202, jm101 = run["results"]
    assert jm101["level"] == "warning"
    assert jm101["message"] == {"text": tiny_analysis().findings[1].message}
    assert jm101["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "journeys/tiny.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 12, "startColumn": 9},
    }
    assert jm101["locations"][0]["logicalLocations"] == [{"name": "tiny", "kind": "module"}]
    assert jm202["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "journeys/tiny.yaml", "uriBaseId": "%SRCROOT%"}
    }


def test_levels_follow_severities() -> None:
    findings = (
        Finding("JM301", "error", "e", "tiny", Location("journeys/tiny.yaml", 20, 3)),
        Finding("JM104", "info", "i", "tiny", Location("journeys/tiny.yaml", 12, 9)),
    )
    log = sarif_log(_result(tiny_analysis(findings=findings), select=("JM",)), version="1")
    validate_sarif(log)
    assert [(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]] == [
        ("JM104", "note"),
        ("JM301", "error"),
    ]


def test_gate_findings_and_unknown_engine_codes_have_rules() -> None:
    odd = Finding("JM199", "warning", "new rule", "tiny", Location("journeys/tiny.yaml", 3, 1))
    log = sarif_log(_result(tiny_analysis(findings=(odd,))), version="1")
    validate_sarif(log)
    ids = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]]
    assert {"JM401", "JM402", "JM403"} <= set(ids) and ids[-1] == "JM199"
    jm401 = log["runs"][0]["tool"]["driver"]["rules"][ids.index("JM401")]
    assert jm401["helpUri"].endswith("/docs/cli.md#rule-codes")
    assert log["runs"][0]["results"][0]["ruleIndex"] == len(ids) - 1


def test_uris_relative_to_cwd_percent_encoded_or_absolute_file_uris(tmp_path: Any) -> None:
    cwd = os.fspath(tmp_path)
    assert artifact_uri(os.path.join(cwd, "my journeys", "a#1.yaml"), cwd) == (
        "my%20journeys/a%231.yaml",
        "%SRCROOT%",
    )
    assert artifact_uri("/outside/x.yaml", cwd) == ("file:///outside/x.yaml", None)


def test_fingerprints_survive_line_moves_but_not_other_changes() -> None:
    def fingerprint(line: int, rule: str = "JM101") -> str:
        finding = Finding(rule, "warning", "m", "tiny", Location("j.yaml", line, 1), ("a", "b"))
        log = sarif_log(_result(tiny_analysis(findings=(finding,))), version="1")
        return str(log["runs"][0]["results"][0]["partialFingerprints"]["journeymap/v1"])

    assert fingerprint(3) == fingerprint(30)
    assert fingerprint(3) != fingerprint(3, "JM102")


def test_text_is_canonical_and_uses_the_package_version() -> None:
    result = _result(tiny_analysis(), tiny_analysis("journeys/b.yaml"))
    text = render_sarif(result)
    assert text == render_sarif(result) and text.endswith("}\n") and text.isascii()
    log = json.loads(text)
    validate_sarif(log)
    assert log["runs"][0]["tool"]["driver"]["version"] == __version__
    assert len(log["runs"][0]["results"]) == 4


def test_the_validator_rejects_what_the_schema_rejects() -> None:
    """The hand-written checks are not vacuous: each catches a schema violation."""
    import copy

    import pytest

    good = sarif_log(_result(tiny_analysis()), version="1")
    breakages = [
        lambda log: log.pop("version"),
        lambda log: log["runs"][0]["tool"]["driver"].pop("name"),
        lambda log: log["runs"][0]["results"][0].update(level="info"),
        lambda log: log["runs"][0]["results"][0].update(severity="warning"),
        lambda log: log["runs"][0]["results"][1]["locations"][0]["physicalLocation"][
            "region"
        ].update(startLine=0),
        lambda log: log["runs"][0]["tool"]["driver"]["rules"][0].pop("id"),
    ]
    for breakage in breakages:
        broken = copy.deepcopy(good)
        breakage(broken)
        with pytest.raises(AssertionError):
            validate_sarif(broken)


def test_real_analyses_of_every_example_are_valid_sarif(monkeypatch: Any) -> None:
    from pathlib import Path

    from journeymap.analysis.engine import analyze
    from journeymap.load import load_journeys

    root = Path(__file__).resolve().parents[2]
    monkeypatch.chdir(root)
    journeys = load_journeys(["journeys", "tests/data/output/broadband.yaml"])
    result = evaluate([analyze(j) for j in journeys], select=("JM",))
    log = json.loads(render_sarif(result))
    validate_sarif(log)
    results = log["runs"][0]["results"]
    assert len(results) == len(result.findings) > 100
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert "tests/data/output/broadband.yaml" in uris
    assert all(uri.startswith(("journeys/", "tests/")) for uri in uris)


def _github_slug(heading: str) -> str:
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def test_help_uris_point_at_anchors_of_the_methodology_page() -> None:
    """Every rule's helpUri anchor (``#jm102``) exists in docs/methodology.md: an explicit
    ``<a id="jm102">`` or a heading whose GitHub slug is ``jm102``."""
    from pathlib import Path

    page = Path(__file__).resolve().parents[2] / "docs" / "methodology.md"
    text = page.read_text(encoding="utf-8")  # a missing page fails here
    anchors = set(re.findall(r"""<a\s+(?:id|name)=["']([^"']+)["']""", text))
    anchors |= {_github_slug(h) for h in re.findall(r"^#+\s+(.*)$", text, re.M)}
    engine_codes = [code for code in RULES if not RULES[code].gate]
    missing = [code for code in engine_codes if code.lower() not in anchors]
    assert not missing, f"docs/methodology.md has no anchor for {missing}"
