"""Per-control status for one run: failed, passed, not assessed or manual.

- failed: an open finding maps to the control (or to a control refining it, e.g. PCI 6.3.3 -> 6.3);
- passed: no open finding, and at least one automated check mapped to the control ran, i.e. it is
  in `ScannerRun.checks` of a scanner whose status is OK (errored or skipped scanners count for nothing);
- manual: declared in the config with evidence, owner, date and a future expiry;
- not assessed: everything else, and a control with no failure whose checks were kept from a file
  (an open finding of a `coverage` rule maps to it: a file a tool was given and could not check),
  with the checks that did run. An expired or invalid attestation is noted, never counted.
Waived findings never fail a control; they are listed with it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import chain
from pathlib import Path
from typing import Any, Iterable, Sequence

from guard.compliance.frameworks import Framework, FrameworkError
from guard.compliance.mappings import Mappings, check_name, controls_for, mapping_key
from guard.config import ManualControl
from guard.model import ControlResult, ControlStatus, Finding, ScannerRun, Status, Waiver


@dataclass
class _Tally:
    ran: set[str]
    idle: dict[str, str]  # check -> why it did not count
    failing: "_Failing"
    waived: dict[str, None]
    unchecked: dict[str, None]  # "check: path" of each file a mapped check could not judge

    @classmethod
    def empty(cls) -> "_Tally":
        return cls(set(), {}, _NOTHING_FAILING, {}, {})


def evaluate(
    frameworks: Sequence[Framework],
    findings: Sequence[Finding],
    waived: Sequence[tuple[Finding, Waiver]],
    scanners: Sequence[ScannerRun],
    manual: Sequence[ManualControl],
    today: date,
    *,
    root: Path | None = None,
    mappings: Mappings | None = None,
    violations: Sequence[tuple[Finding, Sequence[str]]] = (),
) -> list[ControlResult]:
    """One ControlResult per control of each framework, in catalog order.

    `violations`: more failures, after the findings: a finding that stands for a policy (one per policy,
    shared) and the fingerprints of its violations, in their order. `root`, when given, is where manual
    evidence paths are resolved; a missing file voids the attestation.
    """
    failures = Failures(frameworks, mappings)
    failures.add(findings)
    return failures.status(waived, scanners, manual, today, root=root, violations=violations)


class Failures:
    """The open findings of a run grouped by the controls they fail (`add`, in run order), while the
    finding policies are still evaluating; `status` then takes their violations and gives every
    control's status."""

    def __init__(self, frameworks: Sequence[Framework], mappings: Mappings | None = None) -> None:
        self.frameworks = frameworks
        self.by_id = {f.id: f for f in frameworks}
        self.mappings = mappings
        self.targets = _Targets(self.by_id, mappings)
        self.fingerprints: list[str] = []
        self.groups: dict[Any, _Group] = {}
        self.gaps: list[Finding] = []  # findings of files a tool could not check: no failure, no pass
        self._counted: dict[tuple[str, str], _Failing] | None = None

    def add(self, findings: Sequence[Finding]) -> None:
        """Findings that fail their controls (after those added before)."""
        for finding in findings:
            if "coverage" in finding.rule.tags:
                self.gaps.append(finding)
                continue
            self._group(self.groups, finding).positions.append(len(self.fingerprints))
            self.fingerprints.append(finding.fingerprint or _fingerprint(finding))
        self._counted = None

    def count(self) -> dict[tuple[str, str], "_Failing"]:
        """The added findings counted against their controls (once: call it while waiting for something
        else, e.g. the finding policies, and `status` only adds the violations)."""
        if self._counted is None:
            self._counted = _count(self.groups.values(), self.fingerprints)
        return self._counted

    def status(self, waived: Sequence[tuple[Finding, Waiver]], scanners: Sequence[ScannerRun],
               manual: Sequence[ManualControl], today: date, *, root: Path | None = None,
               violations: Sequence[tuple[Finding, Sequence[str]]] = ()) -> list[ControlResult]:
        """One ControlResult per control of each framework, in catalog order (see `evaluate`)."""
        tally: dict[tuple[str, str], _Tally] = defaultdict(_Tally.empty)
        for run in scanners:
            for rule in run.checks:
                name = check_name(run.scanner, rule.id)
                for fid, ids in controls_for(rule, self.frameworks, tool=run.scanner, category=run.category,
                                             mappings=self.mappings).items():
                    for cid in ids:
                        t = tally[(fid, cid)]
                        if run.status is Status.OK:
                            t.ran.add(name)
                        else:
                            why = f"{run.scanner} {run.status.value}" + (f": {run.reason}" if run.reason else "")
                            t.idle.setdefault(name, why)

        for key, failing in self.count().items():  # shared with the count: read, never changed
            tally[key].failing = failing
        for key, failing in self._violated(violations).items():  # after the findings, in their order
            t = tally[key]
            t.failing = t.failing.then(failing)
        for finding, _waiver in waived:
            fingerprint = _fingerprint(finding)
            for key, _ in self.targets(finding):
                tally[key].waived[fingerprint] = None
        for gap in self.gaps:
            where = f"{check_name(gap.tool, gap.rule.id)}: {gap.path or gap.resource or '-'}"
            for key, _ in self.targets(gap):
                tally[key].unchecked[where] = None

        attestations = _attestations(manual, self.by_id)
        results: list[ControlResult] = []
        for framework in self.frameworks:
            for control in framework.controls:
                t = tally.get((framework.id, control.id)) or _Tally.empty()
                attestation = attestations.get((framework.id, control.id))
                results.append(_result(framework, control.id, control.title, t, attestation, today, root))
        return results

    def _group(self, groups: dict[Any, _Group], finding: Finding) -> _Group:
        """The group of `groups` for the failures that map as `finding` does (made if new)."""
        key = mapping_key(finding)
        found = groups.get(key)
        if found is None:
            found = groups[key] = _Group(self.targets(finding), check_name(finding.tool, finding.rule.id))
        return found

    def _violated(self, violations: Sequence[tuple[Finding, Sequence[str]]]) -> dict[tuple[str, str], "_Failing"]:
        """The violations counted against their policies' controls, as `count` does findings."""
        fingerprints: list[str] = []
        groups: dict[Any, _Group] = {}
        by_stand_in: dict[int, _Group] = {}  # stand-ins are shared (and held by `violations`)
        for stand_in, of_stand_in in violations:
            g = by_stand_in.get(id(stand_in))
            if g is None:
                g = by_stand_in[id(stand_in)] = self._group(groups, stand_in)
            g.positions.extend(range(len(fingerprints), len(fingerprints) + len(of_stand_in)))
            fingerprints.extend(of_stand_in)
        return _count(groups.values(), fingerprints)


class _Group:
    """Failures that count against the same controls through the same check: their positions in
    the run's order of failures."""

    __slots__ = ("targets", "check", "positions")

    def __init__(self, targets: list[tuple[tuple[str, str], str]], check: str) -> None:
        self.targets, self.check, self.positions = targets, check, []


@dataclass(frozen=True, slots=True)
class _Failing:
    """What fails one control: fingerprints, checks and the child controls failures rolled up from,
    each in the order of the failures."""

    fingerprints: dict[str, None]
    checks: dict[str, None]
    via: dict[str, None]

    def then(self, more: "_Failing") -> "_Failing":
        """These failures followed by `more` (a new value: this one may be shared)."""
        return _Failing({**self.fingerprints, **more.fingerprints}, {**self.checks, **more.checks},
                        {**self.via, **more.via})


_NOTHING_FAILING = _Failing({}, {}, {})


def _count(groups: Iterable[_Group], fingerprints: Sequence[str]) -> dict[tuple[str, str], _Failing]:
    """Every failure against its controls, each control listing failures in order.

    Failures are grouped by what they map alike: a control takes a group's fingerprints in one step
    instead of one failure at a time.
    """
    per_control: dict[tuple[str, str], list[tuple[int, int, _Group, str]]] = defaultdict(list)
    for g in groups:
        for order, (key, via) in enumerate(g.targets):
            per_control[key].append((g.positions[0], order, g, via))
    counted: dict[tuple[str, str], _Failing] = {}
    for key, parts in per_control.items():
        parts.sort(key=lambda part: part[:2])
        if len(parts) == 1:
            positions: Any = parts[0][2].positions
        else:
            positions = sorted(chain.from_iterable(part[2].positions for part in parts))
        counted[key] = _Failing(dict.fromkeys(map(fingerprints.__getitem__, positions)),
                                dict.fromkeys(part[2].check for part in parts),
                                dict.fromkeys(part[3] for part in parts if part[3]))
    return counted


class _Targets:
    """((framework, control), rolled-up-from) pairs a finding counts against, parents included.

    Findings of one rule share their controls, so the pairs are worked out once per control mapping.
    """

    def __init__(self, by_id: dict[str, Framework], mappings: Mappings | None) -> None:
        self.by_id = by_id
        self.frameworks = list(by_id.values())
        self.mappings = mappings
        self.known: dict[tuple[tuple[str, tuple[str, ...]], ...], list[tuple[tuple[str, str], str]]] = {}
        self.by_finding: dict[tuple[Any, ...], list[tuple[tuple[str, str], str]]] = {}

    def __call__(self, finding: Finding) -> list[tuple[tuple[str, str], str]]:
        mapped = mapping_key(finding)
        out = self.by_finding.get(mapped)
        if out is not None:
            return out
        controls = tuple(controls_for(finding, self.frameworks, mappings=self.mappings).items())
        out = self.known.get(controls)
        if out is None:
            out = self.known[controls] = []
            for fid, ids in controls:
                framework = self.by_id[fid]
                for cid in ids:
                    out.append(((fid, cid), ""))
                    out.extend(((fid, parent), cid) for parent in framework.ancestors(cid))
        # the rule object is kept alive by the findings of this run, so its id stays unique
        self.by_finding[mapped] = out
        return out


def _fingerprint(finding: Finding) -> str:
    if finding.fingerprint:
        return finding.fingerprint
    where = str(finding.location) if finding.location else (finding.resource or "")
    return f"{finding.tool}:{finding.rule_id}:{where}"


def _attestations(manual: Sequence[ManualControl], by_id: dict[str, Framework]) -> dict[tuple[str, str], ManualControl]:
    out: dict[tuple[str, str], ManualControl] = {}
    for entry in manual:
        framework = by_id.get(entry.framework)
        if framework is None:
            continue  # a framework not evaluated in this run
        control = framework.control(entry.control)
        if control is None:
            raise FrameworkError(
                f"manual_controls: {entry.framework} has no control {entry.control!r} "
                f"(see `guard frameworks show {entry.framework}`)"
            )
        out[(framework.id, control.id)] = entry
    return out


def _attestation_problem(entry: ManualControl, today: date, root: Path | None) -> str | None:
    """Why an attestation does not count, or None when it is valid today."""
    try:
        attested = date.fromisoformat(str(entry.date))
        expires = date.fromisoformat(str(entry.expires))
    except ValueError:
        return f"manual attestation has an invalid date ({entry.date!r} / {entry.expires!r}; expected YYYY-MM-DD)"
    if attested > today:
        return f"manual attestation is dated in the future ({attested})"
    if expires < today:
        return f"manual attestation by {entry.owner} expired on {expires}"
    if not entry.evidence or not entry.owner:
        return "manual attestation lacks evidence or owner"
    if root is not None and not (root / entry.evidence).is_file():
        return f"manual attestation evidence {entry.evidence} not found"
    return None


def _result(
    framework: Framework,
    control_id: str,
    title: str,
    t: _Tally,
    attestation: ManualControl | None,
    today: date,
    root: Path | None,
) -> ControlResult:
    notes: list[str] = []
    if t.idle:
        idle = sorted(set(t.idle.values()))
        notes.append(f"{len(t.idle)} mapped check(s) did not run ({'; '.join(idle)})")
    waived = tuple(t.waived)
    failing = t.failing
    if failing.fingerprints:
        if failing.via:
            notes.insert(0, f"failed via {', '.join(failing.via)}")
        checks = tuple(dict.fromkeys((*failing.checks, *sorted(t.ran))))
        return ControlResult(framework.id, control_id, title, ControlStatus.FAILED, checks, tuple(failing.fingerprints),
                             waived, "; ".join(notes))
    checks = tuple(sorted(t.ran))
    if attestation is not None:
        problem = _attestation_problem(attestation, today, root)
        if problem is None:
            notes.insert(0, f"attested by {attestation.owner} on {attestation.date}, evidence {attestation.evidence}, expires {attestation.expires}")
            return ControlResult(framework.id, control_id, title, ControlStatus.MANUAL, checks, (), waived, "; ".join(notes))
        notes.insert(0, problem)
    if t.unchecked:
        shown = ", ".join(list(t.unchecked)[:3]) + (", ..." if len(t.unchecked) > 3 else "")
        notes.insert(0, f"{len(t.unchecked)} file(s) a mapped check could not judge ({shown})")
        return ControlResult(framework.id, control_id, title, ControlStatus.NOT_ASSESSED, checks, (), waived,
                             "; ".join(notes))
    if checks:
        return ControlResult(framework.id, control_id, title, ControlStatus.PASSED, checks, (), waived, "; ".join(notes))
    if not t.idle and attestation is None:
        notes.append("no mapped automated check ran")
    return ControlResult(framework.id, control_id, title, ControlStatus.NOT_ASSESSED, (), (), waived, "; ".join(notes))
