"""Dependency manifests no lockfile guard reads pins: their versions are chosen at install time, so no
version can be checked. A manifest counts when it declares dependencies and no lockfile of its tool
that guard reads sits in its folder or a folder above it (workspaces lock at their root); bun's
binary bun.lockb is not read, so a package.json beside it counts. A Maven POM pins the versions it
writes (guard checks those) and counts when it declares one Maven resolves at build time; a pip
requirements file, when it names a release without an exact pin."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Sequence

from guard.lockfiles.base import LockfileError, read_text
from guard.lockfiles.maven import resolved_at_build
from guard.lockfiles.requirements import RequirementsParser
from guard.lockfiles.requirements import first_unpinned
from guard.scanners.base import match_any


def _json_keys(*keys: str) -> Callable[[str], bool]:
    def declares(text: str) -> bool:
        doc = json.loads(text)
        return isinstance(doc, dict) and any(_entries(doc.get(k)) for k in keys)
    return declares


def _whole(declares: Callable[[str], bool]) -> Callable[[str], int | None]:
    """`declares` as a line: the file's first when it declares any (its formats keep no line per entry)."""
    return lambda text: 1 if declares(text) else None


def _composer(text: str) -> bool:
    doc = json.loads(text)  # platform requirements (php, ext-*) are not packages
    return isinstance(doc, dict) and any(name != "php" and not name.startswith("ext-")
                                         for k in ("require", "require-dev") for name in _entries(doc.get(k)))


def _toml_tables(*tables: str) -> Callable[[str], bool]:
    def declares(text: str) -> bool:
        doc = tomllib.loads(text)
        target = doc.get("target")  # Cargo's [target.'cfg(...)'.dependencies]
        targets = [t for t in target.values() if isinstance(t, dict)] if isinstance(target, dict) else []
        return any(_entries(d.get(t)) for d in [doc, *targets] for t in tables)
    return declares


def _pattern(regex: str) -> Callable[[str], int | None]:
    compiled = re.compile(regex, re.MULTILINE)

    def first(text: str) -> int | None:
        found = compiled.search(text)
        return None if found is None else text.count("\n", 0, found.start()) + 1
    return first


def _entries(value: Any) -> list[str]:
    return list(value) if isinstance(value, dict) else []


@dataclass(frozen=True, slots=True)
class Manifest:
    ecosystem: str
    lockfiles: tuple[str, ...]  # the file names that pin what it declares (none: the manifest pins some itself)
    unpinned_at: Callable[[str], int | None]  # the line of the first dependency no version in its text pins
    unpinned: str = ""  # why those are not pinned, when no lockfile could pin them


NPM_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "bun.lock")  # not bun.lockb
MANIFESTS: dict[str, Manifest] = {
    "package.json": Manifest("npm", NPM_LOCKS,
                             _whole(_json_keys("dependencies", "devDependencies", "optionalDependencies"))),
    "composer.json": Manifest("Packagist", ("composer.lock",), _whole(_composer)),
    "Cargo.toml": Manifest("crates.io", ("Cargo.lock",),
                           _whole(_toml_tables("dependencies", "dev-dependencies", "build-dependencies"))),
    "Pipfile": Manifest("PyPI", ("Pipfile.lock",), _whole(_toml_tables("packages", "dev-packages"))),
    "Gemfile": Manifest("RubyGems", ("Gemfile.lock",), _pattern(r"^[ \t]*gem\s+['\"]")),
    "gems.rb": Manifest("RubyGems", ("gems.locked",), _pattern(r"^[ \t]*gem\s+['\"]")),
    "build.gradle": Manifest("Maven", ("gradle.lockfile",), _pattern(r"\bdependencies\s*\{")),
    "build.gradle.kts": Manifest("Maven", ("gradle.lockfile",), _pattern(r"\bdependencies\s*\{")),
    "pom.xml": Manifest("Maven", (), _whole(lambda text: resolved_at_build(text, "pom.xml")),
                        "take their versions from a parent POM, an imported BOM or a range, which Maven resolves "
                        "at build time"),
}


# pip's requirements files pin with `==`; a name without it is resolved when pip installs
REQUIREMENTS = Manifest("PyPI", (), first_unpinned,
                        "name releases without pinning their versions (`==`), which pip chooses at install time")


def manifest_for(rel: str) -> Manifest | None:
    """The manifest kind of the repository file `rel`, if it is one."""
    found = MANIFESTS.get(PurePosixPath(rel).name)
    return REQUIREMENTS if found is None and match_any(rel, RequirementsParser.patterns) else found


@dataclass(frozen=True, slots=True)
class Unlocked:
    path: str
    manifest: Manifest
    line: int = 1  # of the first dependency no version pins


def manifests(files: Sequence[str], skipped: Sequence[str] = ()) -> list[str]:
    """The dependency manifests among `files`, but those of an ecosystem in `skipped`."""
    return [f for f in files if (m := manifest_for(f)) is not None and m.ecosystem not in skipped]


def unlocked(root: Path, files: Sequence[str]) -> list[Unlocked]:
    """The manifests among `files` that declare dependencies no lockfile pins (one that cannot be read
    as its format counts: whether it declares any is unknown)."""
    found = []
    for rel in files:
        manifest = manifest_for(rel)
        if manifest is None or _locked(root, PurePosixPath(rel).parent, manifest.lockfiles):
            continue
        try:
            line = manifest.unpinned_at(read_text(root, rel))
        except (LockfileError, ValueError, RecursionError):
            line = 1
        if line is not None:
            found.append(Unlocked(rel, manifest, line))
    return found


def _locked(root: Path, folder: PurePosixPath, names: Sequence[str]) -> bool:
    for at in (folder, *folder.parents):
        if any((root / at / name).is_file() for name in names):
            return True
    return False
