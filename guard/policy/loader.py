"""Find, parse and load a policy pack: the built-in pack, user directories, data files.

A pack is Rego modules (policies with METADATA, libraries, optionally `*_test.rego`), Python
policies and data documents, with a version and a content hash for evidence. `load_engine` puts a
pack into an engine and evaluates every policy once, so a broken policy fails here with file:line.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable

import yaml

from guard.cache_budget import touch
from guard.digest import code_digest
from guard.paths import builtin_dir as shipped_dir
from guard.config import Config, PolicySettings
from guard.policy.base import PolicyEngine, PolicyError
from guard.policy.metadata import RegoModule, parse_module
from guard.policy.python import PythonPolicy, load_entry_points, load_file

ENGINES = ("regorus", "opa", "opa-server")
EMPTY_INPUTS: dict[str, Any] = {
    "config": {"files": []},
    "findings": {"findings": [], "context": {"repo": "", "branch": None, "changed_files": None,
                                             "frameworks": [], "fail_on": "high"}},
    "cloud": {"resources": []},
}


@dataclass(frozen=True)
class Pack:
    modules: tuple[RegoModule, ...]
    python: tuple[PythonPolicy, ...]
    python_tests: tuple[tuple[str, Callable[[], Any]], ...]
    data: dict[str, Any]
    version: str
    hash: str

    @property
    def policies(self) -> tuple[RegoModule, ...]:
        return tuple(m for m in self.modules if m.meta is not None)

    def config_files(self) -> frozenset[str] | None:
        """The config file kinds the config policies read (None: some policy reads every kind)."""
        metas = [m.meta for m in self.policies if m.meta is not None] + [p.meta for p in self.python]
        kinds: set[str] = set()
        for meta in metas:
            if meta.input != "config":
                continue
            if meta.files is None:
                return None
            kinds.update(meta.files)
        return frozenset(kinds)


def builtin_dir() -> Path:
    """The built-in pack (`policies/` next to the package). PolicyError if it is missing."""
    path = shipped_dir("policies")
    if not (path / "rego").is_dir():
        raise PolicyError(f"built-in policy pack not found at {path} (set policies.builtin: false to run without it)")
    return path


def policy_dirs(settings: PolicySettings, base: Path) -> list[Path]:
    """Built-in pack (unless disabled) plus the user's directories, relative to `base`."""
    dirs = [builtin_dir()] if settings.builtin else []
    for entry in settings.paths:
        path = (base / entry).resolve()
        if not path.exists():
            raise PolicyError(f"policy path {entry} does not exist (looked in {base})")
        dirs.append(path)
    return dirs


def load_pack(dirs: Iterable[Path], data_files: Iterable[Path] = (), *, include_tests: bool = False,
              entry_points: bool = True) -> Pack:
    modules: list[RegoModule] = []
    python: list[PythonPolicy] = []
    python_tests: list[tuple[str, Callable[[], Any]]] = []
    digest = hashlib.sha256()
    version = "custom"
    for root in dirs:
        if (root / "VERSION").is_file():
            version = (root / "VERSION").read_text(encoding="utf-8").strip()
        for path in sorted(root.rglob("*.rego")) if root.is_dir() else [root] if root.suffix == ".rego" else []:
            is_test = path.name.endswith("_test.rego")
            if is_test and not include_tests:
                continue
            text, shown = _read(path), _display(path)
            modules.append(parse_module(shown, text))
            if not is_test:
                digest.update(f"{shown}\0{text}\0".encode())
        for path in _python_files(root):
            found, tests = load_file(path)
            python.extend(found)
            python_tests.extend(tests)
            digest.update(f"{_display(path)}\0{_read(path)}\0".encode())
    if entry_points:
        python.extend(load_entry_points())
    data: dict[str, Any] = {}
    for path in data_files:
        doc = _load_data(path)
        digest.update(json.dumps(doc, sort_keys=True).encode())
        data = _merge(data, doc, str(path))
    _check_unique(modules, python)
    return Pack(tuple(modules), tuple(python), tuple(python_tests), data, version, digest.hexdigest())


def make_engine(name: str, settings: PolicySettings, opa_url: str | None = None) -> PolicyEngine:
    if name == "regorus":
        from guard.policy.regorus import RegorusEngine
        return RegorusEngine()
    if name == "opa":
        from guard.policy.opa import OpaEngine
        return OpaEngine()
    if name == "opa-server":
        from guard.policy.opa_server import OpaServerEngine
        return OpaServerEngine.from_settings(opa_url or settings.opa_url, settings.opa_token_env,
                                             settings.opa_ca_bundle, settings.opa_verify_tls)
    raise PolicyError(f"unknown policy engine {name!r} (expected one of: {', '.join(ENGINES)})")


def load_engine(pack: Pack, engine: PolicyEngine, checks: Path | None = None) -> None:
    """Add the pack to `engine` and evaluate every policy once on empty input.

    `checks`: a folder remembering packs that passed with this engine and this checking code; such a
    pack skips the checks (each costs a few hundred milliseconds on every run otherwise).
    """
    for module in pack.modules:
        engine.add_module(module.path, module.source)
    if pack.data:
        engine.add_data(pack.data)
    marker = checks / _check_key(pack, engine) if checks is not None else None
    checked = marker is not None and marker.is_file()
    engine.prepare(checked=checked)
    if checked:
        touch(marker)
        return
    for kind, empty in EMPTY_INPUTS.items():
        modules = [m for m in pack.policies if m.meta is not None and m.meta.input == kind]
        for module in modules:
            if not module.has_deny:
                raise PolicyError(f"{module.path}:{module.package_line}: policy {module.meta.id} has no `deny` rule")
        values = engine.evaluate_many([f"{m.ref}.deny" for m in modules], empty)
        for module, value in zip(modules, values):
            _check_deny(module, value)
    if marker is not None:
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass  # not remembered: checked again next time


def _check_key(pack: Pack, engine: PolicyEngine) -> str:
    h = hashlib.sha256(f"{pack.hash}\0{engine.version()}\0{_checking_code()}".encode())
    for module in pack.modules:  # libraries and tests as loaded, too
        h.update(f"{module.path}\0{module.source}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


@lru_cache(maxsize=1)
def _checking_code() -> str:
    """guard's version and the policy code that loads and checks packs."""
    return code_digest(Path(__file__).resolve().parent)


def _check_deny(module: RegoModule, value: Any) -> None:
    if not isinstance(value, list):
        raise PolicyError(f"{module.path}:{module.package_line}: `deny` of {module.meta.id} must be a set "
                          f"(`deny contains result if ...`), got {value!r}")


def data_files(settings: PolicySettings, base: Path) -> list[Path]:
    out = []
    for entry in settings.data:
        path = (base / entry).resolve()
        if not path.is_file():
            raise PolicyError(f"policy data file {entry} does not exist (looked in {base})")
        out.append(path)
    return out


def _python_files(root: Path) -> list[Path]:
    """Python policies: `<root>/python/**/*.py` in a pack, else `*.py` directly in a user folder."""
    if not root.is_dir():
        return [root] if root.suffix == ".py" else []
    found = sorted((root / "python").rglob("*.py")) if (root / "python").is_dir() else sorted(root.glob("*.py"))
    return [p for p in found if not p.name.startswith("_")]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"{path}: cannot read: {exc}") from None


def _display(path: Path) -> str:
    """Paths in messages: relative to the working directory when below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _load_data(path: Path) -> dict[str, Any]:
    text = _read(path)
    try:
        doc = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise PolicyError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise PolicyError(f"{path}:{mark.line + 1 if mark else 1}: invalid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(doc, dict):
        raise PolicyError(f"{path}:1: a policy data document must be a mapping")
    return doc


def _merge(base: dict[str, Any], over: dict[str, Any], source: str) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, source)
        elif key in out and out[key] != value:
            raise PolicyError(f"{source}: data key {key!r} conflicts with an earlier data file")
        else:
            out[key] = value
    return out


def _check_unique(modules: list[RegoModule], python: list[PythonPolicy]) -> None:
    seen: dict[str, str] = {}
    metas = [m.meta for m in modules if m.meta is not None] + [p.meta for p in python]
    for meta in metas:
        if meta.id in seen:
            raise PolicyError(f"{meta.source}: policy id {meta.id} already used at {seen[meta.id]}")
        seen[meta.id] = meta.source
    packages: dict[str, str] = {}
    for m in modules:
        if m.meta is not None:
            if m.package in packages:
                raise PolicyError(f"{m.path}:{m.package_line}: package {m.package} already has a policy in {packages[m.package]}")
            packages[m.package] = m.path


def settings_base(config: Config, target: Path) -> Path:
    """User policy paths are relative to the config file's folder, else to the scan target."""
    return Path(config.source).resolve().parent if config.source else target.resolve()
