"""How much of each framework guard's built-in checks can assess automatically.

A control counts as covered when at least one check guard ships maps to it: the policy pack
(controls from METADATA), guard's semgrep rules (their CWE metadata), and the checks every
registered scanner declares (`Scanner.checks`, e.g. bandit's test -> CWE table), each resolved
through the same mapping functions the per-run status uses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import yaml

from guard.compliance.frameworks import Framework, FrameworkError
from guard.compliance.mappings import Mappings, check_name, controls_for
from guard.model import Category, Rule

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# File names that make every registered scanner select something when asked for its checks.
SAMPLE_FILES = (
    "app.py", "index.js", "main.go", "main.tf", "template.yaml", "k8s/deployment.yaml", "Dockerfile",
    ".github/workflows/ci.yml", "requirements.txt", "poetry.lock", "package-lock.json", "go.sum",
    "pyproject.toml", "Chart.yaml", "docker-compose.yml", ".env",
)


@dataclass(frozen=True, slots=True)
class Check:
    """One check guard can run: the tool that runs it, its Rule, and its category."""

    tool: str
    rule: Rule
    category: Category

    @property
    def name(self) -> str:
        return check_name(self.tool, self.rule.id)


@dataclass(frozen=True, slots=True)
class FrameworkCoverage:
    framework: str
    name: str
    total: int
    covered: dict[str, tuple[str, ...]] = field(default_factory=dict)  # control id -> check names
    by_tool: dict[str, int] = field(default_factory=dict)  # tool -> controls it reaches
    top_level: int = 0  # controls without a parent (PCI x.y sections; every control elsewhere)
    top_level_reached: int = 0  # of those, covered directly or through a refinement (PCI x.y.z)

    @property
    def automated(self) -> int:
        return len(self.covered)

    @property
    def percent(self) -> float:
        return round(100.0 * self.automated / self.total, 1) if self.total else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"framework": self.framework, "name": self.name, "controls": self.total,
                "automated": self.automated, "percent": self.percent, "by_tool": dict(self.by_tool),
                "top_level": self.top_level, "top_level_reached": self.top_level_reached,
                "covered": {k: list(v) for k, v in self.covered.items()}}


def coverage(frameworks: Sequence[Framework], checks: Iterable[Check], mappings: Mappings | None = None) -> list[FrameworkCoverage]:
    """Per framework: the controls at least one of `checks` maps to, and which checks."""
    reached: dict[str, dict[str, dict[str, None]]] = {f.id: {} for f in frameworks}
    for check in checks:
        for fid, ids in controls_for(check.rule, frameworks, tool=check.tool, category=check.category,
                                     mappings=mappings).items():
            for cid in ids:
                reached[fid].setdefault(cid, {})[check.name] = None
    out = []
    for framework in frameworks:
        covered = {c.id: tuple(reached[framework.id][c.id]) for c in framework.controls if c.id in reached[framework.id]}
        tools: dict[str, set[str]] = {}
        for cid, names in covered.items():
            for name in names:
                tools.setdefault(name.split(":", 1)[0], set()).add(cid)
        reached_top = {(framework.ancestors(cid) or [cid])[-1] for cid in covered}
        top = [c.id for c in framework.controls if not c.parent]
        out.append(FrameworkCoverage(framework.id, framework.name, len(framework.controls), covered,
                                     {t: len(ids) for t, ids in sorted(tools.items())},
                                     len(top), len(reached_top & set(top))))
    return out


# --- guard's built-in checks -------------------------------------------------------------------


def builtin_checks(policy_dirs: Sequence[Path] | None = None, semgrep_dirs: Sequence[Path] | None = None) -> list[Check]:
    """Every check guard ships: policy pack, semgrep rules and registered scanners' declared checks."""
    from guard.policy.loader import builtin_dir

    root = builtin_dir()
    checks = policy_checks(policy_dirs if policy_dirs is not None else [root])
    checks += semgrep_checks(semgrep_dirs if semgrep_dirs is not None else [root / "semgrep"])
    checks += scanner_checks()
    return checks


def policy_checks(dirs: Sequence[Path]) -> list[Check]:
    """Policies (Rego METADATA and Python decorators) as checks of the `policy` tool."""
    from guard.policy.loader import load_pack

    pack = load_pack(list(dirs), entry_points=False)
    metas = [m.meta for m in pack.policies if m.meta is not None] + [p.meta for p in pack.python]
    return [Check("policy", meta.rule(), Category.POLICY) for meta in metas]


def semgrep_checks(dirs: Sequence[Path]) -> list[Check]:
    """guard's semgrep rules (id + CWE metadata) as checks of the `semgrep` tool."""
    out: list[Check] = []
    for directory in dirs:
        for path in sorted(Path(directory).rglob("*.y*ml")):
            try:
                doc = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
            except (OSError, yaml.YAMLError) as exc:
                raise FrameworkError(f"{path}: cannot read semgrep rules: {exc}") from None
            for rule in (doc or {}).get("rules", []) if isinstance(doc, dict) else []:
                meta = rule.get("metadata") or {}
                cwe = meta.get("cwe") or ()
                cwe = (cwe,) if isinstance(cwe, str) else tuple(str(c) for c in cwe)
                text = str(rule.get("message", rule["id"])).strip().splitlines()[0]
                out.append(Check("semgrep", Rule(id=str(rule["id"]), name=str(rule["id"]), short_description=text,
                                                 full_description=text, help_text=text, cwe=cwe), Category.SAST))
    return out


def scanner_checks() -> list[Check]:
    """Checks each registered scanner declares for a run over SAMPLE_FILES."""
    from guard.config import Config
    from guard.scanners.base import all_scanner_classes

    out: list[Check] = []
    config = Config()
    for name, cls in sorted(all_scanner_classes().items()):
        scanner = cls(config)
        for rule in scanner.checks(scanner.select(list(SAMPLE_FILES))):
            out.append(Check(name, rule, scanner.category))
    return out
