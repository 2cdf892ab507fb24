"""Any SARIF 2.1.0 log -> Findings.

Handles what real tools emit: a UTF-8 BOM, rules found by id, by `ruleIndex` or in tool
extensions, artifact indices, `uriBaseId`s resolved through `originalUriBaseIds`, Windows file
URIs, logical locations only, message strings, CWE ids in tags / properties / taxa, and
`suppressions` (returned as inline waivers). A location outside the scanned root is dropped
(the finding keeps the original URI in its properties); it is never followed.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping
from urllib.parse import unquote, urlparse

from guard.files import relativize
from guard.model import Category, Finding, Location, Rule, Severity

_CWE = re.compile(r"CWE[-_ :]?(\d+)", re.IGNORECASE)
_LEVEL = {"error": Severity.HIGH, "warning": Severity.MEDIUM, "note": Severity.LOW, "none": Severity.INFO}
MAX_SARIF_BYTES = 512 * 1024 * 1024


class SarifError(Exception):
    """Not a usable SARIF log; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class SarifResult:
    """A finding read from SARIF and whether the producing tool marked it suppressed."""

    finding: Finding
    suppression: str | None  # justification of an accepted suppression, if any


def load(path: Path) -> dict[str, Any]:
    """Parse a SARIF file (size-limited, BOM-tolerant) and check its basic shape."""
    try:
        size = path.stat().st_size
        if size > MAX_SARIF_BYTES:
            raise SarifError(f"{path}: {size} bytes, over the {MAX_SARIF_BYTES}-byte limit")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise SarifError(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise SarifError(f"{path}: not UTF-8 (byte {exc.start})") from None
    return parse(text, str(path))


def parse(text: str, name: str) -> dict[str, Any]:
    try:
        doc = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise SarifError(f"{name}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SarifError(f"{name}: JSON nested too deeply") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("runs"), list):
        raise SarifError(f"{name}: not a SARIF log (no `runs` array)")
    version = doc.get("version")
    if version is not None and version != "2.1.0":
        raise SarifError(f"{name}: SARIF version {version!r} is not supported (2.1.0 only)")
    check_shape(doc, name)
    return doc


def check_shape(doc: Mapping[str, Any], name: str) -> None:
    """Reject logs whose runs/results have the wrong JSON types (a broken tool, never 'no findings')."""
    for i, run in enumerate(doc["runs"]):
        where = f"{name}: runs[{i}]"
        if not isinstance(run, dict) or not isinstance(_get(run, "tool", "driver"), dict):
            raise SarifError(f"{where}: not a run object with tool.driver")
        for key in ("results", "artifacts"):
            if not isinstance(run.get(key) or [], list):
                raise SarifError(f"{where}.{key}: not an array")
        if not isinstance(run["tool"]["driver"].get("rules") or [], list):
            raise SarifError(f"{where}.tool.driver.rules: not an array")
        for j, res in enumerate(run.get("results") or []):
            bad = (not isinstance(res, dict) and "not an object"
                   or not isinstance(res.get("ruleId", ""), (str, type(None))) and "ruleId is not a string"
                   or not isinstance(res.get("message", {}), (dict, str)) and "message is not an object"
                   or not isinstance(res.get("locations") or [], list) and "locations is not an array"
                   or res.get("level", "warning") not in (*_LEVEL, None) and "level is not a SARIF level")
            if bad:
                raise SarifError(f"{where}.results[{j}]: {bad}")


def results(doc: Mapping[str, Any], root: Path, *, category: Category, tool: str | None = None,
            cwd: Path | None = None) -> Iterator[SarifResult]:
    """Every result of every run, as Findings with repo-relative locations."""
    for run in doc.get("runs") or []:
        if isinstance(run, dict):
            yield from _run_results(run, root, category, tool, cwd)


def notifications(doc: Any, *kinds: str) -> Iterator[Mapping[str, Any]]:
    """The notifications of every invocation of every run, of the given kinds (`toolExecutionNotifications`,
    `toolConfigurationNotifications`): where tools say what they skipped or could not do."""
    for run in (doc.get("runs") or []) if isinstance(doc, dict) else []:
        for invocation in (run.get("invocations") or []) if isinstance(run, dict) else []:
            for kind in kinds:
                notes = invocation.get(kind) if isinstance(invocation, dict) else None
                yield from (note for note in (notes if isinstance(notes, list) else []) if isinstance(note, dict))


def _run_results(run: Mapping[str, Any], root: Path, category: Category, tool: str | None,
                 cwd: Path | None) -> Iterator[SarifResult]:
    driver = _get(run, "tool", "driver") or {}
    tool_name = tool or _tool_id(str(driver.get("name") or "sarif"))
    components = [driver, *[e for e in (_get(run, "tool", "extensions") or []) if isinstance(e, dict)]]
    rules_by_id: dict[str, Mapping[str, Any]] = {}
    for comp in components:
        for r in comp.get("rules") or []:
            if isinstance(r, dict) and r.get("id"):
                rules_by_id.setdefault(str(r["id"]), r)
    bases = _uri_bases(run)
    artifacts = run.get("artifacts") or []
    taxa = _taxa(run)
    for res in run.get("results") or []:
        if not isinstance(res, dict):
            continue
        rule_meta = _rule_for(res, components, rules_by_id)
        rule_id = str(res.get("ruleId") or _get(res, "rule", "id") or rule_meta.get("id") or "unknown")
        rule = _rule(rule_id, rule_meta)
        location, original = _location(res, artifacts, bases, root, cwd)
        props: dict[str, Any] = dict(res.get("properties") or {}) if isinstance(res.get("properties"), dict) else {}
        if original:
            props["original_uri"] = original
        severity, source = _severity(res, rule_meta)
        finding = Finding(
            tool=tool_name,
            rule=rule,
            message=_message(res, rule_meta),
            severity=severity,
            category=category,
            location=location,
            resource=_logical(res),
            cwe=_cwes(rule_meta, res, taxa),
            tags=tuple(str(t) for t in (_get(rule_meta, "properties", "tags") or []) if isinstance(t, str)),
            found_by=(tool_name,),
            severity_source=source,
            properties=props,
        )
        yield SarifResult(finding, _suppression(res))


def _tool_id(name: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", name.strip().lower()).strip("-") or "sarif"


def _get(obj: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return obj


def _rule_for(res: Mapping[str, Any], components: list[Mapping[str, Any]],
              rules_by_id: Mapping[str, Mapping[str, Any]]) -> Mapping[str, Any]:
    idx = res.get("ruleIndex", _get(res, "rule", "index"))
    comp_idx = _get(res, "rule", "toolComponent", "index")
    comp = components[comp_idx + 1] if isinstance(comp_idx, int) and 0 <= comp_idx + 1 < len(components) else components[0]
    rules = comp.get("rules") or []
    if isinstance(idx, int) and 0 <= idx < len(rules) and isinstance(rules[idx], dict):
        return rules[idx]
    rid = res.get("ruleId") or _get(res, "rule", "id")
    return rules_by_id.get(str(rid), {}) if rid else {}


def _text(obj: Any) -> str:
    if isinstance(obj, dict):
        return str(obj.get("text") or obj.get("markdown") or "")
    return ""


def _rule(rule_id: str, meta: Mapping[str, Any]) -> Rule:
    short = _text(meta.get("shortDescription")) or str(meta.get("name") or rule_id)
    full = _text(meta.get("fullDescription")) or short
    help_obj = meta.get("help") if isinstance(meta.get("help"), dict) else {}
    return Rule(
        id=rule_id,
        name=str(meta.get("name") or rule_id),
        short_description=short,
        full_description=full,
        help_text=str(help_obj.get("text") or full),
        help_markdown=help_obj.get("markdown"),
        help_uri=meta.get("helpUri") if isinstance(meta.get("helpUri"), str) else None,
        tags=tuple(str(t) for t in (_get(meta, "properties", "tags") or []) if isinstance(t, str)),
        cwe=_cwes(meta, {}, {}),
    )


def _message(res: Mapping[str, Any], rule: Mapping[str, Any]) -> str:
    msg = res.get("message") or {}
    text = _text(msg)
    if not text and isinstance(msg, dict) and msg.get("id"):
        strings = rule.get("messageStrings") or {}
        text = _text(strings.get(msg["id"]))
        for i, arg in enumerate(msg.get("arguments") or []):
            text = text.replace("{%d}" % i, str(arg))
    return text or _text(rule.get("shortDescription")) or str(res.get("ruleId") or "")


def _severity(res: Mapping[str, Any], rule: Mapping[str, Any]) -> tuple[Severity, str]:
    for props in (res.get("properties"), rule.get("properties")):
        score = props.get("security-severity") if isinstance(props, dict) else None
        try:
            if score is not None:
                return Severity.from_score(float(score)), "security-severity"
        except (TypeError, ValueError):
            pass
    level = res.get("level") or _get(rule, "defaultConfiguration", "level") or "warning"
    return _LEVEL.get(str(level), Severity.MEDIUM), "sarif-level"


def _cwes(rule: Mapping[str, Any], res: Mapping[str, Any], taxa: Mapping[tuple[int, int], str]) -> tuple[str, ...]:
    props = rule.get("properties") if isinstance(rule.get("properties"), dict) else {}
    texts: list[str] = [str(t) for t in (props.get("tags") or []) if isinstance(t, str)]
    for key in ("cwe", "cwe_ids", "cwes"):
        value = props.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int) or (isinstance(item, str) and item.isdigit()):
                texts.append(f"CWE-{item}")
            elif isinstance(item, str):
                texts.append(item)
    for rel in [*(rule.get("relationships") or []), *(res.get("taxa") or [])]:
        target = rel.get("target", rel) if isinstance(rel, dict) else None
        if isinstance(target, dict):
            if isinstance(target.get("id"), str) and "cwe" in str(_get(target, "toolComponent", "name") or "").lower():
                texts.append(f"CWE-{target['id']}")
            if isinstance(target.get("index"), int):
                comp = _get(target, "toolComponent", "index")
                texts.append(taxa.get((comp if isinstance(comp, int) else -1, target["index"]), ""))
    found: list[str] = []
    for text in texts:
        for m in _CWE.finditer(text):
            cwe = f"CWE-{int(m.group(1))}"
            if cwe not in found:
                found.append(cwe)
    return tuple(found)


def _taxa(run: Mapping[str, Any]) -> dict[tuple[int, int], str]:
    out: dict[tuple[int, int], str] = {}
    for ci, tax in enumerate(run.get("taxonomies") or []):
        if isinstance(tax, dict) and "cwe" in str(tax.get("name", "")).lower():
            for ti, taxon in enumerate(tax.get("taxa") or []):
                if isinstance(taxon, dict) and taxon.get("id"):
                    out[(ci, ti)] = f"CWE-{taxon['id']}"
    return out


def _uri_bases(run: Mapping[str, Any]) -> dict[str, str]:
    bases = run.get("originalUriBaseIds") or {}
    out: dict[str, str] = {}
    for name, value in bases.items() if isinstance(bases, dict) else []:
        if isinstance(value, dict) and isinstance(value.get("uri"), str):
            out[str(name)] = value["uri"]
    return out


def _uri_to_path(uri: str) -> str:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        path = unquote(parsed.path)
        if re.match(r"^/[A-Za-z]:", path):  # file:///C:/x -> C:/x
            path = path[1:]
        return path
    return unquote(uri)


def _location(res: Mapping[str, Any], artifacts: list[Any], bases: Mapping[str, str], root: Path,
              cwd: Path | None) -> tuple[Location | None, str | None]:
    locs = res.get("locations") or []
    phys = _get(locs[0], "physicalLocation") if locs and isinstance(locs[0], dict) else None
    if not isinstance(phys, dict):
        return None, None
    art = phys.get("artifactLocation") or {}
    uri = art.get("uri") if isinstance(art, dict) else None
    base_id = art.get("uriBaseId") if isinstance(art, dict) else None
    idx = art.get("index") if isinstance(art, dict) else None
    if uri is None and isinstance(idx, int) and 0 <= idx < len(artifacts):
        loc = _get(artifacts[idx], "location") or {}
        uri, base_id = loc.get("uri"), loc.get("uriBaseId")
    if not isinstance(uri, str) or not uri:
        return None, None
    original = uri
    if base_id and base_id in bases and not urlparse(uri).scheme and base_id != "%SRCROOT%":
        uri = bases[base_id].rstrip("/") + "/" + uri
    path_text = _uri_to_path(uri)
    if re.match(r"^[A-Za-z]:[\\/]", path_text) or "\\" in path_text:
        return None, original
    rel = relativize(path_text, root, cwd)
    if rel is None:
        return None, original
    region = phys.get("region") if isinstance(phys.get("region"), dict) else {}
    start = region.get("startLine") if isinstance(region.get("startLine"), int) else None
    end = region.get("endLine") if isinstance(region.get("endLine"), int) else start
    snippet = _get(region, "snippet", "text")
    return Location(
        path=rel,
        start_line=start if start and start > 0 else None,
        end_line=end if end and start and end >= start else start,
        start_column=region.get("startColumn") if isinstance(region.get("startColumn"), int) else None,
        end_column=region.get("endColumn") if isinstance(region.get("endColumn"), int) else None,
        snippet=snippet if isinstance(snippet, str) else None,
    ), None


def _logical(res: Mapping[str, Any]) -> str | None:
    for loc in res.get("locations") or []:
        for logical in (loc.get("logicalLocations") or []) if isinstance(loc, dict) else []:
            if isinstance(logical, dict):
                name = logical.get("fullyQualifiedName") or logical.get("name")
                if name:
                    return str(name)
    return None


def _suppression(res: Mapping[str, Any]) -> str | None:
    for sup in res.get("suppressions") or []:
        if isinstance(sup, dict) and sup.get("status", "accepted") == "accepted":
            return str(sup.get("justification") or f"suppressed in source ({sup.get('kind', 'inSource')})")
    return None
