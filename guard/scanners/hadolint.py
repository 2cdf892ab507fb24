"""hadolint: Dockerfile linting (with ShellCheck for RUN lines). SARIF output, rule metadata from guard.

hadolint's SARIF names no rules, so titles, severity and CWE come from guard's table
(guard/scanners/data/hadolint_rules.py). `# hadolint ignore=DLxxxx` lines are dropped by hadolint.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Iterable, Sequence

from guard.model import Category, Finding, Rule
from guard.sarif.read import results
from guard.scanners.base import Invocation, ToolScanner, load_sarif_output
from guard.scanners.data.hadolint_rules import RULES

OUTPUT = "stdout"


class HadolintScanner(ToolScanner):
    name = "hadolint"
    category = Category.CONTAINER
    tool = "hadolint"
    cost = 0.5
    patterns = ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile")

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        return [exe, "-f", "sarif", "--no-fail", *self.config.tool("hadolint").args, "--", *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [rule(rid) for rid in RULES]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_sarif_output(run, run.stdout, self.name)
        for item in results(doc, run.target, category=self.category, tool=self.name, cwd=run.target):
            f = item.finding
            known = RULES.get(f.rule_id)
            r = rule(f.rule_id, f.message)
            if known is None:
                yield replace(f, rule=r)
                continue
            yield replace(f, rule=r, severity=known[1], severity_source="guard-table", cwe=known[2])


def rule(rule_id: str, message: str = "") -> Rule:
    if rule_id.startswith("SC"):
        title = f"ShellCheck {rule_id}" + (f": {message}" if message else "")
        return Rule(id=rule_id, name=rule_id, short_description=title, full_description=title,
                    help_text=f"{title}. See the ShellCheck wiki for the explanation and fix.",
                    help_uri=f"https://www.shellcheck.net/wiki/{rule_id}", tags=("dockerfile", "shell"))
    title = RULES[rule_id][0] if rule_id in RULES else (message or rule_id)
    return Rule(id=rule_id, name=rule_id, short_description=f"{rule_id}: {title}", full_description=title,
                help_text=f"{title} (hadolint rule {rule_id}).",
                help_uri=f"https://github.com/hadolint/hadolint/wiki/{rule_id}", tags=("dockerfile",),
                cwe=RULES[rule_id][2] if rule_id in RULES else ())
