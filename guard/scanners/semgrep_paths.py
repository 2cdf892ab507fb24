"""A semgrep rule's `paths:` (include / exclude globs, gitignore style), for the checks a run counts.

A rule counts as a check that ran on a run's files only when guard is sure semgrep scanned one of them
with it: a control is never passed by a rule its `paths:` kept off every file of the change. So an
exclude pattern is read generously (anything it could match, it matches) and an include pattern
strictly (only its plain forms: a name or path, `*.ext`-like names, `dir/**`); when unsure, the rule
does not count.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

_WILD = frozenset("*?[")


@dataclass(frozen=True)
class RulePaths:
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def of(cls, raw: Any) -> "RulePaths":
        """From a rule's `paths` value (anything but a mapping of lists of strings: no filter)."""
        if not isinstance(raw, dict):
            return cls()

        def globs(key: str) -> tuple[str, ...]:
            value = raw.get(key)
            return tuple(str(g) for g in value if isinstance(g, str) and g.strip()) if isinstance(value, list) else ()

        return cls(globs("include"), globs("exclude"))

    def surely_scans(self, path: str) -> bool:
        """Whether semgrep surely runs the rule on `path` (relative, `/`-separated)."""
        if any(_may_match(pattern, path) for pattern in self.exclude):
            return False
        return not self.include or any(_surely_matches(pattern, path) for pattern in self.include)


def _may_match(pattern: str, path: str) -> bool:
    """Whether a gitignore-style pattern could match `path` or a folder holding it (generously: `*` may
    cross `/`, anchors are ignored)."""
    glob = pattern.strip().strip("/")
    if not glob:
        return True
    parts = path.split("/")
    prefixes = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]  # the folders holding it, and itself
    variants = {glob, glob.replace("**/", "")}  # `a/**/b` matches `a/b` too
    return any(fnmatch.fnmatchcase(p, g) or fnmatch.fnmatchcase(p, "*/" + g) for p in prefixes for g in variants)


def _surely_matches(pattern: str, path: str) -> bool:
    """Whether a gitignore-style pattern certainly matches `path` or a folder holding it (its plain forms
    only)."""
    glob = pattern.strip()
    anchored = glob.startswith("/") or "/" in glob.rstrip("/")
    folders_only = glob.endswith("/")
    glob = glob.strip("/")
    if glob.endswith("/**"):
        glob, anchored = glob[:-3], True
    if not glob or _WILD & set(glob) and ("/" in glob or "**" in glob or "[" in glob):
        return False
    parts = path.split("/")
    if anchored:
        return not _WILD & set(glob) and (path == glob or path.startswith(glob + "/"))
    names = parts[:-1] if folders_only else parts  # a name: any folder holding it, or the file itself
    return any(fnmatch.fnmatchcase(name, glob) for name in names)
