"""Which framework controls a check or finding speaks to.

Per framework, the most specific source that names controls wins:
1. the rule's own `controls` (policy METADATA) and controls already set on the finding;
2. scanner-rule overrides, `tool:rule_id` with wildcards (`frameworks/mappings/rules.yaml`,
   plus `maps.checks` of user catalogs);
3. CWE ids (`cwe.yaml`, plus `maps.cwe`);
4. the finding category (`categories.yaml`, plus `maps.categories`).
"""

from __future__ import annotations

import fnmatch
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from guard.compliance.checked import remembered
from guard.compliance.frameworks import (
    BUILTIN_DIR, Framework, FrameworkError, parse_yaml_document, read_document_text, where,
)
from guard.model import Category, Finding, Rule, evolve

MAPPINGS_DIR = BUILTIN_DIR / "mappings"
Controls = dict[str, tuple[str, ...]]

_ENTRY = {
    "type": "object",
    "required": ["title", "rationale", "controls"],
    "additionalProperties": False,
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "rationale": {"type": "string", "minLength": 10},
        "controls": {
            "type": "object",
            "minProperties": 1,
            "additionalProperties": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
        },
    },
}
_FILES = {
    "cwe": ("cwe.yaml", {"type": "string", "pattern": "^CWE-[0-9]+$"}),
    "categories": ("categories.yaml", {"enum": [c.value for c in Category]}),
    "rules": ("rules.yaml", {"type": "string", "pattern": "^[^:\\s]+:\\S+$"}),
}


@dataclass(frozen=True, slots=True)
class MappingEntry:
    key: str
    title: str
    rationale: str
    controls: Mapping[str, tuple[str, ...]]
    source: str  # file:line


@dataclass(frozen=True, slots=True)
class Mappings:
    """The three lookup tables, each key -> entry."""

    cwe: Mapping[str, MappingEntry] = field(default_factory=dict)
    categories: Mapping[str, MappingEntry] = field(default_factory=dict)
    rules: Mapping[str, MappingEntry] = field(default_factory=dict)

    def rule_entries(self, check: str) -> list[MappingEntry]:
        """Entries for `tool:rule_id`: the exact key if present, else every matching wildcard key."""
        exact = self.rules.get(check)
        if exact is not None:
            return [exact]
        return [e for k, e in self.rule_patterns if fnmatch.fnmatchcase(check, k)]

    @property
    def rule_patterns(self) -> tuple[tuple[str, MappingEntry], ...]:
        """The wildcard keys of `rules` (computed once per Mappings)."""
        cached = _PATTERNS.get(id(self))
        if cached is None or cached[0] is not self:
            cached = _PATTERNS[id(self)] = (self, tuple((k, e) for k, e in self.rules.items() if _is_pattern(k)))
        return cached[1]


_PATTERNS: dict[int, tuple["Mappings", tuple[tuple[str, MappingEntry], ...]]] = {}


def _is_pattern(key: str) -> bool:
    return any(ch in key for ch in "*?[")


@lru_cache(maxsize=4)
def builtin_mappings(directory: Path = MAPPINGS_DIR) -> Mappings:
    """guard's mapping files, schema-checked (file:line errors)."""
    tables: dict[str, dict[str, MappingEntry]] = {}
    for name, (filename, key_schema) in _FILES.items():
        tables[name] = _load_table(directory / filename, name, key_schema)
    return Mappings(cwe=tables["cwe"], categories=tables["categories"], rules=tables["rules"])


def _load_table(path: Path, top: str, key_schema: Mapping[str, Any]) -> dict[str, MappingEntry]:
    text = read_document_text(path, str(path))

    def checked() -> dict[str, list[Any]]:
        import jsonschema  # only when a table is checked, not when its checked form is read back

        data, lines = parse_yaml_document(text, str(path))
        schema = {
            "type": "object",
            "required": ["version", top],
            "additionalProperties": False,
            "properties": {
                "version": {"const": 1},
                top: {"type": "object", "propertyNames": key_schema, "additionalProperties": _ENTRY},
            },
        }
        errors = sorted(
            jsonschema.Draft202012Validator(schema).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]
        )
        if errors:
            raise FrameworkError(
                "\n".join(f"{where(str(path), lines, e.absolute_path)}: {e.message}" for e in errors)
            )
        return {key: [entry["title"], entry["rationale"], entry["controls"], where(str(path), lines, (top, key))]
                for key, entry in data[top].items()}

    def entries(table: dict[str, list[Any]]) -> dict[str, MappingEntry]:
        return {
            key: MappingEntry(key=key, title=title, rationale=rationale,
                              controls={fw: tuple(ids) for fw, ids in controls.items()}, source=source)
            for key, (title, rationale, controls, source) in table.items()
        }

    return remembered(text, f"mappings\0{top}\0{json.dumps(key_schema, sort_keys=True)}\0{path}", checked,
                      entries)


def check_mappings(mappings: Mappings, frameworks: Sequence[Framework]) -> list[str]:
    """Entries naming a control its framework does not have (for the frameworks given)."""
    by_id = {f.id: f for f in frameworks}
    problems = []
    for table in (mappings.cwe, mappings.categories, mappings.rules):
        for entry in table.values():
            for fid, ids in entry.controls.items():
                framework = by_id.get(fid)
                if framework is None:
                    continue
                problems.extend(
                    f"{entry.source}: {entry.key}: {fid} has no control {cid!r}"
                    for cid in ids
                    if framework.control(cid) is None
                )
    return problems


# --- resolution ------------------------------------------------------------------------------


def normalize_cwe(value: Any) -> str | None:
    """`CWE-89` from 89, "89", "cwe-89", "CWE-89: Improper Neutralization ..."; None if not a CWE."""
    match = re.match(r"^\s*(?:cwe[-_ ]?)?(\d+)\b", str(value), re.IGNORECASE)
    return f"CWE-{int(match.group(1))}" if match else None


def check_name(tool: str, rule_id: str) -> str:
    """How a check is named in control results: `bandit:B608`, `policy:GRD-S3-001`."""
    return f"{tool}:{rule_id}"


def controls_for(
    item: Finding | Rule,
    frameworks: Sequence[Framework],
    *,
    tool: str | None = None,
    category: Category | None = None,
    mappings: Mappings | None = None,
) -> Controls:
    """Control ids per framework id for a Finding (tool/category from it) or a Rule (pass tool, category)."""
    key = _memo_key(item, frameworks, tool, category, mappings)
    known = _MEMO.get(key)
    if known is None:
        if len(_MEMO) > _MEMO_LIMIT:
            _MEMO.clear()
        # the entry keeps the frameworks and mappings alive, so their ids in the key stay unique
        known = _MEMO[key] = (_controls_for(item, frameworks, tool, category, mappings),
                              tuple(frameworks), mappings)
    return dict(known[0])


_MEMO: dict[tuple[Any, ...], tuple[Controls, tuple[Framework, ...], Mappings | None]] = {}
_MEMO_LIMIT = 100_000


def _memo_key(item: Finding | Rule, frameworks: Sequence[Framework], tool: str | None, category: Category | None,
              mappings: Mappings | None) -> tuple[Any, ...]:
    """Everything `_controls_for` reads: many findings share one rule, so the answer is reused.

    Control maps enter in their own order (two orders of one map are two keys with one answer).
    """
    if isinstance(item, Finding):
        rule = item.rule
        extra: tuple[Any, ...] = (item.tool, item.category, item.cwe, tuple(item.controls.items()))
    else:
        rule, extra = item, ()
    return (rule.id, rule.cwe, tuple(rule.controls.items()), extra, tool, category, tuple(map(id, frameworks)),
            id(mappings))


def _controls_for(item: Finding | Rule, frameworks: Sequence[Framework], tool: str | None,
                  category: Category | None, mappings: Mappings | None) -> Controls:
    if isinstance(item, Finding):
        rule = item.rule
        tool = item.tool
        category = item.category
        explicit = _merge(rule.controls, item.controls)
        cwes = _cwes((*item.cwe, *rule.cwe))
    else:
        rule = item
        explicit = _merge(rule.controls)
        cwes = _cwes(rule.cwe)
    tables = mappings if mappings is not None else builtin_mappings()
    name = check_name(tool or "", rule.id)
    rule_hits = tables.rule_entries(name) if tool else []
    cwe_hits = [tables.cwe[c] for c in cwes if c in tables.cwe]
    cat_hit = tables.categories.get(category.value) if category is not None else None
    out: Controls = {}
    for framework in frameworks:
        layers = (
            _explicit_ids(explicit, framework, name),
            _entry_ids(rule_hits, framework) + _declared(framework, lambda m: any(fnmatch.fnmatchcase(name, p) for p in m.checks)),
            _entry_ids(cwe_hits, framework) + _declared(framework, lambda m: any(c in m.cwe for c in cwes)),
            _entry_ids([cat_hit] if cat_hit else [], framework)
            + _declared(framework, lambda m: category is not None and category.value in m.categories),
        )
        for ids in layers:
            if ids:
                out[framework.id] = _canonical(framework, ids)
                break
    return out


def _merge(*maps: Mapping[str, Iterable[str]]) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for m in maps:
        for fid, ids in (m or {}).items():
            values = (ids,) if isinstance(ids, str) else tuple(ids)
            out[fid] = tuple(dict.fromkeys((*out.get(fid, ()), *values)))
    return out


def _cwes(values: Iterable[Any]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(c for c in (normalize_cwe(v) for v in values) if c))


def _explicit_ids(explicit: Mapping[str, tuple[str, ...]], framework: Framework, check: str) -> list[str]:
    ids = list(explicit.get(framework.id, ()))
    unknown = [i for i in ids if framework.control(i) is None]
    if unknown:
        raise FrameworkError(
            f"{check}: controls metadata names {', '.join(repr(u) for u in unknown)}, which {framework.id} does not "
            f"have (see `guard frameworks show {framework.id}`)"
        )
    return ids


def _entry_ids(entries: Iterable[MappingEntry], framework: Framework) -> list[str]:
    return [cid for e in entries for cid in e.controls.get(framework.id, ())]


def _declared(framework: Framework, test: Any) -> list[str]:
    return [c.id for c in framework.mapped if test(c.maps)]


def _canonical(framework: Framework, ids: Iterable[str]) -> tuple[str, ...]:
    out = []
    for cid in ids:
        control = framework.control(cid)
        if control is not None:
            out.append(control.id)
    return tuple(dict.fromkeys(out))


def mapping_key(f: Finding) -> tuple[Any, ...]:
    """What `controls_for` reads of a finding, its rule by identity: findings with one key map alike.

    Only for findings held for as long as the key is used (the rule's id must stay unique)."""
    return (id(f.rule), f.tool, f.category, f.cwe, tuple(f.controls.items()) if f.controls else ())


def annotate(findings: Sequence[Finding], frameworks: Sequence[Framework]) -> list[Finding]:
    """Findings with `.controls` filled for the given frameworks (for SARIF `soc2:CC6.1` tags).

    Findings of one rule, tool, category, CWE and prior controls get the same (shared) mapping.
    """
    loaded = {fw.id for fw in frameworks}
    known: dict[tuple[Any, ...], Controls] = {}
    out = []
    for f in findings:
        key = mapping_key(f)
        controls = known.get(key)
        if controls is None:
            kept = {fid: tuple(ids) for fid, ids in f.controls.items() if fid not in loaded}
            controls = known[key] = {**kept, **controls_for(f, frameworks)}
        out.append(evolve(f, controls=controls))
    return out


def control_tags(controls: Mapping[str, Iterable[str]]) -> list[str]:
    """`soc2:CC6.1`-style tags, in framework then control order."""
    return [f"{fid}:{cid}" for fid, ids in controls.items() for cid in ids]
