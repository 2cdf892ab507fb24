"""The synthetic findings of target 4: N findings of four tools over 200 rules and 5,000 files."""

from __future__ import annotations

from guard.model import Category, Finding, Location, Rule, ScannerRun, Severity, Status

CWES = ["CWE-89", "CWE-78", "CWE-327", "CWE-798", "CWE-502", "CWE-295", "CWE-22", "CWE-79"]
TOOLS = ["semgrep", "bandit", "checkov", "trivy"]


def synthetic_runs(n: int) -> list[ScannerRun]:
    """One ScannerRun per tool holding its share of `n` findings (every one distinct: no dedup merges)."""
    severities = list(Severity)
    rules = [Rule(f"R{i}", f"rule{i}", f"Rule {i}", f"Rule {i} full", f"help {i}", cwe=(CWES[i % 8],))
             for i in range(200)]
    findings = [Finding(tool=TOOLS[i % 4], rule=rules[i % 200], message=f"problem {i}", severity=severities[i % 5],
                        category=Category.SAST, location=Location(f"src/m{i % 5000}.py", i % 400 + 1, i % 400 + 1),
                        cwe=(CWES[i % 8],), fingerprint=f"{i:032x}", found_by=(TOOLS[i % 4],)) for i in range(n)]
    return [ScannerRun(t, Category.SAST, Status.OK, version="1", findings=tuple(f for f in findings if f.tool == t),
                       checks=tuple(rules)) for t in TOOLS]
