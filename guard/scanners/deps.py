"""Known-vulnerable dependencies, offline: lockfiles and SBOMs matched against the local OSV store.

One finding per (vulnerability, dependency occurrence). Advisories that name each other
(PYSEC / GHSA / CVE aliases) are merged into one vulnerability whose canonical id is the id of
an ecosystem database record (PYSEC-, GO-, RUSTSEC-, ...) before a GHSA record, and any record
before a bare CVE; the other ids go to `Finding.aliases`. A missing or stale store is an error,
never an empty result, and so is a dependency the store cannot answer for: one of an ecosystem it
holds no advisories of (a PyPI-only store says nothing about a package-lock.json) or has no version
rules for. The ecosystems `advisories.skip_ecosystems` names are not checked at all: their lockfiles
are not read, an SBOM's packages of them are listed in the evidence as not checked, and the
scanner's version names them. A manifest declaring dependencies that no lockfile pins (package.json
without a lockfile, build.gradle without dependency locking...) is a low finding of its own
(`osv/unlocked-dependencies`): those versions are chosen at install time and cannot be checked.
"""

from __future__ import annotations

import posixpath
from urllib.parse import quote
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from guard import jsonenc
from guard.lockfiles.base import Dependency, LockfileError
from guard.lockfiles.manifests import Unlocked, manifests, unlocked
from guard.lockfiles.registry import lockfiles, parser_for
from guard.model import Category, Finding, Location, Rule, Severity
from guard.scanners.base import ScannerError

# The advisory modules (version schemes, CVSS, the store) are imported where they are used: every
# scan plans this scanner, most have no lockfile to match.
if TYPE_CHECKING:
    from guard.advisories.model import Advisory
    from guard.advisories.store import AdvisoryStore, StoreStatus
    from guard.config import Config

FORMAT_VERSION = "1"
OSV_EXPORTS = "https://osv-vulnerabilities.storage.googleapis.com"  # one all.zip per ecosystem

CHECK = Rule(
    id="osv/known-vulnerable-dependency",
    name="KnownVulnerableDependency",
    short_description="Dependencies pinned in lockfiles and SBOMs have no known vulnerabilities",
    full_description=(
        "Every pinned dependency in the repository's lockfiles and CycloneDX SBOMs is matched against "
        "the imported OSV advisory database (offline)."
    ),
    help_text="Upgrade each reported dependency to a fixed version, or waive it with a reason and an expiry.",
    tags=("security", "dependency", "vulnerability"),
)


UNLOCKED = Rule(
    id="osv/unlocked-dependencies",
    name="UnlockedDependencies",
    short_description="Dependencies a manifest declares are pinned by a lockfile",
    full_description=(
        "A manifest (package.json, Cargo.toml, build.gradle, Gemfile, composer.json, Pipfile) declares "
        "dependencies that no lockfile guard reads pins (beside or above it), or a Maven POM takes versions "
        "from a parent POM, a BOM or a range: they are chosen at install or build time, so they cannot be "
        "checked for known vulnerabilities, and builds are not reproducible."
    ),
    help_text="Commit the lockfile the tool writes (for Gradle: enable dependency locking), or a CycloneDX SBOM "
              "of the build; `advisories.skip_ecosystems` leaves an ecosystem unchecked on purpose.",
    tags=("security", "dependency", "supply-chain"),
    cwe=("CWE-1357",),
)


@dataclass(frozen=True, slots=True)
class Match:
    """One vulnerability (merged advisories) affecting one dependency occurrence."""

    dependency: Dependency
    advisories: tuple[Advisory, ...]  # canonical first
    fix: str | None


class OsvScanner:
    name = "osv"
    category = Category.DEPENDENCY
    cost = 0.2

    def __init__(self, config: "Config") -> None:
        self.config = config
        self._store: AdvisoryStore | None = None

    @property
    def store(self) -> "AdvisoryStore":
        if self._store is None:
            from guard.advisories.store import AdvisoryStore, location

            self._store = AdvisoryStore(location(self.config))
        return self._store

    def select(self, files: Sequence[str]) -> list[str]:
        """The lockfiles, SBOMs and dependency manifests among `files`, but those of a format whose one
        ecosystem is skipped (`advisories.skip_ecosystems`): a run with nothing else to check is
        skipped, not passed."""
        return list(dict.fromkeys([*self._lockfiles(files), *manifests(files, self.config.advisories.skip_ecosystems)]))

    def _lockfiles(self, files: Sequence[str]) -> list[str]:
        skipped = set(self.config.advisories.skip_ecosystems)
        return [f for f in lockfiles(files)
                if (parser := parser_for(f)) is not None and parser.ecosystem not in skipped]

    def version(self) -> str:
        status = self._status()
        skipped = self.config.advisories.skip_ecosystems
        skips = f"; not checked: {', '.join(sorted(skipped))}" if skipped else ""
        return (f"guard-osv {FORMAT_VERSION} (db imported {status.imported_at.isoformat(timespec='seconds')}, "
                f"{status.advisories} advisories{skips})")

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        """The lockfile check when a lockfile or SBOM is among `files`, the manifest check when a manifest is."""
        skipped = self.config.advisories.skip_ecosystems
        return (*((CHECK,) if self._lockfiles(files) else ()), *((UNLOCKED,) if manifests(files, skipped) else ()))

    def scan(self, target: Path, files: Sequence[str], workdir: Path) -> Iterable[Finding]:
        status = self._status()
        dependencies = self.dependencies(target, files)
        unchecked = self.unchecked(dependencies, status)
        matches = self.match([d for d in dependencies if d.ecosystem not in unchecked])
        loose = unlocked(target, manifests(files, self.config.advisories.skip_ecosystems))
        _write_evidence(workdir, dependencies, matches, unchecked, loose)
        return [*(_finding(m) for m in matches), *(_unlocked_finding(u) for u in loose)]

    # --- steps -----------------------------------------------------------------------------

    def _status(self) -> "StoreStatus":
        from guard.advisories.store import StoreError

        try:
            status = self.store.status()
        except StoreError as exc:
            raise ScannerError(f"dependency vulnerabilities NOT checked: {exc}") from None
        age = status.age_days()
        limit = self.config.advisories.max_age_days
        if age > limit:
            raise ScannerError(
                f"dependency vulnerabilities NOT checked: advisory database {status.path} was imported "
                f"{age:.0f} days ago (limit {limit}, advisories.max_age_days): run `guard db import` again"
            )
        return status

    def dependencies(self, target: Path, files: Sequence[str]) -> list[Dependency]:
        """Every pinned dependency in the selected files (go.mod preferred over the go.sum beside it)."""
        chosen: list[str] = []
        for path in self._lockfiles(files):
            if posixpath.basename(path) == "go.sum":
                sibling = posixpath.join(posixpath.dirname(path), "go.mod")
                if (target / sibling).is_file():
                    path = sibling
            if path not in chosen:
                chosen.append(path)
        found: dict[tuple[str, str, str, str, int | None], Dependency] = {}
        for path in chosen:
            parser = parser_for(path)
            assert parser is not None  # chosen only holds selectable files
            try:
                for dep in parser.parse(target, path):
                    found.setdefault((dep.ecosystem, dep.name, dep.version, dep.path, dep.line), dep)
            except LockfileError as exc:
                raise ScannerError(f"cannot read lockfile: {exc} (a test fixture? list it under `exclude` in the "
                                   "config)") from None
        return list(found.values())

    def unchecked(self, dependencies: Sequence[Dependency], status: "StoreStatus") -> dict[str, str]:
        """The ecosystems of `dependencies` left unchecked, each with why: those `advisories.skip_ecosystems`
        names. Any other the store holds no advisories of, or guard has no version rules for (an SBOM's
        `purl:deb`), is an error."""
        from guard.advisories.versions import base_ecosystem, supported

        held = {base_ecosystem(e) for e, count in status.per_ecosystem.items() if count}
        skipped = set(self.config.advisories.skip_ecosystems)
        no_data: dict[str, list[Dependency]] = {}
        no_rules: dict[str, list[Dependency]] = {}
        for dep in dependencies:
            if dep.ecosystem in skipped:
                continue
            if not supported(dep.ecosystem):
                no_rules.setdefault(dep.ecosystem, []).append(dep)
            elif base_ecosystem(dep.ecosystem) not in held:
                no_data.setdefault(dep.ecosystem, []).append(dep)
        reasons = []
        if no_data:
            names = ", ".join(sorted(no_data))
            sources = " ".join(f"{OSV_EXPORTS}/{quote(eco)}/all.zip" for eco in sorted(no_data))
            reasons.append(f"the advisory database {status.path} holds no advisories for {names} (it holds: "
                           f"{', '.join(sorted(held)) or 'none'}; import them: guard db import {sources})")
        if no_rules:
            reasons.append(f"guard has no version rules for {', '.join(sorted(no_rules))}")
        if reasons:
            refused = {**no_data, **no_rules}
            parts = [f"{eco} ({_count(deps)})" for eco, deps in sorted(refused.items())]
            raise ScannerError(f"dependency vulnerabilities NOT checked for {'; '.join(parts)}: "
                               f"{'; '.join(reasons)}; advisories.skip_ecosystems leaves named ecosystems unchecked")
        return {d.ecosystem: "skipped (advisories.skip_ecosystems)" for d in dependencies if d.ecosystem in skipped}

    def match(self, dependencies: Sequence[Dependency]) -> list[Match]:
        from guard.advisories.matching import RangeError, matching, smallest_fix
        from guard.advisories.model import AdvisoryFormatError
        from guard.advisories.store import StoreError

        out = []
        for dep in dependencies:
            try:
                known = self.store.for_package(dep.ecosystem, dep.name)
                hits = matching(known, dep.ecosystem, dep.name, dep.version)
                fix = smallest_fix(known, dep.ecosystem, dep.name, dep.version) if hits else None
            except (RangeError, AdvisoryFormatError, StoreError) as exc:
                raise ScannerError(f"cannot evaluate advisories for {dep.name} {dep.version} ({dep.path}): {exc}") from None
            out.extend(Match(dep, group, fix) for group in merge_aliases(hits))
        return out


def canonical_rank(ident: str) -> tuple[int, str]:
    prefix = ident.split("-", 1)[0].upper()
    return ({"GHSA": 1, "CVE": 2}.get(prefix, 0), ident)


def merge_aliases(advisories: Sequence[Advisory]) -> list[tuple[Advisory, ...]]:
    """Group advisories that share any id (their own or an alias); canonical record first in each group."""
    groups: list[list[Advisory]] = []
    for advisory in advisories:
        joined = [g for g in groups if any(advisory.ids & a.ids for a in g)]
        merged = [advisory] + [a for g in joined for a in g]
        groups = [g for g in groups if g not in joined] + [merged]
    ordered = [tuple(sorted(g, key=lambda a: canonical_rank(a.id))) for g in groups]
    return sorted(ordered, key=lambda g: g[0].id)


def _finding(match: Match) -> Finding:
    from guard.advisories.matching import fixed_versions
    from guard.advisories.severity import rate, worst

    dep, group = match.dependency, match.advisories
    head = group[0]
    rating = worst([rate(a) for a in group])
    ids = {i for a in group for i in a.ids}
    aliases = tuple(sorted(ids - {head.id}, key=canonical_rank))
    fixed = _ordered_union(fixed_versions(a, dep.ecosystem, dep.name) for a in group)
    title = _short(group, dep)
    fix_text = f"fixed in {', '.join(fixed)}" if fixed else "no fixed version published"
    upgrade = f"; upgrading to {match.fix} fixes every known advisory" if match.fix else ""
    alias_text = f" ({', '.join(aliases)})" if aliases else ""
    properties: dict[str, object] = {
        "package": dep.name,
        "version": dep.version,
        "ecosystem": dep.ecosystem,
        "fixed_versions": list(fixed),
        "fix": match.fix,
        "advisory_ids": sorted((a.id for a in group), key=canonical_rank),
        "purl": _purl(dep),
    }
    if rating.score is not None:
        properties["cvss_score"] = rating.score
        properties["cvss_vector"] = rating.vector
        properties["security-severity"] = f"{rating.score:.1f}"
    return Finding(
        tool="osv",
        rule=_rule(head, group, title),
        message=f"{dep.name} {dep.version} is affected by {head.id}{alias_text}: {title} ({fix_text}{upgrade})",
        severity=rating.severity,
        category=Category.DEPENDENCY,
        location=Location(dep.path, dep.line, dep.line),
        resource=_purl(dep),
        cwe=tuple(sorted({c for a in group for c in a.cwe})),
        aliases=aliases,
        tags=("security", "dependency", "vulnerability"),
        found_by=("osv",),
        severity_source=rating.source,
        properties=properties,
    )


def _rule(head: Advisory, group: Sequence[Advisory], title: str) -> Rule:
    fixes: dict[str, list[str]] = {}
    for advisory in group:
        for entry in advisory.affected:
            listed = fixes.setdefault(f"{entry.ecosystem} {entry.name}", [])
            listed.extend(v for v in entry.fixed_versions if v not in listed)
    lines = [f"- {pkg}: fixed in {', '.join(v) if v else 'no fixed version published'}" for pkg, v in fixes.items()]
    refs = [url for a in group for _, url in a.references][:10]
    ids = sorted({i for a in group for i in a.ids}, key=canonical_rank)
    details = next((a.details for a in group if a.details), "") or title
    help_text = "\n".join([
        f"{title}", "", "Affected packages:", *lines, "", f"Identifiers: {', '.join(ids)}",
        "Upgrade to a fixed version (the finding names the smallest upgrade that fixes every known advisory).",
        *(["", "References:", *refs] if refs else []),
    ])
    return Rule(
        id=head.id,
        name=head.id,
        short_description=title,
        full_description=details[:4000],
        help_text=help_text,
        help_uri=f"https://osv.dev/vulnerability/{head.id}",
        help_markdown=help_text.replace("References:\n", "References:\n\n"),
        tags=("security", "dependency", "vulnerability"),
        cwe=tuple(sorted({c for a in group for c in a.cwe})),
    )


def _short(group: Sequence[Advisory], dep: Dependency) -> str:
    summary = next((a.summary for a in group if a.summary), "")
    if not summary:
        details = next((a.details for a in group if a.details), "")
        summary = details.strip().split("\n")[0]
        cut = summary.find(". ")
        summary = summary[: cut + 1] if 0 < cut < 200 else summary
    summary = " ".join(summary.split())
    if not summary:
        summary = f"Known vulnerability in {dep.name}"
    return summary if len(summary) <= 200 else summary[:197] + "..."


def _ordered_union(lists: Iterable[list[str]]) -> tuple[str, ...]:
    out: list[str] = []
    for items in lists:
        out.extend(v for v in items if v not in out)
    return tuple(out)


_PURL_TYPES = {"PyPI": "pypi", "npm": "npm", "Go": "golang", "crates.io": "cargo", "RubyGems": "gem",
               "Maven": "maven", "NuGet": "nuget", "Packagist": "composer", "Hex": "hex", "Pub": "pub"}


def _purl(dep: Dependency) -> str:
    kind = _PURL_TYPES.get(dep.ecosystem, dep.ecosystem.lower())
    name = dep.name.replace(":", "/") if dep.ecosystem == "Maven" else dep.name
    if dep.ecosystem == "npm" and name.startswith("@"):
        name = "%40" + name[1:]
    return f"pkg:{kind}/{name}@{dep.version}"


def _count(deps: Sequence[Dependency]) -> str:
    """`3 dependencies in package-lock.json, web/yarn.lock`."""
    paths = sorted({d.path for d in deps})
    shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more files" if len(paths) > 3 else "")
    return f"{len(deps)} {'dependency' if len(deps) == 1 else 'dependencies'} in {shown}"


def _unlocked_finding(u: Unlocked) -> Finding:
    locks = ", ".join(u.manifest.lockfiles)
    why = u.manifest.unpinned or f"are not pinned by a lockfile guard reads ({locks}) in its folder or above"
    return Finding(tool="osv", rule=UNLOCKED, severity=Severity.LOW, category=Category.DEPENDENCY,
                   message=f"{u.manifest.ecosystem} dependencies declared in {u.path} {why}: not checked for known "
                           "vulnerabilities",
                   location=Location(u.path, u.line, u.line), cwe=UNLOCKED.cwe, tags=UNLOCKED.tags, found_by=("osv",),
                   severity_source="guard-table", properties={"ecosystem": u.manifest.ecosystem, "lockfiles": locks})


def _write_evidence(workdir: Path, dependencies: Sequence[Dependency], matches: Sequence[Match],
                    unchecked: dict[str, str], loose: Sequence[Unlocked]) -> None:
    """What was checked and what matched, for the evidence bundle (`unchecked`: ecosystem -> why not;
    `loose`: manifests no lockfile pins)."""
    workdir.mkdir(parents=True, exist_ok=True)
    doc = {
        "dependencies": [
            {"ecosystem": d.ecosystem, "name": d.name, "version": d.version, "path": d.path, "line": d.line,
             "checked": d.ecosystem not in unchecked, **({"why_not": unchecked[d.ecosystem]}
                                                      if d.ecosystem in unchecked else {})}
            for d in dependencies
        ],
        "matches": [
            {"path": m.dependency.path, "line": m.dependency.line, "package": m.dependency.name,
             "version": m.dependency.version, "advisories": [a.id for a in m.advisories], "fix": m.fix}
            for m in matches
        ],
        "unlocked_manifests": [{"path": u.path, "ecosystem": u.manifest.ecosystem} for u in loose],
    }
    (workdir / "osv-matches.json").write_bytes(jsonenc.dumps(doc, indent=True) + b"\n")  # every dependency
