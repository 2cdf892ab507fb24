"""Coverage-guided fuzzing (atheris) of guard's parsers of untrusted input. Run by hand:

    pip install atheris
    python tests/hardening/atheris/fuzz_parsers.py TARGET [libFuzzer flags, e.g. -max_total_time=300]

TARGET: sarif | config | waivers | metadata | lockfile | baseline. Any exception other than the
parser's own error type is a crash that libFuzzer reports with the input that caused it.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import atheris

with atheris.instrument_imports():
    from guard.baseline import BaselineError, parse as parse_baseline
    from guard.config import Config, ConfigError, read_yaml_with_lines
    from guard.lockfiles.base import LockfileError
    from guard.lockfiles.registry import PARSERS
    from guard.model import Category
    from guard.policy.base import PolicyError
    from guard.policy.metadata import parse_module
    from guard.sarif.read import SarifError, parse as parse_sarif, results
    from guard.waivers import parse as parse_waivers

ROOT = Path(tempfile.mkdtemp(prefix="guard-atheris-"))
LOCKS = [p.patterns[0].replace("*", "x") for p in PARSERS]


def sarif(data: bytes) -> None:
    try:
        list(results(parse_sarif(data.decode("utf-8", "replace"), "fuzz.sarif"), ROOT, category=Category.SAST))
    except SarifError:
        pass


def config(data: bytes) -> None:
    try:
        read_yaml_with_lines(Path(".guard.yaml"), data.decode("utf-8", "replace"))
    except ConfigError:
        pass


def waivers(data: bytes) -> None:
    parse_waivers(data.decode("utf-8", "replace"), ".guard-waivers.yaml", Config(), dt.date(2026, 6, 1))


def metadata(data: bytes) -> None:
    text = "".join(f"# {line}\n" for line in data.decode("utf-8", "replace").splitlines())
    try:
        parse_module("fuzz.rego", f"# METADATA\n{text}package guard.findings.fuzz\n")
    except PolicyError:
        pass


def lockfile(data: bytes) -> None:
    if not data:
        return
    name = LOCKS[data[0] % len(LOCKS)]
    (ROOT / name).write_bytes(data[1:])
    parser = next(p for p in PARSERS if p.patterns[0].replace("*", "x") == name)
    try:
        list(parser.parse(ROOT, name))
    except LockfileError:
        pass


def baseline(data: bytes) -> None:
    try:
        parse_baseline(data.decode("utf-8", "replace"), ".guard-baseline.json")
    except BaselineError:
        pass


TARGETS = {f.__name__: f for f in (sarif, config, waivers, metadata, lockfile, baseline)}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [libFuzzer flags]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
