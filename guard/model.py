"""The normalized data every stage after the scanners works on.

Data flows one way: scanner output -> Finding -> policy results -> ControlResult -> outputs.
Everything here is a frozen dataclass so stages can be pure functions of their inputs.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, TypeVar

_R = TypeVar("_R")


class Severity(enum.Enum):
    """Finding severity, ordered from most to least severe."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    __hash__ = object.__hash__  # members are singletons; Enum's own hash is a Python call per lookup

    @property
    def rank(self) -> int:
        """Higher is more severe (critical=4 .. info=0)."""
        return _RANK[self]

    @property
    def security_severity(self) -> str:
        """GitHub's `security-severity` score for this level (a string, as GitHub wants it)."""
        return _SCORE[self]

    def at_least(self, other: "Severity") -> bool:
        return self.rank >= other.rank

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.strip().lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (expected one of: {', '.join(s.value for s in cls)})") from None

    @classmethod
    def from_score(cls, score: float) -> "Severity":
        """CVSS-style 0-10 score to a level (GitHub's bands)."""
        if score >= 9.0:
            return cls.CRITICAL
        if score >= 7.0:
            return cls.HIGH
        if score >= 4.0:
            return cls.MEDIUM
        if score > 0.0:
            return cls.LOW
        return cls.INFO


_RANK = {Severity.CRITICAL: 4, Severity.HIGH: 3, Severity.MEDIUM: 2, Severity.LOW: 1, Severity.INFO: 0}
_SCORE = {Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5", Severity.LOW: "2.0", Severity.INFO: "0.1"}


class Category(enum.Enum):
    """What kind of scanner (or policy) produced a finding."""

    IAC = "iac"
    SAST = "sast"
    DEPENDENCY = "dependency"
    SECRET = "secret"
    CONTAINER = "container"
    CI = "ci"
    CLOUD = "cloud"
    POLICY = "policy"

    __hash__ = object.__hash__  # as Severity


# the categories of infrastructure checks (checkov's and trivy's for the same checks): they report a
# whole resource's lines, and one CWE covers several of their problems
INFRASTRUCTURE = frozenset({Category.IAC, Category.CONTAINER})


@dataclass(frozen=True, slots=True)
class Location:
    """Where a finding is: a repository-relative POSIX path and an optional line range."""

    path: str
    start_line: int | None = None
    end_line: int | None = None
    start_column: int | None = None
    end_column: int | None = None
    snippet: str | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.start_line}" if self.start_line else self.path


@dataclass(frozen=True, slots=True)
class Rule:
    """A tool's rule, with the descriptive metadata GitHub code scanning requires."""

    id: str
    name: str
    short_description: str
    full_description: str
    help_text: str
    help_uri: str | None = None
    help_markdown: str | None = None
    tags: tuple[str, ...] = ()
    cwe: tuple[str, ...] = ()  # "CWE-89"
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # {"soc2": ("CC6.1",)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One normalized problem, from any tool or policy."""

    tool: str
    rule: Rule
    message: str
    severity: Severity
    category: Category
    location: Location | None = None
    resource: str | None = None
    cwe: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    fingerprint: str = ""
    found_by: tuple[str, ...] = ()
    severity_source: str = "tool"
    controls: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def rule_id(self) -> str:
        return self.rule.id

    @property
    def title(self) -> str:
        return self.rule.short_description

    @property
    def path(self) -> str | None:
        return self.location.path if self.location else None


# Each member's value by member: quicker than `.value` (a descriptor call) in the per-finding stages.
VALUE: dict[enum.Enum, str] = {m: m.value for e in (Severity, Category) for m in e}


class Status(enum.Enum):
    """Outcome of one scanner in one run."""

    OK = "ok"
    SKIPPED = "skipped"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class ScannerRun:
    """What one scanner did in a run: its version, outcome, findings and raw output files."""

    scanner: str
    category: Category
    status: Status
    version: str | None = None
    reason: str = ""
    findings: tuple[Finding, ...] = ()
    files_scanned: int = 0
    seconds: float = 0.0
    raw_outputs: tuple[str, ...] = ()
    cached: bool = False
    checks: tuple[Rule, ...] = ()  # the checks this scanner evaluated (for control coverage)
    cache_key: str | None = None  # result-cache key of a successful run (None: not cacheable)
    files_cached: int = 0  # of files_scanned, those whose findings came from the cache (the tool ran on the rest)


class ControlStatus(enum.Enum):
    FAILED = "failed"
    PASSED = "passed"
    NOT_ASSESSED = "not assessed"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class ControlResult:
    """Status of one framework control in one run, with the checks and findings behind it."""

    framework: str
    control_id: str
    title: str
    status: ControlStatus
    checks: tuple[str, ...] = ()
    failing: tuple[str, ...] = ()  # fingerprints of findings that failed it
    waived: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted risk: which findings it covers, who owns it and until when."""

    reason: str
    owner: str
    expires: str
    source: str  # file:line, or "inline" for `# nosec`-style skips
    rule_id: str | None = None
    fingerprint: str | None = None
    paths: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Gate:
    """The pass/fail decision for a run."""

    passed: bool
    fail_on: Severity
    blocking: tuple[str, ...] = ()  # fingerprints of findings that fail the gate
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RunResult:
    """Everything one `guard scan` produced."""

    target: str
    started: str
    finished: str
    guard_version: str
    scanners: tuple[ScannerRun, ...]
    findings: tuple[Finding, ...]
    waived: tuple[tuple[Finding, Waiver], ...] = ()
    controls: tuple[ControlResult, ...] = ()
    gate: Gate | None = None
    commit: str | None = None
    branch: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> tuple[ScannerRun, ...]:
        return tuple(s for s in self.scanners if s.status is Status.ERROR)


def evolve(record: _R, **changes: Any) -> _R:
    """`dataclasses.replace` for the frozen slots records here, without the `__init__` call (they have
    no `__post_init__`): the per-finding stages use it on every finding."""
    copy = _COPIERS.get(type(record))
    if copy is None:
        copy = _COPIERS[type(record)] = _copier(type(record))
    return copy(record, changes)


_COPIERS: dict[type, Callable[[Any, dict[str, Any]], Any]] = {}


def _copier(cls: type) -> Callable[[Any, dict[str, Any]], Any]:
    """A function copying a `cls` record field by field (straight-line code, as dataclasses generates
    its `__init__`), then setting the changed fields."""
    names: tuple[str, ...] = cls.__slots__  # type: ignore[attr-defined]
    setters = {name: cls.__dict__[name].__set__ for name in names}  # slot descriptors bypass frozen
    lines = [f"    set_{name}(new, record.{name})" for name in names]
    source = "\n".join([
        "def copy(record, changes):",
        "    new = new_object(cls)",
        *lines,
        "    for name, value in changes.items():",
        "        try:",
        "            setters[name](new, value)",
        "        except KeyError:",
        "            raise TypeError(f'{cls.__name__} has no field {name}') from None",
        "    return new",
    ])
    namespace: dict[str, Any] = {"new_object": object.__new__, "cls": cls, "setters": setters,
                                 **{f"set_{name}": setter for name, setter in setters.items()}}
    exec(source, namespace)  # noqa: S102 - the source is built from the class's own field names
    return namespace["copy"]
