"""Every lockfile format guard reads, and which parser handles a given file."""

from __future__ import annotations

from typing import Sequence

from guard.lockfiles.base import LockfileParser
from guard.lockfiles.bun import BunLockParser
from guard.lockfiles.cargo import CargoLockParser
from guard.lockfiles.composer import ComposerLockParser
from guard.lockfiles.cyclonedx import CycloneDxParser
from guard.lockfiles.gemfile import GemfileLockParser
from guard.lockfiles.gomod import GoModParser, GoSumParser
from guard.lockfiles.maven import GradleLockParser, PomParser
from guard.lockfiles.npm import PackageLockParser
from guard.lockfiles.nuget import NuGetLockParser, NuGetProjectParser
from guard.lockfiles.pipfile import PipfileLockParser
from guard.lockfiles.pnpm import PnpmLockParser
from guard.lockfiles.poetry import PoetryParser
from guard.lockfiles.pylock import PylockParser
from guard.lockfiles.pyproject import PyprojectParser
from guard.lockfiles.requirements import RequirementsParser
from guard.lockfiles.uv import UvParser
from guard.lockfiles.yarn import YarnLockParser
from guard.scanners.base import match_any

PARSERS: tuple[LockfileParser, ...] = (
    RequirementsParser(),
    PoetryParser(),
    PipfileLockParser(),
    UvParser(),
    PylockParser(),
    PyprojectParser(),
    PackageLockParser(),
    YarnLockParser(),
    PnpmLockParser(),
    BunLockParser(),
    GoModParser(),
    GoSumParser(),
    CargoLockParser(),
    GemfileLockParser(),
    ComposerLockParser(),
    NuGetProjectParser(),
    NuGetLockParser(),
    PomParser(),
    GradleLockParser(),
    CycloneDxParser(),
)


def parser_for(path: str) -> LockfileParser | None:
    """The parser whose patterns match this repo-relative path (first match wins)."""
    return next((p for p in PARSERS if match_any(path, p.patterns)), None)


def lockfiles(files: Sequence[str]) -> list[str]:
    return [f for f in files if parser_for(f) is not None]
