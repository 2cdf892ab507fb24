"""The result cache re-runs a scanner exactly when one of its key parts changes."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path
from typing import Iterable, Sequence

import pytest

from guard.cache import ResultCache
from guard.config import Config, ToolSettings
from guard.model import Category, Finding, Location, Rule, Severity, Status
from guard.scanners.base import Invocation, ToolScanner
from guard.scanners.runner import run_one


class CountingScanner(ToolScanner):
    """Runs a script that appends to a counter file and reports one finding per file."""

    name = "counting"
    tool = "bandit"  # resolved through config tools.bandit.path
    patterns = ("*.py",)
    rules_dir: Path | None = None

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        return [exe, *self.config.tool("bandit").args, *files]

    def cache_inputs(self) -> Sequence[Path]:
        return [self.rules_dir] if self.rules_dir else []

    def parse(self, run: Invocation) -> Iterable[Finding]:
        for rel in run.files:
            yield Finding(tool=self.name, rule=Rule("C1", "c", "c", "c", "c"), message="m",
                          severity=Severity.LOW, category=Category.SAST, location=Location(rel, 1, 1))


@pytest.fixture
def env(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    counter = tmp_path / "count"
    script = tmp_path / "tool-v1"
    script.write_text(f'#!/bin/sh\n[ "$1" = "--version" ] && {{ echo "tool 1.0.0"; exit 0; }}\necho x >> {counter}\n')
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    target = tmp_path / "src"
    target.mkdir()
    (target / "a.py").write_text("print(1)\n")
    return tmp_path, script, counter, target


def runs(counter: Path) -> int:
    return len(counter.read_text().splitlines()) if counter.exists() else 0


def scan(tmp: Path, target: Path, cfg: Config, rules: Path | None = None):
    scanner = CountingScanner(cfg)
    scanner.rules_dir = rules
    return run_one(scanner, target, ["a.py"], tmp / "work", cfg, ResultCache(tmp / "cache" / "results"))


def test_cache_hits_and_each_key_part_invalidates(env):
    tmp, script, counter, target = env
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    first = scan(tmp, target, cfg)
    assert first.status is Status.OK and not first.cached and runs(counter) == 1
    again = scan(tmp, target, cfg)
    assert again.cached and runs(counter) == 1 and len(again.findings) == 1
    assert again.findings[0].location.path == "a.py"

    (target / "a.py").write_text("print(2)\n")  # file content
    assert not scan(tmp, target, cfg).cached and runs(counter) == 2

    cfg2 = Config(tools={"bandit": ToolSettings(path=str(script), args=["--strict"])})  # config
    assert not scan(tmp, target, cfg2).cached and runs(counter) == 3

    rules = tmp / "rules"
    rules.mkdir()
    (rules / "r.yaml").write_text("a: 1\n")
    assert not scan(tmp, target, cfg, rules).cached and runs(counter) == 4
    assert scan(tmp, target, cfg, rules).cached
    (rules / "r.yaml").write_text("a: 2\n")  # rule pack contents
    assert not scan(tmp, target, cfg, rules).cached and runs(counter) == 5

    v2 = tmp / "tool-v2"  # tool version
    v2.write_text(script.read_text().replace("1.0.0", "2.0.0"))
    v2.chmod(0o755)
    cfg3 = Config(tools={"bandit": ToolSettings(path=str(v2))})
    result = scan(tmp, target, cfg3)
    assert not result.cached and result.version == "2.0.0" and runs(counter) == 6


def test_errors_are_never_cached(env):
    tmp, script, counter, target = env
    script.write_text(script.read_text() + "exit 0\n")
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})

    class Broken(CountingScanner):
        def parse(self, run: Invocation):
            from guard.scanners.base import ScannerError
            raise ScannerError("garbage")

    scanner = Broken(cfg)
    for _ in range(2):
        assert run_one(scanner, target, ["a.py"], tmp / "w", cfg, ResultCache(tmp / "cache" / "results")).status is Status.ERROR
    assert runs(counter) == 2


def test_corrupt_cache_entry_is_a_miss(env):
    tmp, script, counter, target = env
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    scan(tmp, target, cfg)
    for result in (tmp / "cache" / "results").rglob("result.json"):
        result.write_text(json.dumps({"format": 1, "broken": True}))
    assert not scan(tmp, target, cfg).cached and runs(counter) == 2


def test_a_change_to_guards_own_code_re_runs_the_scanners(env, monkeypatch):
    """The osv scanner is guard's code, and guard parses every tool's output: a requirements-file rule
    added in guard's lockfile code was not applied to a cached osv result."""
    import guard.cache

    tmp, script, counter, target = env
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    scan(tmp, target, cfg)
    assert scan(tmp, target, cfg).cached and runs(counter) == 1
    monkeypatch.setattr(guard.cache, "package_digest", lambda: "guard with a changed lockfile parser")
    assert not scan(tmp, target, cfg).cached and runs(counter) == 2



class FileLocalScanner(CountingScanner):
    """A CountingScanner whose tool judges each file alone, so it may run on the changed files only."""

    file_local = True


@pytest.fixture
def logging_tool(env):
    """`env` with a tool that logs the files of each run to the counter file and names them on stdout."""
    tmp, script, counter, target = env
    script.write_text(f'#!/bin/sh\n[ "$1" = "--version" ] && {{ echo "tool 1.0.0"; exit 0; }}\n'
                      f'echo "$@" >> {counter}\necho "ran on $@"\n')
    (target / "b.py").write_text("print(2)\n")
    return tmp, script, counter, target


def invocations(counter: Path) -> list[list[str]]:
    return [line.split() for line in counter.read_text().splitlines()]


def scan_files(tmp: Path, target: Path, cfg: Config, files: Sequence[str], scanner: type = FileLocalScanner):
    return run_one(scanner(cfg), target, files, tmp / "work", cfg, ResultCache(tmp / "cache" / "results"))


def test_a_file_local_scanner_runs_on_the_changed_files_only(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    first = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert invocations(counter) == [["a.py", "b.py"]] and first.files_cached == 0

    (target / "b.py").write_text("print(3)\n")
    second = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert invocations(counter)[-1] == ["b.py"]
    assert not second.cached and (second.files_scanned, second.files_cached) == (2, 1)
    assert sorted(f.location.path for f in second.findings) == ["a.py", "b.py"]
    raw = sorted(Path(p).read_text() for p in second.raw_outputs)
    assert raw == ["ran on a.py b.py\n", "ran on b.py\n"]  # the evidence of both runs behind the findings

    hit = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert hit.cached and len(invocations(counter)) == 2
    assert sorted(Path(p).read_text() for p in hit.raw_outputs) == raw
    copies = [p for p in (tmp / "cache" / "results").rglob("raw/*") if p.read_text() == "ran on a.py b.py\n"]
    assert len(copies) == 1  # the second run's entry refers to the first run's output, never copies it
    (target / "c.py").write_text("print(4)\n")  # a new file: only it is scanned
    third = scan_files(tmp, target, cfg, ["a.py", "b.py", "c.py"])
    assert invocations(counter)[-1] == ["c.py"] and third.files_cached == 2 and len(third.findings) == 3

    cfg2 = Config(tools={"bandit": ToolSettings(path=str(script), args=["--strict"])})  # the command line
    scan_files(tmp, target, cfg2, ["a.py", "b.py", "c.py"])
    assert invocations(counter)[-1] == ["--strict", "a.py", "b.py", "c.py"]


def test_a_scanner_not_file_local_runs_on_every_file_again(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    scan_files(tmp, target, cfg, ["a.py", "b.py"], CountingScanner)
    (target / "b.py").write_text("print(3)\n")
    assert scan_files(tmp, target, cfg, ["a.py", "b.py"], CountingScanner).files_cached == 0
    assert invocations(counter)[-1] == ["a.py", "b.py"]


def test_a_run_with_a_finding_at_no_scanned_file_keeps_no_file_entries(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})

    class Elsewhere(FileLocalScanner):
        def parse(self, run: Invocation) -> Iterable[Finding]:
            yield from super().parse(run)
            yield Finding(tool=self.name, rule=Rule("C2", "c", "c", "c", "c"), message="about the run",
                          severity=Severity.LOW, category=Category.SAST, location=None)

    scan_files(tmp, target, cfg, ["a.py", "b.py"], Elsewhere)
    (target / "b.py").write_text("print(3)\n")
    again = scan_files(tmp, target, cfg, ["a.py", "b.py"], Elsewhere)
    assert invocations(counter)[-1] == ["a.py", "b.py"] and again.files_cached == 0
    assert len(again.findings) == 3


def test_a_file_entry_whose_raw_output_is_gone_is_a_miss(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    scan_files(tmp, target, cfg, ["a.py", "b.py"])
    for raw in (tmp / "cache" / "results").rglob("raw/stdout"):
        raw.unlink()  # the evidence behind the cached findings
    (target / "b.py").write_text("print(3)\n")
    again = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert invocations(counter)[-1] == ["a.py", "b.py"] and again.files_cached == 0


def index_of(folder: Path) -> dict[str, str]:
    """A scanner's whole file index (all its parts), checking each key sits in the part of its first digits."""
    index: dict[str, str] = {}
    for part in folder.glob("files.index.*.json"):
        held = json.loads(part.read_text())
        assert all(part.name == f"files.index.{key[:2]}.json" for key in held)
        index.update(held)
    return index


def test_the_file_index_names_live_run_entries_only_and_nothing_outside_the_cache(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    folder = tmp / "cache" / "results" / "counting"
    folder.mkdir(parents=True)
    (folder / "files.index.json").write_text("{}")  # the index before it was in parts: removed at the next write
    scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert not (folder / "files.index.json").exists()
    (first,) = {p.parent for p in folder.glob("*/files.json")}
    (target / "b.py").write_text("print(3)\n")
    scan_files(tmp, target, cfg, ["a.py", "b.py"])
    index = index_of(folder)
    assert len(index) == 3 and set(index.values()) == {first.name, *(p.parent.name for p in folder.glob("*/files.json")
                                                                     if p.parent != first)}
    shutil.rmtree(first)  # gone: its files are a miss, and their keys leave a part of the index written again
    (target / "b.py").write_text("print(4)\n")
    again = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert invocations(counter)[-1] == ["a.py", "b.py"] and again.files_cached == 0

    dead, live = "ab" + "1" * 62, "f" * 64  # a part naming the gone entry, written again for another key
    (folder / "files.index.ab.json").write_text(json.dumps({dead: first.name}))
    (folder / live).mkdir()
    (folder / live / "result.json").write_text("{}")
    ResultCache(tmp / "cache" / "results").put_files("counting", live, {"ab" + "0" * 62: []}, target)
    assert json.loads((folder / "files.index.ab.json").read_text()) == {"ab" + "0" * 62: live}

    index = index_of(folder)  # an index naming another folder's entry (another scanner's, say) is no index of guard's
    (latest,) = {v for v in index.values() if (folder / v / "files.json").is_file()
                 and len(json.loads((folder / v / "files.json").read_text())["files"]) == 2}
    shutil.copytree(folder / latest, folder.parent / "other" / latest)
    for part in folder.glob("files.index.*.json"):
        part.write_text(json.dumps({k: f"../other/{latest}" for k in json.loads(part.read_text())}))
    (target / "b.py").write_text("print(5)\n")
    assert scan_files(tmp, target, cfg, ["a.py", "b.py"]).files_cached == 0



def test_a_run_reads_and_writes_only_the_index_parts_of_its_files(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    folder = tmp / "cache" / "results" / "counting"
    for i in range(40):
        (target / f"m{i}.py").write_text(f"print({i})\n")
    everything = sorted(p.name for p in target.glob("*.py"))
    scan_files(tmp, target, cfg, everything)
    parts = {p.name: p.read_text() for p in folder.glob("files.index.*.json")}
    assert len(parts) > 10 and sum(len(json.loads(t)) for t in parts.values()) == len(everything)

    for name in parts:  # a part no file of the next run is in can hold anything: it is not read
        (folder / name).write_text("not json")
    mine = {f"files.index.{key[:2]}.json" for key in file_keys_of(tmp, target, cfg, ["a.py"])}
    for name in mine:
        (folder / name).write_text(parts[name])
    (target / "b.py").write_text("print('changed')\n")
    again = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert invocations(counter)[-1] == ["b.py"] and again.files_cached == 1  # a.py's findings from the cache
    written = {p.name for p in folder.glob("files.index.*.json") if p.read_text() != "not json"}
    b_parts = {f"files.index.{key[:2]}.json" for key in file_keys_of(tmp, target, cfg, ["b.py"])}
    assert written == mine | b_parts  # b.py's part was rewritten (the unreadable one taken for empty)


def file_keys_of(tmp: Path, target: Path, cfg: Config, files: Sequence[str]) -> list[str]:
    """The file keys of `files` for FileLocalScanner, as the runner works them out."""
    from guard.scanners.runner import _file_keys, _executable, _version

    scanner = FileLocalScanner(cfg)
    exe = _executable(scanner, cfg)
    return list(_file_keys(scanner, exe, _version(scanner, exe), target, list(files), tmp / "work", {}).values())


def test_file_entries_hold_no_secret_value(logging_tool):
    tmp, script, counter, target = logging_tool
    token = "ghp_" + "Zq8xW3vB6nT1yR4uK7pL0sD5fG2hJ9cE3aM6"
    (target / "a.py").write_text(f'TOKEN = "{token}"\n')
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})

    class Quoting(FileLocalScanner):
        category = Category.SECRET

        def parse(self, run: Invocation) -> Iterable[Finding]:
            for rel in run.files:
                line = (run.target / rel).read_text().strip()
                yield Finding(tool=self.name, rule=Rule("S1", "s", "s", "s", "s"), message=f"secret in {line}",
                              severity=Severity.HIGH, category=Category.SECRET, location=Location(rel, 1, 1))

    first = scan_files(tmp, target, cfg, ["a.py", "b.py"], Quoting)
    assert any(token in f.message for f in first.findings)
    (held,) = (tmp / "cache" / "results" / "counting").glob("*/files.json")
    assert len(json.loads(held.read_text())["files"]) == 2 and token not in held.read_text()
    (target / "b.py").write_text("print(3)\n")
    again = scan_files(tmp, target, cfg, ["a.py", "b.py"], Quoting)  # a.py's finding from its entry
    assert again.files_cached == 1 and not any(token in f.message for f in again.findings)
    written = list((tmp / "cache" / "results").rglob("*.json"))
    assert len([e for e in written if not e.name.startswith("files.index.")]) == 4
    assert not any(token in e.read_text() for e in written)


def test_a_file_is_scanned_again_when_a_file_its_findings_depend_on_appears_or_changes(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})

    class Configured(FileLocalScanner):
        def file_inputs(self, target: Path, files: Sequence[str]):
            return {"a.py": ["a.conf"]} if (target / "a.conf").exists() else {}

    scan_files(tmp, target, cfg, ["a.py", "b.py"], Configured)
    (target / "a.conf").write_text("x\n")
    scan_files(tmp, target, cfg, ["a.py", "b.py"], Configured)
    assert invocations(counter)[-1] == ["a.py"]
    (target / "a.conf").write_text("y\n")
    scan_files(tmp, target, cfg, ["a.py", "b.py"], Configured)
    assert invocations(counter)[-1] == ["a.py"] and len(invocations(counter)) == 3


def test_semgrep_keys_a_chart_template_by_its_charts_presence(tmp_path: Path):
    from guard.scanners.semgrep import SemgrepScanner

    (tmp_path / "chart" / "templates").mkdir(parents=True)
    (tmp_path / "chart" / "Chart.yaml").write_text("name: c\n")
    files = ["chart/templates/deploy.yaml", "chart/values.yaml", "other/deploy.yaml"]
    inputs = SemgrepScanner(Config()).file_inputs(tmp_path, files)
    assert inputs == {"chart/templates/deploy.yaml": ["chart/Chart.yaml"]}


def test_a_run_reads_each_file_once_and_the_next_run_reads_it_again(tmp_path: Path, monkeypatch):
    import hashlib

    from guard import digest

    path = tmp_path / "a.py"
    path.write_text("print(1)\n")
    reads: list[Path] = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda p, *a, **k: (reads.append(Path(p)), real_open(p, *a, **k))[1])

    def of(p: Path) -> str:
        h = hashlib.sha256()
        digest.hash_file(h, p)
        return h.hexdigest()

    with digest.one_read_per_file():
        first = of(path)
        assert of(path) == first and reads == [path]  # the whole-run, per-file and judged keys ask alike
    path.write_text("print(2)\n")
    assert of(path) != first and reads == [path, path]


def test_an_entry_naming_raw_outputs_outside_the_cache_is_a_miss(logging_tool):
    tmp, script, counter, target = logging_tool
    cfg = Config(tools={"bandit": ToolSettings(path=str(script))})
    scan_files(tmp, target, cfg, ["a.py", "b.py"])
    (tmp / "elsewhere.txt").write_text("not guard's\n")
    for result in (tmp / "cache" / "results").rglob("result.json"):
        doc = json.loads(result.read_text())
        result.write_text(json.dumps({**doc, "raw_refs": ["../../elsewhere.txt"]}))  # (the file is there)
    again = scan_files(tmp, target, cfg, ["a.py", "b.py"])
    assert not again.cached and len(invocations(counter)) == 2
    assert not any("elsewhere" in p for p in again.raw_outputs)


def test_the_version_cache_keeps_only_executables_that_are_still_there_unchanged(tmp_path: Path) -> None:
    from guard.cache import VersionCache

    versions = VersionCache(tmp_path / "versions.json")
    tools = {name: tmp_path / name for name in ("kept", "changed", "removed")}
    for tool in tools.values():
        tool.write_text("#!/bin/sh\n")
        versions.put(str(tool), "1.0")
    assert {name: versions.get(str(tool)) for name, tool in tools.items()} == dict.fromkeys(tools, "1.0")
    tools["changed"].write_text("#!/bin/sh\n# version 2\n")
    tools["removed"].unlink()
    assert versions.get(str(tools["changed"])) is None  # another size: asked again
    versions.put(str(tools["changed"]), "2.0")
    entries = json.loads((tmp_path / "versions.json").read_text())
    assert sorted(entries.values()) == ["1.0", "2.0"] and len(entries) == 2
    assert versions.get(str(tools["kept"])) == "1.0" and versions.get(str(tools["changed"])) == "2.0"
