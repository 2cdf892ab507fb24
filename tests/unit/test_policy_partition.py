"""Which finding policies may be evaluated over parts of the findings (`partition.per_finding`): those
looking at one finding at a time; any other read of the findings keeps a policy whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.config import Config
from guard.policy.loader import data_files, load_pack, policy_dirs, settings_base
from guard.policy.metadata import RegoModule, parse_module
from guard.policy.partition import per_finding


def policy(name: str, body: str, package: str | None = None) -> RegoModule:
    source = f"""# METADATA
# title: {name}
# description: A test policy.
# custom:
#   id: T-{name.upper()}
#   severity: low
#   controls: {{soc2: [CC7.1]}}
package {package or f"guard.findings.{name}"}

import rego.v1

{body}
"""
    return parse_module(f"{name}.rego", source)


def library(package: str, body: str) -> RegoModule:
    return parse_module(f"{package}.rego", f"package {package}\n\nimport rego.v1\n\n{body}\n")


def split(*modules: RegoModule) -> bool:
    """Whether the first module (a finding policy) may be evaluated over parts."""
    return modules[0].package in per_finding(modules)


def test_the_built_in_finding_policies_look_at_one_finding_at_a_time() -> None:
    cfg = Config(scanners=[])
    base = settings_base(cfg, Path("."))
    pack = load_pack(policy_dirs(cfg.policies, base), data_files(cfg.policies, base))
    finding_policies = {m.package for m in pack.policies if m.meta is not None and m.meta.input == "findings"}
    assert len(finding_policies) >= 5
    assert per_finding(pack.modules) == finding_policies


PER_FINDING = {
    "one iteration": 'deny contains {"msg": f.rule_id} if {\n\tsome f in input.findings\n\tf.severity == "high"\n}',
    "context and a helper of the finding": """
changed(path) if input.context.changed_files == null

changed(path) if path in input.context.changed_files

deny contains v if {
\tsome f in input.findings
\tchanged(f.path)
\tv := {"msg": f.path, "fingerprint": f.fingerprint}
}""",
    "an unused index": 'deny contains f.rule_id if {\n\tsome _, f in input.findings\n}',
    "a body not reading the findings": 'deny contains "not on main" if input.context.branch != "main"',
    "a comprehension over the finding": 'deny contains x if {\n\tsome f in input.findings\n'
                                        '\tx := concat(",", [c | some c in f.cwe])\n}',
    "bracket field": 'deny contains f.path if {\n\tsome f in input["findings"]\n}',
    "whole context": 'deny contains f.path if {\n\tsome f in input.findings\n\tctx := input.context\n\tctx.branch\n}',
}

WHOLE = {
    "count": 'deny contains "too many" if count(input.findings) > 10',
    "pairs": 'deny contains a.path if {\n\tsome a in input.findings\n\tsome b in input.findings\n'
             '\ta.path == b.path\n\ta.fingerprint != b.fingerprint\n}',
    "every": 'deny contains "all high" if {\n\tevery f in input.findings { f.severity == "high" }\n}',
    "comprehension": 'deny contains "none" if {\n\thigh := [f | some f in input.findings; f.severity == "high"]\n'
                     '\tcount(high) == 0\n}',
    "index": 'deny contains sprintf("%d", [i]) if {\n\tsome i, f in input.findings\n\tf.severity == "high"\n}',
    "index form": 'deny contains f.path if {\n\tf := input.findings[_]\n}',
    "with": 'deny contains f.path if {\n\tsome f in input.findings\n\tf.path with input as {}\n}',
    "whole input": 'deny contains f.path if {\n\tsome f in input.findings\n\tobject.keys(input) == {"findings"}\n}',
    "helper reading the findings": 'n := count(input.findings)\n\n'
                                   'deny contains f.path if {\n\tsome f in input.findings\n\tn > 1\n}',
    "nested iteration": 'deny contains x if {\n\tx := {f.path | some f in input.findings}\n}',
    "complete deny": 'deny := {f.path | some f in input.findings}',
    "iteration outside deny": 'paths contains f.path if {\n\tsome f in input.findings\n}\n\n'
                              'deny contains p if {\n\tsome p in paths\n}',
}


@pytest.mark.parametrize("body", PER_FINDING.values(), ids=PER_FINDING.keys())
def test_a_policy_looking_at_one_finding_at_a_time_is_split(body: str) -> None:
    assert split(policy("p", body))


@pytest.mark.parametrize("body", WHOLE.values(), ids=WHOLE.keys())
def test_a_policy_reading_the_findings_otherwise_stays_whole(body: str) -> None:
    assert not split(policy("p", body))


def test_a_policy_using_a_library_is_split_unless_the_library_reads_the_findings() -> None:
    body = 'deny contains f.path if {\n\tsome f in input.findings\n\tlib.serious(f)\n}'
    uses = policy("p", "import data.guard.lib.checks as lib\n\n" + body)
    pure = library("guard.lib.checks", 'serious(f) if f.severity in {"high", "critical"}')
    assert split(uses, pure)
    reading = library("guard.lib.checks", 'serious(f) if count(input.findings) > 1')
    assert not split(uses, reading)
    through = library("guard.lib.checks", 'serious(f) if data.guard.lib.more.many')
    assert not split(uses, through, library("guard.lib.more", "many if count(input.findings) > 1"))
    assert split(uses, through, library("guard.lib.more", "many if input.context.branch"))


def test_a_policy_reading_another_policy_or_a_module_of_its_package_that_reads_the_findings_stays_whole() -> None:
    other = policy("other", 'deny contains f.path if {\n\tsome f in input.findings\n}')
    reads_other = policy("p", 'deny contains "many" if count(data.guard.findings.other.deny) > 1')
    assert not split(reads_other, other)
    assert split(other, reads_other)  # the other one is not changed by being read
    reads_all = policy("p", 'deny contains f.path if {\n\tsome f in input.findings\n\tdata[_]\n}')
    assert not split(reads_all, other)
    second_file = library("guard.findings.p", "n := count(input.findings)")
    assert not split(policy("p", 'deny contains f.path if {\n\tsome f in input.findings\n}'), second_file)


def test_a_policy_reading_a_config_policy_stays_whole() -> None:
    config = policy("c", 'deny contains {"msg": "x", "path": "a"} if false', package="guard.config.c")
    assert not split(policy("p", 'deny contains "x" if count(data.guard.config.c.deny) > 0'), config)


def test_data_documents_and_a_module_that_does_not_parse() -> None:
    assert split(policy("p", 'deny contains f.path if {\n\tsome f in input.findings\n\tf.path in data.allowed\n}'))
    assert per_finding((policy("p", "deny contains x if {"),)) == frozenset()
