"""The policy seam: the `PolicyEngine` protocol every Rego engine implements, and the policy layer's
value types (metadata, context, violations, the result of a run).

A Rego engine loads modules and data, then evaluates one rule reference against one input and
returns plain JSON values. Everything above that (which rules to ask, what results mean) lives in
the loader and runner, so the same policy pack gives the same answer on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence, runtime_checkable

from guard.model import Finding, Rule, Severity

FRAMEWORKS = ("soc2", "pci-dss", "iso27001", "gdpr")
INPUT_KINDS = ("config", "findings", "cloud")
# The kinds of config file entries in a config policy's input (see guard/policy/inputs).
CONFIG_KINDS = ("terraform", "cloudformation", "kubernetes", "dockerfile", "json", "yaml")


class PolicyError(Exception):
    """A policy failed to load or to evaluate, or the engine is unreachable. Names file:line."""


class InputError(PolicyError):
    """A config file guard cannot parse: reported as a finding on that file, not a run abort."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}" if line else f"{path}: {message}")
        self.path, self.line, self.detail = path, line, message


class _Undefined:
    """The result of a rule that is undefined for the input (distinct from false or empty)."""

    _instance: "_Undefined | None" = None

    def __new__(cls) -> "_Undefined":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Any = _Undefined()


@runtime_checkable
class PolicyEngine(Protocol):
    """A Rego engine. Not thread-safe: build one per thread (regorus is bound to its thread)."""

    name: str

    def version(self) -> str:
        """Engine name and version, e.g. `regorus 0.13.0`."""

    def add_module(self, path: str, source: str) -> None:
        """Add a Rego module; `path` appears in error messages. Raises PolicyError (file:line)."""

    def add_data(self, data: Mapping[str, Any]) -> None:
        """Deep-merge a JSON document into `data`."""

    def prepare(self, checked: bool = False) -> None:
        """Compile what was added so broken modules fail now, not at the first evaluation.

        `checked`: these exact modules passed this engine's load checks before; skip what only checks.
        """

    def evaluate(self, ref: str, input: Any) -> Any:
        """Value of `ref` (e.g. `data.guard.config.s3.deny`) for `input`, as JSON values.

        Returns UNDEFINED when the rule is undefined. Raises PolicyError on evaluation errors.
        """

    def evaluate_many(self, refs: Sequence[str], input: Any) -> list[Any]:
        """`evaluate` for several refs on one input, in one engine round-trip where possible."""

    def load_input(self, input: Any) -> None:
        """Read `input` now, for the `evaluate` calls that pass this same object (forked copies of an
        in-process engine then share it); an engine that takes the input with each call does nothing."""

    def close(self) -> None:
        """Release the engine's resources."""


@runtime_checkable
class ForkableEngine(PolicyEngine, Protocol):
    """An engine that evaluates in this process, so a forked copy of the process can evaluate too; such a
    copy sends its values back as the engine's JSON text (no Python objects built twice on the way)."""

    def evaluate_text(self, ref: str, input: Any) -> str:
        """`evaluate`'s value as the engine's JSON text, for `decode`."""

    def decode(self, text: str) -> Any:
        """The value `evaluate_text` gave as text (UNDEFINED included)."""


@dataclass(frozen=True, slots=True)
class PolicyMeta:
    """What a policy says about itself (OPA `# METADATA` or the Python decorator)."""

    id: str
    title: str
    description: str
    severity: Severity
    controls: Mapping[str, tuple[str, ...]]
    rationale: str = ""
    input: str = "config"  # config | findings | cloud
    category: str = "iac"  # Category value for config-policy findings
    cwe: tuple[str, ...] = ()
    source: str = ""  # file:line of the METADATA block or decorator
    files: tuple[str, ...] | None = None  # config policy: the CONFIG_KINDS it reads (None: any)
    judges: tuple[str, ...] | None = None  # finding policy: the finding categories it judges (None: any)

    def rule(self) -> Rule:
        """This policy as a Rule (for findings and for compliance coverage)."""
        help_text = self.description + (f"\n\nWhy: {self.rationale}" if self.rationale else "")
        tags = ("guard-policy", self.input) + tuple(f"{fw}:{c}" for fw, ids in sorted(self.controls.items()) for c in ids)
        return Rule(
            id=self.id,
            name=self.id,
            short_description=self.title,
            full_description=self.description,
            help_text=help_text,
            tags=tags[:20],
            cwe=self.cwe,
            controls=dict(self.controls),
        )


@dataclass(frozen=True, slots=True)
class PolicyContext:
    """Facts about the run a finding policy may use."""

    repo: str
    branch: str | None
    changed_files: tuple[str, ...] | None  # None: whole tree scanned
    frameworks: tuple[str, ...]
    fail_on: str
    scanned: tuple[str, ...] | None = None  # finding categories of the scanners that ran (None: not known)

    def as_input(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "branch": self.branch,
            "changed_files": list(self.changed_files) if self.changed_files is not None else None,
            "frameworks": list(self.frameworks),
            "fail_on": self.fail_on,
            "scanned": list(self.scanned) if self.scanned is not None else None,
        }


@dataclass(frozen=True, slots=True)
class Violation:
    """A finding policy's verdict: one finding (or the whole run, fingerprint None) breaks a policy."""

    policy: str
    severity: Severity
    message: str
    fingerprint: str | None = None
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = ""  # policy file:line


@dataclass(frozen=True, slots=True)
class PolicyRun:
    """Everything the policy layer produced for one run."""

    findings: tuple[Finding, ...]
    violations: tuple[Violation, ...]
    checks: tuple[Rule, ...]
    engine: str
    pack_version: str
    pack_hash: str
    seconds: float = 0.0
