"""The scanner seam: one small protocol every scanner module implements.

A scanner knows which files it cares about, how to build its tool's command line and how to
turn the tool's raw output into Findings. It never decides gating or severity policy, never runs
the process itself (the runner does: timeouts, missing tools, output capture) and never imports
the tool's internals (tools live in their own pinned environments).
"""

from __future__ import annotations

import fnmatch
import functools
import json
import os
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import (
    TYPE_CHECKING, Any, Callable, Iterable, Mapping, NamedTuple, Protocol, Sequence, TypeVar, runtime_checkable,
)

from guard.model import Category, Finding, Location, Rule, Severity

if TYPE_CHECKING:
    from guard.config import Config
    from guard.resident.tools import WarmRun


OUTPUT_LIMIT = 100 * 1024 * 1024  # default cap on one tool output file (see SECURITY.md)
# An empty tool configuration, passed where a tool would read its own from the scanned repository:
# a change must not silence the checks that judge it (a trivy.yaml raising the severity floor).
NO_CONFIG = Path(__file__).resolve().parent / "data" / "no-config.yaml"


def unless_set(args: Sequence[str], names: Sequence[str], *ours: str) -> list[str]:
    """`ours` (an option guard sets, with its value), unless the config's own tool `args` set one of
    `names` (`-c X`, `--config X`, `--config=X`): the tools refuse an option given twice."""
    given = any(a in names or a.split("=", 1)[0] in names for a in args)
    return [] if given else list(ours)


class ScannerError(Exception):
    """The tool misbehaved (crashed, printed garbage, wrote nothing). One-line reason."""


@dataclass(frozen=True, slots=True)
class Invocation:
    """What the runner hands `parse`: where the tool ran and what it left behind."""

    target: Path  # absolute root of the scanned tree (the tool's working directory, unless `cwd` says otherwise)
    workdir: Path  # scratch directory owned by this scanner for this run
    files: tuple[str, ...]  # repo-relative POSIX paths the tool was asked to scan
    returncode: int
    stdout: Path
    stderr: Path


@runtime_checkable
class Scanner(Protocol):
    """What every scanner module provides. Instances are built with the run's Config.

    Optional: `file_local = True` says the tool judges each file by its own content alone (no
    finding about one file from another), so the runner may run it on the changed files of a
    selection and take the others' findings from the cache; then `judged_alone(target, files)` may
    name the files that holds for when not for all (checkov: not for Kubernetes manifests), and
    `file_inputs(target, files)`, per file, other files whose presence or content still changes its
    findings (see `ToolScanner`). A file's cache key holds `command(exe, target, [], workdir)`: what
    the command line adds for a file must follow from that file's path and content. `cost_for(files)`
    may say what a run over `files` costs when it is not `cost` (trivy with nothing but secrets to
    look for).
    """

    name: str
    category: Category
    tool: str  # key in guard.tools.catalog: which pinned tool environment runs it
    cost: float  # rough relative run time, for longest-first scheduling (terragoat, alone: checkov 5.9 s, trivy
    # 2.7, detect-secrets 1.9, semgrep 0.9)

    def select(self, files: Sequence[str]) -> list[str]:
        """The repo-relative files this scanner would look at (empty: nothing to scan)."""

    def version(self, exe: str) -> str:
        """The exact version of the tool at `exe`."""

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        """argv to run in `cwd(target, workdir)`; outputs go under workdir or to stdout."""

    def cwd(self, target: Path, workdir: Path) -> Path:
        """Where the tool runs: the target, unless the tool would read its own configuration there."""

    def stage(self, target: Path, files: Sequence[str], workdir: Path) -> None:
        """Lay out under workdir what `command` points the tool at, just before it runs (not when
        its result comes from the cache)."""

    def env(self) -> Mapping[str, str]:
        """Extra environment for the tool process (offline switches)."""

    def parse(self, run: Invocation) -> Iterable[Finding]:
        """Findings from the tool's output. Raises ScannerError on garbage."""

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        """The checks a run over `files` evaluates (for control coverage); may be empty."""

    def cache_inputs(self) -> Sequence[Path]:
        """Files or folders besides the scanned files whose contents change results (rule packs)."""

    def context(self, target: Path, files: Sequence[str]) -> list[str]:
        """Repo-relative files besides `files` the tool reads to judge them (the rest of a Terraform
        module): part of the cache key; findings in them are not reported."""


@runtime_checkable
class BuiltinScanner(Protocol):
    """A scanner implemented inside guard (no external tool process), e.g. the OSV matcher."""

    name: str
    category: Category
    cost: float

    def select(self, files: Sequence[str]) -> list[str]:
        """The repo-relative files this scanner would look at (empty: nothing to scan)."""

    def version(self) -> str:
        """Version of the scanner and of the data it uses (e.g. advisory snapshot)."""

    def scan(self, target: Path, files: Sequence[str], workdir: Path) -> Iterable[Finding]:
        """Findings for `files` under `target`. Raises ScannerError when it cannot judge."""

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        """The checks a run over `files` evaluates (for control coverage); may be empty."""


def match_any(path: str, patterns: Sequence[str]) -> bool:
    """True if a repo-relative path matches any glob (matched on the whole path or the file name)."""
    name = PurePosixPath(path).name
    return any(fnmatch.fnmatchcase(path, p) or fnmatch.fnmatchcase(name, p) for p in patterns)


_Result = TypeVar("_Result")


def per_selection(method: Callable[[Any, Path, Sequence[str]], _Result],
                  ) -> Callable[[Any, Path, Sequence[str]], _Result]:
    """A `ToolScanner` method of (target, files), worked out once per selection of files."""

    @functools.wraps(method)
    def remembered(self: "ToolScanner", target: Path, files: Sequence[str]) -> _Result:
        key = (method.__name__, target, tuple(files))
        if key not in self._per_selection:
            self._per_selection[key] = method(self, target, files)
        return self._per_selection[key]

    return remembered


class Launch(NamedTuple):
    """How a tool's process is started: the file run, the argv it is given (argv[0] as the program sees it)
    and its environment."""

    executable: str
    argv: list[str]
    env: dict[str, str]


class ToolScanner:
    """Defaults shared by scanner modules: glob-based selection and `--version` parsing."""

    name: str = ""
    category: Category = Category.SAST
    tool: str = ""
    cost: float = 1.0
    patterns: tuple[str, ...] = ()
    version_args: tuple[str, ...] = ("--version",)
    file_local: bool = False  # see `Scanner`
    # a Python tool whose runs a warm process of its interpreter can fork in resident mode (`guard.resident.tools`)
    warm: bool = False

    def __init__(self, config: "Config") -> None:
        self.config = config
        self._per_selection: dict[tuple[str, Path, tuple[str, ...]], Any] = {}  # see `per_selection`

    def select(self, files: Sequence[str]) -> list[str]:
        return [f for f in files if match_any(f, self.patterns)]

    def version(self, exe: str) -> str:
        settings = self.config.tool(self.tool)
        limit = min(60.0, settings.timeout or self.config.timeout)
        try:
            text = probe([exe, *self.version_args], limit)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ScannerError(f"cannot run `{exe} {' '.join(self.version_args)}`: {exc}") from None
        match = re.search(r"\d+\.\d+(?:\.\d+)?", text)
        if not match:
            raise ScannerError(f"`{exe} {' '.join(self.version_args)}` printed no version")
        return match.group(0)

    def env(self) -> Mapping[str, str]:
        return {}

    def launch(self, argv: Sequence[str], env: Mapping[str, str]) -> Launch:
        """How `argv` (`command`'s) is started with `env` (the process's environment and `env()`'s): as it
        says, unless a scanner starts its tool's program itself (optional: the runner asks when it is there)."""
        return Launch(argv[0], list(argv), dict(env))

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return ()

    def cache_inputs(self) -> Sequence[Path]:
        return ()

    @per_selection
    def context(self, target: Path, files: Sequence[str]) -> list[str]:
        """`find_context`, worked out once per selection (the cache key, the command and the parse ask)."""
        return self.find_context(target, files)

    def find_context(self, target: Path, files: Sequence[str]) -> list[str]:
        """The files besides `files` the tool reads to judge them (see `Scanner.context`)."""
        return []

    def judged_alone(self, target: Path, files: Sequence[str]) -> list[str]:
        """The files of `files` the tool judges by their own content alone: all when `file_local`, unless
        a scanner knows files it judges with others (checkov: Kubernetes manifests, with each other)."""
        return list(files) if self.file_local else []

    def file_inputs(self, target: Path, files: Sequence[str]) -> Mapping[str, Sequence[str]]:
        """For a file-local scanner: per file of `files`, the other repository files whose presence or
        content change its findings (part of that file's cache key); files without any may be left out."""
        return {}

    def cwd(self, target: Path, workdir: Path) -> Path:
        return target

    def stage(self, target: Path, files: Sequence[str], workdir: Path) -> None:
        return None


class LiveTools:
    """The tools running now, each in a session of its own (so a terminal's Ctrl-C reaches guard, not
    them, and a timeout kills a tool's whole process group): when guard is interrupted, `stop` kills them
    and refuses new ones until the next `open`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._procs: "set[subprocess.Popen | WarmRun]" = set()
        self._stopped = False

    def open(self) -> None:
        with self._lock:
            self._stopped = False

    def start(self, tool: str, argv: Sequence[str], *, warm: bool = False,
              **popen: Any) -> "subprocess.Popen | WarmRun":
        """`argv` started in a session of its own (`done` when it has ended); OSError as Popen raises it.

        `warm`: run by the tool's warm process in resident mode when there is one (`guard.resident.tools`;
        `popen` then gives the folder, environment and output files)."""
        if self._stopped:
            raise ScannerError(f"{tool} not started: guard was interrupted")
        proc: "subprocess.Popen | WarmRun | None" = None
        if warm:
            from guard.resident import tools

            proc = tools.start(argv, cwd=popen["cwd"], stdout=popen["stdout"].fileno(),
                               stderr=popen["stderr"].fileno(), env=popen["env"])
        if proc is None:
            proc = subprocess.Popen(list(argv), start_new_session=True, **popen)
        with self._lock:
            self._procs.add(proc)
            stopped = self._stopped
        if stopped:  # stopped while it started
            kill_session(proc)
        return proc

    def done(self, proc: "subprocess.Popen | WarmRun") -> None:
        with self._lock:
            self._procs.discard(proc)

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            procs = list(self._procs)
        for proc in procs:
            kill_session(proc)


LIVE = LiveTools()


def kill_session(proc: "subprocess.Popen | WarmRun") -> None:
    """Kill the session (process group) `proc` leads."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def probe(argv: Sequence[str], timeout: float) -> str:
    """stdout + stderr of a short command; on timeout its whole process group is killed.

    A tool that hangs (or leaves a child holding its pipes) cannot hang guard: the command runs
    in its own session and the group is killed before the pipes are drained.
    """
    with LIVE.start(argv[0], argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL) as proc:
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            kill_session(proc)
            proc.communicate()
            raise subprocess.TimeoutExpired(list(argv), timeout) from None
        finally:
            LIVE.done(proc)
    return out.decode("utf-8", "replace")


def output_limit() -> int:
    """Largest tool output guard reads, in bytes: `$GUARD_MAX_OUTPUT_MB` MiB, default 100 MiB."""
    try:
        return int(float(os.environ.get("GUARD_MAX_OUTPUT_MB", "")) * 1024 * 1024) or OUTPUT_LIMIT
    except ValueError:
        return OUTPUT_LIMIT


def read_output(path: Path, tool: str, limit: int | None = None) -> str:
    """A tool's output file as text; missing, empty, oversized or undecodable output is a ScannerError.

    The size is checked before anything is read, so an oversized output never reaches memory.
    """
    limit = output_limit() if limit is None else limit
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScannerError(f"{tool} wrote no output ({path.name} missing)") from None
    if size == 0:
        raise ScannerError(f"{tool} wrote empty output ({path.name})")
    if size > limit:
        raise ScannerError(f"{tool} output is {size} bytes, over the {limit}-byte limit (GUARD_MAX_OUTPUT_MB)")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ScannerError(f"{tool} output is not UTF-8 ({exc.reason} at byte {exc.start})") from None


VIEW = "tree"  # a folder laid out under a scanner's work folder for its tool to scan (see `lay_out`)


def lay_out(target: Path, files: Iterable[str], view: Path, *, copy: bool = False) -> None:
    """`view` afresh, holding a symbolic link to each of `files` under `target` at its repository
    path, or with `copy` a regular file: a hard link where the file system allows one (no data is
    copied; never write through it: replace it), else a copy."""
    shutil.rmtree(view, ignore_errors=True)
    for rel in files:
        placed = view / rel
        placed.parent.mkdir(parents=True, exist_ok=True)
        if not copy:
            placed.symlink_to(target / rel)
            continue
        try:
            os.link(os.path.realpath(target / rel), placed)  # (a symbolic link in the tree: its file)
        except OSError:  # another file system, or links not allowed
            shutil.copyfile(target / rel, placed)


def source_lines(path: Path) -> list[str]:
    """A scanned file's lines, to read the inline pragmas around a finding ([] when unreadable)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []


def load_json_output(run: Invocation, path: Path, tool: str, ok_codes: tuple[int, ...] = (0,)) -> Any:
    """A tool's JSON output file: exit code, size, encoding and JSON syntax checked (ScannerError)."""
    text = read_output(path, tool)
    if run.returncode not in ok_codes:
        raise ScannerError(f"{tool} exited {run.returncode}")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise ScannerError(f"{tool} wrote invalid JSON ({path.name}:{exc.lineno}: {exc.msg})") from None


def load_sarif_output(run: Invocation, path: Path, tool: str, ok_codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
    """A tool's SARIF output file: size, encoding, SARIF shape and exit code checked (ScannerError)."""
    from guard.sarif.read import SarifError, parse  # guard.sarif.read imports this module's package

    text = read_output(path, tool)
    try:
        doc = parse(text, path.name)
    except SarifError as exc:
        raise ScannerError(f"{tool} wrote invalid SARIF: {exc}") from None
    if run.returncode not in ok_codes:
        raise ScannerError(f"{tool} exited {run.returncode}")
    return doc


def all_scanner_classes() -> dict[str, type]:
    """Scanner classes registered under the `guard.scanners` entry-point group, by name."""
    from guard.plugins import entry_points

    found: dict[str, type] = {}
    for ep in entry_points("guard.scanners"):
        found[ep.name] = ep.load()
    return found


def findings_sorted(findings: Iterable[Finding]) -> list[Finding]:
    """Stable presentation order: severity, then path, then line, then rule."""
    return sorted(
        findings,
        key=lambda f: (
            -f.severity.rank,
            f.path or "",
            (f.location.start_line or 0) if f.location else 0,
            f.rule_id,
        ),
    )


def coverage_rule(rule_id: str, short: str, full: str, help_text: str, *tags: str) -> Rule:
    """The rule of a tool's findings about files it was given and did not check (`tool/name`, tagged `coverage`)."""
    return Rule(id=rule_id, name=rule_id.split("/", 1)[1], short_description=short, full_description=full,
                help_text=help_text, tags=(*tags, "coverage"))


def not_checked(rule: Rule, category: Category, rel: str, line: int, message: str) -> Finding:
    """A low finding of a `coverage_rule` at `rel`: what its tool did not check there, and why."""
    tool = rule.id.split("/", 1)[0]
    return Finding(tool=tool, rule=rule, severity=Severity.LOW, category=category, message=message,
                   location=Location(rel, line, line), found_by=(tool,), severity_source="guard-table")
