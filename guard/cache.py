"""Result cache: a scanner's findings keyed by everything that could change them.

The key covers the scanner, the tool's exact version and executable, its command line and
environment, the paths and contents of the files it scans, and the contents of any extra
inputs it declares (rule packs), and guard's own code (which parses the tools' output, and is the
OSV matcher). Change any of them and the scanner runs again. Only successful
runs are cached; raw outputs are kept with the entry so evidence bundles still get them.
Tool versions are cached by executable path, size and mtime (some tools take seconds to say).

A file-local scanner (one that judges each file by its content alone) also keeps each file's
findings under a key of its own (`file_keys`), so after an edit the runner runs its tool on the
changed files only. A run entry holds the findings of the files it judged alone (`files.json`, by file
key) beside the raw outputs they came from; the scanner's index says which run entry holds a file key's, so
a run reads the index and a few entries, not one file per file. The index is kept in 256 parts by the file
key's first two digits (`files.index.<xx>.json`): a commit's run reads and rewrites the parts of its few
files' keys, not an index of every file the cache knows (which a full scan of a large repository fills).

Cache files are written whole or not at all but not synced to disk: one found torn after a system crash is
not valid JSON, so a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Collection, Iterable, Mapping, Sequence

from guard.atomic import atomic_write
from guard.cache_budget import touch
from guard.digest import hash_file, hash_tree, package_digest
from guard.model import Category, Finding, ScannerRun, Status
from guard.redact import redact, redact_file, secret_values
from guard.report.jsonfile import finding_from_dict, finding_to_dict, rule_from_dict, rule_to_dict

FORMAT = 1
FILES = "files.json"  # in a run entry: the findings of each file it judged alone, by file key
INDEX = "files.index.{}.json"  # in a scanner's folder, by a file key's first two digits: each key's run entry
OLD_INDEX = "files.index.json"  # the index before it was in parts (removed at the next write)
_KEY = re.compile(r"[0-9a-f]{64}")


def _settings(scanner: str, version: str, executable: str, argv: Sequence[str], env: dict[str, str],
              extra_inputs: Iterable[Path], per: str) -> "hashlib._Hash":
    """A hash of what keys every result of a scanner besides the files it reads (`per`: "run" or "file")."""
    h = hashlib.sha256()
    h.update(package_digest().encode())
    h.update(json.dumps({"format": FORMAT, "scanner": scanner, "version": version, "executable": executable,
                         "argv": list(argv), "env": sorted(env.items()), "per": per}).encode())
    for extra in extra_inputs:
        h.update(str(extra).encode() + b"\0")
        hash_tree(h, extra)
    return h


def _files(h: "hashlib._Hash", target: Path, files: Iterable[str]) -> None:
    for rel in files:
        h.update(rel.encode("utf-8", "surrogateescape") + b"\0")
        hash_file(h, target / rel)


def key(*, scanner: str, version: str, executable: str, argv: Sequence[str], env: dict[str, str],
        target: Path, files: Sequence[str], extra_inputs: Iterable[Path] = ()) -> str:
    """The cache key for one scanner run."""
    h = _settings(scanner, version, executable, argv, env, extra_inputs, "run")
    _files(h, target, files)
    return h.hexdigest()


def file_keys(*, scanner: str, version: str, executable: str, argv: Sequence[str], env: dict[str, str],
              target: Path, files: Sequence[str], extra_inputs: Iterable[Path] = (),
              file_inputs: Mapping[str, Sequence[str]] | None = None) -> dict[str, str]:
    """A key per file of a file-local scanner: what `key` covers, with the tool's options (`argv`: its
    command line for no file; what it adds per file follows from the file's path and content), that one
    file's path and content, and the paths and contents of the other files its findings depend on
    (`file_inputs`, by file)."""
    common = _settings(scanner, version, executable, argv, env, extra_inputs, "file")
    keys = {}
    for rel in files:
        h = common.copy()
        _files(h, target, (rel, *(file_inputs or {}).get(rel, ())))
        keys[rel] = h.hexdigest()
    return keys


@dataclass(frozen=True, slots=True)
class FileHit:
    """One file's cached findings and the raw outputs of the run that found them."""

    findings: tuple[Finding, ...]
    raw_outputs: tuple[str, ...]


class ResultCache:
    """Scanner results on disk under `root/<scanner>/<key>/`, with secret values redacted.

    With `defer`, entries are written by `flush` once every scanner of the run has finished, so
    the secrets any scanner found are masked in every entry (tools quote each other's secrets).
    """

    def __init__(self, root: Path, *, defer: bool = False) -> None:
        self.root = root
        self.defer = defer
        self.pending: list[tuple[str, ScannerRun, Path, Collection[Finding]]] = []
        self.pending_files: list[tuple[str, str, Mapping[str, Sequence[Finding]], Path]] = []

    def flush(self, values: set[str]) -> None:
        """Write the deferred entries, masking `values` (and token shapes) in findings and raw outputs."""
        pending, self.pending = self.pending, []
        for cache_key, run, target, masked in pending:
            self._write(cache_key, run, target, values, masked)
        pending_files, self.pending_files = self.pending_files, []
        for scanner, cache_key, by_key, target in pending_files:
            self._write_files(scanner, cache_key, by_key, target, values)

    def get(self, scanner: str, cache_key: str) -> ScannerRun | None:
        entry = self.root / scanner / cache_key
        try:
            doc = json.loads((entry / "result.json").read_text(encoding="utf-8"))
            if doc.get("format") != FORMAT:
                return None
            raw = self._raw_paths(entry, doc)
            if raw is None:
                return None
            return ScannerRun(
                scanner=doc["scanner"], category=Category(doc["category"]), status=Status.OK, version=doc["version"],
                findings=tuple(finding_from_dict(f) for f in doc["findings"]), files_scanned=doc["files_scanned"],
                seconds=0.0, raw_outputs=raw, cached=True, checks=tuple(rule_from_dict(r) for r in doc["checks"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, cache_key: str, run: ScannerRun, target: Path, masked: Collection[Finding] = ()) -> None:
        """Store a successful run; `masked`: its findings that came from cache entries (already redacted)."""
        if run.status is not Status.OK:
            return
        if self.defer:
            self.pending.append((cache_key, run, target, masked))
        else:
            self._write(cache_key, run, target, secret_values(run.findings, target), masked)

    def get_files(self, scanner: str, keys: Mapping[str, str]) -> dict[str, FileHit]:
        """The files of `keys` (path -> file key) with a usable entry: in a run entry whose raw outputs are
        still there."""
        index = self._index(scanner, keys.values())
        held: dict[str, tuple[Mapping[str, Any], tuple[str, ...]] | None] = {}
        hits: dict[str, FileHit] = {}
        for rel, file_key in keys.items():
            run_key = index.get(file_key)
            if run_key is None:
                continue
            if run_key not in held:
                held[run_key] = self._files_of(scanner, run_key)
            if (entry := held[run_key]) is None or (found := entry[0].get(file_key)) is None:
                continue
            try:
                hits[rel] = FileHit(tuple(finding_from_dict(f) for f in found), entry[1])
            except (ValueError, KeyError, TypeError):
                continue
        return hits

    def put_files(self, scanner: str, cache_key: str, by_key: Mapping[str, Sequence[Finding]], target: Path) -> None:
        """Each file's findings (file key -> findings) of the run entry `cache_key`, written after that entry."""
        if self.defer:
            self.pending_files.append((scanner, cache_key, by_key, target))
        else:
            self._write_files(scanner, cache_key, by_key, target,
                              secret_values([f for fs in by_key.values() for f in fs], target))

    def _index(self, scanner: str, keys: Iterable[str]) -> dict[str, str]:
        """The parts of the scanner's index holding `keys`: file key -> the run entry (of the scanner's folder)
        holding that file's findings."""
        index: dict[str, str] = {}
        for part in {_part(k) for k in keys}:
            index.update(self._index_part(scanner, part))
        return index

    def _index_part(self, scanner: str, part: str) -> dict[str, str]:
        try:
            index = json.loads((self.root / scanner / INDEX.format(part)).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        if not isinstance(index, dict):
            return {}
        return {k: v for k, v in index.items() if isinstance(v, str) and _KEY.fullmatch(v)}

    def _files_of(self, scanner: str, run_key: str) -> tuple[Mapping[str, Any], tuple[str, ...]] | None:
        """A run entry's files' findings (file key -> findings as JSON) and its raw outputs (the entry
        marked used); None when it or they are gone."""
        try:
            doc = json.loads((self.root / scanner / run_key / FILES).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("files"), dict):
            return None
        raw = self._raw_of(scanner, run_key)
        return None if raw is None else (doc["files"], raw)

    def _raw_of(self, scanner: str, cache_key: str) -> tuple[str, ...] | None:
        entry = self.root / scanner / cache_key
        try:
            return self._raw_paths(entry, json.loads((entry / "result.json").read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _raw_paths(self, entry: Path, doc: Mapping[str, Any]) -> tuple[str, ...] | None:
        """An entry's raw outputs: its own and those of the entries it refers to (None if one is gone),
        each entry marked used."""
        raw = [entry / "raw" / name for name in doc["raw"]]
        refs = [self.root / ref for ref in doc.get("raw_refs", [])]
        if not all(path.is_file() and self._in_cache(path) is not None for path in (*raw, *refs)):
            return None  # gone, or not the cache's (an entry naming a file elsewhere is no entry of guard's)
        for used in {entry, *(ref.parent.parent for ref in refs)}:
            touch(used / "result.json")
        return tuple(str(path) for path in (*raw, *refs))

    def _in_cache(self, path: Path) -> str | None:
        """`path` relative to the cache folder when it lies inside it (links resolved), else None."""
        root, real = os.path.realpath(self.root), os.path.realpath(path)
        return Path(os.path.relpath(real, root)).as_posix() if real.startswith(root + os.sep) else None

    def _write_files(self, scanner: str, cache_key: str, by_key: Mapping[str, Sequence[Finding]], target: Path,
                     values: set[str]) -> None:
        """The files' findings into their run entry, then the parts of the index holding their keys (a part
        written drops the keys of run entries gone: it names live entries only, so it stays as small as they are)."""
        folder = self.root / scanner
        if not (folder / cache_key / "result.json").is_file():
            return
        atomic_write(folder / cache_key / FILES, json.dumps({"format": FORMAT, "files": {
            file_key: [finding_to_dict(f) for f in redact(tuple(findings), target, values)]
            for file_key, findings in by_key.items()}}, default=str), durable=False)
        with os.scandir(folder) as entries:  # one listing, not a stat per key (the index names thousands)
            live = {entry.name for entry in entries if entry.is_dir()}
        for part in {_part(k) for k in by_key}:
            index = {file_key: run_key for file_key, run_key in self._index_part(scanner, part).items()
                     if run_key in live}
            index.update((file_key, cache_key) for file_key in by_key if _part(file_key) == part)
            atomic_write(folder / INDEX.format(part), json.dumps(index), durable=False)
        (folder / OLD_INDEX).unlink(missing_ok=True)

    def _write(self, cache_key: str, run: ScannerRun, target: Path, values: set[str],
               masked: Collection[Finding] = ()) -> None:
        entry = self.root / run.scanner / cache_key
        staging = entry.with_name(f".{cache_key}.{os.getpid()}")
        shutil.rmtree(staging, ignore_errors=True)
        (staging / "raw").mkdir(parents=True)
        raw: list[str] = []
        refs: list[str] = []  # raw outputs of other entries (a run that reused files' findings): not copied
        for i, path in enumerate(run.raw_outputs):
            if (ref := self._in_cache(Path(path))) is not None:
                refs.append(ref)
                continue
            name = Path(path).name if Path(path).name not in raw else f"{i}-{Path(path).name}"
            redact_file(Path(path), staging / "raw" / name, values)
            raw.append(name)
        atomic_write(staging / "result.json", json.dumps({
            "format": FORMAT, "scanner": run.scanner, "category": run.category.value, "version": run.version,
            "files_scanned": run.files_scanned, "raw": raw, "raw_refs": refs,
            "findings": [finding_to_dict(f) for f in _redacted(run.findings, target, values, masked)],
            "checks": [rule_to_dict(r) for r in run.checks]}, default=str), durable=False)
        shutil.rmtree(entry, ignore_errors=True)
        try:
            staging.rename(entry)
        except OSError:
            shutil.rmtree(staging, ignore_errors=True)


def _part(file_key: str) -> str:
    """The part of a scanner's index holding `file_key` (its first two digits)."""
    return file_key[:2]


def _redacted(findings: Sequence[Finding], target: Path, values: set[str],
              masked: Collection[Finding]) -> list[Finding]:
    """`findings` with `values` masked, but those in `masked` (redacted when their entry was written)."""
    if not masked:
        return redact(findings, target, values)
    done = {id(f) for f in masked}
    fresh = iter(redact([f for f in findings if id(f) not in done], target, values))
    return [f if id(f) in done else next(fresh) for f in findings]


class VersionCache:
    """Tool versions by (executable, size, mtime)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _ident(self, executable: str) -> str | None:
        try:
            st = os.stat(executable)
        except OSError:
            return None
        return f"{os.path.realpath(executable)}|{st.st_size}|{st.st_mtime_ns}"

    def get(self, executable: str) -> str | None:
        ident = self._ident(executable)
        try:
            return json.loads(self.path.read_text(encoding="utf-8")).get(ident) if ident else None
        except (OSError, ValueError, AttributeError):
            return None

    def put(self, executable: str, version: str) -> None:
        """Remember `executable`'s version; entries of executables that are gone or have changed since
        are dropped (every run reads the file)."""
        ident = self._ident(executable)
        if ident is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        data = {known: v for known, v in data.items() if self._ident(known.rsplit("|", 2)[0]) == known}
        data[ident] = version
        atomic_write(self.path, json.dumps(data, indent=1), durable=False)
