import json
from pathlib import Path

import pytest

from guard.model import Category, Severity
from guard.sarif.read import SarifError, load, parse, results
from tests.conftest import SHARED

SAMPLES = sorted((SHARED / "reference" / "sarif-samples").glob("*.sarif"))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.name)
def test_every_reference_sample_reads(path: Path, tmp_path: Path):
    found = list(results(load(path), tmp_path, category=Category.SAST))
    doc = json.loads(path.read_text(encoding="utf-8-sig"))
    assert len(found) == sum(len(r.get("results") or []) for r in doc["runs"])
    for item in found:
        f = item.finding
        assert f.rule_id and f.severity in Severity
        if f.location is not None:
            assert not f.location.path.startswith(("/", "..")) and "\\" not in f.location.path


def sarif(result: dict, rules: list | None = None, **run) -> str:
    return json.dumps({"version": "2.1.0", "runs": [
        {"tool": {"driver": {"name": "Some Tool", "rules": rules or []}}, "results": [result], **run}]})


def test_rule_by_index_security_severity_and_cwe(tmp_path: Path):
    rules = [{"id": "X1", "shortDescription": {"text": "short"},
              "properties": {"tags": ["external/cwe/cwe-89"], "security-severity": "9.1"}}]
    doc = parse(sarif({"ruleIndex": 0, "message": {"text": "m"},
                       "locations": [{"physicalLocation": {"artifactLocation": {"uri": "src/a.py"},
                                                           "region": {"startLine": 3}}}]}, rules), "t")
    (f,) = [r.finding for r in results(doc, tmp_path, category=Category.SAST)]
    assert (f.rule_id, f.severity, f.cwe, f.tool) == ("X1", Severity.CRITICAL, ("CWE-89",), "some-tool")
    assert f.location.path == "src/a.py" and f.location.start_line == 3


def test_artifact_index_and_uri_base(tmp_path: Path):
    doc = parse(sarif({"ruleId": "R", "level": "note", "message": {"text": "m"},
                       "locations": [{"physicalLocation": {"artifactLocation": {"index": 0}}}]},
                      artifacts=[{"location": {"uri": "lib/x.go", "uriBaseId": "SRC"}}],
                      originalUriBaseIds={"SRC": {"uri": "file://" + str(tmp_path) + "/"}}), "t")
    (f,) = [r.finding for r in results(doc, tmp_path, category=Category.SAST)]
    assert f.location.path == "lib/x.go" and f.severity is Severity.LOW


@pytest.mark.parametrize("uri", ["../../etc/passwd", "/etc/passwd", "file:///etc/passwd", "file:///C:/x/y.tf"])
def test_locations_outside_the_root_are_dropped_not_followed(uri: str, tmp_path: Path):
    doc = parse(sarif({"ruleId": "R", "message": {"text": "m"},
                       "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]}), "t")
    (f,) = [r.finding for r in results(doc, tmp_path, category=Category.SAST)]
    assert f.location is None and f.properties["original_uri"] == uri


def test_suppressions_and_message_strings(tmp_path: Path):
    rules = [{"id": "R", "messageStrings": {"default": {"text": "bad {0}"}}}]
    doc = parse(sarif({"ruleId": "R", "message": {"id": "default", "arguments": ["thing"]},
                       "suppressions": [{"kind": "inSource", "justification": "test data"}]}, rules), "t")
    (item,) = list(results(doc, tmp_path, category=Category.SAST))
    assert item.finding.message == "bad thing" and item.suppression == "test data"


@pytest.mark.parametrize("text,msg", [("{", "invalid JSON"), ("[]", "no `runs`"),
                                      ('{"version": "1.0", "runs": []}', "not supported")])
def test_garbage_is_an_error_naming_the_file(text: str, msg: str):
    with pytest.raises(SarifError, match=msg):
        parse(text, "x.sarif")


def test_deeply_nested_json_is_an_error():
    with pytest.raises(SarifError):
        parse("[" * 100000 + "]" * 100000, "deep.sarif")
