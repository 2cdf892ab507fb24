"""Read a Rego module's package, `test_*` rules and OPA `# METADATA` blocks (YAML in comments).

Parsed here, not by the engine, so every engine sees the same metadata (regorus has no
`rego.metadata.*`). A block directly above `package` describes the policy; bad YAML or a bad field
is a PolicyError naming file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping

import yaml

from guard.model import Category, Severity
from guard.policy.base import CONFIG_KINDS, INPUT_KINDS, PolicyError, PolicyMeta

_PACKAGE = re.compile(r"^package\s+([A-Za-z_][\w.]*)\s*(?:#.*)?$")
_TEST_RULE = re.compile(r"^(test_\w+)\b")
_DENY_RULE = re.compile(r"^deny\b")
_TOP_KEYS = {"scope", "title", "description", "related_resources", "authors", "organizations", "schemas",
             "entrypoint", "custom"}
_CUSTOM_KEYS = {"id", "severity", "controls", "rationale", "input", "category", "cwe", "files", "judges"}
_FRAMEWORK_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True, slots=True)
class RegoModule:
    """One .rego file as guard sees it."""

    path: str
    source: str
    package: str
    package_line: int
    meta: PolicyMeta | None  # set for policy modules (package METADATA with custom.id)
    tests: tuple[tuple[str, int], ...]  # (rule name, line) of test_* rules
    has_deny: bool

    @property
    def ref(self) -> str:
        return f"data.{self.package}"


def parse_module(path: str, source: str) -> RegoModule:
    """Parse `source` (from `path`, used in messages). Raises PolicyError with file:line."""
    lines = source.splitlines()
    package: str | None = None
    package_line = 0
    meta: PolicyMeta | None = None
    tests: list[tuple[str, int]] = []
    has_deny = False
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == "# METADATA":
            start = i + 1
            block: list[str] = []
            i += 1
            while i < len(lines) and lines[i].lstrip().startswith("#"):
                text = lines[i].lstrip()[1:]
                block.append(text[1:] if text.startswith(" ") else text)
                i += 1
            data = _load_block(path, start, block)
            nxt = _next_statement(lines, i)
            if nxt is not None and _PACKAGE.match(lines[nxt].strip()):
                if data.get("scope", "package") not in ("package", "subpackages"):
                    raise PolicyError(f"{path}:{start}: METADATA above `package` must have scope package")
                pkg = _PACKAGE.match(lines[nxt].strip()).group(1)  # type: ignore[union-attr]
                meta = _to_meta(path, start, data, pkg)
            continue
        m = _PACKAGE.match(stripped)
        if m and package is None and lines[i] == lines[i].lstrip():
            package, package_line = m.group(1), i + 1
        elif (t := _TEST_RULE.match(lines[i])) is not None:
            if t.group(1) not in {name for name, _ in tests}:
                tests.append((t.group(1), i + 1))
        elif _DENY_RULE.match(lines[i]):
            has_deny = True
        i += 1
    if package is None:
        raise PolicyError(f"{path}:1: no `package` declaration")
    return RegoModule(path, source, package, package_line, meta, tuple(tests), has_deny)


def _next_statement(lines: list[str], i: int) -> int | None:
    while i < len(lines):
        if lines[i].strip():
            return i
        i += 1
    return None


_TEXT_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)


def _load_block(path: str, start: int, block: list[str]) -> dict[str, Any]:
    try:
        data = yaml.load("\n".join(block), Loader=_TEXT_LOADER)  # scalars stay strings: "1.10" != 1.1
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = start + 1 + (mark.line if mark else 0)
        raise PolicyError(f"{path}:{line}: invalid METADATA YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise PolicyError(f"{path}:{start}: METADATA must be a YAML mapping")
    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        raise PolicyError(f"{path}:{_key_line(start, block, unknown[0])}: unknown METADATA key `{unknown[0]}`")
    return data


def _key_line(start: int, block: list[str], key: str) -> int:
    for n, text in enumerate(block):
        if re.match(rf"^\s*{re.escape(key)}\s*:", text):
            return start + 1 + n
    return start


def _to_meta(path: str, start: int, data: Mapping[str, Any], package: str) -> PolicyMeta | None:
    custom = data.get("custom")
    if custom is None or (isinstance(custom, Mapping) and "id" not in custom):
        if package.startswith(("guard.config.", "guard.findings.", "guard.cloud.")) and not package.endswith("_test"):
            raise PolicyError(f"{path}:{start}: policy METADATA needs custom.id")
        return None
    where = f"{path}:{start}"
    if not isinstance(custom, Mapping):
        raise PolicyError(f"{where}: METADATA custom must be a mapping")
    unknown = sorted(set(map(str, custom)) - _CUSTOM_KEYS)
    if unknown:
        raise PolicyError(f"{where}: unknown METADATA key `custom.{unknown[0]}` (known: {', '.join(sorted(_CUSTOM_KEYS))})")
    return build_meta(where, {**{k: data.get(k) for k in ("title", "description")}, **custom}, package)


def build_meta(where: str, fields: Mapping[str, Any], package: str = "") -> PolicyMeta:
    """Validate policy fields (shared by Rego METADATA and the Python decorator)."""
    def text(key: str, required: bool = True) -> str:
        value = fields.get(key)
        if not value and not required:
            return ""
        if not isinstance(value, str) or not value.strip():
            raise PolicyError(f"{where}: METADATA `{key}` must be a non-empty string")
        return value.strip()

    policy_id = text("id")
    if not re.fullmatch(r"[A-Za-z0-9][\w.:-]*", policy_id):
        raise PolicyError(f"{where}: METADATA id {policy_id!r} must be letters, digits, . _ - :")
    try:
        severity = Severity.parse(text("severity"))
    except ValueError as exc:
        raise PolicyError(f"{where}: METADATA severity: {exc}") from None
    controls = _controls(where, fields.get("controls"))
    kind = fields.get("input") or _kind_from_package(package)
    if kind not in INPUT_KINDS:
        raise PolicyError(f"{where}: METADATA input must be one of {', '.join(INPUT_KINDS)} (or use a "
                          f"guard.config./guard.findings./guard.cloud. package)")
    category = fields.get("category") or ("cloud" if kind == "cloud" else "policy" if kind == "findings" else "iac")
    if category not in {c.value for c in Category}:
        raise PolicyError(f"{where}: METADATA category {category!r} is not one of {', '.join(c.value for c in Category)}")
    cwe = fields.get("cwe") or ()
    if isinstance(cwe, str):
        cwe = (cwe,)
    if not isinstance(cwe, (list, tuple)) or not all(isinstance(c, str) and re.fullmatch(r"CWE-\d+", c) for c in cwe):
        raise PolicyError(f"{where}: METADATA cwe must be a list like [CWE-311]")
    files = _narrowing(where, "files", fields.get("files"), kind)
    judges = _narrowing(where, "judges", fields.get("judges"), kind)
    return PolicyMeta(
        id=policy_id,
        title=text("title"),
        description=text("description"),
        severity=severity,
        controls=controls,
        rationale=text("rationale", required=False),
        input=kind,
        category=category,
        cwe=tuple(cwe),
        source=where,
        files=files,
        judges=judges,
    )


# METADATA lists that narrow what a policy reads: key -> (the input kind it is for, its policies' name,
# what it lists, the values allowed). `files`: the config file kinds a config policy reads; `judges`:
# the finding categories a finding policy judges (it counts as a check that ran only when a scanner
# of one of them ran). Absent: any.
_NARROWING = {
    "files": ("config", "config", "config kinds", CONFIG_KINDS),
    "judges": ("findings", "finding", "finding categories",
               tuple(c.value for c in Category if c is not Category.POLICY)),
}


def _narrowing(where: str, key: str, value: Any, kind: str) -> tuple[str, ...] | None:
    """The value of METADATA `key` (see `_NARROWING`), checked; None when absent."""
    if value is None:
        return None
    for_kind, policies, what, allowed = _NARROWING[key]
    if kind != for_kind:
        raise PolicyError(f"{where}: METADATA {key} is for {policies} policies (this one reads {kind})")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(v, str) and v in allowed for v in value):
        raise PolicyError(f"{where}: METADATA {key} must list {what} from {', '.join(allowed)}")
    return tuple(dict.fromkeys(value))


def _kind_from_package(package: str) -> str | None:
    parts = package.split(".")
    return parts[1] if len(parts) > 2 and parts[0] == "guard" else None


def _controls(where: str, value: Any) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, Mapping) or not value:
        raise PolicyError(f"{where}: METADATA controls must map frameworks to control ids, e.g. {{soc2: [CC6.1]}}")
    out: dict[str, tuple[str, ...]] = {}
    for framework, ids in value.items():
        if not isinstance(framework, str) or not _FRAMEWORK_KEY.match(framework):
            raise PolicyError(f"{where}: METADATA controls: bad framework id {framework!r}")
        if isinstance(ids, (str, int, float)):
            ids = [ids]
        if not isinstance(ids, list) or not ids or not all(isinstance(c, (str, int, float)) and str(c).strip() for c in ids):
            raise PolicyError(f"{where}: METADATA controls.{framework} must be a non-empty list of control ids")
        out[framework] = tuple(str(c).strip() for c in ids)
    return out
