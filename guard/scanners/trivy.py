"""trivy: misconfigurations (Dockerfile, Kubernetes, Terraform, CloudFormation, Helm) and secrets.

Offline: no check or version updates, no telemetry, `--offline-scan`. trivy's JSON report is read
(severity, resource and cause lines are all there; paths are relative to the target). trivy scans
the whole tree, so results outside the files guard selected (excluded or ignored paths,
`__pycache__`) are dropped. Secret values are already masked by trivy; guard redacts again.
trivy drops `trivy:ignore` findings entirely (even with `--show-suppressed`), so they cannot be
listed as inline waivers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from guard.model import Category, Finding, Location, Rule, Severity
from guard.scanners.base import Invocation, ScannerError, ToolScanner, match_any, read_output
from guard.scanners.data.iac import keyword_cwe

OUTPUT = "trivy.json"
OFFLINE = ("--skip-check-update", "--skip-version-check", "--disable-telemetry", "--offline-scan")
_CONTAINER_TYPES = {"dockerfile", "kubernetes", "helm"}
# The misconfiguration and secret families trivy evaluates (for control coverage).
FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "trivy-misconfig-dockerfile": ("Dockerfile misconfiguration checks (DS-*)", "container", ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile")),
    "trivy-misconfig-kubernetes": ("Kubernetes misconfiguration checks (KSV-*)", "container", ("*.yaml", "*.yml", "*.json")),
    "trivy-misconfig-terraform": ("Terraform misconfiguration checks (AWS-*, AZU-*, GCP-* ...)", "iac", ("*.tf", "*.tf.json")),
    "trivy-misconfig-cloudformation": ("CloudFormation misconfiguration checks", "iac", ("*.yaml", "*.yml", "*.json", "*.template")),
    "trivy-secret": ("Secret detection (cloud keys, tokens, private keys)", "secret", ("*",)),
}


class TrivyScanner(ToolScanner):
    name = "trivy"
    category = Category.CONTAINER
    tool = "trivy"
    cost = 3.0
    patterns = ("*",)  # the secret scanner reads every file

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        return [exe, "fs", "--scanners", "misconfig,secret", *OFFLINE, "--quiet", "--format", "json",
                "-o", str(workdir / OUTPUT), *self.config.tool("trivy").args, "."]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [Rule(id=fid, name=fid, short_description=title, full_description=title, help_text=title,
                     help_uri="https://trivy.dev/", tags=(family,),
                     cwe=("CWE-798",) if family == "secret" else ())
                for fid, (title, family, globs) in FAMILIES.items() if any(match_any(f, globs) for f in files)]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        text = read_output(run.workdir / OUTPUT, self.name)
        if run.returncode != 0:
            raise ScannerError(f"trivy exited {run.returncode}")
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ScannerError(f"trivy wrote invalid JSON ({OUTPUT}:{exc.lineno}: {exc.msg})") from None
        if not isinstance(doc, dict) or "SchemaVersion" not in doc:
            raise ScannerError("trivy output is not a trivy JSON report (no SchemaVersion)")
        wanted = set(run.files)
        for result in doc.get("Results") or []:
            target = str(result.get("Target") or "")
            if target not in wanted:
                continue
            kind = str(result.get("Type") or "")
            for m in result.get("Misconfigurations") or []:
                if m.get("Status", "FAIL") == "FAIL":
                    yield _misconfig(m, target, kind)
            for s in result.get("Secrets") or []:
                yield _secret(s, target)


def _severity(value: Any) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError:
        return Severity.MEDIUM if str(value).upper() != "UNKNOWN" else Severity.INFO


def _location(path: str, start: Any, end: Any) -> Location:
    """Cause lines; a file-level result (e.g. a missing USER) points at line 1, as GitHub needs a region."""
    s = start if isinstance(start, int) and start > 0 else 1
    e = end if isinstance(end, int) and end >= s else s
    return Location(path=path, start_line=s, end_line=e)


def _misconfig(m: Mapping[str, Any], path: str, kind: str) -> Finding:
    rid = str(m.get("ID") or m.get("AVDID") or "unknown")
    title = str(m.get("Title") or rid)
    cause = m.get("CauseMetadata") or {}
    by_title = keyword_cwe(title)
    cwe = by_title[1] if by_title else ()
    refs = [r for r in m.get("References") or [] if isinstance(r, str)]
    rule = Rule(id=rid, name=rid, short_description=f"{rid}: {title}", full_description=str(m.get("Description") or title),
                help_text=f"{m.get('Description') or title} Resolution: {m.get('Resolution') or 'see the reference'}",
                help_uri=str(m.get("PrimaryURL") or (refs[0] if refs else "")) or None,
                tags=("misconfiguration", kind) if kind else ("misconfiguration",), cwe=cwe)
    resource = cause.get("Resource") or None
    return Finding(
        tool="trivy", rule=rule, message=str(m.get("Message") or title),
        severity=_severity(m.get("Severity")),
        category=Category.CONTAINER if kind in _CONTAINER_TYPES else Category.IAC,
        location=_location(path, cause.get("StartLine"), cause.get("EndLine")),
        resource=str(resource) if resource else None, cwe=cwe, found_by=("trivy",),
        properties={k: v for k, v in {"namespace": m.get("Namespace"), "provider": cause.get("Provider"),
                                      "service": cause.get("Service"),
                                      "cwe_source": "guard-keyword" if cwe else None}.items() if v},
    )


def _secret(s: Mapping[str, Any], path: str) -> Finding:
    rid = str(s.get("RuleID") or "secret")
    title = str(s.get("Title") or rid)
    rule = Rule(id=rid, name=rid, short_description=f"{rid}: {title}",
                full_description=f"A {title} is committed to the repository.",
                help_text=f"A {title} is committed to the repository. Revoke it, remove it from history and load "
                          "it from a secret manager.", help_uri="https://trivy.dev/latest/docs/scanner/secret/",
                tags=("secret", str(s.get("Category") or "").lower()), cwe=("CWE-798",))
    return Finding(
        tool="trivy", rule=rule, message=f"{title} found ({s.get('Match') or 'value masked'})",
        severity=_severity(s.get("Severity")), category=Category.SECRET,
        location=_location(path, s.get("StartLine"), s.get("EndLine")), cwe=("CWE-798",), found_by=("trivy",),
        properties={"secret_category": s.get("Category"), "match": s.get("Match")},
    )
