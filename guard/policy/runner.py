"""Evaluate a policy pack over one run: config files and the run's findings.

The pipeline runs a `PolicySession` (config policies, then finding policies); `run_policies` runs
both steps at once. Each policy is evaluated once per run with the whole batch as input (all config
files, or all findings), never per item. Any load or evaluation error is a PolicyError naming the
policy's file:line; a run never degrades to "no violations".
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import AbstractSet, Any, Callable, Mapping, Sequence

import orjson

from guard import forked, jsonenc
from guard.config import Config
from guard.model import VALUE, Category, Finding, Location, Rule, Severity
from guard.policy.base import (
    ForkableEngine, InputError, PolicyContext, PolicyEngine, PolicyError, PolicyMeta, PolicyRun, Violation,
)
from guard.paths import cache_dir
from guard.policy.inputs import build_config_input
from guard.policy.inputs.parsecache import ParseCache
from guard.policy.metadata import RegoModule
from guard.policy.loader import Pack, data_files, load_engine, load_pack, make_engine, policy_dirs, settings_base

TOOL = "guard-policy"
FORK_AT = 5_000  # findings from which the finding policies are evaluated beside the other policies
UNPARSED_RULE = Rule(
    id="guard.config.unparsed",
    name="guard.config.unparsed",
    short_description="Config file could not be parsed",
    full_description="guard could not parse this configuration file, so config policies did not check it.",
    help_text="Fix the syntax error (or exclude the file) so guard's config policies can check it.",
    tags=("guard-policy", "coverage"),  # a file not checked: its controls are not assessed, not failed
)

__all__ = ["PolicyContext", "PolicyRun", "Violation", "run_policies", "evaluate_pack", "findings_input"]


ConfigInput = tuple[dict[str, Any], list[InputError]]


def config_input(config: Config, target: Path, files: Sequence[str],
                 kinds: AbstractSet[str] | None = None) -> ConfigInput:
    """The config policies' input for `files`, of the config `kinds` some policy reads (None: all).

    Unchanged files come from the parse cache unless caching is off.
    """
    parsed = ParseCache(cache_dir() / "config-inputs") if config.cache else None
    return build_config_input(target, files, parsed, kinds)


@dataclass(frozen=True, slots=True)
class PreparedPack:
    """A policy pack loaded into an engine that has checked every policy, ready to evaluate."""

    pack: Pack
    engine: PolicyEngine


def prepare(config: Config, target: Path, *, engine: str | None = None, opa_url: str | None = None) -> PreparedPack:
    """Load the pack and prepare its engine (the caller closes `engine`; the in-process engine is bound
    to the thread that made it)."""
    base = settings_base(config, target)
    pack = load_pack(policy_dirs(config.policies, base), data_files(config.policies, base))
    eng = make_engine(engine or config.policies.engine, config.policies, opa_url)
    try:
        load_engine(pack, eng, cache_dir() / "policy-checks" if config.cache else None)
    except BaseException:
        eng.close()
        raise
    return PreparedPack(pack, eng)


def run_policies(config: Config, target: Path, files: Sequence[str], findings: Sequence[Finding],
                 context: PolicyContext, *, engine: str | None = None, opa_url: str | None = None,
                 prepared: Callable[[], ConfigInput] | None = None, ready: PreparedPack | None = None) -> PolicyRun:
    """Config policies over `files` (repo-relative, under `target`) and finding policies over `findings`.

    `prepared` returns `config_input(config, target, files, kinds)` computed earlier, and `ready` is the
    pack from `prepare` (both e.g. made while the scanners ran); the engine is closed on return.
    """
    session = PolicySession(config, target, files, engine=engine, opa_url=opa_url, prepared=prepared, ready=ready)
    try:
        configured = session.config_policies()
        session.start_findings(findings, context)
        judged = session.finish()
    finally:
        session.close()
    return replace(configured, violations=judged.violations, checks=configured.checks + judged.checks,
                   seconds=judged.seconds)


class PolicySession:
    """One run's policies on one engine, in the pipeline's order: the config policies first (their
    findings join the scanners' before deduplication), then the finding policies over the run's
    findings, begun by `start_findings` (a large run's are evaluated by forked children meanwhile)
    and collected by `finish`. Every call on the thread that made the engine; `close` always."""

    def __init__(self, config: Config, target: Path, files: Sequence[str], *, engine: str | None = None,
                 opa_url: str | None = None, prepared: Callable[[], ConfigInput] | None = None,
                 ready: PreparedPack | None = None) -> None:
        self.started = time.perf_counter()
        self.config, self.target, self.files, self.prepared = config, target, files, prepared
        self.ready = ready or prepare(config, target, engine=engine, opa_url=opa_url)
        self.kinds = ({m.meta.input for m in self.ready.pack.policies if m.meta}
                      | {p.meta.input for p in self.ready.pack.python})
        self.evaluation: PackEvaluation | None = None
        self._closed = False

    def config_policies(self) -> PolicyRun:
        """The config policies' findings (and a finding per config file that could not be parsed)."""
        pack, eng = self.ready.pack, self.ready.engine
        inputs: dict[str, Any] = {}
        unparsed: list[Finding] = []
        if "config" in self.kinds:
            inputs["config"], errors = (self.prepared() if self.prepared is not None
                                        else config_input(self.config, self.target, self.files, pack.config_files()))
            unparsed = [_unparsed(e.path, e.line, e.detail) for e in errors]
        run = evaluate_pack(pack, eng, inputs)
        return replace(run, findings=tuple(unparsed) + run.findings, engine=eng.version(), seconds=self._seconds())

    def start_findings(self, findings: Sequence[Finding], context: PolicyContext) -> None:
        """Begin the finding policies over `findings`."""
        inputs = {"findings": findings_input(findings, context)} if "findings" in self.kinds else {}
        self.evaluation = PackEvaluation(self.ready.pack, self.ready.engine, inputs,
                                         beside={"findings"} if len(findings) >= FORK_AT else set())

    def finish(self) -> PolicyRun:
        """The finding policies' violations and checks; the engine is closed."""
        assert self.evaluation is not None, "start_findings() first"
        try:
            return replace(self.evaluation.finish(), engine=self.ready.engine.version(), seconds=self._seconds())
        finally:
            self.close()

    def close(self) -> None:
        """Close the engine (and wait for children nobody asked the values of); more calls do nothing."""
        if not self._closed:
            self._closed = True
            if self.evaluation is not None:
                self.evaluation.close()
            self.ready.engine.close()

    def _seconds(self) -> float:
        return round(time.perf_counter() - self.started, 3)


def findings_input(findings: Sequence[Finding], context: PolicyContext) -> dict[str, Any]:
    """The finding policies' input: plain JSON findings plus the run context."""
    return {"findings": [finding_json(f) for f in findings], "context": context.as_input()}


def finding_json(f: Finding) -> dict[str, Any]:
    loc = f.location
    return {
        "tool": f.tool,
        "rule_id": f.rule.id,
        "title": f.rule.short_description,
        "severity": VALUE[f.severity],
        "category": VALUE[f.category],
        "path": loc.path if loc is not None else None,
        "line": loc.start_line if loc is not None else None,
        "fingerprint": f.fingerprint,
        "cwe": list(f.cwe or f.rule.cwe),
        "aliases": list(f.aliases),
        "properties": _jsonable(f.properties) if f.properties else {},
        "found_by": list(f.found_by),
    }


def evaluate_pack(pack: Pack, engine: PolicyEngine, inputs: Mapping[str, Any]) -> PolicyRun:
    """Evaluate every policy whose input kind is in `inputs` (e.g. {"config": ..., "cloud": ...}); the
    checks are the policies that had something to check (`_checked_something`)."""
    return PackEvaluation(pack, engine, inputs).finish()


class PackEvaluation:
    """`evaluate_pack` in two steps. The Rego policies of the kinds in `beside` are evaluated by forked
    copies of this process (an in-process engine on Linux) from the start, while this one goes on; the
    others when `finish` is called (once)."""

    def __init__(self, pack: Pack, engine: PolicyEngine, inputs: Mapping[str, Any],
                 beside: AbstractSet[str] = frozenset()) -> None:
        self.pack, self.engine, self.inputs = pack, engine, inputs
        self.modules_of = {kind: [m for m in pack.policies if m.meta is not None and m.meta.input == kind]
                           for kind in inputs}
        self.started = {kind: _Beside(engine, self.modules_of[kind], inputs[kind])
                        for kind in inputs if kind in beside and isinstance(engine, ForkableEngine)
                        and self.modules_of[kind]}

    def finish(self) -> PolicyRun:
        try:
            return self._finish()
        finally:
            self.close()

    def close(self) -> None:
        """Wait for the children whose values were not asked for."""
        for pending in self.started.values():
            pending.close()

    def _finish(self) -> PolicyRun:
        findings: list[Finding] = []
        violations: list[Violation] = []
        checks: list[Rule] = []
        inputs = self.inputs
        config_kinds = frozenset(entry.get("kind") for entry in inputs.get("config", {}).get("files", ()))
        for kind, input in inputs.items():
            modules = self.modules_of[kind]
            values = (self.started[kind].values(kind) if kind in self.started
                      else self.engine.evaluate_many([f"{m.ref}.deny" for m in modules], input))
            for module, value in zip(modules, values):
                meta = module.meta
                assert meta is not None
                if not isinstance(value, list):
                    raise PolicyError(f"{meta.source}: `deny` of {meta.id} evaluated to {value!r}, not a set")
                if _checked_something(meta, input, config_kinds):
                    checks.append(meta.rule())
                _collect(meta, value, input, findings, violations)
        for policy in self.pack.python:
            if policy.meta.input not in inputs:
                continue
            if _checked_something(policy.meta, inputs[policy.meta.input], config_kinds):
                checks.append(policy.meta.rule())
            _collect(policy.meta, policy.evaluate(inputs[policy.meta.input]), inputs[policy.meta.input], findings,
                     violations)
        findings.sort(key=lambda f: (f.path or "", f.location.start_line or 0 if f.location else 0, f.rule_id))
        violations.sort(key=lambda v: (-v.severity.rank, v.policy, v.fingerprint or ""))
        return PolicyRun(tuple(findings), tuple(violations), tuple(checks), self.engine.name, self.pack.version,
                         self.pack.hash)


class _Beside:
    """Each module's `deny` for `input`, evaluated by forked children, one per core: the first reads the
    input, then forks the others, which share what it read. They send the engine's text back; it is decoded
    here once."""

    def __init__(self, engine: ForkableEngine, modules: Sequence[RegoModule], input: Any) -> None:
        encoded = orjson.Fragment(jsonenc.dumps(input))
        self.engine = engine
        self.pending = forked.start_each(lambda m: engine.evaluate_text(f"{m.ref}.deny", encoded), modules,
                                         fork=True, children=forked.CORES, prepare=lambda: engine.load_input(encoded))

    def values(self, kind: str) -> list[Any]:
        try:
            texts = self.pending.result()
        except forked.ForkedError as exc:
            raise PolicyError(f"the {kind} policies, evaluated by a forked process: {exc}") from None
        return [self.engine.decode(text) for text in texts]

    def close(self) -> None:
        self.pending.close()


def _checked_something(meta: PolicyMeta, input: Mapping[str, Any], config_kinds: frozenset[str]) -> bool:
    """Whether a policy had anything to check, so that it counts as a check that ran (a control is
    not passed by a Terraform policy on a change without Terraform): a config policy needs a file
    of a kind it reads (`config_kinds`: the kinds of the config input's files), a finding policy that
    `judges` some finding categories a scanner of one."""
    if meta.input == "findings":
        scanned = input.get("context", {}).get("scanned")
        return meta.judges is None or scanned is None or not set(scanned).isdisjoint(meta.judges)
    if meta.input != "config":
        return True
    return bool(config_kinds) if meta.files is None else not config_kinds.isdisjoint(meta.files)


def _collect(meta: PolicyMeta, results: list[Any], input: Mapping[str, Any], findings: list[Finding],
             violations: list[Violation]) -> None:
    rule = meta.rule()
    controls = dict(meta.controls)  # one mapping for the policy's violations (they are not changed)
    for result in results:
        msg, severity = _check_result(meta, result)
        if meta.input == "findings":
            fp = result.get("fingerprint")
            if fp is not None and not isinstance(fp, str):
                raise PolicyError(f"{meta.source}: {meta.id}: result fingerprint must be a string")
            violations.append(Violation(meta.id, severity, msg, fp, controls, meta.source))
        else:
            findings.append(_config_finding(meta, rule, result, msg, severity, input))


def _check_result(meta: PolicyMeta, result: Any) -> tuple[str, Severity]:
    if not isinstance(result, dict) or not isinstance(result.get("msg"), str):
        raise PolicyError(f"{meta.source}: {meta.id}: each deny result must be an object with a string `msg`, got {result!r}")
    severity = meta.severity
    if "severity" in result:
        try:
            severity = Severity.parse(str(result["severity"]))
        except ValueError as exc:
            raise PolicyError(f"{meta.source}: {meta.id}: {exc}") from None
    return result["msg"], severity


def _config_finding(meta: PolicyMeta, rule: Rule, result: dict[str, Any], msg: str, severity: Severity,
                    input: Mapping[str, Any]) -> Finding:
    path = result.get("path")
    line = result.get("line")
    resource = result.get("resource")
    if meta.input == "config":
        known = {f["path"] for f in input.get("files", [])}
        if path not in known:
            raise PolicyError(f"{meta.source}: {meta.id}: result path {path!r} is not one of the input files")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise PolicyError(f"{meta.source}: {meta.id}: result line must be a positive integer, got {line!r}")
    identity = result.get("key")  # what tells this result from the policy's others there, when msg varies
    if identity is not None and (not isinstance(identity, str) or not identity):
        raise PolicyError(f"{meta.source}: {meta.id}: result key must be a non-empty string, got {identity!r}")
    key = f"{TOOL}|{meta.id}|{path or ''}|{resource or ''}|{identity or msg}"  # no line: survives edits above it
    return Finding(
        tool=TOOL,
        rule=rule,
        message=msg,
        severity=severity,
        category=Category(meta.category),
        location=Location(path=path, start_line=line) if isinstance(path, str) else None,
        resource=resource if isinstance(resource, str) else None,
        cwe=meta.cwe,
        fingerprint=hashlib.sha256(key.encode()).hexdigest()[:32],
        found_by=(TOOL,),
        severity_source="policy",
        controls=dict(meta.controls),
        properties={"key": identity} if identity else {},
    )


def _unparsed(path: str, line: int | None, detail: str) -> Finding:
    return Finding(
        tool=TOOL, rule=UNPARSED_RULE, message=f"not checked by config policies: {detail}",
        severity=Severity.LOW, category=Category.IAC, location=Location(path=path, start_line=line),
        fingerprint=hashlib.sha256(f"{TOOL}|{UNPARSED_RULE.id}|{path}".encode()).hexdigest()[:32],
        found_by=(TOOL,), severity_source="policy",
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (dict, Mapping)):  # dict first: the abstract check is slow
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return str(value)
