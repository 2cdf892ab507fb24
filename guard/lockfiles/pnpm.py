"""pnpm-lock.yaml, lockfile versions 5 (`/name/1.0.0`), 6 (`/name@1.0.0`) and 9 (`name@1.0.0`)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from guard.lockfiles.base import Dependency, LockfileError, read_text

_PEER_SUFFIX = re.compile(r"\(.*\)$")


class PnpmLockParser:
    name = "pnpm-lock.yaml"
    patterns = ("pnpm-lock.yaml",)
    ecosystem = "npm"

    def parse(self, root: Path, path: str) -> list[Dependency]:
        text = read_text(root, path)
        try:
            node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise LockfileError(f"{path}:{mark.line + 1 if mark else '?'}: invalid YAML") from None
        if not isinstance(node, yaml.MappingNode):
            raise LockfileError(f"{path}:1: expected a mapping")
        top = {k.value: v for k, v in node.value}
        lockfile_version = str(getattr(top.get("lockfileVersion"), "value", ""))
        packages = top.get("packages")
        if not isinstance(packages, yaml.MappingNode):
            return []
        old_style = lockfile_version.startswith("5")
        deps = []
        for key_node, value_node in packages.value:
            key = str(key_node.value)
            parsed = None if "://" in key else _split(key, old_style)
            if parsed is None or not parsed[1][:1].isdigit():
                continue  # tarball, git and link entries are not registry releases
            fields = {k.value: v for k, v in value_node.value} if isinstance(value_node, yaml.MappingNode) else {}
            line = (fields["version"].start_mark.line if "version" in fields else key_node.start_mark.line) + 1
            deps.append(Dependency("npm", parsed[0], parsed[1], path, line))
        return deps


def _split(key: str, old_style: bool) -> tuple[str, str] | None:
    """`/@scope/name/1.0.0_peer`, `/@scope/name@1.0.0(peer)` or `name@1.0.0` -> (name, version)."""
    key = _PEER_SUFFIX.sub("", key.removeprefix("/"))
    if old_style:
        name, _, version = key.rpartition("/")
        return (name, version.split("_")[0]) if name else None
    name, _, version = key[1:].partition("@")
    if not version:
        return None
    return key[0] + name, version
