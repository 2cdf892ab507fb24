"""Judged runs on disk: a re-scan with nothing changed skips every stage after the scanners.

When every scanner's result came from the result cache (guard/cache.py), what the later stages
compute (dedup, waivers, baseline, policies, control status, gate) depends only on those results
and on guard's own inputs. The key covers each scanner's cache key, the path and content of every
listed file (config policies and fingerprints read them), the effective config, the policy,
policy-data and framework files, Python policies installed as plugins, manual-control evidence,
the waivers and baseline text, the change set, the branch, the date (waivers expire) and guard's
own code. Only runs with the in-process regorus engine are stored: an external OPA binary or
server is not part of the key. A missing or unreadable entry is a miss, never an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

from guard.atomic import atomic_write
from guard.cache_budget import touch
from guard.digest import code_digest, hash_file, hash_tree, package_digest
from guard.config import Config
from guard.diff import ChangeSet
from guard.model import RunResult, ScannerRun, Status
from guard.paths import builtin_dir
from guard.report.jsonfile import finding_from_dict, finding_to_dict, from_dict, to_dict

FORMAT = 1


@lru_cache(maxsize=1)
def _guard_hash() -> str:
    """guard's version, its whole package and the versions of the libraries the later stages use."""
    return f"{package_digest()}:{code_digest(dists=('regorus', 'python-hcl2', 'PyYAML'))}"


def _plugin_policies() -> list[str]:
    from guard.plugins import entry_points
    from guard.policy.python import ENTRY_POINT_GROUP

    out = []
    for ep in entry_points(ENTRY_POINT_GROUP):
        dist = ep.dist
        out.append(f"{ep.name}={ep.value}@{dist.name if dist else '?'}=={dist.version if dist else '?'}")
    return sorted(out)


def _changes(changes: ChangeSet | None) -> Any:
    if changes is None:
        return None
    return {"base": changes.base, "deleted": list(changes.deleted),
            "files": [[c.path, c.status, [list(r) for r in c.ranges], c.whole, c.old_path]
                      for _, c in sorted(changes.files.items())]}


def settled_inputs(config: Config, root: Path) -> str | None:
    """The part of the key no scanner run changes: guard's code, the plugin policies, the policy and
    data files, the framework catalogs and manual evidence (None: the run cannot be cached). Worked
    out while the scanners run."""
    from guard.policy.base import PolicyError
    from guard.policy.loader import data_files, policy_dirs, settings_base

    if not config.cache or config.policies.engine != "regorus":
        return None
    h = hashlib.sha256(f"{FORMAT}\0{_guard_hash()}\0".encode())
    h.update(json.dumps(_plugin_policies()).encode())
    base = settings_base(config, root)
    try:
        inputs = [*policy_dirs(config.policies, base), *data_files(config.policies, base)]
    except PolicyError:
        return None  # the policy stage reports it
    inputs += [builtin_dir("frameworks"), *(base / p for p in config.framework_paths),
               *(base / m.evidence for m in config.manual_controls)]
    for path in inputs:
        h.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
        hash_tree(h, path)
    return h.hexdigest()


def key(*, settled: str | None, root: Path, config: Config, runs: Sequence[ScannerRun], files: Sequence[str],
        trusted: str, changes: ChangeSet | None, branch: str | None, today: dt.date,
        properties: dict[str, Any]) -> str | None:
    """The key of the judged run, or None when it cannot be cached (a scanner ran uncached or failed).
    `settled`: what `settled_inputs` returned for this config and root."""
    if settled is None:
        return None
    h = hashlib.sha256(f"{settled}\0".encode())
    for run in runs:
        if run.status is Status.SKIPPED:
            h.update(f"{run.scanner}\0skipped\0{run.reason}\0".encode())
        elif run.status is Status.OK and run.cache_key:
            h.update(f"{run.scanner}\0{run.cache_key}\0".encode())
        else:
            return None
    h.update(json.dumps({"config": dataclasses.asdict(config), "trusted": trusted, "changes": _changes(changes),
                         "branch": branch, "today": today.isoformat(), "properties": properties},
                        sort_keys=True, default=str).encode())
    for rel in files:
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        hash_file(h, root / rel)
    return h.hexdigest()


class JudgedCache:
    """Judged runs under `root/<key[:2]>/<key>.json`, stored without the scanners' own runs."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _file(self, cache_key: str) -> Path:
        return self.root / cache_key[:2] / f"{cache_key}.json"

    def get(self, cache_key: str, runs: Sequence[ScannerRun]) -> RunResult | None:
        """The stored run with `runs` (this run's scanners) in front of its policy run, or None."""
        try:
            doc = json.loads(self._file(cache_key).read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT:
                return None
            touch(self._file(cache_key))
            stored = from_dict(doc["run"])
            (policy_run,) = stored.scanners
            policy_run = dataclasses.replace(policy_run, cached=True, findings=tuple(
                finding_from_dict(f) for f in doc["policy_findings"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        return dataclasses.replace(stored, scanners=(*runs, policy_run))

    def put(self, cache_key: str, result: RunResult, policy_run: ScannerRun) -> None:
        """Store `result` (best effort: a cache that cannot be written only costs time)."""
        doc = {"format": FORMAT, "run": to_dict(dataclasses.replace(result, scanners=(policy_run,))),
               "policy_findings": [finding_to_dict(f) for f in policy_run.findings]}
        try:
            atomic_write(self._file(cache_key), json.dumps(doc, ensure_ascii=False, default=str,
                                                           separators=(",", ":")), durable=False)
        except (OSError, TypeError, ValueError):
            return
