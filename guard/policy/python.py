"""Python policies: a function decorated with `@policy(...)` (the same fields as Rego METADATA).

The function receives the same input a Rego policy gets (see policies/README.md) and returns or
yields result objects: {"msg", "path", "line", "resource"} for config policies, {"msg",
"fingerprint"} for finding policies. Loaded from `*.py` files in policy directories and from the
entry-point group `guard.policies` (an entry point names a decorated function or a module).
Functions named `test_*` in a policy file are its tests (`guard policy test` runs them).
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable, Iterable, Mapping

from guard.plugins import entry_points
from guard.policy.base import PolicyError, PolicyMeta
from guard.policy.metadata import build_meta

ENTRY_POINT_GROUP = "guard.policies"
_ATTR = "__guard_policy__"


@dataclass(frozen=True, slots=True)
class PythonPolicy:
    meta: PolicyMeta
    fn: Callable[[Mapping[str, Any]], Iterable[Mapping[str, Any]] | None]

    def evaluate(self, input: Mapping[str, Any]) -> list[Any]:
        try:
            return list(self.fn(input) or [])
        except Exception as exc:  # a policy bug must fail the run, naming the policy
            raise PolicyError(f"{self.meta.source}: policy {self.meta.id} raised {type(exc).__name__}: {exc}") from exc


def policy(*, id: str, title: str, description: str, severity: str, controls: Mapping[str, Any],
           rationale: str = "", input: str = "config", category: str | None = None,
           cwe: Iterable[str] = (), files: Iterable[str] | None = None, judges: Iterable[str] | None = None,
           ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark a function as a guard policy. Bad fields raise PolicyError naming file:line."""
    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        where = f"{inspect.getsourcefile(fn) or fn.__module__}:{fn.__code__.co_firstlineno}"
        fields = {"id": id, "title": title, "description": description, "severity": severity,
                  "controls": {k: list(v) if isinstance(v, (list, tuple)) else v for k, v in controls.items()},
                  "rationale": rationale, "input": input, "category": category, "cwe": list(cwe),
                  "files": None if files is None else list(files),
                  "judges": None if judges is None else list(judges)}
        setattr(fn, _ATTR, PythonPolicy(build_meta(where, fields), fn))
        return fn
    return wrap


def load_file(path: Path) -> tuple[list[PythonPolicy], list[tuple[str, Callable[[], Any]]]]:
    """Import a policy file: its policies and its `test_*` functions."""
    name = "guard_policy_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PolicyError(f"{path}:1: cannot load Python policy file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except PolicyError:
        raise
    except SyntaxError as exc:
        raise PolicyError(f"{path}:{exc.lineno}: {exc.msg}") from None
    except Exception as exc:
        tb = exc.__traceback__
        line = 1
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == str(path):
                line = tb.tb_lineno
            tb = tb.tb_next
        raise PolicyError(f"{path}:{line}: importing policy file raised {type(exc).__name__}: {exc}") from None
    tests = [(f"{path.name}::{n}", fn) for n, fn in vars(module).items()
             if n.startswith("test_") and inspect.isfunction(fn) and fn.__module__ == name]
    return _policies_in(module), tests


def load_entry_points() -> list[PythonPolicy]:
    """Policies from installed packages (entry-point group `guard.policies`)."""
    out: list[PythonPolicy] = []
    for ep in entry_points(ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except PolicyError:
            raise
        except Exception as exc:
            raise PolicyError(f"entry point {ep.name} ({ep.value}): {type(exc).__name__}: {exc}") from None
        found = _policies_in(obj) if isinstance(obj, ModuleType) else [getattr(obj, _ATTR)] if hasattr(obj, _ATTR) else []
        if not found:
            raise PolicyError(f"entry point {ep.name} ({ep.value}) holds no @policy function")
        out.extend(found)
    return out


def _policies_in(module: ModuleType) -> list[PythonPolicy]:
    found = [getattr(v, _ATTR) for v in vars(module).values() if callable(v) and hasattr(v, _ATTR)]
    return sorted(found, key=lambda p: p.meta.id)
