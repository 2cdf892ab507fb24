"""`guard policy test`: run every Rego `test_*` rule and every Python policy test on one engine.

No engine ships `opa test`, so guard does it: a test passes when its rule evaluates to true
(tests run with an empty input and use `with input as ...`); false, undefined or an error fail it.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from guard.policy.base import PolicyEngine, PolicyError
from guard.policy.loader import Pack, load_engine, load_pack


@dataclass(frozen=True, slots=True)
class TestResult:
    name: str  # package.rule or file.py::function
    source: str  # file:line
    passed: bool
    detail: str = ""
    seconds: float = 0.0


def load_for_tests(dirs: Iterable[Path], engine: PolicyEngine) -> Pack:
    """Load a pack with its tests into `engine` (PolicyError on any load problem)."""
    pack = load_pack(list(dirs), include_tests=True, entry_points=False)
    load_engine(pack, engine)
    return pack


def _one(engine: PolicyEngine, ref: str) -> object:
    try:
        return engine.evaluate(ref, {})
    except PolicyError as exc:
        return exc


def run_tests(pack: Pack, engine: PolicyEngine) -> list[TestResult]:
    results: list[TestResult] = []
    cases = [(module, name, line) for module in pack.modules for name, line in module.tests]
    try:
        values = engine.evaluate_many([f"{m.ref}.{name}" for m, name, _ in cases], {})
    except PolicyError:  # one test errors: run them one by one to say which
        values = [_one(engine, f"{m.ref}.{name}") for m, name, _ in cases]
    for (module, name, line), value in zip(cases, values):
        if isinstance(value, PolicyError):
            passed, detail = False, f"error: {value}"
        else:
            passed, detail = value is True, "" if value is True else f"evaluated to {value!r}"
        results.append(TestResult(f"{module.package}.{name}", f"{module.path}:{line}", passed, detail))
    for name, fn in pack.python_tests:
        start = time.perf_counter()
        try:
            fn()
            passed, detail = True, ""
        except Exception as exc:  # a failing assertion or a crash both fail the test
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            passed, detail = False, f"{type(exc).__name__} at line {frame.lineno}: {exc}"
        code = fn.__code__
        results.append(TestResult(name, f"{code.co_filename}:{code.co_firstlineno}", passed, detail,
                                  time.perf_counter() - start))
    return results
