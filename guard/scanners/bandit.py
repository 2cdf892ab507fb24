"""bandit: Python SAST. SARIF output, completed with the rule metadata bandit leaves out.

bandit runs with `--ignore-nosec` so that `# nosec` lines are still reported; guard then records
them as inline waivers (honoured, but listed) instead of letting them vanish. In test code, an
assert (B101) is the test's check, a password literal (B105-B107) is test data and a Flask app in
debug mode (B201) runs in the test client: those are inline waivers too (httpx: 1,300 of its 1,325
bandit findings were asserts in its tests). A file bandit skips (one it cannot parse: Python 2, a
syntax error, null bytes) it names only in its SARIF's notifications: each is a low
`bandit/file-not-checked` finding at the line Python's parser stops on. The pinned version is started by
`bandit_start`, which loads bandit's progress bar library only when a bar is shown (never, run quiet).
"""

from __future__ import annotations

import ast
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from guard.files import relativize
from guard.model import Category, Finding, Rule, Severity
from guard.sarif.read import notifications, results
from guard.scanners.bandit_tests import BANDIT_TESTS
from guard.scanners.base import Invocation, ToolScanner, coverage_rule, load_sarif_output, not_checked
from guard.scanners.distinfo import started_by
from guard.scanners.testcode import is_test_code
from guard.tools.catalog import TOOLS

_SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW, "UNDEFINED": Severity.INFO}
_NOSEC = re.compile(r"#\s*nosec\b(?:[:\s]+(?P<ids>[A-Z]\d{3}(?:[\s,]+[A-Z]\d{3})*))?", re.IGNORECASE)
OUTPUT = "bandit.sarif"
START = str(Path(__file__).with_name("bandit_start.py"))
# bandit names eval and exec CWE-78 (OS command injection); they run Python code, not a shell: CWE-95 (eval
# injection), as MITRE and the other tools name it (semgrep's code-injection rule merges with them so).
CWE_CORRECTED = {"B102": ("CWE-95",), "B307": ("CWE-95",)}
_IN_TESTS = {
    "B101": "guard: an assert in test code is the test's check (B101 is about asserts that `python -O` removes)",
    **dict.fromkeys(("B105", "B106", "B107"), "guard: a password literal in test code (test data), not a credential"),
    "B201": "guard: a test's app in debug mode, run by the test client in process (it serves no one)",
}


class BanditScanner(ToolScanner):
    name = "bandit"
    category = Category.SAST
    tool = "bandit"
    cost = 1.0
    file_local = True
    warm = True  # a Python tool: forked warm in resident mode
    patterns = ("*.py", "*.pyw")

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        return [*start(exe), "-q", "--ignore-nosec", "-f", "sarif", "-o", str(workdir / OUTPUT),
                *self.config.tool("bandit").args, "--", *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [
            Rule(id=test_id, name=name, short_description=f"{test_id}: {name.replace('_', ' ')}",
                 full_description=f"bandit test {test_id} ({name})", help_text=f"bandit test {test_id}", cwe=(cwe,))
            for test_id, (name, cwe) in BANDIT_TESTS.items()
        ]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_sarif_output(run, run.workdir / OUTPUT, self.name, ok_codes=(0, 1))
        for rel, reason in skipped(doc, run.target).items():
            if rel in run.files:
                yield _skipped(run.target, rel, reason)
        for item in results(doc, run.target, category=self.category, tool=self.name, cwd=run.target):
            yield _complete(item.finding, run.target)


NOT_CHECKED = coverage_rule("bandit/file-not-checked", "bandit: file not checked (it could not parse it)",
                            "bandit skips a file it cannot parse as Python (Python 2 code, a syntax error, null "
                            "bytes), reporting no result for it.",
                            "Fix the syntax (or port the file to Python 3), exclude a file that is not Python, or "
                            "waive this finding with a reason.", "sast")


def skipped(doc: Any, root: Path) -> dict[str, str]:
    """Repository path -> why bandit skipped it, from its SARIF's notifications (the files it names)."""
    found: dict[str, str] = {}
    for note in notifications(doc, "toolConfigurationNotifications", "toolExecutionNotifications"):
        for rel in _note_paths(note, root):
            found.setdefault(rel, str((note.get("message") or {}).get("text") or "skipped"))
    return found


def _note_paths(note: Mapping[str, Any], root: Path) -> list[str]:
    uris = [((loc.get("physicalLocation") or {}).get("artifactLocation") or {}).get("uri")
            for loc in note.get("locations") or [] if isinstance(loc, dict)]
    return [rel for uri in uris if isinstance(uri, str) and (rel := relativize(uri, root)) is not None]


def _skipped(root: Path, rel: str, reason: str) -> Finding:
    """bandit skipped `rel`: the finding names where (and why) Python's own parser stops on it."""
    line, why = 1, reason
    try:
        ast.parse((root / rel).read_bytes(), rel)
    except SyntaxError as exc:
        line, why = exc.lineno or 1, f"{reason}: {exc.msg}"
    except (OSError, ValueError) as exc:
        why = f"{reason}: {exc}"
    return not_checked(NOT_CHECKED, Category.SAST, rel, line, f"bandit did not check {rel} ({why}, line {line})")


def _complete(f: Finding, root: Path) -> Finding:
    props = dict(f.properties)
    severity = _SEVERITY.get(str(props.get("issue_severity", "")).upper(), f.severity)
    title = f.rule.name.replace("_", " ").capitalize() if f.rule.name != f.rule.id else f.rule.id
    rule = Rule(
        id=f.rule.id,
        name=f.rule.name,
        short_description=f"{f.rule.id}: {title}",
        full_description=f.message,
        help_text=f"{f.message} (bandit test {f.rule.id}, {f.rule.name}). See the bandit documentation for fixes.",
        help_uri=f.rule.help_uri,
        tags=f.rule.tags,
        cwe=CWE_CORRECTED.get(f.rule.id, f.rule.cwe),
    )
    line = _source_line(root, f)
    match = _NOSEC.search(line) if line else None
    if match and (not match.group("ids") or f.rule.id in re.split(r"[\s,]+", match.group("ids").upper())):
        props["inline_waiver"] = f"# nosec on the line ({match.group(0).strip()})"
    elif f.rule.id in _IN_TESTS and f.location is not None and is_test_code(f.location.path):
        props["inline_waiver"] = _IN_TESTS[f.rule.id]
    return replace(f, rule=rule, severity=severity, severity_source="tool", cwe=rule.cwe, properties=props)


def _source_line(root: Path, f: Finding) -> str:
    loc = f.location
    if loc is None or not loc.start_line:
        return ""
    if loc.snippet:
        return loc.snippet.splitlines()[0] if loc.snippet.splitlines() else ""
    try:
        with open(root / loc.path, encoding="utf-8", errors="replace") as fh:
            for i, text in enumerate(fh, 1):
                if i == loc.start_line:
                    return text
    except OSError:
        return ""
    return ""


def start(exe: str) -> list[str]:
    """How to start bandit: when `exe` is the script of the version guard pins, its interpreter running
    `bandit_start`; else `exe` itself."""
    return started_by(exe, "bandit", TOOLS["bandit"].version, "from bandit.cli.main import main", START)
