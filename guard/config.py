"""guard's configuration: `.guard.yaml` (or `[tool.guard]` in pyproject.toml), `GUARD_*` env, flags.

Precedence: flags > GUARD_* environment > file > defaults. The schema is the dataclasses below:
every key a user may write is a field, unknown keys and wrong types are errors that name the file
and line. Nested sections map to env names by joining with `_` (`GUARD_POLICIES_ENGINE`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from guard.model import Severity

CONFIG_FILES = (".guard.yaml", ".guard.yml")
MAX_CONFIG_BYTES = 1024 * 1024


class ConfigError(Exception):
    """Bad configuration; the message names the file and line."""


@dataclass(frozen=True)
class ToolSettings:
    """Per-tool overrides: a binary to use instead of guard's pinned environment, a timeout."""

    path: str | None = None
    timeout: float | None = None
    args: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SemgrepSettings:
    rules: list[str] = field(default_factory=list)  # extra rule files/dirs, added to guard's pack
    builtin_rules: bool = True


@dataclass(frozen=True)
class PolicySettings:
    paths: list[str] = field(default_factory=list)  # user policy directories (Rego and Python)
    data: list[str] = field(default_factory=list)  # JSON/YAML data documents for Rego
    builtin: bool = True
    engine: str = "regorus"  # regorus | opa | opa-server
    opa_url: str | None = None
    opa_token_env: str = "GUARD_OPA_TOKEN"
    opa_ca_bundle: str | None = None
    opa_verify_tls: bool = True


@dataclass(frozen=True)
class AdvisorySettings:
    db: str | None = None  # advisory store location (default: cache folder)
    max_age_days: int = 30
    skip_ecosystems: list[str] = field(default_factory=list)  # dependencies of these are listed, not checked


@dataclass(frozen=True)
class WaiverSettings:
    file: str = ".guard-waivers.yaml"
    max_days: int = 365
    forbid_inline_above: str | None = None  # e.g. "high": inline skips of higher findings are ignored


@dataclass(frozen=True)
class EvidenceSettings:
    kms_key_id: str | None = None  # S3 SSE-KMS key (id, ARN or alias); unset: the bucket's default
    object_lock_mode: str | None = None  # GOVERNANCE | COMPLIANCE (bucket needs Object Lock enabled)
    retention_days: int = 0  # Object Lock retention for stored runs and ledger entries
    default_branch: str | None = None  # unset: origin/HEAD of the scanned repository
    s3_max_attempts: int = 6  # per S3 request, with exponential backoff on throttling and 5xx


@dataclass(frozen=True)
class ManualControl:
    framework: str
    control: str
    evidence: str
    owner: str
    date: str
    expires: str


@dataclass(frozen=True)
class Config:
    """Effective configuration for one run."""

    scanners: list[str] = field(default_factory=list)  # empty: every scanner that applies
    skip_scanners: list[str] = field(default_factory=list)
    fail_on: str = "high"
    soft_fail: bool = False
    frameworks: list[str] = field(default_factory=lambda: ["soc2", "pci-dss", "iso27001", "gdpr"])
    framework_paths: list[str] = field(default_factory=list)  # directories/files of user framework catalogs
    timeout: float = 900.0  # per scanner, seconds
    jobs: int = 0  # scanners run at once; 0: one per CPU core (all of them on a few files: runner.workers)
    exclude: list[str] = field(default_factory=list)
    formats: list[str] = field(default_factory=lambda: ["table"])
    baseline: str = ".guard-baseline.json"
    cache: bool = True
    tools: dict[str, ToolSettings] = field(default_factory=dict)
    semgrep: SemgrepSettings = field(default_factory=SemgrepSettings)
    policies: PolicySettings = field(default_factory=PolicySettings)
    advisories: AdvisorySettings = field(default_factory=AdvisorySettings)
    waivers: WaiverSettings = field(default_factory=WaiverSettings)
    manual_controls: list[ManualControl] = field(default_factory=list)
    evidence: EvidenceSettings = field(default_factory=EvidenceSettings)
    source: str | None = field(default=None, metadata={"internal": True})

    @property
    def fail_on_severity(self) -> Severity:
        return Severity.parse(self.fail_on)

    def tool(self, name: str) -> ToolSettings:
        return self.tools.get(name, ToolSettings())

    def replace(self, **changes: Any) -> "Config":
        return dataclasses.replace(self, **changes)


# --- loading -------------------------------------------------------------------------------


def load(root: Path, explicit: Path | None = None, env: Mapping[str, str] | None = None,
         flags: Mapping[str, Any] | None = None) -> Config:
    """Config for a scan of `root`: defaults < file < GUARD_* env < flags (None flags are unset)."""
    env = os.environ if env is None else env
    data: dict[str, Any] = {}
    source: str | None = None
    path = explicit or _find_file(root)
    if path is not None:
        data, lines = _read_file(path)
        source = str(path)
    else:
        lines = {}
    merged = _merge(data, _from_env(env))
    merged = _merge(merged, {k: v for k, v in (flags or {}).items() if v is not None})
    config = _build(Config, merged, source or "<defaults>", lines, ())
    config = dataclasses.replace(config, source=source)
    _check_values(config, source or "<config>", lines)
    return config


def _find_file(root: Path) -> Path | None:
    base = root if root.is_dir() else root.parent
    for name in CONFIG_FILES:
        if (base / name).is_file():
            return base / name
    if (base / "pyproject.toml").is_file():
        try:
            doc = tomllib.loads((base / "pyproject.toml").read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return None
        if "guard" in doc.get("tool", {}):
            return base / "pyproject.toml"
    return None


def read_text_limited(path: Path, limit: int, shown: str | None = None) -> str:
    """A small UTF-8 text file; unreadable, oversized or undecodable files are a ConfigError naming it."""
    shown = shown or str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(limit + 1)
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot read: {exc.strerror}") from None
    if len(raw) > limit:
        raise ConfigError(f"{shown}: over the {limit}-byte limit")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{shown}: not UTF-8 (byte {exc.start})") from None


def _read_file(path: Path) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    text = read_text_limited(path, MAX_CONFIG_BYTES)
    if path.name == "pyproject.toml":
        return _read_pyproject(path, text)
    return read_yaml_with_lines(path, text)


_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml_with_lines(path: Path, text: str) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    """Parse a YAML mapping safely (one pass, libyaml when present), with a key-path -> line index.

    Anchors/aliases are refused: a node reached twice is an alias (no billion-laughs expansion).
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return {}, {}
        lines: dict[tuple[str, ...], int] = {}
        _index_lines(node, (), lines, set())
        data = loader.construct_document(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise ConfigError(f"{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    except RecursionError:
        raise ConfigError(f"{path}: YAML nested too deeply") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:{node.start_mark.line + 1}: expected a mapping at the top level")
    return data, lines


def _index_lines(node: yaml.Node, prefix: tuple[str, ...], out: dict[tuple[str, ...], int], seen: set[int]) -> None:
    if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        if id(node) in seen:
            raise yaml.composer.ComposerError(None, None, "YAML aliases are not allowed", node.start_mark)
        seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = (*prefix, str(key.value))
            out[k] = key.start_mark.line + 1
            _index_lines(value, k, out, seen)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            k = (*prefix, str(i))
            out[k] = item.start_mark.line + 1
            _index_lines(item, k, out, seen)


def _read_pyproject(path: Path, text: str) -> tuple[dict[str, Any], dict[tuple[str, ...], int]]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    data = doc.get("tool", {}).get("guard", {})
    header = next((i for i, line in enumerate(text.splitlines(), 1) if line.strip() == "[tool.guard]"), 0)
    lines: dict[tuple[str, ...], int] = {}
    for i, line in enumerate(text.splitlines(), 1):
        key = line.split("=", 1)[0].strip()
        if i > header and "=" in line and key in data:
            lines.setdefault((key,), i)
    return data, lines


def _from_env(env: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    hints = typing.get_type_hints(Config)
    for f in dataclasses.fields(Config):
        if f.metadata.get("internal"):
            continue
        hint = hints[f.name]
        if dataclasses.is_dataclass(hint):
            for sub in dataclasses.fields(hint):
                value = env.get(f"GUARD_{f.name}_{sub.name}".upper())
                if value is not None:
                    out.setdefault(f.name, {})[sub.name] = _env_value(value, typing.get_type_hints(hint)[sub.name])
            continue
        value = env.get(f"GUARD_{f.name}".upper())
        if value is not None:
            out[f.name] = _env_value(value, hint)
    return out


def _env_value(value: str, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin is list:
        return [v.strip() for v in value.split(",") if v.strip()]
    if hint is bool:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    return value


def _merge(base: dict[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _where(source: str, lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> str:
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return f"{source}:{lines[path[:n]]}"
    return source


def _build(cls: type, data: Any, source: str, lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> Any:
    if not isinstance(data, Mapping):
        raise ConfigError(f"{_where(source, lines, path)}: `{'.'.join(path)}` must be a mapping")
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if not f.metadata.get("internal")}
    kwargs: dict[str, Any] = {}
    for key, value in data.items():
        key_s = str(key).replace("-", "_")
        kpath = (*path, str(key))
        if key_s not in known:
            options = ", ".join(sorted(known))
            raise ConfigError(f"{_where(source, lines, kpath)}: unknown key `{'.'.join(kpath)}` (known: {options})")
        kwargs[key_s] = _coerce(hints[key_s], value, source, lines, kpath)
    missing = [name for name, f in known.items() if name not in kwargs and _required(f)]
    if missing:
        keys = ", ".join(f"`{name}`" for name in missing)
        raise ConfigError(f"{_where(source, lines, path)}: `{'.'.join(path)}` is missing {keys}")
    return cls(**kwargs)


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _coerce(hint: Any, value: Any, source: str, lines: Mapping[tuple[str, ...], int], path: tuple[str, ...]) -> Any:
    where = _where(source, lines, path)
    name = ".".join(path)
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None:
            return None
        return _coerce(args[0], value, source, lines, path)
    if dataclasses.is_dataclass(hint):
        return _build(hint, value, source, lines, path)
    if origin is list:
        (item,) = typing.get_args(hint)
        if isinstance(value, str) and item is str:
            value = [value]
        if not isinstance(value, list):
            raise ConfigError(f"{where}: `{name}` must be a list")
        return [_coerce(item, v, source, lines, (*path, str(i))) for i, v in enumerate(value)]
    if origin is dict:
        _, item = typing.get_args(hint)
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: `{name}` must be a mapping")
        return {str(k): _coerce(item, v, source, lines, (*path, str(k))) for k, v in value.items()}
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: `{name}` must be true or false, not {value!r}")
        return value
    if hint in (int, float):
        if isinstance(value, bool):
            raise ConfigError(f"{where}: `{name}` must be a number, not {value!r}")
        try:
            return hint(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{where}: `{name}` must be a number, not {value!r}") from None
    if hint is str:
        if isinstance(value, (dict, list)) or value is None:
            raise ConfigError(f"{where}: `{name}` must be a string")
        return str(value)
    raise ConfigError(f"{where}: `{name}` has an unsupported type")  # pragma: no cover


def _check_values(config: Config, source: str, lines: Mapping[tuple[str, ...], int]) -> None:
    try:
        Severity.parse(config.fail_on)
    except ValueError as exc:
        raise ConfigError(f"{_where(source, lines, ('fail_on',))}: fail_on: {exc}") from None
    if config.waivers.forbid_inline_above:
        try:
            Severity.parse(config.waivers.forbid_inline_above)
        except ValueError as exc:
            raise ConfigError(f"{_where(source, lines, ('waivers', 'forbid_inline_above'))}: {exc}") from None
    if config.advisories.skip_ecosystems:
        from guard.advisories.versions import SUPPORTED_ECOSYSTEMS

        for i, name in enumerate(config.advisories.skip_ecosystems):
            if name not in SUPPORTED_ECOSYSTEMS and not re.fullmatch(r"purl:[a-z0-9.+-]+", name):
                raise ConfigError(f"{_where(source, lines, ('advisories', 'skip_ecosystems', str(i)))}: unknown "
                                  f"ecosystem {name!r} (known: {', '.join(SUPPORTED_ECOSYSTEMS)}, or an SBOM's "
                                  "package type as purl:TYPE, e.g. purl:deb)")
    if config.timeout <= 0:
        raise ConfigError(f"{_where(source, lines, ('timeout',))}: timeout must be positive")
    if config.jobs < 0:
        raise ConfigError(f"{_where(source, lines, ('jobs',))}: jobs must be 0 (auto) or more")
    if config.policies.engine not in {"regorus", "opa", "opa-server"}:
        raise ConfigError(
            f"{_where(source, lines, ('policies', 'engine'))}: policies.engine must be regorus, opa or opa-server"
        )
