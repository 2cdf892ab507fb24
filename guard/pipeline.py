"""plan -> run scanners -> config policies -> normalize -> dedup -> waivers/baseline -> finding policies
-> controls -> gate.

Only `plan` and `scan` touch the outside world (files, tool processes); every later stage is a
pure function of its inputs, so it can be re-run from a saved findings.json.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import importlib
import shutil
import subprocess
import tempfile
import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, replace
from itertools import groupby
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from guard import __version__
from guard import baseline as baseline_mod
from guard import jsonenc, judged_cache
from guard import waivers as waivers_mod
from guard.config import Config, ConfigError
from guard.dedup import dedup
from guard.diff import BaseTree, ChangeSet
from guard.digest import one_read_per_file
from guard.files import FileSet, list_files, list_given
from guard.gcpause import collector_paused
from guard.model import (
    Category, ControlResult, Finding, Gate, Rule, RunResult, ScannerRun, Severity, Status, VALUE, Waiver, evolve,
)
from guard.paths import cache_dir
from guard.redact import redact
from guard.sarif.fingerprint import SourceCache, assign
from guard.scanners.base import BuiltinScanner, Scanner, all_scanner_classes
from guard.scanners.runner import Progress, awaited, run_all

if TYPE_CHECKING:
    from guard.compliance.controls import Failures
    from guard.compliance.frameworks import Framework
    from guard.policy.base import Violation
    from guard.policy.runner import ConfigInput, PolicySession, PreparedPack


class PipelineError(Exception):
    """The run cannot proceed (bad target, unknown scanner); exit 2."""


@dataclass(frozen=True, slots=True)
class Plan:
    target: Path
    files: FileSet
    scanners: tuple[Scanner | BuiltinScanner, ...]


def plan(target: Path, config: Config, only_files: Sequence[str] | None = None) -> Plan:
    """Which scanners run on which files. `only_files` restricts the scan (staged / changed files)."""
    if not target.exists():
        raise PipelineError(f"{target}: no such file or directory")
    if not target.is_dir():
        raise PipelineError(f"{target}: not a directory")
    fileset = list_files(target, config.exclude) if only_files is None else list_given(target, only_files, config.exclude)
    classes = all_scanner_classes()
    for name in [*config.scanners, *config.skip_scanners]:
        if name not in classes:
            raise ConfigError(f"{config.source or 'config'}: unknown scanner {name!r} (known: {', '.join(sorted(classes))})")
    names = config.scanners or sorted(classes)
    scanners = tuple(classes[n](config) for n in names if n not in config.skip_scanners)
    return Plan(target.resolve(), fileset, scanners)


def scan(p: Plan, config: Config, workroot: Path | None = None, progress: Progress | None = None) -> list[ScannerRun]:
    """Run the planned scanners; raw outputs are kept under workroot/<scanner>/."""
    if workroot is None:  # raw tool outputs live until guard exits (evidence bundles copy them)
        workroot = Path(tempfile.mkdtemp(prefix="guard-"))
        atexit.register(shutil.rmtree, workroot, True)
    return run_all(p.scanners, p.target, p.files.files, workroot, config, progress)


def normalize(runs: Sequence[ScannerRun], root: Path) -> list[Finding]:
    """All findings of all scanners with fingerprints assigned and secret values redacted."""
    sources = SourceCache(root)
    findings: list[Finding] = []
    for run in runs:
        findings.extend(run.findings)
    return redact(assign(findings, sources), root)


def apply_inline_waivers(findings: Sequence[Finding], config: Config,
                         today: dt.date | None = None) -> tuple[list[Finding], list[tuple[Finding, Waiver]]]:
    """Split out findings a tool saw an inline skip for (`# nosec`...), recording them as waivers.

    With `waivers.forbid_inline_above` set, inline skips of more severe findings are ignored; so is
    a skip whose expiry date (`inline_waiver_expires`, e.g. trivy's `:exp:`) is not after `today`.
    """
    limit = Severity.parse(config.waivers.forbid_inline_above) if config.waivers.forbid_inline_above else None
    active: list[Finding] = []
    waived: list[tuple[Finding, Waiver]] = []
    for f in findings:
        reason = f.properties.get("inline_waiver")
        expires = str(f.properties.get("inline_waiver_expires") or "")
        expired = bool(expires) and today is not None and today.isoformat() >= expires
        if reason and not expired and not (limit is not None and f.severity.rank > limit.rank):
            waived.append((f, Waiver(reason=str(reason), owner="(inline)", expires=expires, source="inline",
                                     rule_id=f.rule_id, fingerprint=f.fingerprint)))
        else:
            active.append(f)
    return active, waived


def trusted_inputs(root: Path, config: Config, base: BaseTree | None, baseline_path: str | None,
                   today: dt.date) -> tuple[waivers_mod.WaiverSet, baseline_mod.Baseline, str]:
    """The waivers file and baseline (as the base commit has them in PR mode, else from the working
    tree), and a digest of the texts read."""
    digest = hashlib.sha256()

    def read(rel: str) -> tuple[str | None, str]:
        if base is not None and not Path(rel).is_absolute():
            data = base.read(rel)
            text, source = (None if data is None else data.decode("utf-8", "replace")), f"{base.ref[:12]}:{rel}"
        else:
            try:
                text, source = (root / rel).read_text(encoding="utf-8", errors="replace"), rel
            except FileNotFoundError:
                text, source = None, rel
            except OSError as exc:
                raise PipelineError(f"{rel}: cannot read: {exc.strerror}") from None
        digest.update(f"{source}\0{'<none>' if text is None else text}\0".encode("utf-8", "surrogateescape"))
        return text, source

    text, source = read(config.waivers.file)
    waiver_set = waivers_mod.WaiverSet() if text is None else waivers_mod.parse(text, source, config, today)
    text, source = read(baseline_path or config.baseline)
    try:
        accepted = baseline_mod.Baseline() if text is None else baseline_mod.parse(text, source)
    except baseline_mod.BaselineError as exc:
        raise PipelineError(str(exc)) from None
    return waiver_set, accepted, digest.hexdigest()


def mark_existing(findings: Sequence[Finding], changes: ChangeSet | None, accepted: baseline_mod.Baseline,
                  root: Path) -> list[Finding]:
    """Mark findings not introduced by the change (outside its lines, or in the baseline) as existing."""
    out: list[Finding] = []
    for f in findings:
        new = (changes is None or changes.touches(f, root)) and f.fingerprint not in accepted
        out.append(f if new else evolve(f, properties={**f.properties, "existing": True}))
    return out


def gate(findings: Sequence[Finding], config: Config, errors: Sequence[ScannerRun],
         violations: Sequence["Violation"] = ()) -> Gate:
    """Pass/fail: no new finding at or above fail_on, no blocking policy violation, no tool error.

    Existing findings (outside the change, or in the baseline) never block; neither does a
    violation about one.
    """
    fail_on = config.fail_on_severity
    existing = {f.fingerprint for f in findings if f.properties.get("existing")}
    blocking = [f.fingerprint for f in findings if f.severity.at_least(fail_on) and f.fingerprint not in existing]
    reasons = [f"{len(blocking)} finding(s) at or above {fail_on.value}"] if blocking else []
    blocking_set = set(blocking)
    by_policy: dict[str, list[str]] = {}
    for v in violations:
        if v.severity.at_least(fail_on) and v.fingerprint not in existing:
            by_policy.setdefault(v.policy, []).append(v.message)
            if v.fingerprint and v.fingerprint not in blocking_set:
                blocking.append(v.fingerprint)
                blocking_set.add(v.fingerprint)
    for policy, messages in by_policy.items():
        more = f" (and {len(messages) - 1} more)" if len(messages) > 1 else ""
        reasons.append(f"policy {policy}: {messages[0]}{more}")
    blocked_by_policy = any(v.severity.at_least(fail_on) and v.fingerprint not in existing for v in violations)
    reasons += [f"{e.scanner}: {e.reason}" for e in errors]
    return Gate(passed=not blocking and not blocked_by_policy and not errors, fail_on=fail_on,
                blocking=tuple(blocking), reasons=tuple(reasons))


def config_policies(root: Path, config: Config, files: Sequence[str],
                    config_input: Callable[[], "ConfigInput"] | None = None,
                    ready: Callable[[], "PreparedPack"] | None = None) -> tuple["PolicySession | None", ScannerRun]:
    """The config policies over `files`, as the "guard-policy" ScannerRun (its findings join the scanners'
    before deduplication), and the session that goes on with the finding policies (`start_finding_policies`;
    None once a policy failed: the run is then an ERROR, exit 2, never "no violations").

    `config_input` returns the config files' policy input parsed earlier and `ready` the pack prepared
    earlier. Call on the thread the pack was prepared on (the in-process Rego engine is bound to it).
    """
    from guard.policy.base import PolicyError
    from guard.policy.runner import TOOL, PolicySession

    session = None
    try:
        session = PolicySession(config, root, files, prepared=config_input,
                                ready=ready() if ready is not None else None)
        result = session.config_policies()
    except PolicyError as exc:
        if session is not None:
            session.close()
        return None, ScannerRun(TOOL, Category.POLICY, Status.ERROR, reason=str(exc))
    return session, ScannerRun(TOOL, Category.POLICY, Status.OK, version=f"{result.engine}; pack {result.pack_version}",
                               findings=result.findings, files_scanned=len(files), seconds=result.seconds,
                               checks=result.checks)


def start_finding_policies(session: "PolicySession | None", policy_run: ScannerRun, root: Path, config: Config,
                           findings: Sequence[Finding], changes: ChangeSet | None, branch: str | None,
                           runs: Sequence[ScannerRun]) -> Callable[[], tuple[ScannerRun, list["Violation"]]]:
    """The finding policies over `findings`, begun (a large run's by forked children): call what this
    returns, on the same thread, for the "guard-policy" ScannerRun with their checks and the
    violations. `runs`: the scanner runs the findings come from (their categories are the context's
    `scanned`)."""
    from guard.policy.base import PolicyContext, PolicyError

    if session is None:
        return lambda: (policy_run, [])
    scanned = tuple(sorted({VALUE[r.category] for r in runs if r.status is Status.OK}))
    context = PolicyContext(repo=str(root), branch=branch,
                            changed_files=tuple(changes.paths) if changes is not None else None,
                            frameworks=tuple(config.frameworks), fail_on=config.fail_on, scanned=scanned)

    def failed(exc: PolicyError) -> tuple[ScannerRun, list["Violation"]]:
        session.close()
        return replace(policy_run, status=Status.ERROR, reason=str(exc)), []

    try:
        session.start_findings(findings, context)
    except PolicyError as exc:
        outcome = failed(exc)
        return lambda: outcome

    def finish() -> tuple[ScannerRun, list["Violation"]]:
        try:
            result = session.finish()
        except PolicyError as exc:
            return failed(exc)
        return replace(policy_run, checks=policy_run.checks + result.checks, seconds=result.seconds), \
            list(result.violations)

    return finish


def annotate(root: Path, config: Config, findings: Sequence[Finding], waived: Sequence[tuple[Finding, Waiver]],
             ) -> tuple[list[Finding], list[tuple[Finding, Waiver]], "Failures"]:
    """Findings and waived findings with the controls of the configured frameworks they map to, and
    the findings counted against the controls they fail (`control_status` adds the violations)."""
    from guard.compliance import mappings
    from guard.compliance.controls import Failures
    from guard.compliance.frameworks import FrameworkError

    try:
        frameworks = _frameworks(config, root)
    except FrameworkError as exc:
        raise PipelineError(str(exc)) from None
    annotated = mappings.annotate(findings, frameworks)
    failures = Failures(frameworks)
    failures.add(annotated)
    failures.count()
    return (annotated, list(zip(mappings.annotate([f for f, _ in waived], frameworks), [w for _, w in waived])),
            failures)


def control_status(root: Path, config: Config, failures: "Failures", waived: Sequence[tuple[Finding, Waiver]],
                   runs: Sequence[ScannerRun], today: dt.date, violations: Sequence["Violation"] = (),
                   ) -> list[ControlResult]:
    """Every control's status for the configured frameworks.

    A finding-policy violation fails the controls its policy names, like a finding does.
    """
    from guard.compliance.frameworks import FrameworkError

    try:
        return failures.status(waived, runs, config.manual_controls, today, root=_framework_base(config, root),
                               violations=violation_failures(violations))
    except FrameworkError as exc:
        raise PipelineError(str(exc)) from None


def _framework_base(config: Config, root: Path) -> Path:
    """Where framework paths and manual-control evidence are resolved: the config's folder, else the target."""
    return Path(config.source).parent if config.source else root


def _frameworks(config: Config, root: Path) -> list["Framework"]:
    from guard.compliance.frameworks import frameworks_for_config

    return frameworks_for_config(config.frameworks, config.framework_paths, _framework_base(config, root))


def violation_failures(violations: Sequence["Violation"]) -> list[tuple[Finding, list[str]]]:
    """Finding-policy violations as control status counts them, in their order: (the finding standing for the
    policy, the fingerprints of its violations) for each run of violations of one policy."""
    stand_ins: dict[tuple[Any, ...], Finding] = {}
    return [(_stand_in(first, stand_ins), [first.fingerprint or f"{first.policy}:run",
                                           *(v.fingerprint or f"{v.policy}:run" for v in rest)])
            for _, (first, *rest) in groupby(violations, key=attrgetter("policy", "source", "controls"))]


def _stand_in(v: "Violation", known: dict[tuple[Any, ...], Finding]) -> Finding:
    """The finding that stands for a policy's violations in control status (it is not reported):
    its rule names the policy's controls. Violations of one policy share it (`known` holds them)."""
    key = (v.policy, v.source, id(v.controls))  # violations of a policy share their controls mapping
    stand_in = known.get(key)
    if stand_in is None:
        from guard.policy.runner import TOOL

        rule = Rule(id=v.policy, name=v.policy, short_description=v.policy, full_description=v.policy,
                    help_text=v.source, controls=dict(v.controls))
        stand_in = known[key] = Finding(tool=TOOL, rule=rule, message=v.policy, severity=v.severity,
                                        category=Category.POLICY, controls=rule.controls)
    return stand_in


def run(target: Path, config: Config, *, workroot: Path | None = None, only_files: Sequence[str] | None = None,
        progress: Progress | None = None, clock: Callable[[], dt.datetime] | None = None,
        changes: ChangeSet | None = None, base: BaseTree | None = None, baseline_path: str | None = None,
        needs_review: Sequence[str] = (), preload: Sequence[str] = (), reported: Path | None = None,
        settled: Callable[[RunResult], None] | None = None) -> RunResult:
    """The whole scan of `target`.

    With `changes` (PR or staged mode) only changed files are scanned and only findings on changed
    lines can fail; with `base`, waivers and baseline are read as that commit has them. `preload`:
    modules the caller uses after the run (e.g. the output writers), imported while the tools run.
    `reported`: the repository the run is reported as (its commit and branch) when `target` is a copy of
    its content (the staged files, `diff.IndexTree`). `settled`: see `judge` (not called for a run served
    from the judged-run cache).
    """
    now = clock or (lambda: dt.datetime.now(dt.timezone.utc))
    started = now()
    if only_files is None and changes is not None:
        only_files = changes.paths
    waiver_set, accepted, trusted = trusted_inputs(target, config, base, baseline_path, started.date())
    p = plan(target, config, only_files)
    later = LaterStages(config, p.target, p.files.files, p.scanners, preload)

    def on_progress(name: str, event: str) -> None:
        if event == "run":
            later.start()
        if progress is not None:
            progress(name, event)

    try:
        with one_read_per_file():  # the scanners' keys (whole run, per file) and the judged run's read the same files
            runs = scan(p, config, workroot, on_progress)
            repository = reported.resolve() if reported is not None else p.target
            commit, branch = _git(repository)
            properties = {"skipped_files": list(p.files.skipped), "files": len(p.files.files),
                          "needs_review": list(needs_review),
                          **({"diff": {"base": changes.base, "files": len(changes.files)}} if changes is not None
                             else {})}
            judged_key = judged_cache.key(settled=later.settled_inputs(), root=p.target, config=config, runs=runs,
                                          files=p.files.files, trusted=trusted, changes=changes, branch=branch,
                                          today=started.date(), properties=properties)
        store = judged_cache.JudgedCache(cache_dir() / "judged")
        if judged_key is not None and all(r.cached or r.status is Status.SKIPPED for r in runs):
            hit = store.get(judged_key, runs)
            if hit is not None:
                return replace(hit, target=str(repository), started=started.isoformat(timespec="seconds"),
                               finished=now().isoformat(timespec="seconds"), guard_version=__version__,
                               commit=commit, branch=branch)
        later.start()
        result = judge(p.target, config, runs, p.files.files, waiver_set, accepted, changes, started, now,
                       commit=commit, branch=branch, config_run=later.config_run, on=later.worker,
                       properties=properties, settled=settled)
        if judged_key is not None and not result.errors:
            store.put(judged_key, result, result.scanners[-1])
        return result if reported is None else replace(result, target=str(repository))
    finally:
        later.close()


class LaterStages:
    """The work of the later stages that can start while the scanners run: digesting the judged cache's
    settled inputs (from the start: a re-scan served from the caches needs them too), then parsing config
    files for the config policies, preparing the policy pack, evaluating the config policies (they read no
    scanner's result), loading the framework catalogs, mapping the
    checks the scanners will report to their controls and importing the modules the caller will use after
    the run (`preload`: the output writers when it writes files), on one worker thread.

    That second part starts when the first tool really runs (a re-scan served from the caches never needs it).
    Policy evaluation runs on the same thread: the in-process Rego engine is bound to the thread that
    made it.
    """

    def __init__(self, config: Config, root: Path, files: Sequence[str],
                 scanners: Sequence[Scanner | BuiltinScanner] = (), preload: Sequence[str] = ()) -> None:
        self.config, self.root, self.files, self.scanners, self.preload = config, root, files, scanners, preload
        self.worker = ThreadPoolExecutor(max_workers=1)
        self._lock = threading.Lock()
        self._parsed: Future[ConfigInput] | None = None
        self._pack: Future[PreparedPack] | None = None
        self._config_run: Future[tuple[PolicySession | None, ScannerRun]] | None = None
        self._taken = False  # whether the run's judge took the config policies' session (it closes it)
        self._settled = self.worker.submit(judged_cache.settled_inputs, config, root)

    def start(self) -> None:
        """Queue the work (once; later calls do nothing)."""
        with self._lock:
            if self._parsed is not None:
                return
            # the pack first: its config policies say which kinds of config file to parse
            self._pack = self.worker.submit(_prepare_policies, self.config, self.root)
            self._parsed = self.worker.submit(_parse_config_files, self.config, self.root, self.files, self._pack)
            # the config policies read no scanner's result: evaluated while the tools run
            self._config_run = self.worker.submit(config_policies, self.root, self.config, self.files,
                                                  self._parsed.result, self._pack.result)
            # errors surface in annotate
            self.worker.submit(_map_checks, self.config, self.root, self.files, self.scanners)
            for module in self.preload:  # the output writers: SARIF's sarif_om alone takes 0.1 s
                self.worker.submit(importlib.import_module, module)

    def settled_inputs(self) -> str | None:
        """`judged_cache.settled_inputs` for this run."""
        return self._settled.result()

    def config_run(self) -> tuple["PolicySession | None", ScannerRun]:
        """`config_policies` for this run (the caller goes on with its session, on `worker`, and closes it)."""
        assert self._config_run is not None, "start() first"
        self._taken = True
        return awaited(self._config_run)

    def close(self) -> None:
        """Close the policy engine of a run that was not judged, and wait for the worker."""
        if self._pack is not None and self._config_run is not None and not self._taken:
            self.worker.submit(_discard, self._pack, self._config_run)
        self.worker.shutdown(wait=True)


def _parse_config_files(config: Config, root: Path, files: Sequence[str],
                        pack: "Future[PreparedPack]") -> "ConfigInput":
    """The config files some policy of the prepared pack reads (every kind if the pack failed: its
    error is reported when the policies run)."""
    from guard.policy.runner import config_input

    kinds = pack.result().pack.config_files() if pack.exception() is None else None
    return config_input(config, root, files, kinds)


def _map_checks(config: Config, root: Path, files: Sequence[str], scanners: Sequence[Scanner | BuiltinScanner]) -> None:
    """Load the framework catalogs and map each planned scanner's checks to controls: control status
    reads the mappings from `controls_for`'s memo when the scanners are done."""
    from guard.compliance.mappings import controls_for

    frameworks = _frameworks(config, root)
    for scanner in scanners:
        for rule in scanner.checks(scanner.select(files)):
            controls_for(rule, frameworks, tool=scanner.name, category=scanner.category)


def _prepare_policies(config: Config, root: Path) -> "PreparedPack":
    from guard.policy.runner import prepare

    return prepare(config, root)


def _discard(pack: "Future[PreparedPack]", config_run: "Future[tuple[PolicySession | None, ScannerRun]]") -> None:
    """Close the engine of a run's config policies when the run was not judged: their session's, or the
    pack's when they raised (a failed preparation has nothing to close; a failed policy closed its session)."""
    if config_run.exception() is None:
        session = config_run.result()[0]
        if session is not None:
            session.close()
    elif pack.exception() is None:
        pack.result().engine.close()


@collector_paused()
def judge(root: Path, config: Config, runs: Sequence[ScannerRun], files: Sequence[str],
          waiver_set: waivers_mod.WaiverSet, accepted: baseline_mod.Baseline, changes: ChangeSet | None,
          started: dt.datetime, now: Callable[[], dt.datetime], *, commit: str | None, branch: str | None,
          properties: dict, config_run: Callable[[], tuple["PolicySession | None", ScannerRun]] | None = None,
          on: Executor | None = None, settled: Callable[[RunResult], None] | None = None) -> RunResult:
    """Every stage after the scanners: config policies, normalize, dedup, waivers, baseline, finding policies,
    controls, gate.

    `config_run`: the config policies' `config_policies` evaluated earlier (on `on`, the thread their engine
    was made on, where the finding policies are evaluated too). `settled` is called with the run once its
    findings, waived findings and scanner runs are final, before control status and the gate (its `controls`
    are empty and its `gate` None): the outputs that hold only those can begin. The cyclic collector is
    paused meanwhile.
    """

    def settle(findings: Sequence[Finding]) -> tuple[list[Finding], list[tuple[Finding, Waiver]]]:
        active, waived = apply_inline_waivers(findings, config, started.date())
        active, file_waived = waiver_set.apply(active)
        return mark_existing(active, changes, accepted, root), waived + file_waived

    with ExitStack() as stack:  # the policies run on `on` (or a thread of their own); once a large run's finding
        # policies are evaluating in forked children, this thread annotates findings and groups their failures
        worker = on or stack.enter_context(ThreadPoolExecutor(max_workers=1))
        session, policy_run = config_run() if config_run is not None else \
            awaited(worker.submit(config_policies, root, config, files))
        # the config policies' findings are deduplicated with the scanners' (a policy and a tool that
        # report the same problem at the same place make one finding found by both)
        active, waived = settle(dedup(normalize([*runs, policy_run], root)))
        finish = awaited(worker.submit(start_finding_policies, session, policy_run, root, config, active, changes,
                                       branch, runs))
        try:
            active, waived, failures = annotate(root, config, active, waived)
        finally:
            evaluated = worker.submit(finish)
        policy_run, violations = awaited(evaluated)  # (a signal may reach the worker's thread, not this one)
    all_runs = [*runs, policy_run]
    run = RunResult(target=str(root), started=started.isoformat(timespec="seconds"), finished="",
                    guard_version=__version__, scanners=tuple(all_runs), findings=tuple(active), waived=tuple(waived),
                    commit=commit, branch=branch, properties=properties)
    if settled is not None:
        settled(run)
    control_results = control_status(root, config, failures, waived, all_runs, started.date(), violations)
    errors = [r for r in all_runs if r.status is Status.ERROR]
    return replace(run, finished=now().isoformat(timespec="seconds"), controls=tuple(control_results),
                   gate=gate(active, config, errors, violations),
                   properties={**properties, "waivers_expiring": list(waiver_set.expiring),
                               "waiver_problems": list(waiver_set.problems),
                               "violations": _violations_json(violations)})


def _violations_json(violations: Sequence["Violation"]) -> list[dict[str, Any]]:
    """The violations as JSON (a policy's violations share one controls mapping: its JSON is made once)."""
    controls = jsonenc.SharedLists()
    return [{"policy": v.policy, "severity": v.severity.value, "message": v.message, "fingerprint": v.fingerprint,
             "controls": controls(v.controls), "source": v.source} for v in violations]


def run_imported(target: Path, runs: Sequence[ScannerRun], config: Config, *,
                 clock: Callable[[], dt.datetime] | None = None,
                 settled: Callable[[RunResult], None] | None = None) -> RunResult:
    """A run from findings that were not produced by guard's scanners (e.g. imported SARIF).

    The same stages as `run` after the scanners: normalize, dedup, inline and file waivers,
    baseline, gate (`settled`: see `judge`).
    """
    now = clock or (lambda: dt.datetime.now(dt.timezone.utc))
    started = now()
    root = target.resolve()
    waiver_set, accepted, _ = trusted_inputs(root, config, None, None, started.date())
    commit, branch = _git(root)
    return judge(root, config, runs, (), waiver_set, accepted, None, started, now, commit=commit, branch=branch,
                 properties={"imported": True}, settled=settled)


def _git(root: Path) -> tuple[str | None, str | None]:
    def ask(*args: str) -> str | None:
        try:
            out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        return out.stdout.strip() or None if out.returncode == 0 else None

    return ask("rev-parse", "HEAD"), ask("rev-parse", "--abbrev-ref", "HEAD")
