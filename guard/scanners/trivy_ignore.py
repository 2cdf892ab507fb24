"""trivy's inline ignore comments (`#trivy:ignore:AVD-AWS-0086`, `tfsec:ignore:`), applied by guard.

trivy drops a misconfiguration an ignore comment covers without a trace (`--show-suppressed` does
not list it), so a change could silence a finding unseen. guard has trivy scan copies of the files
with those comments made inert (`neutralized`) and applies them itself, as trivy does, making each
covered finding an inline waiver: listed in every report, with its expiry, and refused above
`waivers.forbid_inline_above` like `# nosec` or `checkov:skip`.

As trivy reads them: a comment token `trivy:ignore:ID` (or `tfsec:`), optionally followed by
`:exp:YYYY-MM-DD`, covers a finding of a check with that id (its id, AVD id, long id or an alias;
`*`: any) whose cause, or a block enclosing it, starts on the comment's line or the line below;
comment lines stacked directly above each other all count as the last one (a comment trailing
code covers its own line). A rule with parameters
(`ignore:ID[bucket=x]`) or a workspace (`:ws:`) depends on values guard does not evaluate: it
covers nothing here, so its findings are reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from guard.scanners.data.trivy_checks import CHECK_IDS

PREFIXES = ("trivy:", "tfsec:")
NEVER = "0001-01-01"  # trivy's expiry for a date it cannot read: expired
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    line: int  # the comment's line
    covers: int  # the line whose blocks it covers, and the next (the last of a stack of comment lines)
    check: str  # a check id or "*"
    expires: str | None  # YYYY-MM-DD; covered until the day before
    conditional: bool  # parameters or a workspace: never applied by guard
    text: str  # the token as written
    alone: bool = True  # the line holds only comments (not a trailing comment after code)


def rules(text: str) -> list[IgnoreRule]:
    """The ignore rules in a file's text, in line order, stacked comment lines shifted as trivy does."""
    if "trivy:" not in text and "tfsec:" not in text:  # (most files)
        return []
    found: list[IgnoreRule] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "trivy:" not in line and "tfsec:" not in line:
            continue
        on_line: list[IgnoreRule] = []
        for index, token in enumerate(_tokens(line)):
            rule = _rule(token, number, alone=index == 0 or (bool(on_line) and on_line[0].alone))
            if rule is not None:
                on_line.append(rule)
        found += on_line
    return _shifted(found)


def neutralized(text: str) -> str:
    """`text` with every ignore rule's prefix made inert (`trivy:ignore` -> `trivy_ignore`), so trivy
    reports what it covers; lines and columns stay where they were."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if "trivy:" not in line and "tfsec:" not in line:
            continue
        for token in _tokens(line):
            if _rule(token, i + 1) is not None:
                at = line.find(token)
                line = line[:at] + token[:5] + "_" + token[6:] + line[at + len(token):]
        lines[i] = line
    return "\n".join(lines)


def covering(found: Sequence[IgnoreRule], check: str, starts: Sequence[int]) -> IgnoreRule | None:
    """The first unconditional rule for `check` covering a block that starts on one of `starts` (the
    finding's cause, then the blocks enclosing it)."""
    ids = {check, f"AVD-{check}", *CHECK_IDS.get(check, ())}
    for rule in found:
        if rule.conditional or (rule.check != "*" and rule.check not in ids):
            continue
        if any(start in (rule.covers, rule.covers + 1) for start in starts):
            return rule
    return None


def enclosing_starts(lines: Sequence[str], start: int, *, yaml: bool) -> list[int]:
    """`start` and the first lines of the blocks enclosing it, by indentation (HCL, YAML). A YAML
    document's top-level keys (`Resources:`, `spec:`) are not blocks trivy reports."""
    starts = [start]
    if not 0 < start <= len(lines):
        return starts
    level = _indent(lines[start - 1])
    for number in range(start - 1, 0, -1):
        line = lines[number - 1]
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", "/*", "*")):
            continue
        indent = _indent(line)
        if indent < level:
            if indent == 0 and yaml:
                break
            starts.append(number)
            level = indent
            if indent == 0:
                break
    return starts


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


def _tokens(line: str) -> list[str]:
    """A line's space-separated parts with leading comment marks (`#`, `/`, `*`) stripped."""
    parts = (part.strip().lstrip("#/*") for part in line.strip().split(" "))
    return [part for part in parts if part]


def _rule(token: str, line: int, alone: bool = True) -> IgnoreRule | None:
    prefix = next((p for p in PREFIXES if token.startswith(p)), None)
    if prefix is None:
        return None
    segments = token[len(prefix):].split(":")
    sections = {segments[i]: segments[i + 1] for i in range(0, len(segments) - 1, 2)}
    raw = sections.get("ignore")
    if not raw:
        return None
    check, bracket, _ = raw.partition("[")
    if not check:
        return None
    expires = sections.get("exp")
    if expires is not None and not _DATE.match(expires):
        expires = NEVER
    return IgnoreRule(line=line, covers=line, check=check, expires=expires,
                      conditional=bool(bracket) or "ws" in sections, text=token, alone=alone)


def _shifted(found: list[IgnoreRule]) -> list[IgnoreRule]:
    """Rules alone on consecutive lines all cover from the last of those lines (trivy's `shift`); a
    trailing comment after code stays where it is."""
    out = list(found)
    covers: int | None = None
    offset = 0
    for i in range(len(out) - 1, 0, -1):
        current, previous = out[i], out[i - 1]
        if covers is None:
            covers = current.covers
        if previous.alone and previous.line + 1 + offset == current.covers:
            out[i - 1] = _moved(previous, covers)
            offset += 1
        else:
            covers, offset = None, 0
    return out


def _moved(rule: IgnoreRule, covers: int) -> IgnoreRule:
    return IgnoreRule(rule.line, covers, rule.check, rule.expires, rule.conditional, rule.text, rule.alone)
