"""hadolint: Dockerfile linting (with ShellCheck for RUN lines). SARIF output, rule metadata from guard.

hadolint's SARIF names no rules, so titles, severity and CWE come from guard's table
(guard/scanners/data/hadolint_rules.py). hadolint runs without the repository's .hadolint.yaml and
with its ignore pragmas off, so a change cannot silence it; guard records a finding under a
`# hadolint ignore=DLxxxx` pragma (or `# hadolint global ignore=...`) as an inline waiver instead.

hadolint's parser needs a blank line after a BuildKit heredoc's terminator: `EOF` followed directly
by an instruction or a comment fails the whole file (DL1000, nothing else checked), though BuildKit
builds it; and it does not take a `<<-EOF` heredoc's terminator indented with tabs (what `<<-` is for).
Such a Dockerfile is linted as a copy with those blank lines added and those tabs removed, and
hadolint's lines are mapped back to the file's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Sequence

from guard.model import Category, Finding, Rule
from guard.sarif.read import results
from guard.scanners.base import NO_CONFIG, Invocation, ToolScanner, load_sarif_output, source_lines, unless_set
from guard.scanners.data.hadolint_rules import RULES

OUTPUT = "stdout"
NOT_PARSED = "DL1000"  # hadolint could not parse the file: nothing in it was checked
VIEW = "heredocs"  # under the workdir: the copies with blank lines after heredoc terminators
_HEREDOC = re.compile(r"""<<(-?)["']?([A-Za-z_][A-Za-z0-9_]*)["']?""")
_HEREDOC_INSTRUCTION = re.compile(r"^\s*(?:RUN|COPY|ADD)\b", re.IGNORECASE)


class HadolintScanner(ToolScanner):
    name = "hadolint"
    category = Category.CONTAINER
    tool = "hadolint"
    cost = 0.5
    file_local = True
    patterns = ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile")

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        args = self.config.tool("hadolint").args
        copied = heredoc_fixes(target, files)
        paths = [str(workdir / VIEW / f) if f in copied else f for f in files]
        return [exe, "-f", "sarif", "--no-fail", *unless_set(args, ("-c", "--config"), "--config", str(NO_CONFIG)),
                "--disable-ignore-pragma", *args, "--", *paths]

    def stage(self, target: Path, files: Sequence[str], workdir: Path) -> None:
        for rel, fixes in heredoc_fixes(target, files).items():
            lines = source_lines(target / rel)
            for i in fixes.indented:
                lines[i] = lines[i].lstrip("\t")
            for end in reversed(fixes.followed):
                lines.insert(end + 1, "")
            copy = workdir / VIEW / rel
            copy.parent.mkdir(parents=True, exist_ok=True)
            copy.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [rule(rid) for rid in RULES]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_sarif_output(run, run.stdout, self.name)
        _map_copies_back(doc, run.workdir / VIEW, heredoc_fixes(run.target, run.files))
        pragmas: dict[str, _Pragmas] = {}
        for item in results(doc, run.target, category=self.category, tool=self.name, cwd=run.target):
            f = item.finding
            if f.location is not None:
                if f.location.path not in pragmas:
                    pragmas[f.location.path] = _Pragmas.read(run.target / f.location.path)
                waiver = pragmas[f.location.path].waiver(f.rule_id, f.location.start_line)
                if waiver:
                    f = replace(f, properties={**f.properties, "inline_waiver": waiver})
            known = RULES.get(f.rule_id)
            r = rule(f.rule_id, f.message)
            if known is None:
                yield replace(f, rule=r)
                continue
            yield replace(f, rule=r, severity=known[1], severity_source="guard-table", cwe=known[2])


@dataclass(frozen=True)
class HeredocFixes:
    """What a Dockerfile's copy changes for hadolint (0-based line indexes): a blank line after each of the
    `followed` terminators, no leading tabs on the `indented` terminators of `<<-` heredocs."""

    followed: list[int]
    indented: list[int]


def heredoc_fixes(target: Path, files: Sequence[str]) -> dict[str, HeredocFixes]:
    """The Dockerfiles among `files` hadolint must read as a copy, and what the copy changes."""
    found = {}
    for rel in files:
        fixes = _heredoc_fixes(source_lines(target / rel))
        if fixes.followed or fixes.indented:
            found[rel] = fixes
    return found


def _heredoc_fixes(lines: list[str]) -> HeredocFixes:
    followed, indented, i = [], [], 0
    while i < len(lines):
        words = _HEREDOC.findall(lines[i]) if _HEREDOC_INSTRUCTION.match(lines[i]) else []
        i += 1
        for dash, word in words:  # `RUN <<A <<B`: the bodies follow one another
            while i < len(lines) and (lines[i].lstrip("\t") if dash else lines[i]) != word:
                i += 1
            if dash and i < len(lines) and lines[i] != word:
                indented.append(i)
            i += 1
        if words and i < len(lines) and lines[i].strip():
            followed.append(i - 1)
    return HeredocFixes(followed, indented)


def _map_copies_back(doc: dict, view: Path, copied: dict[str, HeredocFixes]) -> None:
    """Results on a copy made by `stage` moved to the repository file and its lines."""
    added = {str(view / rel): (rel, [end + 2 + k for k, end in enumerate(fixes.followed)])
             for rel, fixes in copied.items()}
    for sarif_run in doc.get("runs") or []:
        for result in sarif_run.get("results") or []:
            for location in result.get("locations") or []:
                physical = location.get("physicalLocation") or {}
                artifact = physical.get("artifactLocation") or {}
                if artifact.get("uri") not in added:
                    continue
                rel, blanks = added[artifact["uri"]]
                artifact["uri"] = rel
                region = physical.get("region") or {}
                for key in ("startLine", "endLine"):
                    if isinstance(region.get(key), int):
                        region[key] -= sum(1 for blank in blanks if blank < region[key])


_PRAGMA = re.compile(r"^\s*#\s*hadolint\s+(?P<glob>global\s+)?ignore\s*=\s*(?P<ids>[\w, -]+)", re.IGNORECASE)


@dataclass
class _Pragmas:
    """A Dockerfile's ignore pragmas: file-wide ones, and per line those in the comment lines just above it."""

    lines: list[str]
    everywhere: dict[str, str]  # rule id -> the pragma

    @classmethod
    def read(cls, path: Path) -> "_Pragmas":
        lines = source_lines(path)
        everywhere = {}
        for line in lines:
            m = _PRAGMA.match(line)
            if m and m.group("glob"):
                everywhere.update(dict.fromkeys(_ids(m), line.strip()))
        return cls(lines, everywhere)

    def waiver(self, rule_id: str, line: int | None) -> str | None:
        """Why the finding is waived inline (the pragma), or None."""
        if rule_id in self.everywhere:
            return f"hadolint pragma in the file ({self.everywhere[rule_id]})"
        at = (line or 1) - 2  # the line above the instruction, 0-based
        while 0 <= at < len(self.lines) and self.lines[at].lstrip().startswith("#"):
            m = _PRAGMA.match(self.lines[at])
            if m and not m.group("glob") and rule_id in _ids(m):
                return f"hadolint pragma above the line ({self.lines[at].strip()})"
            at -= 1
        return None


def _ids(match: re.Match[str]) -> list[str]:
    return [i.upper() for i in re.split(r"[\s,]+", match.group("ids")) if i]


def rule(rule_id: str, message: str = "") -> Rule:
    if rule_id.startswith("SC"):
        title = f"ShellCheck {rule_id}" + (f": {message}" if message else "")
        return Rule(id=rule_id, name=rule_id, short_description=title, full_description=title,
                    help_text=f"{title}. See the ShellCheck wiki for the explanation and fix.",
                    help_uri=f"https://www.shellcheck.net/wiki/{rule_id}", tags=("dockerfile", "shell"))
    title = RULES[rule_id][0] if rule_id in RULES else (message or rule_id)
    return Rule(id=rule_id, name=rule_id, short_description=f"{rule_id}: {title}", full_description=title,
                help_text=f"{title} (hadolint rule {rule_id}).",
                help_uri=f"https://github.com/hadolint/hadolint/wiki/{rule_id}",
                tags=("dockerfile", "coverage") if rule_id == NOT_PARSED else ("dockerfile",),
                cwe=RULES[rule_id][2] if rule_id in RULES else ())
