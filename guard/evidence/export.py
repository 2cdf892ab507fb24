"""Period export: the period's stored runs, per-control status over time, waivers in force,
pull-request scans (change-management evidence, SOC 2 CC8.1) and the ledger proof, as one
signed .tar.gz or .zip.

Everything is streamed from the store into the archive and checked on the way (each file
against its run manifest, each manifest against the ledger); any problem aborts the export and
no archive appears. The archive is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import re
import uuid
from collections import Counter
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, NamedTuple

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from guard import __version__, csvtext
from guard.evidence import ledger, oscal
from guard.evidence.archive import Writer, kind
from guard.evidence.bundle import EvidenceError, iso, utc
from guard.evidence.manifest import (
    EXPORT_FORMAT, FORMAT_VERSION, MANIFEST, RESERVED, SIGNATURE, ManifestError, canonical, parse, sha256_bytes,
)
from guard.evidence.signing import check, key_id, sign
from guard.evidence.store import EvidenceStore
from guard.model import ControlResult, ControlStatus
from guard.report import html

_LETTER = {"failed": "F", "passed": "P", "manual": "M", "not assessed": "N"}
FALLBACK_DEFAULT_BRANCHES = ("main", "master")


class IntegrityError(Exception):
    """The store or a bundle fails its checks (exit 1); `problems` lists each one."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s): " + "; ".join(problems[:5]))
        self.problems = problems


@dataclass(frozen=True)
class Period:
    label: str
    start: dt.datetime
    end: dt.datetime  # exclusive


def parse_period(text: str) -> Period:
    """`2026Q3` (a quarter, for SOC 2 / ISO 27001) or `2026-09` (a month, for PCI DSS)."""
    if m := re.fullmatch(r"(\d{4})-?Q([1-4])", text.strip(), re.I):
        year, first = int(m.group(1)), (int(m.group(2)) - 1) * 3 + 1
        months = 3
    elif m := re.fullmatch(r"(\d{4})-(\d{2})", text.strip()):
        year, first, months = int(m.group(1)), int(m.group(2)), 1
        if not 1 <= first <= 12:
            raise ValueError(f"period {text!r}: no month {first}")
    else:
        raise ValueError(f"period {text!r}: expected a quarter like 2026Q3 or a month like 2026-09")
    start = dt.datetime(year, first, 1, tzinfo=dt.timezone.utc)
    end_month = first + months
    end = dt.datetime(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1, tzinfo=dt.timezone.utc)
    return Period(text.strip().upper() if "Q" in text.upper() else text.strip(), start, end)


def select(entries: Iterable[Mapping[str, Any]], period: Period, branch: str | None) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]]]:
    """(default-branch runs, pull-request runs) of the period; other branches are left out."""
    main, prs = [], []
    for e in entries:
        if not (period.start <= utc(e["started"]) < period.end):
            continue
        if e["kind"] == "pull_request":
            prs.append(e)
        elif e["branch"] == (branch or e["default_branch"]) or (
                not branch and not e["default_branch"] and e["branch"] in FALLBACK_DEFAULT_BRANCHES):
            main.append(e)
    return main, prs


class _Status(NamedTuple):
    control_id: str
    title: str
    status: str


@dataclass
class _Run:
    entry: Mapping[str, Any]
    manifest: dict[str, Any]
    keep_full: bool = False  # keep every control's checks and findings (the latest run, for OSCAL)
    controls: dict[str, list[_Status]] = field(default_factory=dict)
    full_controls: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    waivers: list[dict[str, str]] = field(default_factory=list)


class _Exporter:
    def __init__(self, store: EvidenceStore, writer: Writer, framework: str | None) -> None:
        self.store, self.writer, self.framework = store, writer, framework
        self.files: dict[str, dict[str, Any]] = {}
        self.problems: list[str] = []

    def add_bytes(self, name: str, data: bytes) -> None:
        sha, size = self.writer.add_bytes(name, data)
        self.files[name] = {"sha256": sha, "size": size}

    def copy_run(self, entry: Mapping[str, Any], keep_full: bool = False) -> _Run | None:
        rid, seq = entry["run_id"], entry["seq"]
        names = set(self.store.run_files(rid))
        if not names:
            self.problems.append(f"run {rid} (ledger entry {seq}): missing from the store (deleted?)")
            return None
        if MANIFEST not in names:
            self.problems.append(f"run {rid}: {MANIFEST} missing")
            return None
        with closing(self.store.open_file(rid, MANIFEST)) as fh:
            data = fh.read()
        if sha256_bytes(data) != entry["manifest_sha256"]:
            self.problems.append(f"run {rid}: manifest altered (sha256 differs from ledger entry {seq})")
        try:
            manifest = parse(data, f"run {rid}/{MANIFEST}")
        except ManifestError as exc:
            self.problems.append(str(exc))
            return None
        run = _Run(entry, manifest, keep_full)
        prefix = f"runs/{rid}/"
        self.add_bytes(prefix + MANIFEST, data)
        if SIGNATURE in names:
            with closing(self.store.open_file(rid, SIGNATURE)) as fh:
                sig = fh.read()
            result = check(sig, data, None)
            if not result.ok:
                self.problems.append(f"run {rid}/{SIGNATURE}: {result.reason}")
            self.add_bytes(prefix + SIGNATURE, sig)
        listed = manifest["files"]
        for name in sorted(set(listed) - names):
            self.problems.append(f"run {rid}/{name}: missing")
        for name in sorted(names - set(listed) - RESERVED):
            self.problems.append(f"run {rid}/{name}: extra file not in its manifest")
        for name in sorted(set(listed) & names):
            self._copy_file(run, name, listed[name])
        return run

    def _copy_file(self, run: _Run, name: str, expected: Mapping[str, Any]) -> None:
        rid = run.manifest["run_id"]
        small = name.startswith("controls/") or name == "waivers.csv"
        try:
            with closing(self.store.open_file(rid, name)) as fh:
                if small:
                    data = fh.read()
                    sha, size = self.writer.add_bytes(f"runs/{rid}/{name}", data)
                else:
                    sha, size = self.writer.add(f"runs/{rid}/{name}", fh, expected["size"])
        except OSError as exc:  # the stored file is shorter than its manifest says
            self.problems.append(f"run {rid}/{name}: {exc}")
            return
        self.files[f"runs/{rid}/{name}"] = {"sha256": sha, "size": size}
        if sha != expected["sha256"] or size != expected["size"]:
            self.problems.append(f"run {rid}/{name}: sha256 mismatch (file altered)")
            return
        if not small:
            return
        framework = name[len("controls/"):].rpartition(".")[0]
        if name == "waivers.csv":
            run.waivers = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
        elif self.framework not in (None, framework):
            return
        elif name.endswith(".csv"):  # id, title and status are all the timeline needs
            rows = csv.reader(io.StringIO(data.decode("utf-8")))
            header = next(rows)
            cols = [header.index(k) for k in ("control_id", "title", "status")]
            run.controls[framework] = [_Status(*(csvtext.value(r[c]) for c in cols)) for r in rows]
        elif name.endswith(".json") and run.keep_full:
            run.full_controls[framework] = json.loads(data)["controls"]


def _timeline(framework: str, runs: list[_Run]) -> dict[str, Any]:
    controls: dict[str, dict[str, Any]] = {}
    for i, run in enumerate(runs):
        when = run.manifest["started"]
        for c in run.controls.get(framework, ()):
            t = controls.get(c.control_id)
            if t is None:
                t = controls[c.control_id] = {
                    "control_id": c.control_id, "title": c.title, "runs_sampled": 0, "failed_runs": 0,
                    "first_failed": None, "fixed_at": None, "last_status": None, "intervals": [],
                    "statuses": ["-"] * len(runs)}
            t["statuses"][i] = _LETTER.get(c.status, "?")
            t["runs_sampled"] += c.status in ("failed", "passed")
            if c.status == "failed":
                t["failed_runs"] += 1
                t["first_failed"] = t["first_failed"] or when
                if not t["intervals"] or t["intervals"][-1]["fixed_at"]:
                    t["intervals"].append({"failed_at": when, "fixed_at": None})
            elif c.status == "passed" and t["intervals"] and not t["intervals"][-1]["fixed_at"]:
                t["intervals"][-1]["fixed_at"] = when
            t["last_status"] = c.status
    for t in controls.values():
        t["fixed_at"] = t["intervals"][-1]["fixed_at"] if t["intervals"] else None
        t["statuses"] = "".join(t["statuses"])
    return {"framework": framework, "legend": {"F": "failed", "P": "passed", "M": "manual", "N": "not assessed",
                                               "-": "not in this run"},
            "runs": [r.manifest["run_id"] for r in runs], "controls": sorted(controls.values(), key=lambda t: t["control_id"])}


def _csv(header: list[str], rows: Iterable[list[Any]]) -> bytes:
    return csvtext.dumps(header, rows).encode()


def _waivers(runs: list[_Run]) -> bytes:
    seen: dict[tuple[str, ...], dict[str, Any]] = {}
    for run in runs:
        for w in run.waivers:
            k = (w["source"], w["rule_id"], w["fingerprint"], w["reason"], w["owner"], w["expires"])
            item = seen.setdefault(k, {"first_seen": run.manifest["started"], "runs": set()})
            item["last_seen"] = run.manifest["started"]
            item["runs"].add(run.manifest["run_id"])
    return _csv(["source", "rule_id", "fingerprint", "reason", "owner", "expires", "first_seen", "last_seen", "runs"],
                [[*k, v["first_seen"], v["last_seen"], len(v["runs"])] for k, v in sorted(seen.items())])


def _changes(runs: list[_Run]) -> bytes:
    rows = []
    for r in runs:
        git, pr = r.manifest["git"], r.manifest["git"].get("pull_request") or {}
        gate = r.manifest.get("gate") or {}
        rows.append([r.manifest["run_id"], r.manifest["started"], pr.get("number") or "", pr.get("base") or "",
                     pr.get("head") or git.get("branch") or "", git.get("commit") or "",
                     "passed" if gate.get("passed") else "failed" if gate else "", r.manifest["counts"]["findings"]])
    return _csv(["run_id", "started", "pull_request", "base", "head", "commit", "gate", "findings"], rows)


def _report(period: Period, main: list[_Run], prs: list[_Run], frameworks: list[str]) -> bytes:
    last = main[-1] if main else None
    controls = {fw: Counter(c.status for c in last.controls.get(fw, ())) for fw in frameworks} if last else {}
    counts = last.manifest["counts"] if last else {}
    severity = counts.get("by_severity", {})
    scanners = {**{t["name"]: 0 for t in (last.manifest["tools"] if last else ())}, **counts.get("by_tool", {})}
    trend = [html.TrendPoint(label=r.manifest["started"][5:10],
                             failed_controls=sum(c.status == "failed" for fw in frameworks for c in r.controls.get(fw, ())),
                             findings=r.manifest["counts"]["findings"]) for r in main]
    data = html.ReportData(
        title=f"guard evidence export {period.label}",
        meta=[("period", f"{iso(period.start)} .. {iso(period.end)}"), ("default-branch runs", str(len(main))),
              ("pull-request runs", str(len(prs))), ("latest run", last.manifest["run_id"] if last else "none")],
        controls=controls, severity=severity, scanners=scanners, trend=trend,
        controls_caption=" (latest default-branch run)" if last else "")
    return html.render(data).encode()


def _final_controls(last: _Run | None) -> list[ControlResult]:
    """The latest default-branch run's controls (for the period's OSCAL document)."""
    if last is None:
        return []
    return [ControlResult(framework=fw, control_id=c["control_id"], title=c["title"], status=ControlStatus(c["status"]),
                          checks=tuple(c["checks"]), failing=tuple(c["failing"]), waived=tuple(c["waived"]),
                          note=c["note"])
            for fw, controls in sorted(last.full_controls.items()) for c in controls]


def export(store: EvidenceStore, period: Period, output: Path, *, framework: str | None = None,
           key: Ed25519PrivateKey | None = None, branch: str | None = None,
           clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.timezone.utc)) -> dict[str, Any]:
    """Write the period's signed evidence archive to `output`; its manifest.

    Raises IntegrityError (the store or ledger fails its checks), EvidenceError (nothing to export,
    bad output name), StoreError (the store cannot be read).
    """
    fmt = kind(output)
    if fmt is None:
        raise EvidenceError(f"{output}: the export must end in .tar.gz, .tgz or .zip")
    try:
        entries = ledger.read(store)
    except ledger.LedgerError as exc:
        raise IntegrityError([str(exc)]) from None
    problems = ledger.check_chain(entries)
    if problems:
        raise IntegrityError(problems)
    docs = [doc for _, doc in entries]
    main_entries, pr_entries = select(docs, period, branch)
    if not main_entries and not pr_entries:
        raise EvidenceError(f"{store.location}: no runs stored in {period.label}")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.parent / f".{output.name}.{uuid.uuid4().hex[:8]}.partial"
    try:
        with tmp.open("wb") as fh:
            writer = Writer(fh, fmt)
            ex = _Exporter(store, writer, framework)
            main = [r for r in (ex.copy_run(e, i == len(main_entries) - 1) for i, e in enumerate(main_entries)) if r]
            prs = [r for r in (ex.copy_run(e) for e in pr_entries) if r]
            if ex.problems:
                raise IntegrityError(ex.problems)
            frameworks = sorted({fw for r in main + prs for fw in r.controls})
            for fw in frameworks:
                t = _timeline(fw, main)
                ex.add_bytes(f"controls/{fw}-timeline.json", json.dumps(t).encode())
                ex.add_bytes(f"controls/{fw}-timeline.csv", _csv(
                    ["control_id", "title", "last_status", "runs_sampled", "failed_runs", "first_failed", "fixed_at"],
                    [[c["control_id"], c["title"], c["last_status"], c["runs_sampled"], c["failed_runs"],
                      c["first_failed"] or "", c["fixed_at"] or ""] for c in t["controls"]]))
            ex.add_bytes("waivers.csv", _waivers(main + prs))
            ex.add_bytes("change-management/pull-requests.csv", _changes(prs))
            ex.add_bytes("ledger/ledger.jsonl", b"".join(canonical(d) + b"\n" for d in docs))
            head = docs[-1]["hash"]
            ex.add_bytes("ledger/proof.json", json.dumps({
                "entries": len(docs), "head": head, "head_seq": docs[-1]["seq"],
                "period_entries": [e["seq"] for e in main_entries + pr_entries]}, indent=2).encode())
            doc = oscal.build(document_id=f"export-{period.label}-{head}", title=f"guard evidence {period.label}",
                              start=period.start, end=min(period.end, clock()), controls=_final_controls(main[-1] if main else None),
                              guard_version=__version__, evidence_href="../controls/")
            ex.add_bytes("oscal/assessment-results.json", json.dumps(doc).encode())
            ex.add_bytes("report.html", _report(period, main, prs, frameworks))
            manifest = {
                "format": EXPORT_FORMAT, "format_version": FORMAT_VERSION, "created": iso(clock()),
                "period": {"label": period.label, "start": iso(period.start), "end": iso(period.end)},
                "store": store.location, "framework": framework, "selection": {"default_branch": branch},
                "runs": [{"run_id": r.entry["run_id"], "seq": r.entry["seq"], "started": r.entry["started"],
                          "kind": r.entry["kind"], "branch": r.entry["branch"],
                          "manifest_sha256": r.entry["manifest_sha256"]} for r in main + prs],
                "ledger_head": head, "guard": {"version": __version__},
                "signer": key_id(key.public_key()) if key else None, "files": ex.files,
            }
            data = canonical(manifest)
            writer.add_bytes(MANIFEST, data)
            if key is not None:
                writer.add_bytes(SIGNATURE, sign(key, data))
            writer.close()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
    return manifest
