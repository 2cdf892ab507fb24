"""zizmor: GitHub Actions workflow security audits. SARIF output; zizmor's own severity is kept.

zizmor writes URIs relative to the enclosing git repository, not to the scanned directory, so
each result is mapped back to the workflow file guard passed. zizmor runs without the
repository's zizmor.yml and without honoring ignore comments (`--no-config --no-ignores`), so a
change cannot silence it; guard records a finding on a line with `# zizmor: ignore[audit]` as an
inline waiver instead. zizmor leaves out, with a warning on its log, an input that is not valid YAML
or not a valid workflow or action; each input its log does not say it completed is reported as not
audited (`zizmor/file-not-checked`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from guard.model import Category, Finding, Rule, Severity
from guard.sarif.read import results
from guard.scanners.base import (
    Invocation, ToolScanner, coverage_rule, load_sarif_output, not_checked, source_lines, unless_set,
)
from guard.scanners.distinfo import dist_version

# zizmor's audits (1.32: every one its binary documents) and the weakness each is about, for CWE tags and
# coverage.
AUDITS: dict[str, tuple[str, tuple[str, ...]]] = {
    "artipacked": ("credential persistence through GitHub Actions artifacts", ("CWE-522",)),
    "bot-conditions": ("spoofable bot actor check", ("CWE-290",)),
    "cache-poisoning": ("runtime artifacts potentially vulnerable to a cache poisoning attack", ("CWE-349",)),
    "dangerous-triggers": ("use of fundamentally insecure workflow trigger", ("CWE-829",)),
    "excessive-permissions": ("overly broad permissions", ("CWE-250",)),
    "forbidden-uses": ("forbidden action used", ("CWE-829",)),
    "github-env": ("dangerous use of environment file", ("CWE-94",)),
    "hardcoded-container-credentials": ("hardcoded credential in GitHub Actions container configurations", ("CWE-798",)),
    "impostor-commit": ("commit with no history in referenced repository", ("CWE-829",)),
    "insecure-commands": ("execution of insecure workflow commands is enabled", ("CWE-94",)),
    "known-vulnerable-actions": ("action has a known vulnerability", ("CWE-1395",)),
    "obfuscation": ("obfuscated usage of GitHub Actions features", ()),
    "overprovisioned-secrets": ("excessively provisioned secrets", ("CWE-200",)),
    "ref-confusion": ("git ref for action with ambiguous ref type", ("CWE-829",)),
    "secrets-inherit": ("secrets unconditionally inherited by called workflow", ("CWE-200",)),
    "self-hosted-runner": ("runs on a self-hosted runner", ()),
    "stale-action-refs": ("action SHA does not point to a git tag", ("CWE-829",)),
    "template-injection": ("code injection via template expansion", ("CWE-94",)),
    "unpinned-images": ("unpinned image references", ("CWE-1357",)),
    "unpinned-uses": ("unpinned action reference", ("CWE-1357",)),
    "unredacted-secrets": ("leaked secret values", ("CWE-532",)),
    "unsound-condition": ("unsound conditional expression", ()),
    "unsound-contains": ("unsound contains condition", ()),
    "use-trusted-publishing": ("prefer trusted publishing for authentication", ("CWE-522",)),
    "undocumented-permissions": ("permissions without explanatory comments", ()),
    "anonymous-definition": ("workflow or action definition without a name", ()),
    "adhoc-packages": ("ad-hoc installation of packages", ("CWE-1357",)),
    "archived-uses": ("action or reusable workflow from archived repository", ("CWE-1104",)),
    "concurrency-limits": ("insufficient job-level concurrency limits", ("CWE-400",)),
    "dependabot-cooldown": ("insufficient cooldown in Dependabot updates", ("CWE-1357",)),
    "dependabot-execution": ("external code execution in Dependabot updates", ("CWE-829",)),
    "github-app": ("dangerous use of GitHub App tokens", ("CWE-250",)),
    "insecure-url-scheme": ("use of an insecure scheme within a URL", ("CWE-319",)),
    "misfeature": ("usage of GitHub Actions misfeatures", ()),
    "ref-version-mismatch": ("action's hash pin has mismatched or missing version comment", ("CWE-1357",)),
    "secrets-outside-env": ("secrets referenced without a dedicated environment", ("CWE-200",)),
    "self-repository": ("use GitHub's dedicated self-repository syntax", ()),
    "superfluous-actions": ("action functionality is already included by the runner", ()),
    "typosquat-uses": ("repository reference resembles a popular repository", ("CWE-829",)),
    "unpinned-tools": ("action installs an unpinned external tool", ("CWE-1357",)),
    "unsound-ternary": ("unsound pseudo-ternary expression", ()),
}
WORKFLOWS = (".github/workflows/*.yml", ".github/workflows/*.yaml", "action.yml", "action.yaml",
             ".github/dependabot.yml", ".github/dependabot.yaml")


class ZizmorScanner(ToolScanner):
    name = "zizmor"
    category = Category.CI
    tool = "zizmor"
    cost = 0.5
    file_local = True
    patterns = WORKFLOWS

    def version(self, exe: str) -> str:
        return dist_version(exe, "zizmor") or super().version(exe)

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        args = self.config.tool("zizmor").args
        return [exe, "--offline", "--no-progress", *unless_set(args, ("-c", "--config"), "--no-config"), "--no-ignores",
                "--format", "sarif", *args, "--", *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [_rule(f"zizmor/{a}", a) for a in AUDITS]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_sarif_output(run, run.stdout, self.name)
        _rebase(doc, run.files)
        lines: dict[str, list[str]] = {}
        for item in results(doc, run.target, category=self.category, tool=self.name, cwd=run.target):
            yield _waived_inline(_complete(item.finding), run.target, lines)
        log = _log(run.stderr)
        for rel in not_completed(log, run.files):
            yield _left_out(rel, log)


NOT_CHECKED = coverage_rule("zizmor/file-not-checked",
                            "zizmor: file not audited (not valid YAML, or not a valid workflow or action)",
                            "zizmor leaves out an input it cannot parse or that does not match the workflow, action "
                            "or Dependabot schema, with only a warning on its log.",
                            "Fix the file (actionlint's findings on it say what is wrong), or waive this finding with "
                            "a reason.", "ci", "github-actions")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_COMPLETED = re.compile(r"\bcompleted (?P<path>\S.*?)\s*$", re.MULTILINE)


def _log(path: Path) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return _ANSI.sub("", fh.read(4 << 20))
    except OSError:
        return ""


def not_completed(log: str, files: Sequence[str]) -> list[str]:
    """The inputs zizmor's log does not say it completed auditing (none when the log holds neither a
    `completed` nor a warning line: it was silenced, e.g. by `-q` among the config's args)."""
    done = {m["path"] for m in _COMPLETED.finditer(log)}
    if not done and "WARN" not in log:
        return []
    return [rel for rel in files if rel not in done and not any(d.endswith("/" + rel) for d in done)]


def _left_out(rel: str, log: str) -> Finding:
    said = [line.split("WARN", 1)[1].strip() for line in log.splitlines() if "WARN" in line and rel in line]
    why = f" ({said[0]})" if said else " (not valid YAML, or not a valid workflow or action)"
    return not_checked(NOT_CHECKED, Category.CI, rel, 1, f"zizmor did not audit {rel}{why}")


_IGNORE = re.compile(r"#\s*zizmor:\s*ignore\[(?P<audits>[^\]]*)\]")


def _waived_inline(f: Finding, root: Path, lines: dict[str, list[str]]) -> Finding:
    """`f` marked as waived inline when its line carries `# zizmor: ignore[...]` naming its audit."""
    loc = f.location
    if loc is None or not loc.start_line:
        return f
    if loc.path not in lines:
        lines[loc.path] = source_lines(root / loc.path)
    text = lines[loc.path]
    for line in text[loc.start_line - 1:(loc.end_line or loc.start_line)]:
        m = _IGNORE.search(line)
        if m and f.rule.name in [a.strip() for a in m.group("audits").split(",")]:
            return replace(f, properties={**f.properties, "inline_waiver": f"zizmor ignore comment ({m.group(0)})"})
    return f


def _rebase(doc: dict[str, Any], files: Sequence[str]) -> None:
    """Rewrite each result's URI to the scanned file it names (zizmor reports git-root-relative paths)."""
    for run in doc.get("runs") or []:
        for res in run.get("results") or []:
            for loc in res.get("locations") or []:
                art = (loc.get("physicalLocation") or {}).get("artifactLocation") or {}
                uri = art.get("uri")
                if isinstance(uri, str) and uri not in files:
                    match = [f for f in files if uri.endswith("/" + f)]
                    if match:
                        art["uri"] = max(match, key=len)


def _rule(rule_id: str, audit: str) -> Rule:
    title, cwe = AUDITS.get(audit, (audit.replace("-", " "), ()))
    return Rule(id=rule_id, name=audit, short_description=f"{audit}: {title}", full_description=title,
                help_text=f"zizmor audit {audit}: {title}.", help_uri=f"https://docs.zizmor.sh/audits/#{audit}",
                tags=("ci", "github-actions"), cwe=cwe)


def _complete(f: Finding) -> Finding:
    audit = f.rule_id.split("/", 1)[-1]
    rule = _rule(f.rule_id, audit)
    severity, source = f.severity, f.severity_source
    stated = str(f.properties.get("zizmor/severity", "")).lower()
    if stated in ("high", "medium", "low"):
        severity, source = Severity.parse(stated), "tool"
    elif stated in ("informational", "unknown"):
        severity, source = Severity.INFO, "tool"
    return replace(f, rule=replace(rule, help_markdown=f.rule.help_markdown), severity=severity,
                   severity_source=source, cwe=rule.cwe)
