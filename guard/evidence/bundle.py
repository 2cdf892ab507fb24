"""Run bundles: build one from a RunResult, sign it, store it, record it in the ledger.

`store_run` is the entry point `guard scan --evidence DIR|s3://BUCKET/PREFIX` calls.
"""

from __future__ import annotations

import dataclasses
import functools
import datetime as dt
import json
import os
import re
import shutil
import subprocess
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any, Mapping

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

import guard
from guard import csvtext
from guard.paths import builtin_dir
from guard.config import Config
from guard.evidence import ledger, oscal
from guard.evidence.manifest import (
    FORMAT_VERSION, MANIFEST, RUN_FORMAT, SIGNATURE, canonical, file_entries, sha256_bytes, sha256_file, walk,
)
from guard.evidence.signing import key_id, sign
from guard.evidence.store import open_store
from guard.model import ControlResult, RunResult
from guard.report import html, jsonfile
from guard.sarif import write as sarif_write
from guard.tools.catalog import TOOLS

BUILTIN_POLICIES = builtin_dir("policies")
PR_EVENTS = ("pull_request", "pull_request_target", "merge_group")


class EvidenceError(Exception):
    """A bundle cannot be built (missing raw output, unreadable policy pack); exit 2."""


def utc(text: str) -> dt.datetime:
    """An ISO 8601 time as an aware UTC datetime (a time without offset is taken as UTC)."""
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return (value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)


def iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_run_id(run: RunResult) -> str:
    return f"{utc(run.started).strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (out.stdout.strip() or None) if out.returncode == 0 else None


def _redact_remote(url: str | None) -> str | None:
    """A remote URL without credentials (https://user:token@host/... -> https://host/...)."""
    return re.sub(r"^([a-z][a-z0-9+.-]*://)[^/@]*@", r"\1", url) if url else url


def git_context(run: RunResult, config: Config, root: Path, env: Mapping[str, str]) -> dict[str, Any]:
    """Commit, branch, remote, default branch, and whether the run is a pull-request scan."""
    default = config.evidence.default_branch
    if default is None:
        head = _git(root, "symbolic-ref", "--short", "refs/remotes/origin/HEAD")
        default = head.split("/", 1)[1] if head and "/" in head else None
    event = env.get("GITHUB_EVENT_NAME", "")
    diff_base = (run.properties.get("diff") or {}).get("base")
    is_pr = event in PR_EVENTS or bool(diff_base)
    branch = (env.get("GITHUB_HEAD_REF") or run.branch) if is_pr else run.branch
    pr = re.match(r"refs/pull/(\d+)/", env.get("GITHUB_REF", ""))
    return {
        "commit": run.commit, "branch": branch, "default_branch": default,
        "remote": _redact_remote(_git(root, "config", "--get", "remote.origin.url")),
        "kind": "pull_request" if is_pr else "branch",
        "pull_request": {"number": int(pr.group(1)) if pr else None,
                         "base": env.get("GITHUB_BASE_REF") or diff_base,
                         "head": env.get("GITHUB_HEAD_REF") or branch} if is_pr else None,
    }


def _tree_hash(base: Path) -> dict[str, Any]:
    """sha256 over the sorted (file sha256, name) lines of a policy directory."""
    if not base.is_dir():
        raise EvidenceError(f"{base}: policy directory not found")
    lines = [f"{sha256_file(p)[0]}  {name}" for name, p in walk(base) if not p.is_symlink()]
    return {"sha256": sha256_bytes("\n".join(lines).encode()), "files": len(lines)}


@functools.cache
def _builtin_hash() -> dict[str, Any]:
    """The built-in pack ships with this guard install, so one hash per process is enough."""
    return _tree_hash(BUILTIN_POLICIES)


def policy_packs(config: Config, root: Path) -> list[dict[str, Any]]:
    packs = []
    if config.policies.builtin and BUILTIN_POLICIES.is_dir():
        packs.append({"name": "builtin", "version": guard.__version__, **_builtin_hash()})
    for entry in [*config.policies.paths, *config.semgrep.rules]:
        path = root / entry  # an absolute entry stays absolute
        packs.append({"name": entry, **({"sha256": sha256_file(path)[0], "files": 1} if path.is_file()
                                        else _tree_hash(path))})
    return packs


def config_info(config: Config) -> dict[str, Any]:
    effective = {k: v for k, v in dataclasses.asdict(config).items() if k != "source"}
    info: dict[str, Any] = {"sha256": sha256_bytes(canonical(json.loads(json.dumps(effective, default=str))))}
    if config.source:
        info.update(file=Path(config.source).name, file_sha256=sha256_file(Path(config.source))[0])
    return info


def controls_doc(framework: str, controls: list[ControlResult]) -> dict[str, Any]:
    counts = Counter(c.status.value for c in controls)
    return {"framework": framework, "summary": {s: counts.get(s, 0) for s in html.STATUSES},
            "controls": [{"control_id": c.control_id, "title": c.title, "status": c.status.value,
                          "checks": list(c.checks), "failing": list(c.failing), "waived": list(c.waived),
                          "note": c.note} for c in controls]}


def controls_csv(controls: list[ControlResult]) -> str:
    return csvtext.dumps(["framework", "control_id", "title", "status", "checks", "failing", "waived", "note"],
                         [[c.framework, c.control_id, c.title, c.status.value, ";".join(c.checks), len(c.failing),
                           len(c.waived), c.note] for c in controls])


def waivers_csv(run: RunResult) -> str:
    return csvtext.dumps(["source", "rule_id", "fingerprint", "paths", "reason", "owner", "expires", "tool",
                          "severity", "location", "title"],
                         [[w.source, w.rule_id or "", w.fingerprint or "", ";".join(w.paths), w.reason, w.owner,
                           w.expires, f.tool, f.severity.value, str(f.location or ""), f.title] for f, w in run.waived])


def report_data(run: RunResult, run_id: str, frameworks: list[str]) -> html.ReportData:
    controls = {fw: Counter(c.status.value for c in run.controls if c.framework == fw) for fw in frameworks}
    scanners = Counter(f.tool for f in run.findings)
    for s in run.scanners:
        scanners.setdefault(s.scanner, 0)
    gate = "passed" if run.gate and run.gate.passed else "failed" if run.gate else "n/a"
    return html.ReportData(
        title=f"guard evidence: run {run_id}",
        meta=[("commit", (run.commit or "unknown")[:12]), ("branch", run.branch or "unknown"),
              ("started", iso(utc(run.started))), ("gate", gate), ("findings", str(len(run.findings))),
              ("waived", str(len(run.waived))), ("guard", run.guard_version)],
        controls=controls, severity=Counter(f.severity.value for f in run.findings), scanners=scanners)


def _raw_outputs(run: RunResult, root: Path, staging: Path) -> None:
    """Each scanner's raw outputs, with the secret values the run found masked as in the findings.

    Tools quote what they find (trivy's matched lines, SARIF snippets, checkov's code blocks), so
    a verbatim copy would put every secret of the repository into the bundle. An output too large
    to have been read (see guard.scanners.base.output_limit) is recorded by size and hash only.
    """
    from guard.redact import redact_file, secret_values
    from guard.scanners.base import output_limit

    values = secret_values([*run.findings, *(f for f, _ in run.waived)], root)
    for s in run.scanners:
        for i, raw in enumerate(s.raw_outputs):
            src = Path(raw)
            if not src.is_file():
                raise EvidenceError(f"{raw}: raw output of scanner {s.scanner} is missing")
            name = src.name if [Path(r).name for r in s.raw_outputs].count(src.name) == 1 else f"{i}-{src.name}"
            dest = staging / "raw" / s.scanner / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            size = src.stat().st_size
            if size > output_limit():
                dest.with_name(name + ".omitted").write_text(
                    f"{name}: {size} bytes, over the output limit; not kept (sha256 {sha256_file(src)})\n",
                    encoding="utf-8")
                continue
            redact_file(src, dest, values)


def build(run: RunResult, config: Config, root: Path, staging: Path, *, run_id: str,
          key: Ed25519PrivateKey | None, env: Mapping[str, str]) -> tuple[bytes, dict[str, Any]]:
    """Write a complete run bundle into the empty directory `staging`; its manifest bytes and manifest."""
    frameworks = sorted(set(config.frameworks) | {c.framework for c in run.controls})
    _raw_outputs(run, root, staging)
    sarif_write.write(staging / "findings.sarif", run, root, for_github=False)
    jsonfile.dump(staging / "findings.json", run)
    (staging / "controls").mkdir()
    for fw in frameworks:
        mine = [c for c in run.controls if c.framework == fw]
        (staging / "controls" / f"{fw}.json").write_text(json.dumps(controls_doc(fw, mine), indent=2), encoding="utf-8")
        (staging / "controls" / f"{fw}.csv").write_text(controls_csv(mine), encoding="utf-8")
    (staging / "waivers.csv").write_text(waivers_csv(run), encoding="utf-8")
    started, finished = utc(run.started), utc(run.finished)
    doc = oscal.build(document_id=run_id, title=f"guard run {run_id}", start=started, end=finished,
                      controls=run.controls, guard_version=run.guard_version, evidence_href="../findings.sarif")
    (staging / "oscal").mkdir()
    (staging / "oscal" / "assessment-results.json").write_text(json.dumps(doc), encoding="utf-8")
    (staging / "report.html").write_text(html.render(report_data(run, run_id, frameworks)), encoding="utf-8")
    git = git_context(run, config, root, env)
    manifest = {
        "format": RUN_FORMAT, "format_version": FORMAT_VERSION, "run_id": run_id,
        "started": iso(started), "finished": iso(finished), "kind": git.pop("kind"), "git": git,
        "guard": {"version": run.guard_version},
        "tools": [{"name": s.scanner, "version": s.version, "status": s.status.value,
                   "lock_sha256": sha256_bytes(TOOLS[s.scanner].lock().encode()) if s.scanner in TOOLS else None}
                  for s in run.scanners],
        "policy_packs": policy_packs(config, root), "config": config_info(config), "frameworks": frameworks,
        "gate": None if run.gate is None else {"passed": run.gate.passed, "fail_on": run.gate.fail_on.value},
        "counts": {"findings": len(run.findings), "waived": len(run.waived),
                   "by_severity": dict(Counter(f.severity.value for f in run.findings)),
                   "by_tool": dict(Counter(f.tool for f in run.findings))},
        "signer": key_id(key.public_key()) if key else None,
        "files": file_entries(staging),
    }
    data = canonical(manifest)
    (staging / MANIFEST).write_bytes(data)
    if key is not None:
        (staging / SIGNATURE).write_bytes(sign(key, data))
    return data, manifest


def store_run(run: RunResult, config: Config, root: Path, destination: str, *, key: Ed25519PrivateKey | None,
              endpoint_url: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Build, sign and store a run bundle, then record it in the ledger; the stored location.

    Raises EvidenceError, StoreError, LedgerError or SigningError (all exit 2 at the CLI).
    """
    env = os.environ if env is None else env
    settings = config.evidence
    store = open_store(destination, endpoint_url=endpoint_url, kms_key_id=settings.kms_key_id,
                       object_lock_mode=settings.object_lock_mode, retention_days=settings.retention_days,
                       max_attempts=settings.s3_max_attempts)
    run_id = new_run_id(run)
    staging = Path(tempfile.mkdtemp(prefix="guard-evidence-"))
    try:
        data, manifest = build(run, config, root, staging, run_id=run_id, key=key, env=env)
        location = store.put_run(run_id, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    ledger.append(store, run_id, sha256_bytes(data), {"started": manifest["started"], "kind": manifest["kind"],
                                                       "branch": manifest["git"]["branch"],
                                                       "default_branch": manifest["git"]["default_branch"]})
    return location
