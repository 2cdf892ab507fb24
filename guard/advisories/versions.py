"""Version parsing and package-name normalization per OSV ecosystem.

PyPI uses PEP 440 (`packaging`); npm, Go and the other semver-like ecosystems use `univers`.
"""

from __future__ import annotations

import functools
import re
from typing import Any, Callable

from packaging.version import InvalidVersion as _PepInvalid
from packaging.version import Version as _PepVersion
from univers import versions as _uv


class InvalidVersion(ValueError):
    """A version string that the ecosystem's rules cannot parse."""


class UnsupportedEcosystem(ValueError):
    """An ecosystem guard has no version comparator for."""


def base_ecosystem(ecosystem: str) -> str:
    """`Debian:12` -> `Debian`; OSV suffixes a release after a colon."""
    return ecosystem.split(":", 1)[0]


def _pypi(text: str) -> Any:
    try:
        return _PepVersion(text)
    except _PepInvalid:
        raise InvalidVersion(f"{text!r} is not a valid PEP 440 version") from None


def _univers(cls: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            return cls(text)
        except Exception:  # univers raises its own InvalidVersion and assorted ValueErrors
            raise InvalidVersion(f"{text!r} is not a valid {cls.__name__}") from None

    return parse


def _go(text: str) -> Any:
    # Go module versions carry a `v` prefix; `+incompatible` is build metadata (no precedence).
    return _univers(_uv.SemverVersion)(text.removeprefix("v").removesuffix("+incompatible"))


_PARSERS: dict[str, Callable[[str], Any]] = {
    "PyPI": _pypi,
    "npm": _univers(_uv.SemverVersion),
    "Go": _go,
    "crates.io": _univers(_uv.SemverVersion),
    "Hex": _univers(_uv.SemverVersion),
    "Pub": _univers(_uv.SemverVersion),
    "RubyGems": _univers(_uv.RubygemsVersion),
    "Maven": _univers(_uv.MavenVersion),
    "NuGet": _univers(_uv.NugetVersion),
    "Packagist": _univers(_uv.ComposerVersion),
}

SUPPORTED_ECOSYSTEMS = tuple(_PARSERS)


def supported(ecosystem: str) -> bool:
    return base_ecosystem(ecosystem) in _PARSERS


def parse_version(ecosystem: str, text: str) -> Any:
    """A comparable version object; raises InvalidVersion or UnsupportedEcosystem."""
    parser = _PARSERS.get(base_ecosystem(ecosystem))
    if parser is None:
        raise UnsupportedEcosystem(f"no version comparator for ecosystem {ecosystem!r}")
    return _cached(parser, str(text).strip())


@functools.lru_cache(maxsize=65536)
def _cached(parser: Callable[[str], Any], text: str) -> Any:
    return parser(text)


_PEP503 = re.compile(r"[-_.]+")


def normalize_name(ecosystem: str, name: str) -> str:
    """The name under which advisories are looked up (PEP 503 for PyPI; case-folded where names are)."""
    eco = base_ecosystem(ecosystem)
    name = name.strip()
    if eco == "PyPI":
        return _PEP503.sub("-", name).lower()
    if eco in {"NuGet", "Packagist"}:
        return name.lower()
    return name
