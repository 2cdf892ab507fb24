"""Verify a run bundle or a period export: a directory, .tar.gz/.tgz or .zip.

Checks every file's sha256 and size against the manifest, missing and extra files, the
manifest's canonical form and its Ed25519 signature; for an export also each run bundle inside,
the ledger chain, and that every ledger entry of the period is present.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from guard.evidence import ledger
from guard.evidence.archive import ArchiveError, UnsafeArchive, extract, kind
from guard.evidence.bundle import utc
from guard.evidence.export import Period, select
from guard.evidence.manifest import (
    EXPORT_FORMAT, MANIFEST, RESERVED, SIGNATURE, ManifestError, parse, sha256_bytes, sha256_file, walk,
)
from guard.evidence.signing import check


class UnreadableBundle(Exception):
    """The input cannot be read at all (exit 2)."""


@dataclass
class Report:
    kind: str = "unknown"  # run | export
    signed: bool = False
    key_id: str = ""
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.problems


def verify(path: Path, trusted: Ed25519PublicKey | None = None) -> Report:
    """Verify the bundle at `path` (directory or archive)."""
    if path.is_dir():
        return verify_dir(path, trusted)
    if not path.is_file():
        raise UnreadableBundle(f"{path}: no such file or directory")
    if kind(path) is None:
        raise UnreadableBundle(f"{path}: not a bundle directory, .tar.gz, .tgz or .zip")
    with tempfile.TemporaryDirectory(prefix="guard-verify-") as tmp:
        try:
            extract(path, Path(tmp))
        except UnsafeArchive as exc:
            return Report(problems=exc.problems)
        except ArchiveError as exc:
            raise UnreadableBundle(str(exc)) from None
        return verify_dir(Path(tmp), trusted)


def _check_files(root: Path, files: dict[str, Any], prefix: str = "") -> list[str]:
    problems = []
    present = {}
    for name, path in walk(root):
        if path.is_symlink():
            problems.append(f"{prefix}{name}: symbolic link (not allowed in a bundle)")
        elif name not in RESERVED:
            present[name] = path
    for name in sorted(set(files) - set(present)):
        problems.append(f"{prefix}{name}: missing")
    for name in sorted(set(present) - set(files)):
        problems.append(f"{prefix}{name}: extra file not in the manifest")
    for name in sorted(set(files) & set(present)):
        sha, size = sha256_file(present[name])
        if sha != files[name]["sha256"] or size != files[name]["size"]:
            problems.append(f"{prefix}{name}: sha256 mismatch (manifest {files[name]['sha256'][:12]}, "
                            f"file {sha[:12]})")
    return problems


def _manifest(root: Path, prefix: str = "") -> tuple[bytes, dict[str, Any]] | str:
    try:
        data = (root / MANIFEST).read_bytes()
    except FileNotFoundError:
        return f"{prefix}{MANIFEST}: missing"
    try:
        return data, parse(data, f"{prefix}{MANIFEST}")
    except ManifestError as exc:
        return str(exc)


def verify_dir(root: Path, trusted: Ed25519PublicKey | None = None, prefix: str = "") -> Report:
    report = Report()
    loaded = _manifest(root, prefix)
    if isinstance(loaded, str):
        report.problems.append(loaded)
        return report
    data, manifest = loaded
    report.kind = "export" if manifest["format"] == EXPORT_FORMAT else "run"
    if manifest.get("format_version") != 1:
        report.problems.append(f"{prefix}{MANIFEST}: unsupported format version {manifest.get('format_version')!r}")
    report.problems += _check_files(root, manifest["files"], prefix)
    sig = root / SIGNATURE
    if sig.is_file():
        result = check(sig.read_bytes(), data, trusted)
        report.signed, report.key_id = result.ok, result.key_id
        if not result.ok:
            report.problems.append(f"{prefix}{SIGNATURE}: {result.reason}")
        elif trusted is None:
            report.notes.append(f"{prefix or 'bundle'}: signature valid with the key embedded in it ({result.key_id}); "
                                "pass --key to pin the signer")
    elif trusted is not None:
        report.problems.append(f"{prefix}{SIGNATURE}: missing (bundle is unsigned but --key was given)")
    else:
        report.notes.append(f"{prefix or 'bundle'}: unsigned")
    if report.kind == "export" and not prefix:
        _verify_export(root, manifest, report)
    return report


def _verify_export(root: Path, manifest: dict[str, Any], report: Report) -> None:
    for run in manifest.get("runs", ()):
        run_dir = root / "runs" / run["run_id"]
        sub = verify_dir(run_dir, None, prefix=f"runs/{run['run_id']}/") if run_dir.is_dir() else None
        if sub is None:
            report.problems.append(f"runs/{run['run_id']}: missing")
            continue
        report.problems += sub.problems
        data = (run_dir / MANIFEST).read_bytes() if (run_dir / MANIFEST).is_file() else b""
        if sha256_bytes(data) != run["manifest_sha256"]:
            report.problems.append(f"runs/{run['run_id']}/{MANIFEST}: differs from its ledger entry {run['seq']}")
    try:
        lines = (root / "ledger" / "ledger.jsonl").read_bytes().splitlines()
        entries = [ledger.parse(f"line {i + 1}", line) for i, line in enumerate(lines)]
    except (OSError, ledger.LedgerError) as exc:
        report.problems.append(f"ledger/ledger.jsonl: {exc}")
        return
    report.problems += ledger.check_chain((ledger.entry_name(e["seq"]), e) for e in entries)
    if not entries or entries[-1]["hash"] != manifest.get("ledger_head"):
        report.problems.append("ledger/ledger.jsonl: head does not match the manifest's ledger_head")
    p = manifest["period"]
    period = Period(p["label"], utc(p["start"]), utc(p["end"]))
    main, prs = select(entries, period, manifest.get("selection", {}).get("default_branch"))
    listed = {r["run_id"]: r for r in manifest.get("runs", ())}
    for e in main + prs:
        r = listed.get(e["run_id"])
        if r is None:
            report.problems.append(f"ledger entry {e['seq']} (run {e['run_id']}): in the period but not in the export")
        elif r["manifest_sha256"] != e["manifest_sha256"] or r["seq"] != e["seq"]:
            report.problems.append(f"ledger entry {e['seq']} (run {e['run_id']}): does not match the exported run")
    if len(listed) != len(main) + len(prs):
        report.problems.append("manifest: lists runs that are not ledger entries of the period")
    report.notes.append(f"export {p['label']}: {len(main)} default-branch run(s), {len(prs)} pull-request run(s), "
                        f"ledger of {len(entries)} entries verified")
