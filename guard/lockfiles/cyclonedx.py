"""CycloneDX SBOM (JSON): components with a package URL (a type with no OSV ecosystem: `purl:<type>`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import unquote

from guard.lockfiles import jsonpos
from guard.lockfiles.base import Dependency, LockfileError, read_text

# purl type -> OSV ecosystem
ECOSYSTEMS = {
    "pypi": "PyPI", "npm": "npm", "golang": "Go", "cargo": "crates.io", "gem": "RubyGems",
    "maven": "Maven", "nuget": "NuGet", "composer": "Packagist", "hex": "Hex", "pub": "Pub",
}


class CycloneDxParser:
    name = "CycloneDX"
    patterns = ("*.cdx.json", "bom.json", "sbom.json", "*.sbom.json", "*-sbom.json", "*_sbom.json", "*.bom.json")
    ecosystem: str | None = None  # each component names its own

    def parse(self, root: Path, path: str) -> list[Dependency]:
        doc, lines = jsonpos.load(read_text(root, path), path)
        if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
            if path.endswith(".cdx.json"):
                raise LockfileError(f"{path}:1: not a CycloneDX BOM (bomFormat is not \"CycloneDX\")")
            return []  # a differently formatted SBOM under a generic name (e.g. SPDX)
        deps: list[Dependency] = []
        _walk(doc.get("components") or [], ("components",), lines, path, deps)
        return deps


def _walk(components: Any, prefix: tuple[Any, ...], lines: dict[Any, int], path: str, out: list[Dependency]) -> None:
    if not isinstance(components, list):
        raise LockfileError(f"{path}:{lines.get(prefix, '?')}: `components` must be an array")
    for i, component in enumerate(components):
        here = (*prefix, i)
        if not isinstance(component, dict):
            raise LockfileError(f"{path}:{lines.get(here, '?')}: component must be an object")
        parsed = parse_purl(component.get("purl"))
        if parsed:
            ecosystem, name, version = parsed
            out.append(Dependency(ecosystem, name, version, path, lines.get((*here, "purl"), lines.get(here))))
        if component.get("components"):
            _walk(component["components"], (*here, "components"), lines, path, out)


def parse_purl(purl: Any) -> tuple[str, str, str] | None:
    """`pkg:type/namespace/name@version?qualifiers#subpath` -> (ecosystem, name, version); a type with
    no OSV ecosystem here gives `purl:<type>` (listed, and refused by the scanner unless skipped)."""
    if not isinstance(purl, str) or not purl.startswith("pkg:"):
        return None
    body = purl[4:].split("#", 1)[0].split("?", 1)[0]
    body, _, version = body.rpartition("@")
    if not body or not version:
        return None
    kind, _, full_name = body.partition("/")
    ecosystem = ECOSYSTEMS.get(kind.lower(), f"purl:{kind.lower()}")
    parts = [unquote(p) for p in full_name.split("/") if p]
    if kind.lower() == "maven" and len(parts) == 2:
        name = f"{parts[0]}:{parts[1]}"
    else:
        name = "/".join(parts)
    version = unquote(version)
    if ecosystem == "Go" and not version.startswith("v"):
        version = "v" + version
    return ecosystem, name, version
