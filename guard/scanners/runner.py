"""Runs scanners: finds the tool, runs it as a process with a timeout, parses, fails closed.

Whatever goes wrong (tool missing, crash, timeout, garbage output) becomes a ScannerRun with
status ERROR and a one-line reason; the pipeline turns any ERROR into exit 2. Scanners run
concurrently in a bounded pool, longest first (a short run of light tools all at once: `workers`).
"""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import replace
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Mapping, Sequence, TypeVar

from guard.cache import FileHit, ResultCache, VersionCache, file_keys, key
from guard.config import Config
from guard.model import Finding, ScannerRun, Status
from guard.scanners.base import LIVE, BuiltinScanner, Invocation, Launch, Scanner, ScannerError, kill_session
from guard.paths import cache_dir
from guard.redact import secret_values
from guard.tools import envs

Progress = Callable[[str, str], None]  # (scanner name, event: "start" | "run" (not served from the cache) | "done")
SHORT_RUN = 16  # files: a run given no more (a commit, a small change) of light tools starts them all at once
LIGHT = 2.0  # cost: a tool run costing no more is mostly its start-up (see `workers`)
T = TypeVar("T")


def run_all(scanners: Sequence[Scanner | BuiltinScanner], target: Path, files: Sequence[str], workroot: Path,
            config: Config, progress: Progress | None = None) -> list[ScannerRun]:
    """Run every scanner on its selected files; results in the order given."""
    cache = ResultCache(cache_dir() / "results", defer=True) if config.cache else None
    order = sorted(range(len(scanners)), key=lambda i: -scanners[i].cost)
    out: list[ScannerRun | None] = [None] * len(scanners)

    def one(i: int) -> None:
        s = scanners[i]
        if progress:
            progress(s.name, "start")
        out[i] = run_one(s, target, files, workroot / s.name, config, cache,
                         on_run=(lambda: progress(s.name, "run")) if progress else None)
        if progress:
            progress(s.name, "done")

    at_once = max(1, min(workers(config, scanners, files), len(scanners)))
    LIVE.open()
    with ThreadPoolExecutor(max_workers=at_once) as pool:
        try:
            for future in [pool.submit(one, i) for i in order]:
                awaited(future)
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): no tool outlives the run, none starts
            pool.shutdown(wait=False, cancel_futures=True)
            LIVE.stop()
            raise
    runs = [r for r in out if r is not None]
    if cache is not None:
        cache.flush(secret_values([f for r in runs for f in r.findings], target))
    return runs


def awaited(future: Future[T]) -> T:
    """`future.result()`, waking every `WAKE` seconds. Python runs signal handlers in the main thread only, and
    the kernel may deliver Ctrl-C or SIGTERM to a thread running a tool: a main thread waiting on a lock with no
    timeout then never saw it (a scan went on for as long as its tools did, measured: 2 in 320 interrupted
    scans on a loaded machine). A wait with a timeout returns to the interpreter, which runs the handler."""
    while True:
        try:
            return future.result(timeout=WAKE)
        except FutureTimeout:
            continue


WAKE = 0.2  # seconds


def workers(config: Config, scanners: Sequence[Scanner | BuiltinScanner], files: Sequence[str]) -> int:
    """How many scanners run at once: `jobs` when configured; else one per core, longest first, but all
    of them for a short run of light tools. On a few files such a tool's run is mostly its start-up,
    alike in length from tool to tool: one slot per core leaves a core idle while the last tool runs
    alone, where the system shares both cores among them all (the pre-commit hook on one Python file:
    10% sooner). A tool that starts slowly (checkov; trivy checking configuration) keeps longest first:
    sharing the cores with it made the PR check on one Terraform file 10% slower."""
    if config.jobs:
        return config.jobs
    if len(files) <= SHORT_RUN and all(_cost(s, selected) <= LIGHT for s in scanners if (selected := s.select(files))):
        return len(scanners)
    return os.cpu_count() or 1


def _cost(scanner: Scanner | BuiltinScanner, selected: Sequence[str]) -> float:
    """What a run over `selected` costs (`Scanner.cost_for`, else its `cost`)."""
    return scanner.cost_for(selected) if hasattr(scanner, "cost_for") else scanner.cost


def run_one(scanner: Scanner | BuiltinScanner, target: Path, files: Sequence[str], workdir: Path,
            config: Config, cache: ResultCache | None = None, on_run: Callable[[], None] | None = None) -> ScannerRun:
    """One scanner on its selection of `files`; `on_run` is called when it really runs (no cached result).

    When its whole run is not cached, a file-local scanner's tool runs on the files it judges with
    others and on those it judges alone that have no cached entry of their own (guard.cache.file_keys).
    """
    selected = scanner.select(files)
    if not selected:
        return ScannerRun(scanner.name, scanner.category, Status.SKIPPED, reason="nothing to scan")
    workdir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    cache_key: str | None = None
    reused: dict[str, FileHit] = {}  # files whose findings come from their own cache entries
    fresh: dict[str, str] = {}  # file key of each file the tool runs on, for entries of their own
    alone: list[str] = []  # the files the tool judges by their own content (findings then in file order)
    todo = selected  # the files the tool runs on
    try:
        if isinstance(scanner, Scanner):
            exe = _executable(scanner, config)
            version = _version(scanner, exe)
            argv = scanner.command(exe, target, selected, workdir)
            alone, inputs = _judged_alone(scanner, target, selected)
            if cache is not None:
                depended = (i for ins in inputs.values() for i in ins)
                read = sorted({*selected, *scanner.context(target, selected), *depended})
                cache_key = key(scanner=scanner.name, version=version, executable=exe,
                                argv=_portable(argv, target, workdir), env=dict(scanner.env()),
                                target=target, files=read, extra_inputs=scanner.cache_inputs())
                hit = cache.get(scanner.name, cache_key)
                if hit is not None:
                    return replace(hit, cache_key=cache_key)
                per_file = _file_keys(scanner, exe, version, target, alone, workdir, inputs)
                reused = cache.get_files(scanner.name, per_file)
                todo = [f for f in selected if f not in reused]
                fresh = {rel: per_file[rel] for rel in todo if rel in per_file}
                if reused and todo:
                    argv = scanner.command(exe, target, todo, workdir)
            if todo and on_run is not None:
                on_run()
            findings = _run_tool(scanner, argv, target, todo, workdir, config) if todo else []
        else:
            version = scanner.version()
            if cache is not None:
                cache_key = key(scanner=scanner.name, version=version, executable="", argv=[], env={},
                                target=target, files=selected)
                hit = cache.get(scanner.name, cache_key)
                if hit is not None:
                    return replace(hit, cache_key=cache_key)
            if on_run is not None:
                on_run()
            findings = list(scanner.scan(target, selected, workdir))
    except ScannerError as exc:
        return ScannerRun(scanner.name, scanner.category, Status.ERROR, reason=str(exc),
                          files_scanned=len(selected), seconds=time.monotonic() - started,
                          raw_outputs=_raw(workdir))
    earlier = [f for hit in reused.values() for f in hit.findings]
    found = tuple(findings)
    if alone:  # the same order whichever files' findings came from the cache
        found = tuple(sorted((*found, *earlier), key=_place))
    earlier_raw = tuple(sorted({p for hit in reused.values() for p in hit.raw_outputs}))
    result = ScannerRun(
        scanner.name, scanner.category, Status.OK, version=version, findings=found,
        files_scanned=len(selected), seconds=time.monotonic() - started, raw_outputs=(*_raw(workdir), *earlier_raw),
        checks=tuple(scanner.checks(selected)), cache_key=cache_key, files_cached=len(reused),
    )
    if cache is not None and cache_key is not None:
        cache.put(cache_key, result, target, masked=earlier)
        by_file = _by_file(findings, fresh, todo)
        if by_file:
            cache.put_files(scanner.name, cache_key, by_file, target)
    return result


def _portable(argv: Sequence[str], target: Path, workdir: Path) -> list[str]:
    """`argv` with the run's own folders named, so that it keys the cache the same in every run."""
    return [a.replace(str(workdir), "<workdir>").replace(str(target), "<target>") for a in argv]


def _judged_alone(scanner: Scanner, target: Path, selected: Sequence[str],
                  ) -> tuple[list[str], Mapping[str, Sequence[str]]]:
    """The files the scanner judges by their own content (see `Scanner`), and their `file_inputs`."""
    if hasattr(scanner, "judged_alone"):
        alone = scanner.judged_alone(target, selected)
    else:
        alone = list(selected) if getattr(scanner, "file_local", False) else []
    if not alone:
        return [], {}
    return alone, scanner.file_inputs(target, alone) if hasattr(scanner, "file_inputs") else {}


def _file_keys(scanner: Scanner, exe: str, version: str, target: Path, alone: Sequence[str], workdir: Path,
               inputs: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """A cache key per file the scanner judges alone (see guard.cache.file_keys)."""
    if not alone:
        return {}
    options = _portable(scanner.command(exe, target, [], workdir), target, workdir)
    return file_keys(scanner=scanner.name, version=version, executable=exe, argv=options, env=dict(scanner.env()),
                     target=target, files=alone, extra_inputs=scanner.cache_inputs(), file_inputs=inputs)


def _place(f: Finding) -> tuple[str, int, int]:
    """Where a finding sits, to order a run's findings by file and line."""
    return (f.location.path, f.location.start_line or 0, f.location.start_column or 0) if f.location else ("", 0, 0)


def _by_file(findings: Sequence[Finding], fresh: Mapping[str, str], ran_on: Sequence[str],
             ) -> dict[str, list[Finding]] | None:
    """The findings of the files judged alone the tool ran on, by file key; None when one is at no file the
    tool ran on (a finding about the run, or a context file's: it cannot be placed)."""
    if not fresh:
        return None
    by_file: dict[str, list[Finding]] = {file_key: [] for file_key in fresh.values()}
    others = set(ran_on)
    for f in findings:
        if f.location is None:
            return None
        if f.location.path in fresh:
            by_file[fresh[f.location.path]].append(f)
        elif f.location.path not in others:
            return None
    return by_file


def _executable(scanner: Scanner, config: Config) -> str:
    settings = config.tool(scanner.tool)
    resolved = envs.resolve(scanner.tool, settings.path)
    if resolved is None:
        where = f"configured path {settings.path!r} not found" if settings.path else "not installed"
        raise ScannerError(f"{scanner.tool} is {where} (run `guard tools install {scanner.tool}`)")
    return resolved.executable


def _version(scanner: Scanner, exe: str) -> str:
    versions = VersionCache(cache_dir() / "versions.json")
    known = versions.get(exe)
    if known:
        return known
    version = scanner.version(exe)
    versions.put(exe, version)
    return version


def _run_tool(scanner: Scanner, argv: list[str], target: Path, files: Sequence[str], workdir: Path,
              config: Config) -> list:
    timeout = config.tool(scanner.tool).timeout or config.timeout
    stdout, stderr = workdir / "stdout", workdir / "stderr"
    env = {**os.environ, **scanner.env()}
    how = scanner.launch(argv, env) if hasattr(scanner, "launch") else Launch(argv[0], list(argv), env)
    try:
        scanner.stage(target, files, workdir)
    except OSError as exc:
        raise ScannerError(f"cannot lay out the files for {scanner.tool}: {exc}") from None
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        try:
            proc = LIVE.start(scanner.tool, how.argv, executable=how.executable, cwd=scanner.cwd(target, workdir),
                              stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=how.env,
                              warm=getattr(scanner, "warm", False))
        except OSError as exc:
            raise ScannerError(f"cannot start {scanner.tool}: {exc.strerror}") from None
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ScannerError(f"{scanner.tool} timed out after {timeout:g}s and was killed") from None
        finally:
            LIVE.done(proc)
    if code < 0:
        raise ScannerError(f"{scanner.tool} was killed by signal {-code}{_last_line(stderr)}")
    invocation = Invocation(target, workdir, tuple(files), code, stdout, stderr)
    try:
        return list(scanner.parse(invocation))
    except ScannerError as exc:
        raise ScannerError(f"{exc}{_last_line(stderr)}") from None
    except (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        raise ScannerError(f"{scanner.tool} printed output guard cannot read ({type(exc).__name__}: {exc})") from None


def _kill_group(proc: subprocess.Popen) -> None:
    kill_session(proc)
    proc.wait()


def _last_line(stderr: Path) -> str:
    try:
        lines = [line for line in stderr.read_text(errors="replace").splitlines() if line.strip()]
    except OSError:
        return ""
    return f" (stderr: {lines[-1].strip()[:200]})" if lines else ""


def _raw(workdir: Path) -> tuple[str, ...]:
    if not workdir.is_dir():
        return ()
    return tuple(sorted(str(p) for p in workdir.iterdir() if p.is_file() and p.stat().st_size > 0))
