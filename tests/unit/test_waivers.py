"""`.guard-waivers.yaml`: matching, and every way an entry stops applying (with file:line)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from guard import waivers
from guard.config import Config, WaiverSettings
from guard.model import Category, Finding, Location, Rule, Severity, evolve

TODAY = dt.date(2026, 3, 1)
CONFIG = Config()


def finding(rule: str = "B602", path: str = "tools/run.py", fp: str = "f" * 32, resource: str | None = None,
            aliases: tuple[str, ...] = ()) -> Finding:
    return Finding(tool="bandit", rule=Rule(rule, rule, rule, rule, rule), message="m", severity=Severity.CRITICAL,
                   category=Category.SAST, location=Location(path, 3), fingerprint=fp, resource=resource,
                   aliases=aliases)


def parse(text: str, config: Config = CONFIG) -> waivers.WaiverSet:
    return waivers.parse(text, ".guard-waivers.yaml", config, TODAY)


VALID = """\
waivers:
  - rule: B602
    paths: ["tools/*.py"]
    reason: fixed argument list
    owner: platform
    expires: 2026-06-30
  - fingerprint: aaaabbbb
    reason: accepted until the rewrite
    owner: app-team
    expires: "2026-03-20"
  - rule: CKV_AWS_18
    resource: aws_s3_bucket.logs
    reason: log bucket
    owner: infra
    expires: 2026-12-31
"""


def test_matching_by_rule_paths_resource_and_fingerprint() -> None:
    ws = parse(VALID)
    assert ws.problems == ()
    assert len(ws.waivers) == 3
    hit = ws.match(finding())
    assert hit is not None and hit.source == ".guard-waivers.yaml:2" and hit.owner == "platform"
    assert ws.match(finding(path="app/run.py")) is None  # outside the globs
    assert ws.match(finding(rule="B603")) is None
    assert ws.match(finding(rule="X", fp="aaaabbbb")).reason == "accepted until the rewrite"
    assert ws.match(finding(rule="CKV_AWS_18", path="main.tf", resource="aws_s3_bucket.logs")) is not None
    assert ws.match(finding(rule="CKV_AWS_18", path="main.tf", resource="aws_s3_bucket.data")) is None
    assert ws.match(finding(rule="PYSEC-1", aliases=("B602",))) is not None  # rule ids match aliases too
    active, waived = ws.apply([finding(), finding(rule="B603")])
    assert [f.rule_id for f in active] == ["B603"] and [f.rule_id for f, _ in waived] == ["B602"]


def test_a_path_waiver_covers_a_module_instance_reported_at_its_call() -> None:
    """In PR mode a module instance's finding is reported at the call in the changed file; a waiver
    for the module's files covers it there as it does in a full scan."""
    ws = parse(VALID.replace("B602", "CKV_AWS_3").replace('"tools/*.py"', '"modules/volume/*.tf"'))
    at_call = finding(rule="CKV_AWS_3", path="main.tf")
    assert ws.match(at_call) is None
    assert ws.match(evolve(at_call, properties={"module_location": "modules/volume/main.tf:6"})) is not None


def test_waivers_expiring_within_30_days_are_listed() -> None:
    ws = parse(VALID)
    assert ws.expiring == (".guard-waivers.yaml:7: fingerprint aaaabbbb (owner app-team) expires 2026-03-20, "
                           "in 19 day(s)",)


@pytest.mark.parametrize("entry, message", [
    ("  - rule: B1\n    owner: o\n    expires: 2026-04-01\n", "`reason` is required"),
    ("  - rule: B1\n    reason: r\n    expires: 2026-04-01\n", "`owner` is required"),
    ("  - rule: B1\n    reason: r\n    owner: o\n", "`expires` is required"),
    ("  - rule: B1\n    reason: '  '\n    owner: o\n    expires: 2026-04-01\n", "`reason` must be a non-empty string"),
    ("  - rule: B1\n    reason: r\n    owner: o\n    expires: next week\n", "`expires` must be a date"),
    ("  - rule: B1\n    reason: r\n    owner: o\n    expires: 2026-02-28\n", "expired on 2026-02-28"),
    ("  - rule: B1\n    reason: r\n    owner: o\n    expires: 2027-03-02\n", "more than waivers.max_days (365)"),
    ("  - reason: r\n    owner: o\n    expires: 2026-04-01\n", "exactly one of `rule` or `fingerprint`"),
    ("  - rule: B1\n    fingerprint: ab\n    reason: r\n    owner: o\n    expires: 2026-04-01\n", "exactly one of"),
    ("  - fingerprint: ab\n    paths: [x]\n    reason: r\n    owner: o\n    expires: 2026-04-01\n", "narrow rule waivers"),
    ("  - rule: B1\n    paths: [1]\n    reason: r\n    owner: o\n    expires: 2026-04-01\n", "`paths` must be"),
    ("  - rule: B1\n    reson: r\n    owner: o\n    expires: 2026-04-01\n", "unknown key `reson`"),
    ("  - just a string\n", "each waiver must be a mapping"),
])
def test_bad_entries_do_not_apply_and_name_file_and_line(entry: str, message: str) -> None:
    good = "  - rule: B602\n    reason: ok\n    owner: o\n    expires: 2026-04-01\n"
    ws = parse("waivers:\n" + good + entry)
    assert len(ws.waivers) == 1 and ws.waivers[0].rule_id == "B602"  # the good entry still applies
    (problem,) = ws.problems
    assert problem.startswith(".guard-waivers.yaml:6: ") and message in problem
    assert problem.endswith("this waiver does not apply")


def test_expiring_today_still_applies_and_max_days_comes_from_config() -> None:
    ws = parse("waivers:\n  - rule: B1\n    reason: r\n    owner: o\n    expires: 2026-03-01\n")
    assert len(ws.waivers) == 1 and "in 0 day(s)" in ws.expiring[0]
    short = Config(waivers=WaiverSettings(max_days=10))
    ws = parse("waivers:\n  - rule: B1\n    reason: r\n    owner: o\n    expires: 2026-03-20\n", short)
    assert ws.waivers == () and "more than waivers.max_days (10)" in ws.problems[0]


@pytest.mark.parametrize("text, message", [
    ("waivers: [\n", "invalid YAML"),
    ("- rule: x\n", "expected a mapping"),
    ("waiver:\n  - rule: x\n", "unknown key `waiver`"),
    ("waivers: {rule: x}\n", "`waivers` must be a list"),
    ("base: &a {reason: r}\nwaivers:\n  - *a\n", "aliases are not allowed"),
])
def test_unreadable_file_applies_nothing(text: str, message: str) -> None:
    ws = parse(text)
    assert ws.waivers == ()
    assert len(ws.problems) == 1 and message in ws.problems[0] and ws.problems[0].startswith(".guard-waivers.yaml")
    assert ws.match(finding()) is None


def test_load_from_disk(tmp_path: Path) -> None:
    assert waivers.load(tmp_path / "missing.yaml", CONFIG, TODAY) == waivers.WaiverSet()
    path = tmp_path / ".guard-waivers.yaml"
    path.write_text(VALID)
    assert len(waivers.load(path, CONFIG, TODAY).waivers) == 3
