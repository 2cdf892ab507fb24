"""OSV affected-version evaluation (https://ossf.github.io/osv-schema/#evaluation).

A version is affected by an `affected` entry when it is in the explicit `versions` list or
inside any ECOSYSTEM/SEMVER range. GIT ranges name commits and cannot match a released version.
"""

from __future__ import annotations

import bisect
import functools
from typing import Any, Iterable, Sequence

from guard.advisories.model import Advisory, Affected, Range
from guard.advisories.versions import InvalidVersion, base_ecosystem, normalize_name, parse_version

# At equal versions a closing event ends the earlier interval before an `introduced` opens the next.
_ORDER = {"fixed": 0, "limit": 1, "last_affected": 2, "introduced": 3}


class RangeError(ValueError):
    """A range whose event versions cannot be parsed under the ecosystem's rules."""


def in_range(ecosystem: str, version: Any, rng: Range) -> bool:
    """Whether the parsed `version` falls in one ECOSYSTEM/SEMVER range (OSV's evaluation)."""
    affected = False
    for bound, kind in _sorted_events(ecosystem, tuple(rng.events)):
        if kind == "introduced":
            if bound is None or version >= bound:
                affected = True
        elif kind == "fixed":
            if version >= bound:
                affected = False
        elif kind == "last_affected":
            if version > bound:
                affected = False
        elif kind == "limit":
            if version >= bound:
                affected = False
    return affected


@functools.lru_cache(maxsize=16384)
def _sorted_events(ecosystem: str, events: tuple[tuple[str, str], ...]) -> tuple[tuple[Any, str], ...]:
    """A range's events parsed and in evaluation order (a range is tested for every candidate version)."""
    parsed: list[tuple[Any, int, str]] = []
    for kind, text in events:
        if kind == "introduced" and text == "0":
            parsed.append((None, _ORDER[kind], kind))  # "0" sorts before every version
            continue
        try:
            parsed.append((parse_version(ecosystem, text), _ORDER[kind], kind))
        except InvalidVersion as exc:
            raise RangeError(f"{kind} {text!r}: {exc}") from None
    parsed.sort(key=lambda e: (e[0] is not None, _Key(e[0]), e[1]))
    return tuple((bound, kind) for bound, _, kind in parsed)


def in_ranges(ecosystem: str, version: Any, ranges: Iterable[Range]) -> bool:
    return any(in_range(ecosystem, version, r) for r in ranges if r.type in {"ECOSYSTEM", "SEMVER"})


def in_versions(ecosystem: str, text: str, version: Any | None, listed: Sequence[str]) -> bool:
    """Explicit `versions` membership: same string, or equal under the ecosystem's rules (1.0 == 1.0.0)."""
    if text in listed:
        return True
    if version is None:
        return False
    keys = _sorted_versions(base_ecosystem(ecosystem), tuple(listed))
    at = bisect.bisect_left(keys, _Key(version))
    return at < len(keys) and keys[at] == _Key(version)


@functools.lru_cache(maxsize=4096)
def _sorted_versions(ecosystem: str, listed: tuple[str, ...]) -> list["_Key"]:
    """The parseable versions of an explicit list, in order (an advisory's list is searched for every
    candidate fix, so it is parsed and sorted once)."""
    parsed = []
    for item in listed:
        try:
            parsed.append(_Key(parse_version(ecosystem, item)))
        except InvalidVersion:
            continue
    return sorted(parsed)


def affects(entry: Affected, ecosystem: str, name: str, text: str) -> bool:
    """Whether `entry` covers package `name` at version `text` (raises RangeError on a broken range)."""
    if not _names(entry, ecosystem, name):
        return False
    try:
        version = parse_version(ecosystem, text)
    except InvalidVersion:
        return text in entry.versions  # a non-standard version can only match the explicit list
    return _covers(entry, ecosystem, text, version)


def _names(entry: Affected, ecosystem: str, name: str) -> bool:
    """Whether `entry` is about package `name` of `ecosystem`."""
    return (base_ecosystem(entry.ecosystem) == base_ecosystem(ecosystem)
            and normalize_name(ecosystem, entry.name) == normalize_name(ecosystem, name))


def _covers(entry: Affected, ecosystem: str, text: str, version: Any) -> bool:
    """Whether an entry about the package lists or ranges the parsed `version`."""
    return in_versions(ecosystem, text, version, entry.versions) or in_ranges(ecosystem, version, entry.ranges)


def matching(advisories: Iterable[Advisory], ecosystem: str, name: str, version: str) -> list[Advisory]:
    """The non-withdrawn advisories affecting one package version."""
    return [
        a for a in advisories
        if not a.withdrawn and any(affects(e, ecosystem, name, version) for e in a.affected)
    ]


def fixed_versions(advisory: Advisory, ecosystem: str, name: str) -> list[str]:
    """The `fixed` versions the advisory gives for this package, in version order."""
    found = {v for e in advisory.affected if _names(e, ecosystem, name) for v in e.fixed_versions}
    return _version_sorted(ecosystem, found)


def smallest_fix(advisories: Sequence[Advisory], ecosystem: str, name: str, version: str) -> str | None:
    """The lowest `fixed` version above `version` that no known advisory for the package affects."""
    try:
        current = parse_version(ecosystem, version)
    except InvalidVersion:
        return None
    entries = [e for a in advisories if not a.withdrawn for e in a.affected if _names(e, ecosystem, name)]
    candidates = {v for e in entries for v in e.fixed_versions}
    for candidate in _version_sorted(ecosystem, candidates):
        parsed = parse_version(ecosystem, candidate)
        if parsed <= current:
            continue
        if not any(_covers(e, ecosystem, candidate, parsed) for e in entries):
            return candidate
    return None


def _version_sorted(ecosystem: str, texts: Iterable[str]) -> list[str]:
    parsed = []
    for text in texts:
        try:
            parsed.append((parse_version(ecosystem, text), text))
        except InvalidVersion:
            continue
    return [text for _, text in sorted(parsed, key=lambda p: _Key(p[0]))]


class _Key:
    """Sort key for version objects that only define rich comparisons."""

    __slots__ = ("v",)

    def __init__(self, v: Any) -> None:
        self.v = v

    def __lt__(self, other: "_Key") -> bool:
        return bool(self.v < other.v)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Key) and bool(self.v == other.v)

    __hash__ = None  # type: ignore[assignment]
