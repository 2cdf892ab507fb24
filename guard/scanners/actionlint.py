"""actionlint: GitHub Actions workflow checker. No SARIF: guard asks for JSON via `-format '{{json .}}'`.

Each error has a `kind` (expression, syntax-check, shellcheck, permissions, credentials ...);
guard makes the kind the rule and rates untrusted input in expressions as script injection.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from guard.model import Category, Finding, Location, Rule, Severity
from guard.scanners.base import NO_CONFIG, Invocation, ScannerError, ToolScanner, load_json_output, unless_set

_UNTRUSTED = re.compile(r"potentially untrusted", re.IGNORECASE)
# kind -> (title, severity, CWE ids)
KINDS: dict[str, tuple[str, Severity, tuple[str, ...]]] = {
    "expression": ("Workflow expression problem", Severity.LOW, ()),
    "credentials": ("Hard-coded credentials in a workflow", Severity.HIGH, ("CWE-798",)),
    "permissions": ("Invalid workflow permissions", Severity.MEDIUM, ("CWE-250",)),
    "shellcheck": ("ShellCheck problem in a run script", Severity.LOW, ()),
    "pyflakes": ("pyflakes problem in a Python run script", Severity.LOW, ()),
    "syntax-check": ("Workflow syntax error", Severity.MEDIUM, ()),
    "action": ("Action reference problem", Severity.LOW, ()),
    "events": ("Workflow trigger problem", Severity.LOW, ()),
    "job-needs": ("Job dependency problem", Severity.LOW, ()),
    "matrix": ("Matrix problem", Severity.LOW, ()),
    "runner-label": ("Unknown runner label", Severity.LOW, ()),
    "glob": ("Invalid glob pattern", Severity.LOW, ()),
    "id": ("Invalid id", Severity.LOW, ()),
    "env-var": ("Invalid environment variable", Severity.LOW, ()),
    "deprecated-commands": ("Deprecated workflow command", Severity.MEDIUM, ("CWE-94",)),
    "if-cond": ("Suspicious if condition", Severity.LOW, ()),
}
INJECTION = "untrusted-input"


class ActionlintScanner(ToolScanner):
    name = "actionlint"
    category = Category.CI
    tool = "actionlint"
    cost = 0.3
    patterns = (".github/workflows/*.yml", ".github/workflows/*.yaml")
    version_args = ("-version",)

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        # -config-file: not the repository's .github/actionlint.yaml, whose ignore patterns a change could edit
        args = self.config.tool("actionlint").args
        return [exe, "-format", "{{json .}}", "-no-color",
                *unless_set(args, ("-config-file", "--config-file"), "-config-file", str(NO_CONFIG)), *args, *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [_rule(k) for k in (*KINDS, INJECTION)]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        items = load_json_output(run, run.stdout, self.name, ok_codes=(0, 1))
        if not isinstance(items, list):
            raise ScannerError("actionlint JSON is not a list of errors")
        if run.returncode == 1 and not items:
            raise ScannerError("actionlint exited 1 but reported no errors")
        for item in items:
            yield _finding(item, run.files)


def _rule(kind: str) -> Rule:
    if kind == INJECTION:
        title = "Untrusted input used directly in a run script (script injection)"
        return Rule(id=f"actionlint/{INJECTION}", name=INJECTION, short_description=title, full_description=title,
                    help_text=title + ". Pass the value through an environment variable instead.",
                    help_uri="https://docs.github.com/en/actions/security-for-github-actions/security-guides/"
                             "security-hardening-for-github-actions#understanding-the-risk-of-script-injections",
                    tags=("ci", "github-actions"), cwe=("CWE-94",))
    title, _, cwe = KINDS.get(kind, (f"actionlint {kind}", Severity.LOW, ()))
    return Rule(id=f"actionlint/{kind}", name=kind, short_description=title, full_description=title,
                help_text=f"{title} (actionlint check `{kind}`).",
                help_uri="https://github.com/rhysd/actionlint/blob/main/docs/checks.md", tags=("ci", "github-actions"),
                cwe=cwe)


def _finding(item: Mapping[str, Any], files: Sequence[str]) -> Finding:
    if not isinstance(item, dict) or "message" not in item or "kind" not in item:
        raise ScannerError("actionlint JSON entry lacks message/kind")
    kind = str(item["kind"])
    message = str(item["message"])
    if kind == "expression" and _UNTRUSTED.search(message):
        rule, severity = _rule(INJECTION), Severity.HIGH
    else:
        rule, severity = _rule(kind), KINDS.get(kind, ("", Severity.LOW, ()))[1]
    path = str(item.get("filepath") or "")
    line = item.get("line") if isinstance(item.get("line"), int) and item["line"] > 0 else None
    location = Location(path=path, start_line=line, end_line=line,
                        start_column=item.get("column") if isinstance(item.get("column"), int) else None) if path in files else None
    return Finding(tool="actionlint", rule=rule, message=message, severity=severity, category=Category.CI,
                   location=location, cwe=rule.cwe, found_by=("actionlint",), severity_source="guard-table",
                   properties={"kind": kind})
