"""semgrep: SAST with guard's own rule pack (policies/semgrep) plus any rule paths in config.

Offline: local `--config` files only, metrics and version check off. The `--experimental` engine
is used: guard's rule tests all pass with it (tests/integration/test_semgrep_rules.py), it gave
the same 62 results as the classic engine on examples/insecure-shop in 2.2 s instead of 27.7 s,
and it writes SARIF to stdout (it ignores -o). The classic engine prefixes rule ids with the rule
file's path; guard maps such ids back to the ids written in the rule files and takes severity
and CWE from the rules' metadata (`guard-severity`, `cwe`). `nosemgrep` lines come back as
suppressed results and become inline waivers. Minified files (bundles, vendored libraries: under 7%
whitespace or over 1,000 bytes a line) are skipped: guard's rules are written for source people edit
(`args: [--no-exclude-minified-files]` scans them too). Files semgrep does not know by their names
(`Dockerfile.dev`, `Containerfile`, `*.pyw`, `*.mts`) are scanned under names it reads, in a view of the
files (`unread_names`). semgrep's project root is the target, where rules' `paths:` are read from.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import AbstractSet, Any, Iterable, Mapping, Sequence

import yaml

from guard.compliance.checked import remembered
from guard.helm import Charts
from guard.paths import builtin_dir
from guard.model import Category, Finding, Rule, Severity
from guard.sarif.read import notifications, results
from guard.scanners.base import (
    Invocation, Launch, ScannerError, ToolScanner, coverage_rule, lay_out, load_sarif_output, match_any,
    not_checked, unless_set,
)
from guard.scanners.distinfo import dist_version, package_file
from guard.scanners.generated import generated_code
from guard.scanners.semgrep_paths import RulePaths
from guard.scanners.testcode import is_test_code
from guard.tools.catalog import TOOLS

_SEMGREP_LEVEL = {"ERROR": Severity.HIGH, "WARNING": Severity.MEDIUM, "INFO": Severity.LOW, "INVENTORY": Severity.INFO,
                  "EXPERIMENT": Severity.INFO, "CRITICAL": Severity.CRITICAL, "HIGH": Severity.HIGH,
                  "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}
LANGUAGE_GLOBS: dict[str, tuple[str, ...]] = {
    "python": ("*.py", "*.pyw"),
    "javascript": ("*.js", "*.jsx", "*.mjs", "*.cjs"),
    "js": ("*.js", "*.jsx", "*.mjs", "*.cjs"),
    "typescript": ("*.ts", "*.tsx", "*.mts", "*.cts"),
    "ts": ("*.ts", "*.tsx"),
    "go": ("*.go",),
    "terraform": ("*.tf", "*.hcl"),
    "hcl": ("*.tf", "*.hcl"),
    "dockerfile": ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile"),
    "docker": ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile"),
    "yaml": ("*.yaml", "*.yml"),
    "json": ("*.json",),
    "java": ("*.java",),
    "ruby": ("*.rb",),
    "php": ("*.php",),
    "bash": ("*.sh", "*.bash"),
    "generic": ("*",),
    "regex": ("*",),
}


def builtin_rules_dir() -> Path:
    """guard's own semgrep pack: `policies/semgrep` next to the package."""
    return builtin_dir("policies") / "semgrep"


@dataclass(frozen=True, slots=True)
class PackRule:
    id: str
    message: str
    severity: Severity
    severity_source: str
    cwe: tuple[str, ...]
    languages: tuple[str, ...]
    references: tuple[str, ...]
    source: str
    in_tests: str | None = None  # metadata `guard-in-tests`: why a finding in test code is waived
    paths: RulePaths = RulePaths()  # the rule's own `paths:` include / exclude globs



_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def rule_files(paths: Sequence[Path]) -> dict[Path, dict[str, Any]]:
    """Every semgrep rule file under `paths` (YAML with a top-level `rules` list; tests fixtures skipped), parsed.

    Fails closed: a YAML file under a rule path that is not a readable rule file, or a rule path
    that holds no rules at all, is a ScannerError (rules the user asked for must not vanish).
    """
    out: dict[Path, dict[str, Any]] = {}
    for base in paths:
        candidates = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.suffix in (".yaml", ".yml"))
        found = 0
        for path in candidates:
            if ".test." in path.name:
                continue
            try:
                doc = _parsed(path)
            except (OSError, UnicodeDecodeError, yaml.YAMLError, RecursionError) as exc:
                raise ScannerError(f"semgrep rule file {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
            if not (isinstance(doc, dict) and isinstance(doc.get("rules"), list) and doc["rules"]):
                raise ScannerError(f"semgrep rule file {path}: no top-level `rules` list")
            out[path] = doc
            found += 1
        if not found:
            raise ScannerError(f"semgrep rules {base}: no rule files (YAML with a top-level `rules` list)")
    return out


def _parsed(path: Path) -> Any:
    """A rule file's YAML, remembered by content (parsing guard's pack took 40 ms at every start); not
    one with anchors: written out, a YAML alias bomb is gigabytes (parsed, its aliases share objects)."""
    text = path.read_text(encoding="utf-8")
    if _ANCHOR.search(text):
        return yaml.load(text, Loader=_LOADER)
    return remembered(text, f"semgrep rule file, PyYAML {yaml.__version__}", lambda: yaml.load(text, Loader=_LOADER),
                      lambda doc: doc)


_ANCHOR = re.compile(r"(?:^|[\s:\-\[,{])&[\w-]+(?=[\s\]},]|$)", re.MULTILINE)


def load_rules(docs: Mapping[Path, Mapping[str, Any]]) -> dict[str, PackRule]:
    """Rule id -> metadata, from the parsed rule files guard passes to semgrep."""
    rules: dict[str, PackRule] = {}
    for path, doc in docs.items():
        for raw in doc.get("rules") or []:
            if not isinstance(raw, dict) or not raw.get("id"):
                continue
            meta = raw.get("metadata") if isinstance(raw.get("metadata"), dict) else {}
            guard_sev = meta.get("guard-severity")
            if isinstance(guard_sev, str) and guard_sev.lower() in {s.value for s in Severity}:
                severity, source = Severity.parse(guard_sev), "rule-metadata"
            else:
                severity, source = _SEMGREP_LEVEL.get(str(raw.get("severity", "WARNING")).upper(), Severity.MEDIUM), "tool"
            cwe_raw = meta.get("cwe") or []
            cwe_list = cwe_raw if isinstance(cwe_raw, list) else [cwe_raw]
            cwe = tuple(dict.fromkeys(str(c).split(":")[0].strip().upper() for c in cwe_list if str(c).upper().startswith("CWE")))
            refs = meta.get("references") or []
            rules[str(raw["id"])] = PackRule(
                id=str(raw["id"]), message=" ".join(str(raw.get("message", "")).split()), severity=severity,
                severity_source=source, cwe=cwe, languages=tuple(str(x).lower() for x in raw.get("languages") or ()),
                references=tuple(str(r) for r in refs if isinstance(r, str)), source=str(path),
                in_tests=str(meta["guard-in-tests"]) if meta.get("guard-in-tests") else None,
                paths=RulePaths.of(raw.get("paths")))
    return rules


_SCRIPT_MARKER = "from semgrep.console_scripts.entrypoint import main"  # semgrep's console script (1.185.0)


class SemgrepScanner(ToolScanner):
    name = "semgrep"
    category = Category.SAST
    tool = "semgrep"
    cost = 1.0
    file_local = True

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self._files: list[Path] | None = None
        self._rules: dict[str, PackRule] | None = None

    def rule_paths(self) -> list[Path]:
        paths = [builtin_rules_dir()] if self.config.semgrep.builtin_rules else []
        base = Path(self.config.source).parent if self.config.source else Path.cwd()
        paths += [(base / p) if not Path(p).is_absolute() else Path(p) for p in self.config.semgrep.rules]
        for p in paths:
            if not p.exists():
                raise ScannerError(f"semgrep rules {p} not found")
        return paths

    def pack(self) -> tuple[list[Path], dict[str, PackRule]]:
        if self._files is None or self._rules is None:
            docs = rule_files(self.rule_paths())
            self._files = list(docs)
            self._rules = load_rules(docs)
        return self._files, self._rules

    def cache_inputs(self) -> Sequence[Path]:
        return self.rule_paths()

    def select(self, files: Sequence[str]) -> list[str]:
        try:
            _, rules = self.pack()
        except ScannerError:
            return list(files)  # let the run fail loudly with the reason
        globs = tuple(dict.fromkeys(g for r in rules.values() for lang in r.languages for g in LANGUAGE_GLOBS.get(lang, ())))
        return [f for f in files if match_any(f, globs)]

    def version(self, exe: str) -> str:
        return dist_version(exe, "semgrep") or super().version(exe)

    def env(self) -> Mapping[str, str]:
        return {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}

    def launch(self, argv: Sequence[str], env: Mapping[str, str]) -> Launch:
        """semgrep-core as `osemgrep`, which the pinned semgrep's console script only starts (its Python start-up
        came before every run: 45-60 ms), doing what that script does first: its folder on PATH (osemgrep
        starts `pysemgrep` for what it does not do itself) and NO_COLOR, the output being no terminal. The
        script itself for another version, a pro or legacy run, or without `--experimental`."""
        core = package_file(argv[0], "semgrep", TOOLS["semgrep"].version, _SCRIPT_MARKER, "semgrep/bin/semgrep-core")
        if (core is None or os.name != "posix" or "--experimental" not in argv
                or any(flag in argv for flag in ("--legacy", "--pro", "--pro-languages", "--pro-intrafile"))):
            return super().launch(argv, env)
        started = dict(env)
        started["PATH"] = started.get("PATH", "") + os.pathsep + str(Path(argv[0]).resolve().parent)
        if not any(started.get(name) for name in ("NO_COLOR", "FORCE_COLOR", "SEMGREP_FORCE_COLOR")):
            started["NO_COLOR"] = "1"
        return Launch(core, ["osemgrep", *argv[1:]], started)

    def stage(self, target: Path, files: Sequence[str], workdir: Path) -> None:
        """When a file needs a name semgrep reads (`unread_names`), a view of the files in which it has
        one: semgrep then runs there (`cwd`), every file at its repository path under one project root."""
        unread = unread_names(files)
        if unread:
            view = workdir / _VIEW
            lay_out(target, [f for f in files if f not in unread], view, copy=True)
            for rel, alias in unread.items():
                (view / alias).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(target / rel, view / alias)

    def cwd(self, target: Path, workdir: Path) -> Path:
        view = workdir / _VIEW
        return view if view.is_dir() else target

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        rule_paths, rules = self.pack()
        if not rules:
            raise ScannerError("semgrep: no rules found in " + ", ".join(str(p) for p in self.rule_paths()))
        configs = [arg for p in rule_paths for arg in ("--config", str(p))]
        args = self.config.tool("semgrep").args
        minified = unless_set(args, ("--exclude-minified-files", "--no-exclude-minified-files"),
                              "--exclude-minified-files")
        unread = unread_names(files)
        targets = [unread.get(f, f) for f in files]
        # semgrep reads a rule's `paths:` relative to its project root: by default the top of the git work
        # tree holding the files (an `include: [/src]` is then no folder of a target below that top), and
        # outside one each file's own folder (folder patterns match nothing); the target is named the root
        rooted = unless_set(args, ("--project-root",), "--project-root", ".")
        return [exe, "scan", "--experimental", "--metrics=off", "--disable-version-check", "--quiet", *configs,
                *minified, *rooted, "--sarif", *args, "--", *targets]

    def file_inputs(self, target: Path, files: Sequence[str]) -> Mapping[str, Sequence[str]]:
        """A chart's Chart.yaml for its templates: it makes their parse failures no finding (see `parse`)."""
        charts = Charts(target)
        return {rel: [str(chart / "Chart.yaml")] for rel in files
                if charts.is_template(rel) and (chart := charts.chart_of(PurePosixPath(rel).parent)) is not None}

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        """The rules for the languages of `files` (a Terraform rule checked nothing in a Python file) that
        their own `paths:` surely let scan one of them."""
        _, rules = self.pack()
        present = {lang for lang, globs in LANGUAGE_GLOBS.items() if any(match_any(f, globs) for f in files)}
        return [_rule(r) for r in rules.values() if files and _applies(r, present) and _paths_let(r, files)]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        limit = _max_target_bytes(self.config.tool("semgrep").args)
        too_big: set[str] = set()
        for rel in run.files:
            size = _size(run.target / rel)
            if limit and size > limit and not generated_code(rel):
                too_big.add(rel)
                yield _too_big(rel, size, limit)
        doc = load_sarif_output(run, run.stdout, self.name, ok_codes=(0, 1))
        copies = {alias: rel for rel, alias in unread_names(run.files).items()}
        _restore_paths(doc, copies)
        _, rules = self.pack()
        charts = Charts(run.target)
        for rel, gap in unchecked(doc, copies, rules).items():
            if rel in run.files and rel not in too_big and not (gap.unparsed and charts.is_template(rel)):
                yield _gap(rel, gap)
        for item in results(doc, run.target, category=self.category, tool=self.name, cwd=run.target):
            yield _complete(item.finding, item.suppression, rules)


# semgrep picks a file's language by its name alone, even for a file named on its command line:
# `Dockerfile.dev`, `Containerfile`, `*.pyw`, `*.mts` and `*.cts` were reported scanned and never read.
# They are scanned as copies under a name semgrep reads (`<path>.dockerfile`, `.py`, `.ts`), and their
# results put back at the file.
_SEMGREP_DOCKERFILE = re.compile(r"(?i)dockerfile|.+\.dockerfile")
_ALIAS_SUFFIX = {".pyw": ".py", ".mts": ".ts", ".cts": ".ts"}
_VIEW = "view"


def unread_names(files: Sequence[str]) -> dict[str, str]:
    """Files semgrep would skip for their names -> the name of the copy it reads instead."""
    out: dict[str, str] = {}
    for rel in files:
        path = PurePosixPath(rel)
        if match_any(rel, LANGUAGE_GLOBS["dockerfile"]) and not _SEMGREP_DOCKERFILE.fullmatch(path.name):
            out[rel] = f"{rel}.dockerfile"
        elif path.suffix in _ALIAS_SUFFIX:
            out[rel] = f"{rel}{_ALIAS_SUFFIX[path.suffix]}"
    return out


# semgrep leaves out files over `--max-target-bytes` (1 MB unless set) without a word in its SARIF; a file
# it cannot parse (all of it, or, for languages it parses with recovery, a part), or on which a rule runs
# out of time (`--timeout`, 5 s per rule and file unless set), it names only in its run's notifications.
# Each such file is a low finding saying what was not checked (generated and minified code, which guard
# skips on purpose, excepted; a Helm chart's templates are Go templates, which semgrep's YAML parser
# cannot read: trivy checks them rendered).
_DEFAULT_MAX_TARGET_BYTES = 1_000_000
NOT_CHECKED = coverage_rule("semgrep/file-not-checked", "semgrep: file not checked, or not by every rule",
                            "semgrep skips a file larger than --max-target-bytes or one it cannot parse, and stops a "
                            "rule that runs out of time on a file, reporting no result for them.",
                            "Over the size limit: raise it (`tools.semgrep.args: [--max-target-bytes=5000000]`, 0 for "
                            "none). Not parsed: fix the syntax, or exclude a file that is not the language its name "
                            "says. A rule out of time: raise `--timeout` (seconds per rule and file, 0 for none). Or "
                            "waive this finding with a reason.", "sast")
_SYNTAX = re.compile(r"^(?P<kind>[\w ]*error) at line (?P<path>.+?):(?P<line>\d+):", re.IGNORECASE)
_STOPPED = re.compile(r"^(?P<kind>[\w ]+?) when running (?P<rule>\S+) on (?P<path>.+?):\s*$", re.MULTILINE)


@dataclass
class Gap:
    """What semgrep's notifications say it did not check in one file."""

    unparsed: str | None = None  # why semgrep could not parse it ("Syntax error")
    line: int = 1  # where it could not
    stopped: dict[str, str] = field(default_factory=dict)  # rule id -> why it stopped ("Timeout")


def unchecked(doc: Any, copies: Mapping[str, str], rules: Mapping[str, PackRule]) -> dict[str, Gap]:
    """Repository path -> what semgrep did not check there, from its SARIF's tool execution notifications
    (`copies`: the paths of copies semgrep read -> the files they stand for)."""
    gaps: dict[str, Gap] = {}
    for note in notifications(doc, "toolExecutionNotifications"):
        text = str((note.get("message") or {}).get("text") or "")
        if syntax := _SYNTAX.match(text):
            gap = gaps.setdefault(copies.get(syntax["path"], syntax["path"]), Gap())
            gap.unparsed, gap.line = syntax["kind"], int(syntax["line"])
        elif stopped := _STOPPED.match(text):
            gap = gaps.setdefault(copies.get(stopped["path"], stopped["path"]), Gap())
            gap.stopped[original_id(stopped["rule"], rules)] = stopped["kind"]
    return gaps


def _gap(rel: str, gap: Gap) -> Finding:
    if gap.unparsed:
        message = (f"semgrep could not parse {rel} ({gap.unparsed} at line {gap.line}): its rules did not check "
                   "what it could not parse (for some languages, e.g. YAML, the whole file)")
    else:
        kinds = sorted(set(gap.stopped.values()))
        message = (f"semgrep did not finish checking {rel}: {len(gap.stopped)} rule(s) stopped "
                   f"({', '.join(k.lower() for k in kinds)}): {', '.join(sorted(gap.stopped))}")
    return not_checked(NOT_CHECKED, Category.SAST, rel, gap.line, message)


def _max_target_bytes(args: Sequence[str]) -> int:
    """semgrep's size limit for a file, as the config's args set it (0: none)."""
    for i, arg in enumerate(args):
        name, _, value = arg.partition("=")
        if name == "--max-target-bytes":
            value = value or (args[i + 1] if i + 1 < len(args) else "")
            try:
                return max(int(value), 0)
            except ValueError:
                raise ScannerError(f"semgrep: --max-target-bytes {value!r} is not a number of bytes") from None
    return _DEFAULT_MAX_TARGET_BYTES


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _too_big(rel: str, size: int, limit: int) -> Finding:
    return not_checked(NOT_CHECKED, Category.SAST, rel, 1,
                       f"semgrep did not check {rel}: {size:,} bytes, over its --max-target-bytes limit of {limit:,}")


def _restore_paths(doc: Any, originals: Mapping[str, str]) -> None:
    """Point results on a copy (`unread_names`) back at the repository file."""
    if not originals or not isinstance(doc, dict):
        return
    for run in doc.get("runs") or []:
        for result in (run.get("results") or []) if isinstance(run, dict) else []:
            for location in (result.get("locations") or []) if isinstance(result, dict) else []:
                artifact = (location.get("physicalLocation") or {}).get("artifactLocation") \
                    if isinstance(location, dict) else None
                if isinstance(artifact, dict) and artifact.get("uri") in originals:
                    artifact["uri"] = originals[artifact["uri"]]
                    artifact.pop("uriBaseId", None)


def _applies(rule: PackRule, present: AbstractSet[str]) -> bool:
    """Whether semgrep runs `rule` on files of the languages `present` (a language guard has no globs
    for: on every file)."""
    if any(lang not in LANGUAGE_GLOBS for lang in rule.languages) or not rule.languages:
        return True
    return not present.isdisjoint(rule.languages)


def _paths_let(rule: PackRule, files: Sequence[str]) -> bool:
    """Whether the rule's `paths:` surely let it scan one of `files` of its languages."""
    if rule.paths == RulePaths():
        return True
    globs = [g for lang in rule.languages for g in LANGUAGE_GLOBS.get(lang, ("*",))] or ["*"]
    return any(rule.paths.surely_scans(f) for f in files if match_any(f, globs))


def original_id(reported: str, rules: Mapping[str, PackRule]) -> str:
    """The id written in the rule file for semgrep's path-prefixed id."""
    if reported in rules:
        return reported
    matches = [rid for rid in rules if reported.endswith("." + rid)]
    return max(matches, key=len) if matches else reported


def _rule(r: PackRule) -> Rule:
    return Rule(id=r.id, name=r.id, short_description=f"{r.id}: {r.message.split('. ')[0][:120]}",
                full_description=r.message, help_text=r.message, help_uri=r.references[0] if r.references else None,
                tags=("sast",), cwe=r.cwe)


def _complete(f: Finding, suppression: str | None, rules: Mapping[str, PackRule]) -> Finding:
    rid = original_id(f.rule_id, rules)
    pack = rules.get(rid)
    props = dict(f.properties)
    if suppression:
        props["inline_waiver"] = f"nosemgrep on the line ({suppression})"
    elif pack is not None and pack.in_tests and f.location is not None and is_test_code(f.location.path):
        props["inline_waiver"] = f"guard: {pack.in_tests}"
    if pack is None:
        rule = replace(f.rule, id=rid, name=rid)
        return replace(f, rule=rule, properties=props)
    return replace(f, rule=_rule(pack), severity=pack.severity, severity_source=pack.severity_source,
                   cwe=pack.cwe or f.cwe, properties=props)
