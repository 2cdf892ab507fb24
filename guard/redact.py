"""Secret redaction: no secret value found in a scan reaches any file guard writes.

A secret is replaced by a short prefix and a hash (`AKIA…[redacted:sha256:1a2b3c4d5e6f]`), so the
same secret is recognisable across findings and runs without being readable. Three layers:
1. Values: for every finding about a secret (category secret, or a hard-coded-credential CWE),
   the quoted strings and assigned values on its source lines are collected, and every
   occurrence of them in any finding (message, snippet, rule texts, properties) is masked. A
   value made of letters only (`password`, `postgres`) is masked where it stands as a value
   (quoted, or after `=` or `:`), not where it is a word of a sentence ("hardcoded password").
2. Shapes: PEM private keys and well-known token formats are masked wherever they appear.
3. Quoted literals in the texts of secret findings themselves are masked.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from guard.model import INFRASTRUCTURE, Category, Finding, Rule, evolve

SECRET_CWES = frozenset({"CWE-798", "CWE-259", "CWE-321", "CWE-522", "CWE-312", "CWE-256", "CWE-260"})
PREFIX = 4
MIN_VALUE = 8
_MAX_LINES = 60
_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----.*?(?:-----END \1PRIVATE KEY-----|$)", re.DOTALL)
_TOKENS = re.compile(
    r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[0-9A-Z]{16}\b"  # AWS access key ids
    r"|\bgh[pousr]_[A-Za-z0-9]{36,}\b|\bgithub_pat_[A-Za-z0-9_]{22,}\b"  # GitHub tokens
    r"|\bglpat-[A-Za-z0-9_-]{20,}\b"  # GitLab
    r"|\bxox[abposr]-[A-Za-z0-9-]{10,}\b"  # Slack
    r"|\bsk_live_[A-Za-z0-9]{16,}\b"  # Stripe
    r"|\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\b"  # JWT
)
_QUOTED = re.compile(r"""(["'`])(?P<v>[^"'`\s]{%d,})\1""" % MIN_VALUE)
_ASSIGNED = re.compile(r"""[:=]\s*(?P<v>[^\s"'`,;#]{%d,})""" % MIN_VALUE)
_MASKED = re.compile(r"…\[redacted:sha256:[0-9a-f]{12}\]")
_WORDS = re.compile(r"[A-Za-z]+(?:[_.\-][A-Za-z]+)*")


def mask(value: str) -> str:
    """`value` as a short prefix plus a hash of the whole value."""
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    keep = PREFIX if len(value) >= 3 * PREFIX else 0
    return f"{value[:keep]}…[redacted:sha256:{digest}]"


def is_secret(f: Finding) -> bool:
    """True for findings whose subject is a secret value."""
    return f.category is Category.SECRET or not SECRET_CWES.isdisjoint(f.cwe) or not SECRET_CWES.isdisjoint(f.rule.cwe)


def secret_values(findings: Iterable[Finding], root: Path) -> set[str]:
    """Candidate secret values on the source lines of every secret finding."""
    values: set[str] = set()
    cache: dict[str, list[str]] = {}
    for f in findings:
        if not is_secret(f) or f.location is None or not f.location.start_line:
            continue
        if str(f.properties.get("inline_waiver") or "").startswith(GUARD_REASON):
            continue  # guard judged the value no credential (a file path, a placeholder): nothing to mask
        lines = _lines(root, f.location.path, cache)
        start = f.location.start_line
        # an infrastructure check of secrets (checkov's CKV_K8S_35) spans its whole resource: every value
        # of a manifest would count as secret (its namespace, its images); its first line is where it points
        end = start if f.category in INFRASTRUCTURE else min(f.location.end_line or start, start + _MAX_LINES)
        text = "\n".join(lines[start - 1 : end])
        for pattern in (_QUOTED, _ASSIGNED):
            values.update(m.group("v") for m in pattern.finditer(text))
        values.update(m.group(0) for m in _TOKENS.finditer(text))
    return {v for v in values if not _MASKED.search(v) and not set(v) <= set("*")}


def redact_text(text: str, values: Iterable[str] = (), *, quoted: bool = False) -> str:
    """`text` with known values, private keys and token shapes masked (and quoted literals if `quoted`)."""
    return _redact(text, sorted(values, key=len, reverse=True), quoted)


def _redact(text: str, longest_first: Sequence[str], quoted: bool) -> str:
    if not text:
        return text
    for value in longest_first:
        if value in text:
            words = _WORDS.fullmatch(value) is not None  # masked where it stands as a value only
            text = _as_value(value).sub(_mask_match, text) if words else text.replace(value, mask(value))
    if "PRIVATE KEY-----" in text:  # (most texts have neither: the tests are cheaper than the rewrites)
        text = _PEM.sub(lambda m: m.group(0).split("\n", 1)[0][:40] + mask(m.group(0)), text)
    if _TOKENS.search(text):
        text = _TOKENS.sub(lambda m: mask(m.group(0)), text)
    if quoted:
        text = _QUOTED.sub(lambda m: m.group(1) + (m.group("v") if _MASKED.search(m.group("v")) else mask(m.group("v"))) + m.group(1), text)
    return text


@lru_cache(maxsize=1024)
def _as_value(word: str) -> re.Pattern[str]:
    """`word` where it stands as a value: between a pair of quotes, or after `=` or `:`."""
    v = re.escape(word)
    return re.compile(rf"""(?P<pre>(?P<q>["'`]))(?P<v>{v})(?=(?P=q))|(?P<pre2>[:=][ \t]*)(?P<v2>{v})(?![\w\-]|\.\w)""")


def _mask_match(m: re.Match[str]) -> str:
    return (m.group("pre") or m.group("pre2")) + mask(m.group("v") or m.group("v2"))


def redact_file(src: Path, dest: Path, values: Iterable[str] = ()) -> None:
    """Copy a tool's raw output with known values, private keys and token shapes masked (bytes kept as they are)."""
    text = src.read_bytes().decode("utf-8", "surrogateescape")
    dest.write_bytes(redact_text(text, values).encode("utf-8", "surrogateescape"))


def redact(findings: Sequence[Finding], root: Path, values: set[str] | None = None) -> list[Finding]:
    """Every finding with secret values masked in every text it carries.

    `values`: the secret values to mask (default: those on the source lines of these findings).
    """
    if values is None:
        values = secret_values(findings, root)
    return _Redactor(values).findings(findings)


class _Redactor:
    """Masks one set of values; a record is copied only where a text changed, and each rule (shared
    by many findings) is redacted once. A rule's texts are the tool's own (titles, descriptions), so
    only known values are masked there, never every quoted word of a secret finding's rule."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = sorted(values, key=len, reverse=True)
        self.rules: dict[int, tuple[Rule, Rule]] = {}  # by rule id(): keeps the rule alive, so its id stays unique

    def findings(self, findings: Sequence[Finding]) -> list[Finding]:
        return [self.finding(f) for f in findings]

    def text(self, text: str | None, quoted: bool) -> str | None:
        return _redact(text, self.values, quoted) if text else text

    def rule(self, rule: Rule) -> Rule:
        known = self.rules.get(id(rule))
        if known is None:
            changes = {name: self.text(getattr(rule, name), False)
                       for name in ("short_description", "full_description", "help_text", "help_markdown")}
            changed = {k: v for k, v in changes.items() if v != getattr(rule, k)}
            known = self.rules[id(rule)] = (rule, evolve(rule, **changed) if changed else rule)
        return known[1]

    def finding(self, f: Finding) -> Finding:
        quoted = is_secret(f)
        changes: dict[str, Any] = {}
        rule = self.rule(f.rule)
        if rule is not f.rule:
            changes["rule"] = rule
        message = self.text(f.message, quoted) or ""
        if message != f.message:
            changes["message"] = message
        location = f.location
        if location is not None and location.snippet:
            snippet = self.text(location.snippet, quoted)
            if snippet != location.snippet:
                changes["location"] = evolve(location, snippet=snippet)
        if f.properties:
            properties = _props(f.properties, self.values, quoted)
            if properties != f.properties:
                changes["properties"] = properties
        return evolve(f, **changes) if changes else f


# guard's own reasons for an inline waiver ("guard: a placeholder for the real value (`changeme`, ...)"):
# fixed texts, never read from a scanned file, whose examples were masked where a scanned line held
# the same word (a skip comment's text is redacted as any other)
GUARD_REASON = "guard: "


def _props(value: Any, values: Sequence[str], quoted: bool, key: str = "") -> Any:
    if isinstance(value, str):
        if key == "inline_waiver" and value.startswith(GUARD_REASON):
            return value
        return _redact(value, values, quoted)
    if isinstance(value, Mapping):
        return {k: _props(v, values, quoted, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_props(v, values, quoted) for v in value)
    return value


def _lines(root: Path, rel: str, cache: dict[str, list[str]]) -> list[str]:
    if rel not in cache:
        try:
            cache[rel] = (root / rel).read_bytes()[: 8 * 1024 * 1024].decode("utf-8", "replace").splitlines()
        except OSError:
            cache[rel] = []
    return cache[rel]
