"""Maven: `pom.xml` dependencies (and `dependencyManagement`) and Gradle's lock files
(`gradle.lockfile`).

A POM's versions are literal or `${property}` references to its own `<properties>` (and
`${project.version}`); a dependency whose version comes from a parent POM or an imported BOM, or is a
range, is resolved by Maven at build time and not checked here: the POM is then reported as a
manifest with unpinned dependencies (`resolved_at_build`, `manifests.py`); a CycloneDX SBOM of the
build (`cyclonedx-maven-plugin`), which guard reads, covers them. Plugins are not dependencies.
"""

from __future__ import annotations

from pathlib import Path

from guard.lockfiles import xmlpos
from guard.lockfiles.base import Dependency, LockfileError, read_text

class PomParser:
    name = "pom.xml"
    patterns = ("pom.xml",)
    ecosystem = "Maven"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        project = xmlpos.load(read_text(root, path), path)
        return [d for d in _declared(project, path) if _literal(d.version)]


def resolved_at_build(text: str, path: str) -> bool:
    """Whether the POM declares a dependency whose version Maven resolves at build time (from a parent
    POM or an imported BOM, or a range): `PomParser` cannot check it."""
    return any(not _literal(d.version) for d in _declared(xmlpos.load(text, path), path))


def _literal(version: str) -> bool:
    return bool(version) and not version.startswith(("[", "("))


def _declared(project: xmlpos.Element, path: str) -> list[Dependency]:
    """Every dependency the POM declares, its version as written with the POM's own properties
    substituted ("" when it has none)."""
    if project.tag != "project":
        raise LockfileError(f"{path}:{project.line}: not a Maven POM (root element <{project.tag}>)")
    parent = project.child("parent")
    properties = xmlpos.properties(group for group in project.children if group.tag == "properties")
    for key in ("version", "groupId"):
        value = project.child_text(key) or (parent.child_text(key) if parent is not None else None)
        if value:
            properties.setdefault(f"project.{key}", value)
    deps = []
    for section in _dependency_sections(project):
        for dep in section.children:
            if dep.tag != "dependency":
                continue
            group = xmlpos.expand(dep.child_text("groupId"), xmlpos.MAVEN, properties)
            artifact = dep.child_text("artifactId")
            if not group or not artifact:
                raise LockfileError(f"{path}:{dep.line}: <dependency> without a groupId and an artifactId")
            version = xmlpos.expand(dep.child_text("version"), xmlpos.MAVEN, properties) or ""
            line = next(c.line for c in dep.children if c.tag == "artifactId")
            deps.append(Dependency("Maven", f"{group}:{artifact}", version, path, line))
    return deps


def _dependency_sections(project: xmlpos.Element) -> list[xmlpos.Element]:
    """`<dependencies>` of the project, of its dependencyManagement and of its profiles (not of plugins)."""
    found = []
    for holder in [project, *(p for ps in project.children if ps.tag == "profiles" for p in ps.children)]:
        for child in holder.children:
            if child.tag == "dependencies":
                found.append(child)
            elif child.tag == "dependencyManagement" and (inner := child.child("dependencies")) is not None:
                found.append(inner)
    return found


class GradleLockParser:
    name = "gradle.lockfile"
    patterns = ("gradle.lockfile", "buildscript-gradle.lockfile", "settings-gradle.lockfile")
    ecosystem = "Maven"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        deps = []
        for number, raw in enumerate(read_text(root, path).splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#") or line.startswith("empty="):
                continue
            coordinates = line.split("=", 1)[0].split(":")
            if len(coordinates) != 3 or not all(coordinates):
                raise LockfileError(f"{path}:{number}: expected group:artifact:version=configurations")
            group, artifact, version = coordinates
            deps.append(Dependency("Maven", f"{group}:{artifact}", version, path, number))
        return deps
