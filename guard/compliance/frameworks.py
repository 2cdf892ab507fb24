"""Framework catalogs: load guard's built-in ones and users' YAML files, validated with file:line errors.

A catalog is a YAML file matching `frameworks/schema.json`: an id, a name, a version, groups and
controls (id, short title, group, optional parent). Built-in catalogs live in the repository's
`frameworks/` directory; users add their own (HIPAA, NIST 800-53 ...) in directories named by
`framework_paths` in the config.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from guard.compliance.checked import remembered
from guard.config import ConfigError, read_text_limited, read_yaml_with_lines
from guard.paths import builtin_dir

if TYPE_CHECKING:
    import jsonschema

BUILTIN_DIR = builtin_dir("frameworks")
SCHEMA_FILE = BUILTIN_DIR / "schema.json"
MAX_FILE_BYTES = 4 * 1024 * 1024


class FrameworkError(Exception):
    """A framework catalog or mapping is unknown or malformed; the message names file and line."""


@dataclass(frozen=True, slots=True)
class ControlMaps:
    """Checks, CWE ids and finding categories a user catalog declares for one control."""

    checks: tuple[str, ...] = ()
    cwe: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    title: str
    group: str | None = None
    parent: str | None = None
    description: str = ""
    maps: ControlMaps = field(default_factory=ControlMaps)


@dataclass(frozen=True, slots=True)
class Group:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class Framework:
    id: str
    name: str
    version: str
    controls: tuple[Control, ...]
    groups: tuple[Group, ...] = ()
    description: str = ""
    sources: tuple[Mapping[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    path: str = ""
    builtin: bool = False
    _by_key: dict[str, Control] = field(init=False, repr=False, compare=False, hash=False)
    mapped: tuple[Control, ...] = field(init=False, repr=False, compare=False, hash=False)  # controls with `maps`

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", {control_key(c.id): c for c in self.controls})
        mapped = tuple(c for c in self.controls if c.maps.checks or c.maps.cwe or c.maps.categories)
        object.__setattr__(self, "mapped", mapped)

    def control(self, control_id: str) -> Control | None:
        """The control named `control_id`, tolerant of spelling (`8.24` for `A.8.24`, `Art.32`)."""
        return self._by_key.get(control_key(control_id))

    def ancestors(self, control_id: str) -> list[str]:
        """Parent ids of a control, nearest first."""
        out: list[str] = []
        current = self.control(control_id)
        while current is not None and current.parent and current.parent not in out:
            out.append(current.parent)
            current = self.control(current.parent)
        return out


@lru_cache(maxsize=8192)
def control_key(control_id: str) -> str:
    """Normalized spelling of a control id used for lookups (case, spaces, `Art.`/`A.` prefixes)."""
    key = re.sub(r"[^a-z0-9.\-]", "", control_id.lower())
    for prefix in ("article", "art.", "art", "a."):
        if key.startswith(prefix) and len(key) > len(prefix) and key[len(prefix)].isdigit():
            return key[len(prefix):]
    return key


# --- loading ---------------------------------------------------------------------------------


def load_frameworks(ids: Sequence[str], extra_dirs: Sequence[Path] = ()) -> list[Framework]:
    """The frameworks named by `ids`, from the built-in catalogs and `extra_dirs`, in the given order."""
    known = available_frameworks(extra_dirs)
    missing = [i for i in ids if i not in known]
    if missing:
        raise FrameworkError(
            f"unknown framework {', '.join(repr(m) for m in missing)} (known: {', '.join(sorted(known))})"
        )
    out: list[Framework] = []
    for fid in dict.fromkeys(ids):
        out.append(known[fid])
    return out


def available_frameworks(extra_dirs: Sequence[Path] = ()) -> dict[str, Framework]:
    """Every framework guard can find, by id (built-in first, then each extra directory)."""
    found: dict[str, Framework] = {}
    for path in catalog_files(extra_dirs):
        framework = load_file(path, builtin=path.parent == BUILTIN_DIR)
        if framework.id in found:
            raise FrameworkError(
                f"{path}: framework id {framework.id!r} is already defined in {found[framework.id].path}"
            )
        found[framework.id] = framework
    return found


def catalog_files(extra_dirs: Sequence[Path] = ()) -> list[Path]:
    """Catalog files: `*.yaml`/`*.yml` directly inside the built-in directory and each extra directory."""
    if not BUILTIN_DIR.is_dir():
        raise FrameworkError(f"built-in framework catalogs not found at {BUILTIN_DIR}")
    files = _yaml_files(BUILTIN_DIR)
    for directory in extra_dirs:
        directory = Path(directory)
        if directory.is_file():
            files.append(directory)
        elif directory.is_dir():
            files.extend(_yaml_files(directory))
        else:
            raise FrameworkError(f"{directory}: framework path does not exist")
    return files


def _yaml_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def load_file(path: Path, builtin: bool = False) -> Framework:
    """Parse and validate one catalog file; every problem is a FrameworkError naming file:line."""
    path = Path(path)
    return _load_cached(path.resolve(), path.stat().st_mtime_ns if path.exists() else 0, builtin, str(path))


@lru_cache(maxsize=32)
def _load_cached(path: Path, _mtime: int, builtin: bool, shown: str) -> Framework:
    text = read_document_text(path, shown)

    def checked() -> dict[str, Any]:
        data, lines = parse_yaml_document(text, shown)
        errors = validate(data, lines, shown)
        if errors:
            raise FrameworkError("\n".join(errors))
        return data

    return remembered(text, f"framework\0{_schema_text()}\0{shown}", checked,
                      lambda data: _build(data, shown, builtin))


def read_document_text(path: Path, shown: str) -> str:
    """A catalog or mapping file's text (size-limited; FrameworkError naming the file)."""
    try:
        return read_text_limited(path, MAX_FILE_BYTES, shown)
    except ConfigError as exc:
        raise FrameworkError(str(exc)) from None


def parse_yaml_document(text: str, shown: str) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """A YAML mapping with its key-path -> line index (no aliases)."""
    try:
        return read_yaml_with_lines(Path(shown), text)
    except ConfigError as exc:
        raise FrameworkError(str(exc)) from None


@lru_cache(maxsize=1)
def _schema_text() -> str:
    try:
        return SCHEMA_FILE.read_text(encoding="utf-8")
    except OSError as exc:
        raise FrameworkError(f"{SCHEMA_FILE}: cannot load the framework schema: {exc}") from None


@lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    try:
        return json.loads(_schema_text())
    except json.JSONDecodeError as exc:
        raise FrameworkError(f"{SCHEMA_FILE}: cannot load the framework schema: {exc}") from None


def where(shown: str, lines: Mapping[tuple[str, ...], int], path: Iterable[Any]) -> str:
    """`file:line` of the deepest key in `path` that has a recorded line."""
    keys = tuple(str(p) for p in path)
    for n in range(len(keys), 0, -1):
        if keys[:n] in lines:
            return f"{shown}:{lines[keys[:n]]}"
    return f"{shown}:1"


def validate(data: Any, lines: Mapping[tuple[str, ...], int], shown: str) -> list[str]:
    """Schema and consistency errors for a catalog document, each prefixed with file:line."""
    import jsonschema  # only when a document is checked, not when its checked form is read back

    validator = jsonschema.Draft202012Validator(_schema())
    errors = [
        (tuple(e.absolute_path), f"{where(shown, lines, _error_path(e))}: {_describe(e)}")
        for e in validator.iter_errors(data)
    ]
    if errors:
        return [msg for _, msg in sorted(errors, key=lambda pair: _line_of(pair[1]))]
    return _consistency(data, lines, shown)


def _error_path(error: jsonschema.ValidationError) -> list[Any]:
    """Path of the offending key: for an unexpected key, the key itself rather than its parent."""
    path = list(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, Mapping):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]
        if extra:
            path.append(extra[0])
    return path


def _describe(error: jsonschema.ValidationError) -> str:
    location = ".".join(str(p) for p in error.absolute_path) or "(top level)"
    return f"{location}: {error.message}"


def _line_of(message: str) -> int:
    match = re.search(r":(\d+): ", message)
    return int(match.group(1)) if match else 0


def _consistency(data: Mapping[str, Any], lines: Mapping[tuple[str, ...], int], shown: str) -> list[str]:
    problems: list[str] = []
    groups = [g["id"] for g in data.get("groups", [])]
    seen_groups: set[str] = set()
    for i, gid in enumerate(groups):
        if gid in seen_groups:
            problems.append(f"{where(shown, lines, ('groups', i, 'id'))}: duplicate group id {gid!r}")
        seen_groups.add(gid)
    seen: dict[str, str] = {}
    ids = {c["id"] for c in data["controls"]}
    for i, control in enumerate(data["controls"]):
        key = control_key(control["id"])
        at = where(shown, lines, ("controls", i, "id"))
        if key in seen:
            problems.append(f"{at}: control id {control['id']!r} duplicates {seen[key]!r}")
        seen[key] = control["id"]
        group = control.get("group")
        if group is not None and group not in seen_groups:
            problems.append(f"{where(shown, lines, ('controls', i, 'group'))}: unknown group {group!r}")
        if groups and group is None:
            problems.append(f"{at}: control {control['id']!r} has no `group` (this catalog defines groups)")
        parent = control.get("parent")
        if parent is not None and (parent not in ids or parent == control["id"]):
            problems.append(f"{where(shown, lines, ('controls', i, 'parent'))}: unknown parent {parent!r}")
    return problems


def _build(data: Mapping[str, Any], shown: str, builtin: bool) -> Framework:
    controls = tuple(
        Control(
            id=c["id"],
            title=c["title"],
            group=c.get("group"),
            parent=c.get("parent"),
            description=c.get("description", ""),
            maps=ControlMaps(
                checks=tuple(c.get("maps", {}).get("checks", ())),
                cwe=tuple(c.get("maps", {}).get("cwe", ())),
                categories=tuple(c.get("maps", {}).get("categories", ())),
            ),
        )
        for c in data["controls"]
    )
    return Framework(
        id=data["id"],
        name=data["name"],
        version=data["version"],
        controls=controls,
        groups=tuple(Group(g["id"], g["title"], g.get("description", "")) for g in data.get("groups", ())),
        description=data.get("description", ""),
        sources=tuple(dict(s) for s in data.get("sources", ())),
        notes=tuple(data.get("notes", ())),
        path=shown,
        builtin=builtin,
    )



def frameworks_for_config(ids: Sequence[str], framework_paths: Sequence[str], base: Path) -> list[Framework]:
    """`load_frameworks` with the config's `framework_paths` resolved against `base` (the config's folder)."""
    return load_frameworks(ids, [Path(base) / p for p in framework_paths])
