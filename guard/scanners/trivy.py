"""trivy: misconfigurations (Dockerfile, Kubernetes, Terraform, CloudFormation, Helm) and secrets.

Offline: no check or version updates, no telemetry, `--offline-scan`. trivy's JSON report is read
(severity, resource and cause lines are all there; paths are relative to the target). trivy scans
the deepest folder holding every selected file (the whole tree in a full scan; one file for a
secret-only scan of one file), so results outside the files guard selected (excluded or ignored
paths, `__pycache__`) are dropped. When the files a selection is judged with lie outside that
folder (the modules calling a changed module, a module called by `../`, the chart of a changed
template), trivy scans a folder of copies of the selection and its context instead (it skips
links). A finding of a module instance in a module read for context is reported at the call in a
selected file that made it (`tfmodule.CallSites`); trivy reports a module's resource once per call
making an instance of it, and those become one finding listing where each came from
(`occurrences`). A Kubernetes manifest, Dockerfile or CloudFormation template trivy could not read (it
says nothing of it) is reported as not checked. Secret values are already masked by trivy; guard
redacts again. trivy drops what an inline `trivy:ignore` comment covers without a trace, so when
the files it checks hold such comments it scans copies with them made inert and guard applies them
itself, as inline waivers (`trivy_ignore`).
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from guard.helm import Charts, chart_files
from guard.model import Category, Finding, Location, Rule, Severity
from guard.sarif.read import SarifError, parse, results
from guard.scanners.base import (
    NO_CONFIG, VIEW, Invocation, ScannerError, ToolScanner, coverage_rule, lay_out, load_json_output, match_any,
    not_checked, per_selection, read_output, unless_set,
)
from guard.scanners.data.iac import keyword_cwe
from guard.scanners.tfmodule import TERRAFORM, CallSites, callers_context, module_inputs, with_called_modules
from guard.scanners.trivy_ignore import IgnoreRule, covering, enclosing_starts, neutralized, rules

OUTPUT = "trivy.json"
OFFLINE = ("--skip-check-update", "--skip-version-check", "--disable-telemetry", "--offline-scan")
# trivy reads trivy.yaml, .trivyignore and trivy-secret.yaml from its working directory, the scanned
# repository: a change adding one would silence trivy (a severity floor, ignored check ids, disabled
# secret rules). guard's waivers are the way to accept a finding.
NOT_FROM_REPO = (("--config", str(NO_CONFIG)), ("--ignorefile", os.devnull), ("--secret-config", ""))


def not_from_repo(args: Sequence[str]) -> list[str]:
    """The options that keep trivy off the repository's own files, but those the config's args set."""
    return [a for option, value in NOT_FROM_REPO for a in unless_set(args, (option,), option, value)]


_CONTAINER_TYPES = {"dockerfile", "kubernetes", "helm"}
# The misconfiguration and secret families trivy evaluates (for control coverage).
FAMILIES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "trivy-misconfig-dockerfile": ("Dockerfile misconfiguration checks (DS-*)", "container", ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile")),
    "trivy-misconfig-kubernetes": ("Kubernetes misconfiguration checks (KSV-*)", "container", ("*.yaml", "*.yml", "*.json")),
    "trivy-misconfig-terraform": ("Terraform misconfiguration checks (AWS-*, AZU-*, GCP-* ...)", "iac", ("*.tf", "*.tf.json")),
    "trivy-misconfig-cloudformation": ("CloudFormation misconfiguration checks", "iac", ("*.yaml", "*.yml", "*.json", "*.template")),
    "trivy-secret": ("Secret detection (cloud keys, tokens, private keys)", "secret", ("*",)),
}


def scanners_for(files: Sequence[str]) -> list[str]:
    """trivy's scanners for `files`: misconfig only when a file is of a type it checks (loading its
    embedded checks costs about 2 s at every start; the secret scan alone takes a fraction of that)."""
    misconfig = any(match_any(f, globs) for family, (_, _, globs) in FAMILIES.items()
                    if family != "trivy-secret" for f in files)
    return ["misconfig", "secret"] if misconfig else ["secret"]


def scan_root(files: Sequence[str]) -> str:
    """What trivy scans: the one selected file for a secret-only scan (no context needed), else the
    deepest folder holding every selected file (a Terraform module is a folder, so its files keep
    their context), "." for the whole tree."""
    if len(files) == 1 and scanners_for(files) == ["secret"]:
        return files[0]
    folders = [PurePosixPath(f).parent.parts for f in files]
    common: list[str] = []
    for parts in zip(*folders):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common) or "."


def _holds_more(folder: Path, count: int) -> bool:
    """Whether `folder` holds more than `count` files (`.git` aside); stops counting past `count`."""
    seen = 0
    for _, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if d != ".git"]
        seen += len(names)
        if seen > count:
            return True
    return False


def _repo_path(reported: str, root: str, root_is_file: bool) -> str:
    """A trivy result target as a repo-relative path: trivy names it relative to the scanned folder;
    a scanned file it names inconsistently (`keys.py` for `app/keys.py`, `/keys.py` for `keys.py`)."""
    if root_is_file:
        return root
    return reported if root == "." else f"{root}/{reported}"


class TrivyScanner(ToolScanner):
    name = "trivy"
    category = Category.CONTAINER
    tool = "trivy"
    cost = 3.0
    patterns = ("*",)  # the secret scanner reads every file
    file_local = True  # but for Helm charts: see `judged_alone`; Terraform's by module: see `file_inputs`

    def cost_for(self, files: Sequence[str]) -> float:
        """Its `cost` when it checks configuration (loading its checks takes about 2 s), a tenth of it
        when it looks for secrets only."""
        return self.cost if scanners_for(files) != ["secret"] else self.cost / 10

    def judged_alone(self, target: Path, files: Sequence[str]) -> list[str]:
        """All files but a Helm chart's, rendered with its values."""
        charts = Charts(target)
        return [f for f in files if charts.chart_of(PurePosixPath(f).parent) is None]

    def file_inputs(self, target: Path, files: Sequence[str]) -> Mapping[str, Sequence[str]]:
        """A Terraform file's findings come from its module, the modules calling it or called by it
        (`find_context`: a finding may sit at a call site; trivy loads no `terraform.tfvars` by itself).
        Those files key its findings, so a change to any of them runs trivy on all of them (each of their
        keys holds it) and a change elsewhere on none."""
        return module_inputs(files, lambda own: self.find_context(target, own))

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        args = self.config.tool("trivy").args
        scanned = str(workdir / VIEW) if self._viewed(target, files) else scan_root(files)
        return [exe, "fs", "--scanners", ",".join(scanners_for(files)), *OFFLINE, *not_from_repo(args), "--quiet",
                "--format", "json", "-o", str(workdir / OUTPUT), *args, scanned]

    def stage(self, target: Path, files: Sequence[str], workdir: Path) -> None:
        """Copies of the files and their context at their repository paths, when trivy scans those;
        in the copies, inline ignore comments are inert."""
        if self._viewed(target, files):
            view = workdir / VIEW
            lay_out(target, [*files, *self.context(target, files)], view, copy=True)
            for rel, (text, _) in self._ignores(target, files).items():
                (view / rel).unlink()  # (a hard link to the repository's file: never written through)
                (view / rel).write_text(neutralized(text), encoding="utf-8", errors="surrogateescape")

    @per_selection
    def _viewed(self, target: Path, files: Sequence[str]) -> bool:
        """Whether trivy scans copies: it checks configuration, and a file it checks holds an inline
        ignore comment, some context file lies outside `scan_root(files)`, or that folder holds more
        files than the selection and its context (trivy reads and checks every configuration file
        in the folder it scans: a change of two manifests in a tree of 345 files took it 8.6 s)."""
        if scanners_for(files) == ["secret"]:
            return False
        if self._ignores(target, files):
            return True
        root, context = scan_root(files), self.context(target, files)
        if root != "." and any(not f.startswith(f"{root}/") for f in context):
            return True
        return _holds_more(target / root, len({*files, *context}))

    @per_selection
    def _ignores(self, target: Path, files: Sequence[str]) -> dict[str, tuple[str, list[IgnoreRule]]]:
        """The text and inline ignore rules of each configuration file trivy checks for `files` that
        holds any."""
        found: dict[str, tuple[str, list[IgnoreRule]]] = {}
        if scanners_for(files) != ["secret"]:
            for rel in [*files, *self.context(target, files)]:
                if _misconfig_file(rel) and (listed := rules(text := _read(target / rel))):
                    found[rel] = text, listed
        return found

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        return [Rule(id=fid, name=fid, short_description=title, full_description=title, help_text=title,
                     help_uri="https://trivy.dev/", tags=(family,),
                     cwe=("CWE-798",) if family == "secret" else ())
                for fid, (title, family, globs) in FAMILIES.items() if any(match_any(f, globs) for f in files)]

    def find_context(self, target: Path, files: Sequence[str]) -> list[str]:
        """trivy judges a Terraform file with its module, the local modules that module calls and
        the modules calling it, and renders a Helm chart's templates with the chart's values."""
        exclude = self.config.exclude
        found = dict.fromkeys([*with_called_modules(target, files, exclude), *callers_context(target, files, exclude),
                               *chart_files(target, files, exclude)])
        chosen = set(files)
        return [f for f in found if f not in chosen]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        doc = load_json_output(run, run.workdir / OUTPUT, self.name)
        if not isinstance(doc, dict) or "SchemaVersion" not in doc:
            raise ScannerError("trivy output is not a trivy JSON report (no SchemaVersion)")
        wanted = set(run.files)
        root = "." if self._viewed(run.target, run.files) else scan_root(run.files)
        modules = {f for f in self.context(run.target, run.files) if match_any(f, TERRAFORM)}
        sites = CallSites(run.target, run.files)
        ignores = {rel: (text.split("\n"), listed)  # (lines, rules) of the files holding ignore comments
                   for rel, (text, listed) in self._ignores(run.target, run.files).items()}
        yield from _instances_merged(self._findings(doc, run, root, wanted, modules, sites, ignores))
        if scanners_for(run.files) != ["secret"]:
            read = {_repo_path(str(r.get("Target") or ""), root, root in wanted)
                    for r in doc.get("Results") or [] if isinstance(r, dict) and r.get("Class") == "config"}
            charts = Charts(run.target)
            for rel in run.files:
                if rel not in read and not charts.is_template(rel) and (why := unread(run.target / rel)):
                    yield not_checked(NOT_CHECKED, Category.CONTAINER, rel, 1, f"trivy did not check {rel}: {why}")

    def _findings(self, doc: Mapping[str, Any], run: Invocation, root: str, wanted: set[str], modules: set[str],
                  sites: CallSites, ignores: Mapping[str, tuple[list[str], Sequence[IgnoreRule]]],
                  ) -> Iterator[Finding]:
        texts: dict[str, str] = {}  # Dockerfiles read for their ENV/ARG values
        for result in doc.get("Results") or []:
            target = _repo_path(str(result.get("Target") or ""), root, root in wanted)
            if target not in wanted and target not in modules:
                continue
            kind = str(result.get("Type") or "")
            for m in result.get("Misconfigurations") or []:
                if m.get("Status", "FAIL") != "FAIL":
                    continue
                finding = _misconfig(m, target, kind, lambda name: _repo_path(name, root, False))
                if finding.rule_id == SECRET_ENV and target in wanted:
                    finding = _setting_waived(finding, texts.setdefault(target, _read(run.target / target)))
                if target in ignores:
                    lines, listed = ignores[target]
                    finding = _waived_inline(finding, listed, (m.get("CauseMetadata") or {}).get("StartLine"), lines)
                if target in wanted:
                    yield finding
                elif (moved := sites.at_call(finding)) is not None:  # an instance a changed call makes
                    yield moved
            if target in wanted:
                for s in result.get("Secrets") or []:
                    yield _secret(s, target)


# trivy's DS-0031 takes an ENV or ARG whose name holds a secret word for a secret, whatever its value:
# `ENV AZURE_KEY_VAULT_ENABLED=false` failed the gate as critical (OWASP wrongsecrets' Dockerfile).
SECRET_ENV = "DS-0031"
_SECRET_ENV_NAME = re.compile(r'secret env "([^"\s]+)"')
_SETTING_VALUE = r"(?:^|\s){name}(?:=|\s+)([\"']?)(?:{values})\1(?=\s|\\|$)"
_BOOLEAN = "true|false|yes|no|on|off"
_NUMBER = r"-?\d+(?:\.\d+)?"
# a number is a setting under a name that says what it counts (`TOKEN_TTL 3600`), a PIN under others
_MEASURE = re.compile(r"(?i).*_(?:ttl|timeout|seconds|secs|minutes|hours|days|expiry|expires|length|size|port|count"
                      r"|max|min|limit|retries|version)")
SETTING_REASON = "guard: the variable is set to a boolean or a number (`false`, `TOKEN_TTL 3600`), not a secret"


def _setting_waived(finding: Finding, text: str) -> Finding:
    """The DS-0031 finding as an inline waiver when its variable is set to a boolean (or, under a name of
    a measure, a number) on the lines trivy points at."""
    name = _SECRET_ENV_NAME.search(finding.message)
    loc = finding.location
    if name is None or loc is None or not loc.start_line:
        return finding
    lines = "\n".join(text.split("\n")[loc.start_line - 1:(loc.end_line or loc.start_line)])
    values = f"{_BOOLEAN}|{_NUMBER}" if _MEASURE.fullmatch(name.group(1)) else _BOOLEAN
    if not re.search(_SETTING_VALUE.format(name=re.escape(name.group(1)), values=values), lines,
                     re.IGNORECASE | re.MULTILINE):
        return finding
    return replace(finding, properties={**finding.properties, "inline_waiver": SETTING_REASON})


NOT_CHECKED = coverage_rule("trivy/file-not-checked",
                            "trivy: configuration file not checked (it could not read it)",
                            "trivy skips a Kubernetes manifest, Dockerfile or CloudFormation template it cannot "
                            "parse, reporting nothing about it (every file it read is in its report, passing or "
                            "not).",
                            "Fix the file (a YAML linter, `kubectl apply --dry-run=client`, `docker build --check`, "
                            "`cfn-lint`), or waive this finding with a reason.", "container")
_MANIFEST_KEYS = tuple(re.compile(rf"^{key}:[ \t]*\S", re.MULTILINE) for key in ("apiVersion", "kind"))
_METADATA = re.compile(r"^metadata:", re.MULTILINE)
_KUSTOMIZE = re.compile(r"^apiVersion:[ \t]*kustomize\.config\.k8s\.io/", re.MULTILINE)


def unread(path: Path) -> str | None:
    """Why a configuration file trivy left out of its report went unchecked, when it is one trivy checks:
    a Kubernetes manifest, a Dockerfile with instructions (trivy reports none for an empty one), a
    template declaring itself CloudFormation; None for any other file."""
    if kubernetes_manifest(path):
        return ("it could not read the Kubernetes manifest in it (not valid YAML to trivy's parser, e.g. a key "
                "given twice)")
    if match_any(path.name, FAMILIES["trivy-misconfig-dockerfile"][2]):
        if any(line.strip() and not line.lstrip().startswith("#") for line in _read(path).splitlines()):
            return ("its Dockerfile parser rejected the file (an instruction without its arguments, an unclosed "
                    "heredoc)")
    elif match_any(path.name, FAMILIES["trivy-misconfig-cloudformation"][2]) and _CFN.search(_read(path)[:65536]):
        return ("its CloudFormation parser rejected the template (invalid YAML or JSON, or what it cannot read: "
                "Fn::ForEach)")
    return None


_CFN = re.compile(r"""["']?AWSTemplateFormatVersion["']?\s*:""")


def kubernetes_manifest(path: Path) -> bool:
    """Whether `path` is YAML with the top-level `apiVersion`, `kind` and `metadata` of a Kubernetes object
    (in its first 64 KB; a kustomization is none: trivy renders no kustomization either)."""
    if not match_any(path.name, ("*.yaml", "*.yml")):
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(64 * 1024).decode("utf-8", "replace")
    except OSError:
        return False
    return all(key.search(head) for key in _MANIFEST_KEYS) and bool(_METADATA.search(head)) \
        and not _KUSTOMIZE.search(head)


def _misconfig_file(rel: str) -> bool:
    return any(match_any(rel, globs) for family, (_, _, globs) in FAMILIES.items() if family != "trivy-secret")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="surrogateescape")
    except OSError:
        return ""


def _waived_inline(finding: Finding, found: Sequence[IgnoreRule], cause_start: Any, lines: Sequence[str]) -> Finding:
    """The finding as an inline waiver when an ignore comment in its file covers it (see
    `trivy_ignore`); a file-level result (no cause line) is never covered."""
    if not isinstance(cause_start, int) or cause_start < 1:
        return finding
    yaml = finding.location is not None and match_any(finding.location.path, ("*.yaml", "*.yml", "*.json"))
    rule = covering(found, finding.rule_id, enclosing_starts(lines, cause_start, yaml=yaml))
    if rule is None:
        return finding
    waiver = {"inline_waiver": f"{rule.text} (line {rule.line})"}
    if rule.expires:
        waiver["inline_waiver_expires"] = rule.expires
    return replace(finding, properties={**finding.properties, **waiver})


def _severity(value: Any) -> Severity:
    try:
        return Severity.parse(str(value))
    except ValueError:
        return Severity.MEDIUM if str(value).upper() != "UNKNOWN" else Severity.INFO


def _location(path: str, start: Any, end: Any) -> Location:
    """Cause lines; a file-level result (e.g. a missing USER) points at line 1, as GitHub needs a region."""
    s = start if isinstance(start, int) and start > 0 else 1
    e = end if isinstance(end, int) and end >= s else s
    return Location(path=path, start_line=s, end_line=e)


def _instances_merged(findings: Iterable[Finding]) -> Iterator[Finding]:
    """One finding per problem in a module's code: trivy reports a module's resource once for every
    call that makes an instance of it (terraform-aws-eks: the same line seven times, once per example
    calling the module), alike but for trivy's `Occurrences`; such findings become one listing them all
    in `occurrences`."""
    merged: dict[tuple[Any, ...], Finding] = {}
    for f in findings:
        occurrences = f.properties.get("occurrences")
        if not occurrences:
            yield f
            continue
        rest = tuple(sorted((k, repr(v)) for k, v in f.properties.items() if k != "occurrences"))
        key = (f.rule_id, f.location, f.message, f.resource, f.severity, rest)
        known = merged.get(key)
        merged[key] = f if known is None else replace(known, properties={
            **known.properties, "occurrences": sorted({*known.properties["occurrences"], *occurrences})})
    yield from merged.values()


def _misconfig(m: Mapping[str, Any], path: str, kind: str, repo_path: Callable[[str], str]) -> Finding:
    rid = str(m.get("ID") or m.get("AVDID") or "unknown")
    title = str(m.get("Title") or rid)
    cause = m.get("CauseMetadata") or {}
    by_title = keyword_cwe(title)
    cwe = by_title[1] if by_title else ()
    refs = [r for r in m.get("References") or [] if isinstance(r, str)]
    rule = Rule(id=rid, name=rid, short_description=f"{rid}: {title}", full_description=str(m.get("Description") or title),
                help_text=f"{m.get('Description') or title} Resolution: {m.get('Resolution') or 'see the reference'}",
                help_uri=str(m.get("PrimaryURL") or (refs[0] if refs else "")) or None,
                tags=("misconfiguration", kind) if kind else ("misconfiguration",), cwe=cwe)
    resource = cause.get("Resource") or None
    return Finding(
        tool="trivy", rule=rule, message=str(m.get("Message") or title),
        severity=_severity(m.get("Severity")),
        category=Category.CONTAINER if kind in _CONTAINER_TYPES else Category.IAC,
        location=_location(path, cause.get("StartLine"), cause.get("EndLine")),
        resource=str(resource) if resource else None, cwe=cwe, found_by=("trivy",),
        properties={k: v for k, v in {"namespace": m.get("Namespace"), "provider": cause.get("Provider"),
                                      "service": cause.get("Service"),
                                      "cwe_source": "guard-keyword" if cwe else None,
                                      "occurrences": _occurrences(cause, repo_path)}.items() if v},
    )


def _occurrences(cause: Mapping[str, Any], repo_path: Callable[[str], str]) -> list[str]:
    """trivy's `Occurrences` of a module's resource as `file:line`: the module calls (and the
    references in them) through which this instance was made; [] for a root module's resource."""
    found = []
    for o in cause.get("Occurrences") or []:
        if isinstance(o, dict) and isinstance(o.get("Filename"), str) and o["Filename"]:
            line = o["Location"].get("StartLine") if isinstance(o.get("Location"), dict) else None
            found.append(f"{repo_path(o['Filename'])}:{line}" if isinstance(line, int) else repo_path(o["Filename"]))
    return found


def _secret(s: Mapping[str, Any], path: str) -> Finding:
    rid = str(s.get("RuleID") or "secret")
    title = str(s.get("Title") or rid)
    rule = Rule(id=rid, name=rid, short_description=f"{rid}: {title}",
                full_description=f"A {title} is committed to the repository.",
                help_text=f"A {title} is committed to the repository. Revoke it, remove it from history and load "
                          "it from a secret manager.", help_uri="https://trivy.dev/latest/docs/scanner/secret/",
                tags=("secret", str(s.get("Category") or "").lower()), cwe=("CWE-798",))
    return Finding(
        tool="trivy", rule=rule, message=f"{title} found ({s.get('Match') or 'value masked'})",
        severity=_severity(s.get("Severity")), category=Category.SECRET,
        location=_location(path, s.get("StartLine"), s.get("EndLine")), cwe=("CWE-798",), found_by=("trivy",),
        properties={"secret_category": s.get("Category"), "match": s.get("Match")},
    )


IMAGE_PATTERNS = ("*.image.tar", "*-image.tar", "image.tar", "*.oci.tar", "*.docker.tar")
# Runs trivy once per image archive: always a CycloneDX SBOM (needs no database); vulnerabilities
# (SARIF) only when trivy's database is present. Any failing trivy call stops with its exit code.
_IMAGE_DRIVER = """
import json, subprocess, sys
exe, out, vuln = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
offline, extra = json.loads(sys.argv[4]), sys.argv[5].split()
for i, tar in enumerate(sys.argv[6:], 1):
    runs = [["--format", "cyclonedx", "-o", f"{out}/sbom-{i}.cdx.json"]]
    if vuln:
        runs.append(["--scanners", "vuln", "--skip-db-update", "--format", "sarif", "-o", f"{out}/vuln-{i}.sarif"])
    for args in runs:
        code = subprocess.call([exe, "image", "--input", tar, *offline, "--quiet", *args, *extra])
        if code:
            sys.exit(code)
"""


def trivy_db(env: Mapping[str, str] | None = None) -> Path:
    """Where trivy keeps its vulnerability database (`$TRIVY_CACHE_DIR` or ~/.cache/trivy)."""
    env = os.environ if env is None else env
    cache = env.get("TRIVY_CACHE_DIR") or str(Path(env.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "trivy")
    return Path(cache) / "db" / "trivy.db"


class TrivyImageScanner(ToolScanner):
    """Container images saved as archives (`docker save`, OCI layout tar): SBOM and vulnerabilities.

    Without trivy's vulnerability database (3+ GB, not available offline) the images are NOT
    scanned for vulnerabilities: the run is an error that says so (the SBOM is still written to
    the raw outputs for guard's own advisory matcher), never a silent pass.
    """

    name = "trivy-image"
    category = Category.CONTAINER
    tool = "trivy"
    cost = 4.0
    patterns = IMAGE_PATTERNS
    file_local = True  # each image on its own

    def cache_inputs(self) -> Sequence[Path]:
        """The vulnerability database's metadata (when it was built): a result outlives no update of it."""
        return [trivy_db().with_name("metadata.json")]

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        vuln = "1" if trivy_db().is_file() else "0"
        args = self.config.tool("trivy").args
        offline = json.dumps([*(o for o in OFFLINE if o != "--skip-check-update"), *not_from_repo(args)])
        return [sys.executable, "-c", _IMAGE_DRIVER, exe, str(workdir), vuln, offline, " ".join(args), *files]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        title = "Known vulnerabilities in container image packages (OS and language)"
        return [Rule(id="trivy-image-vulnerabilities", name="trivy-image-vulnerabilities", short_description=title,
                     full_description=title, help_text=title, help_uri="https://trivy.dev/", tags=("container",),
                     cwe=("CWE-1395",))]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        if run.returncode != 0:
            raise ScannerError(f"trivy image exited {run.returncode}")
        sboms = []
        for i, tar in enumerate(run.files, 1):
            sbom = run.workdir / f"sbom-{i}.cdx.json"
            try:
                doc = json.loads(read_output(sbom, "trivy image"))
            except json.JSONDecodeError as exc:
                raise ScannerError(f"trivy image wrote an invalid SBOM for {tar} ({exc.msg})") from None
            if not isinstance(doc, dict) or doc.get("bomFormat") != "CycloneDX":
                raise ScannerError(f"trivy image wrote no CycloneDX SBOM for {tar}")
            sboms.append(sbom.name)
        db = trivy_db()
        if not db.is_file():
            raise ScannerError(
                f"no trivy vulnerability database at {db}: image(s) {', '.join(run.files)} NOT scanned for "
                f"vulnerabilities (CycloneDX SBOM written: {', '.join(sboms)}); download it with "
                "`trivy image --download-db-only` where the network is allowed, or skip this scanner")
        for i, tar in enumerate(run.files, 1):
            name = f"vuln-{i}.sarif"
            try:
                doc = parse(read_output(run.workdir / name, "trivy image"), name)
            except SarifError as exc:
                raise ScannerError(f"trivy image wrote invalid SARIF: {exc}") from None
            for item in image_results(doc, tar, run.target):
                yield replace(item, tool=self.name, found_by=(self.name,))


def image_results(doc: Mapping[str, Any], tar: str, root: Path) -> Iterable[Finding]:
    """Vulnerability findings from trivy's image SARIF, located at the image archive `tar`."""
    for item in results(doc, root, category=Category.CONTAINER, tool="trivy", cwd=root):
        f = item.finding
        package = next((line.split(":", 1)[1].strip() for line in f.message.splitlines()
                        if line.startswith("Package:")), None)
        version = next((line.split(":", 1)[1].strip() for line in f.message.splitlines()
                        if line.startswith("Installed Version:")), None)
        resource = f"{tar}:{package}@{version}" if package else tar
        yield replace(f, location=Location(path=tar, start_line=1, end_line=1), resource=resource,
                      aliases=(f.rule_id,) if f.rule_id.upper().startswith(("CVE-", "GHSA-")) else ())
