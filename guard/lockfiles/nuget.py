"""NuGet: `PackageReference` items of SDK-style projects (`*.csproj`, `*.fsproj`, `*.vbproj`),
central versions (`Directory.Packages.props`), `packages.config` and the lock file
`packages.lock.json`.

NuGet restores the lowest version a reference allows, so a version or a range with an inclusive
lower bound (`[1.2,2.0)`) pins that bound. Floating versions (`1.*`), ranges without an inclusive
lower bound and `$(Property)` references the file does not define are chosen at restore time and
skipped here: commit `packages.lock.json` (`RestorePackagesWithLockFile`), which guard reads, to have
them checked.
"""

from __future__ import annotations

import re
from pathlib import Path

from guard.lockfiles import jsonpos, xmlpos
from guard.lockfiles.base import Dependency, LockfileError, read_text

_PLAIN = re.compile(r"\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?")
_RANGE = re.compile(r"\[\s*([^,\]\s]+)\s*(?:,[^\]\)]*)?[\]\)]")  # [1.2] or [1.2, ...) / [1.2, ...]


def _pinned(version: str) -> str | None:
    """The version NuGet restores for a reference's `version`, when the text decides it."""
    version = version.strip()
    if _PLAIN.fullmatch(version):
        return version
    ranged = _RANGE.fullmatch(version)
    return ranged.group(1) if ranged and _PLAIN.fullmatch(ranged.group(1)) else None


class NuGetProjectParser:
    name = "NuGet project"
    patterns = ("*.csproj", "*.fsproj", "*.vbproj", "Directory.Packages.props", "packages.config")
    ecosystem = "NuGet"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc = xmlpos.load(read_text(root, path), path)
        if path.rsplit("/", 1)[-1] == "packages.config":
            items = [(e, e.attrs.get("id"), e.attrs.get("version")) for e in doc.iter("package")]
        else:
            known = xmlpos.properties(doc.iter("PropertyGroup"))
            items = []
            for tag in ("PackageReference", "PackageVersion", "GlobalPackageReference"):
                for e in doc.iter(tag):
                    version = e.attrs.get("VersionOverride") or e.attrs.get("Version") or e.child_text("Version")
                    items.append((e, e.attrs.get("Include") or e.attrs.get("Update"),
                                  xmlpos.expand(version, xmlpos.MSBUILD, known)))
        deps: list[Dependency] = []
        for element, package, version in items:
            if not package:
                raise LockfileError(f"{path}:{element.line}: <{element.tag}> without a package name")
            pinned = _pinned(version) if version else None
            if pinned is not None:  # no version: set centrally or by restore (see the module docstring)
                deps.append(Dependency("NuGet", package, pinned, path, element.line))
        return deps


class NuGetLockParser:
    name = "packages.lock.json"
    patterns = ("packages.lock.json",)
    ecosystem = "NuGet"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, lines = jsonpos.load_object(read_text(root, path), path)
        frameworks = doc.get("dependencies")
        if not isinstance(frameworks, dict):
            raise LockfileError(f"{path}:1: no `dependencies` object")
        seen: dict[tuple[str, str], Dependency] = {}  # a package restored for several frameworks is one pin
        for framework, packages in frameworks.items():
            if not isinstance(packages, dict):
                raise LockfileError(f"{path}:{lines.get(('dependencies', framework), '?')}: "
                                    f"`{framework}` must be an object")
            for name, entry in packages.items():
                line = lines.get(("dependencies", framework, name))
                if not isinstance(entry, dict):
                    raise LockfileError(f"{path}:{line or '?'}: package {name!r} must be an object")
                if entry.get("type") == "Project":
                    continue  # another project of the solution, not a package
                resolved = entry.get("resolved")
                if not isinstance(resolved, str) or not resolved:
                    raise LockfileError(f"{path}:{line or '?'}: package {name!r} has no `resolved` version")
                seen.setdefault((name.lower(), resolved), Dependency("NuGet", name, resolved, path, line))
        return list(seen.values())
