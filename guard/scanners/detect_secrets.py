"""detect-secrets: committed secrets (cloud keys, tokens, private keys, keyword and entropy heuristics).

Kept beside trivy's secret scanner because trivy allow-lists values that look like documentation
examples and misses keyword assignments; detect-secrets reports only a hash of each secret, never
its value. The indirect-reference filter is off: same results, 15x faster (DESIGN.md). So is the
allow-list filter: `pragma: allowlist secret` lines become inline waivers guard records, as do hex
strings that are pre-commit's commit pins or Alembic revision ids, and AWS key id patterns inside a
base64 blob (each waiver names why).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from guard.model import Category, Finding, Location, Rule, Severity
from guard.scanners.base import Invocation, ScannerError, ToolScanner, load_json_output, source_lines
from guard.scanners.distinfo import dist_version

# detector type -> guard severity (pattern-based detectors are precise; heuristics are not)
TYPES: dict[str, Severity] = {
    "AWS Access Key": Severity.CRITICAL, "Private Key": Severity.CRITICAL, "GitHub Token": Severity.CRITICAL,
    "GitLab Token": Severity.CRITICAL, "Slack Token": Severity.HIGH, "Stripe Access Key": Severity.HIGH,
    "Azure Storage Account access key": Severity.HIGH, "Artifactory Credentials": Severity.HIGH,
    "Basic Auth Credentials": Severity.HIGH, "Cloudant Credentials": Severity.HIGH,
    "Discord Bot Token": Severity.HIGH, "IBM Cloud IAM Key": Severity.HIGH, "IBM COS HMAC Credentials": Severity.HIGH,
    "JSON Web Token": Severity.MEDIUM, "Mailchimp Access Key": Severity.HIGH, "NPM tokens": Severity.HIGH,
    "OpenAI Token": Severity.HIGH, "PyPI upload token": Severity.HIGH, "SendGrid API Key": Severity.HIGH,
    "SoftLayer Credentials": Severity.HIGH, "Square OAuth Secret": Severity.HIGH,
    "Telegram Bot Token": Severity.HIGH, "Twilio API Key": Severity.HIGH,
    "Secret Keyword": Severity.MEDIUM, "Base64 High Entropy String": Severity.LOW,
    "Hex High Entropy String": Severity.LOW, "Public IP (ipv4)": Severity.INFO,
}


class DetectSecretsScanner(ToolScanner):
    name = "detect-secrets"
    category = Category.SECRET
    tool = "detect-secrets"
    cost = 2.0
    patterns = ("*",)

    def version(self, exe: str) -> str:
        return dist_version(exe, "detect-secrets") or super().version(exe)

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        return [exe, "scan", "--all-files",
                "--disable-filter", "detect_secrets.filters.heuristic.is_indirect_reference",
                "--disable-filter", "detect_secrets.filters.allowlist.is_line_allowlisted",
                *self.config.tool("detect-secrets").args, *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [rule(t) for t in TYPES]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_json_output(run, run.stdout, self.name)
        if not isinstance(doc, dict) or not isinstance(doc.get("results"), dict):
            raise ScannerError("detect-secrets output has no `results` object")
        for path, items in sorted(doc["results"].items()):
            lines = source_lines(run.target / path)
            for item in items:
                yield _with_inline_waiver(_finding(path, item), lines)


def slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


def rule(kind: str) -> Rule:
    title = f"{kind} committed to the repository"
    return Rule(id=slug(kind), name=kind, short_description=title, full_description=title,
                help_text=f"{title}. Revoke the secret, remove it from history and load it from a secret manager.",
                help_uri="https://github.com/Yelp/detect-secrets", tags=("secret",), cwe=("CWE-798",))


def _finding(path: str, item: Mapping[str, Any]) -> Finding:
    kind = str(item["type"])
    line = item.get("line_number") if isinstance(item.get("line_number"), int) else None
    return Finding(tool="detect-secrets", rule=rule(kind), message=f"{kind} in {path}",
                   severity=TYPES.get(kind, Severity.MEDIUM), category=Category.SECRET,
                   location=Location(path=path, start_line=line, end_line=line), cwe=("CWE-798",),
                   found_by=("detect-secrets",), severity_source="guard-table",
                   properties={"hashed_secret": item.get("hashed_secret")})


# detect-secrets' own allow-list pragmas: its filter for them is off (a change could silence it);
# guard records a secret on such a line as an inline waiver instead.
_ALLOW = re.compile(r"pragma:\s*allowlist\s+secret", re.IGNORECASE)
_ALLOW_NEXT = re.compile(r"pragma:\s*allowlist\s+nextline\s+secret", re.IGNORECASE)


def _with_inline_waiver(f: Finding, lines: list[str]) -> Finding:
    """`f` as an inline waiver when its line says it may be (a pragma) or shows it is no secret."""
    line = f.location.start_line if f.location is not None else None
    if not line or line > len(lines):
        return f
    text = lines[line - 1]
    why = _pragma(lines, line) or _known_identifier(f, text) or _inside_blob(f, text)
    return f if why is None else replace(f, properties={**f.properties, "inline_waiver": why})


def _pragma(lines: list[str], line: int) -> str | None:
    pragma = _ALLOW.search(lines[line - 1]) or (_ALLOW_NEXT.search(lines[line - 2]) if line >= 2 else None)
    return None if pragma is None else f"detect-secrets pragma ({pragma.group(0)})"


# Hex strings that identify something rather than grant access, by the syntax that holds them (the
# value detect-secrets flagged is the one whose SHA-1 is its `hashed_secret`): a git commit pinned by
# `rev:` (pre-commit's config pins hooks so) and Alembic's revision ids. Such a finding becomes an
# inline waiver naming why: listed, not dropped.
_HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F]{7,64}(?![0-9A-Za-z])")
_IDENTIFIERS = (
    ("a git commit pinned by `rev:`", r"^\s*(?:-\s+)?rev:\s*['\"]?{v}['\"]?\s*(?:#.*)?$"),
    ("an Alembic revision id", r"^(?:down_)?revision\b[^=]*=\s*['\"]{v}['\"]\s*(?:#.*)?$"),
)


# An AWS access key id pattern matched inside a longer run of base64 characters (an embedded WASM or
# font blob) is a coincidence, not a key: real ids stand apart (quotes, `=`, spaces).
_AWS_KEY_ID = re.compile(r"(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}")
_BASE64_CHAR = re.compile(r"[A-Za-z0-9+/]")


def _inside_blob(f: Finding, text: str) -> str | None:
    if f.rule.id != "aws-access-key":
        return None
    for match in _AWS_KEY_ID.finditer(text):
        if _sha1(match.group(0)) != f.properties.get("hashed_secret"):
            continue
        before, after = text[match.start() - 1:match.start()], text[match.end():match.end() + 1]
        if _BASE64_CHAR.fullmatch(before or " ") and _BASE64_CHAR.fullmatch(after or " "):
            return "guard: inside a run of base64 characters, not a key"
    return None


def _known_identifier(f: Finding, text: str) -> str | None:
    if f.rule.id != "hex-high-entropy-string":
        return None
    for value in _HEX.findall(text):
        if _sha1(value) != f.properties.get("hashed_secret"):
            continue
        for why, pattern in _IDENTIFIERS:
            if re.search(pattern.format(v=re.escape(value)), text):
                return f"guard: {why}, not a secret"
    return None


def _sha1(value: str) -> str:
    """detect-secrets' `hashed_secret` of a value (the SHA-1 identifies the value; it protects nothing)."""
    return hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()
