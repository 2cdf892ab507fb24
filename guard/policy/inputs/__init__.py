"""Config files as policy input: which parser reads which file, and the batch input shape.

`build_config_input` returns {"files": [entry, ...]} with one entry per readable config file:
{"path": repo-relative POSIX path, "dir": its directory, "kind": terraform | cloudformation |
kubernetes | dockerfile | json | yaml, ...kind fields}. See policies/README.md for every shape.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import AbstractSet, Any, Sequence

from guard.helm import Charts
from guard.policy.base import InputError
from guard.policy.inputs.dockerfile import load_dockerfile
from guard.policy.inputs.parsecache import MISS, ParseCache
from guard.policy.inputs.structured import Document, load_json, load_yaml, parse_json
from guard.policy.inputs.terraform_json import load_terraform_json

MAX_FILE_BYTES = 2 * 1024 * 1024
_STRUCTURED = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".template": "yaml"}


def config_kind(path: str) -> str | None:
    """The parser for `path` by name: terraform, terraform_json, dockerfile, json, yaml; None for other files."""
    name = PurePosixPath(path).name
    lower = name.lower()
    if lower.endswith(".tf"):
        return "terraform"
    if lower.endswith(".tf.json"):
        return "terraform_json"
    if lower in ("dockerfile", "containerfile") or lower.endswith(".dockerfile") or lower.startswith("dockerfile."):
        return "dockerfile"
    return _STRUCTURED.get(PurePosixPath(lower).suffix)


def build_config_input(target: Path, files: Sequence[str], cache: ParseCache | None = None,
                       kinds: AbstractSet[str] | None = None) -> tuple[dict[str, Any], list[InputError]]:
    """Parse every config file among `files` (repo-relative) under `target`.

    Returns the input and the files that could not be read or parsed (each names file and line).
    With `cache`, files whose content was parsed before are not parsed again. With `kinds` (the
    config kinds some policy reads), files that cannot be of those kinds are not parsed, and a JSON
    file is parsed in full (with its line index) only if its content is of a kind read.
    """
    entries = []
    errors: list[InputError] = []
    charts = Charts(target)
    for rel in sorted(set(files)):
        kind = config_kind(rel)
        if kind is None or (kinds is not None and not _BECOMES[kind] & kinds) or charts.is_template(rel):
            continue
        try:
            text = _read(target / rel, rel)
            if kinds is not None and kind == "json" and not _json_read(rel, text, kinds):
                continue
            entry = _parse_cached(rel, text, kind, cache)
        except InputError as exc:
            errors.append(exc)
            continue
        if entry is not None and (kinds is None or entry["kind"] in kinds):
            entries.append(entry)
    return {"files": entries}, errors


# what a file of each parser kind can turn out to be once its content is read
_BECOMES = {"terraform": {"terraform"}, "terraform_json": {"terraform"}, "dockerfile": {"dockerfile"},
            "json": {"json", "cloudformation", "kubernetes"}, "yaml": {"yaml", "cloudformation", "kubernetes"}}


def _json_read(path: str, text: str, kinds: AbstractSet[str]) -> bool:
    """Whether a policy reads this JSON file, from its content alone (its line index costs far more)."""
    if "json" in kinds:
        return True
    content = parse_json(path, text)
    return (("cloudformation" in kinds and _is_cloudformation(content))
            or ("kubernetes" in kinds and _is_kubernetes(content)))


def _parse_cached(path: str, text: str, kind: str, cache: ParseCache | None) -> dict[str, Any] | None:
    """`parse_file`, or what it gave (or raised: a YAML bomb takes as long to refuse again) for this content."""
    if cache is None:
        return parse_file(path, text, kind)
    key = cache.key(path, kind, text)
    entry = cache.get(key)
    if entry is MISS:
        try:
            entry = parse_file(path, text, kind)
        except InputError as exc:
            cache.put(key, {_UNPARSED: {"line": exc.line, "detail": exc.detail}})
            raise
        cache.put(key, entry)
    elif entry is not None and _UNPARSED in entry:
        raise InputError(path, entry[_UNPARSED]["line"], entry[_UNPARSED]["detail"])
    return entry


_UNPARSED = "guard.unparsed"  # a cached entry saying the file could not be parsed, where and why


def parse_file(path: str, text: str, kind: str) -> dict[str, Any] | None:
    """One file's input entry (None: a structured file with no documents)."""
    base = {"path": path, "dir": str(PurePosixPath(path).parent)}
    if kind == "terraform":
        from guard.policy.inputs.terraform import load_terraform  # python-hcl2 and lark: only for Terraform

        return {**base, "kind": "terraform", **load_terraform(path, text)}
    if kind == "terraform_json":
        return {**base, "kind": "terraform", **load_terraform_json(path, text)}
    if kind == "dockerfile":
        return {**base, "kind": "dockerfile", **load_dockerfile(path, text)}
    docs = load_json(path, text) if kind == "json" else load_yaml(path, text)
    if not docs:
        return None
    if any(_is_cloudformation(d.content) for d in docs):
        return {**base, "kind": "cloudformation", "resources": _cfn_resources(docs[0])}
    if all(_is_kubernetes(d.content) for d in docs):
        return {**base, "kind": "kubernetes", "documents": [_k8s(d) for d in docs]}
    return {**base, "kind": kind, "documents": [d.as_input() for d in docs]}


def _read(path: Path, rel: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(rel, None, f"{size} bytes, over the {MAX_FILE_BYTES}-byte limit for config policies")
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(rel, None, f"cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError(rel, None, f"not UTF-8 (byte {exc.start})") from None


def _is_cloudformation(content: Any) -> bool:
    if not isinstance(content, dict):
        return False
    if "AWSTemplateFormatVersion" in content:
        return True
    resources = content.get("Resources")
    return isinstance(resources, dict) and any(
        isinstance(r, dict) and str(r.get("Type", "")).startswith(("AWS::", "Custom::")) for r in resources.values())


def _is_kubernetes(content: Any) -> bool:
    return isinstance(content, dict) and isinstance(content.get("apiVersion"), str) and isinstance(content.get("kind"), str)


def _cfn_resources(doc: Document) -> list[dict[str, Any]]:
    """Each resource with its properties as `config` (an object, whatever the template holds there)."""
    out = []
    resources = doc.content.get("Resources")
    for logical_id, res in (resources.items() if isinstance(resources, dict) else ()):
        if not isinstance(res, dict):
            continue
        properties = res.get("Properties")
        prefix = f"Resources.{logical_id}.Properties."
        out.append({
            "type": res.get("Type"),
            "name": logical_id,
            "address": logical_id,
            "line": doc.lines.get(f"Resources.{logical_id}", doc.line),
            "config": properties if isinstance(properties, dict) else {},
            "lines": {k[len(prefix):]: v for k, v in doc.lines.items() if k.startswith(prefix)},
        })
    return out


def _k8s(doc: Document) -> dict[str, Any]:
    meta = doc.content.get("metadata") if isinstance(doc.content.get("metadata"), dict) else {}
    return {**doc.as_input(), "kind": doc.content["kind"], "name": meta.get("name"),
            "namespace": meta.get("namespace")}


__all__ = ["build_config_input", "config_kind", "parse_file", "InputError"]
