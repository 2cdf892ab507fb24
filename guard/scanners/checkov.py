"""checkov: IaC checks (terraform, cloudformation, kubernetes, helm, kustomize, dockerfile, GitHub Actions).

checkov runs over a folder of links to the files to scan (`-d`, not `-f` per file): only as a folder
does it evaluate Terraform module calls, judging a local module's resources as instances of each
call with the call's inputs (`module.x.aws_ebs_volume.v`) rather than alone with the module's
variable defaults; a root module's `terraform.tfvars` and `*.auto.tfvars` apply, as in Terraform.
The folder holds the selected files and the context they are judged in, never a `.checkov.yaml`
(checkov reads one at the folder's top: skipped checks, external checks to run), nor a CloudFormation
template checkov stops on (a resource Type that is not a string: a preprocessor's module), which is
reported as not checked. A Helm chart's templates are Go templates, which checkov checks only as the
chart rendered by the `helm` client on PATH (its helm framework): with one, the chart of a selected
template is laid out whole; without one, the templates are left out and each chart is reported as not
checked, not counted as checked by checkov's Kubernetes checks. A file checkov lists among its parsing
errors is reported as not checked too.

With the result cache, findings are kept per file (a Terraform file's keyed by the module files it is
judged with), but Kubernetes manifests' and a chart's or kustomization's, judged together: a change
elsewhere runs checkov on none of those files again.

Offline: no platform download, no update check, no mapping fetch. checkov's JSON report is read
(not its SARIF) because it carries the resource each check failed on, which deduplication needs.
Offline checkov gives no severities: guard assigns severity and CWE from its own table
(guard/scanners/data/iac.py) and records that in `severity_source`. `checkov:skip=` comments come
back as skipped checks and become inline waivers.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping, Sequence

from guard.files import relativize
from guard.helm import Charts, chart_files, helm_client
from guard.model import Category, Finding, Location, Rule
from guard.paths import cache_dir
from guard.scanners.base import (
    VIEW, Invocation, ScannerError, ToolScanner, coverage_rule, lay_out, load_json_output, match_any, not_checked,
    per_selection,
)
from guard.scanners.checkov_start import INDEX_VARIABLE
from guard.scanners.data.checkov_checks import CHECKS
from guard.scanners.data.iac import classify
from guard.scanners.distinfo import dist_version, started_by
from guard.scanners.tfmodule import (
    TERRAFORM, CallSites, auto_var_files, called_modules, callers_context, module_inputs, with_called_modules,
    with_callers,
)
from guard.tools.catalog import TOOLS

if TYPE_CHECKING:
    from guard.config import Config

OUTPUT = "results_json.json"
START = str(Path(__file__).with_name("checkov_start.py"))
CONFIG_NAMES = frozenset({".checkov.yaml", ".checkov.yml"})
DOCKERFILE = ("Dockerfile", "*.dockerfile", "Dockerfile.*", "Containerfile")
WORKFLOWS = (".github/workflows/*.yml", ".github/workflows/*.yaml")
STRUCTURED = ("*.yaml", "*.yml", "*.json", "*.template")
KUSTOMIZATIONS = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_SHORT = {"terraform": "tf", "terraform_json": "tf", "cloudformation": "cfn", "kubernetes": "k8s",
          "dockerfile": "docker", "github_actions": "gha", "helm": "k8s", "kustomize": "k8s"}
_SNIFF_BYTES = 64 * 1024


class CheckovScanner(ToolScanner):
    name = "checkov"
    category = Category.IAC
    tool = "checkov"
    cost = 6.0
    patterns = (*TERRAFORM, *DOCKERFILE, *STRUCTURED)
    file_local = True  # but for Kubernetes manifests and charts: see `judged_alone`; Terraform by module

    def __init__(self, config: "Config") -> None:
        super().__init__(config)
        self._sniffed: dict[tuple[str, ...], list[str]] = {}  # files -> the frameworks their content holds
        self._heads: dict[str, list[str]] = {}  # file -> what its head says it is (`sniffed`), read once a run
        self._warm = False  # whether the last command runs guard's start script (see `warm`)

    def version(self, exe: str) -> str:
        return dist_version(exe, "checkov") or super().version(exe)

    def env(self) -> Mapping[str, str]:
        # the folder holds just what guard selected: checkov must not drop hidden folders and files
        # or node_modules from it, as it does by default when it walks a folder
        # where guard's start script keeps which module of checkov's Terraform checks checks which block types
        # (`checkov_start.INDEX_VARIABLE`): a folder the Action keeps between runs, as the pack check records
        return {"CKV_SKIP_PACKAGE_UPDATE_CHECK": "true", "BC_SKIP_MAPPING": "TRUE", "LOG_LEVEL": "WARNING",
                "CKV_IGNORE_HIDDEN_DIRECTORIES": "false", "CKV_IGNORED_DIRECTORIES": "",
                INDEX_VARIABLE: str(cache_dir() / "tool-checks" / "checkov-terraform-checks.json")}

    def judged_alone(self, target: Path, files: Sequence[str]) -> list[str]:
        """All files but Kubernetes manifests and a Helm chart's or kustomization's: checkov's Kubernetes
        checks read other manifests (a pod and the NetworkPolicy selecting it), and a chart or
        kustomization is rendered whole. A Terraform file is judged with its module's neighbourhood
        (`file_inputs`); a CloudFormation template or a workflow alone."""
        charts = Charts(target)
        folders = {PurePosixPath(f).parent for f in files if PurePosixPath(f).name in KUSTOMIZATIONS}
        return [f for f in files
                if not (match_any(f, STRUCTURED) and not match_any(f, WORKFLOWS)
                        and (PurePosixPath(f).parent in folders or charts.chart_of(PurePosixPath(f).parent) is not None
                             or "kubernetes" in self._sniff(target, f)))]

    def file_inputs(self, target: Path, files: Sequence[str]) -> Mapping[str, Sequence[str]]:
        """A Terraform file's findings come from its module, the local modules it calls and those calling
        it (an instance of a module has its call's inputs), and the variable files Terraform loads in
        those folders. Those files key its findings, so a change to any of them runs checkov on all of
        them and a change elsewhere on none."""
        exclude = self.config.exclude

        def judged_with(own: list[str]) -> list[str]:
            modules = [*with_called_modules(target, own, exclude), *callers_context(target, own, exclude)]
            return [*modules, *auto_var_files(target, [*own, *modules], exclude)]

        return module_inputs(files, judged_with)

    def find_context(self, target: Path, files: Sequence[str]) -> list[str]:
        """Of the other files of a changed Terraform file's module, those its resources need; for a
        file of a local module others call, the callers' modules too (see `with_callers`); the local
        modules it calls; and the variable files Terraform loads by itself in those folders."""
        exclude = self.config.exclude
        modules = list(dict.fromkeys([*with_callers(target, files, exclude), *called_modules(target, files, exclude)]))
        variables = auto_var_files(target, [*files, *modules], exclude)
        chosen = set(files)
        charts = chart_files(target, files, exclude) if helm_client() is not None else []
        return [*modules, *(f for f in variables if f not in chosen), *charts]

    def cwd(self, target: Path, workdir: Path) -> Path:
        """Not the repository: checkov would read a .checkov.yaml there (skipped checks, external
        checks to run), which a change could add."""
        return workdir

    def stage(self, target: Path, files: Sequence[str], workdir: Path) -> None:
        """The folder checkov scans: a link to each file to scan and each context file, at its
        repository path (not a template checkov stops on: see `unreadable_templates`; no chart template
        without a Helm client to render it)."""
        unreadable = self.unreadable(target, files)
        unrendered = {t for templates in self.unrendered(target, files).values() for t in templates}
        laid = [f for f in [*files, *self.context(target, files)]
                if PurePosixPath(f).name not in CONFIG_NAMES and f not in unreadable and f not in unrendered]
        lay_out(target, laid, workdir / VIEW)
        for rel in containerfiles(laid):  # checkov reads a Dockerfile by its name only
            (workdir / VIEW / rel).rename(workdir / VIEW / f"{rel}{_AS_DOCKERFILE}")

    @per_selection
    def unreadable(self, target: Path, files: Sequence[str]) -> dict[str, int]:
        return unreadable_templates(target, [*files, *self.context(target, files)])

    @per_selection
    def unrendered(self, target: Path, files: Sequence[str]) -> dict[str, list[str]]:
        """Chart folder -> its templates among `files`, when no Helm client renders charts for checkov."""
        return {} if helm_client() is not None else chart_templates(target, files)

    def _sniff(self, target: Path, rel: str) -> list[str]:
        """`sniffed`, once a run for each file (the command line and `judged_alone` both ask)."""
        if rel not in self._heads:
            self._heads[rel] = sniffed(target, rel)
        return self._heads[rel]

    @property
    def warm(self) -> bool:
        """Forked warm in resident mode when started by guard's start script (checkov's own script builds its
        command from the arguments it was imported with: a warm process's)."""
        return self._warm

    def command(self, exe: str, target: Path, files: Sequence[str], workdir: Path) -> list[str]:
        sniffed = self._sniffed[tuple(files)] = sniffed_frameworks(target, files, self._sniff)
        frameworks = sniffed or ["kubernetes"]  # checkov needs one: nothing recognised, the cheapest
        started = start(exe)
        self._warm = started[-1] == START
        return [*started, "--skip-download", "--compact", "-o", "json", "--output-file-path", str(workdir),
                "--framework", *frameworks, *self.config.tool("checkov").args, "-d", str(workdir / VIEW)]

    def checks(self, files: Sequence[str]) -> Sequence[Rule]:
        """The checks of the frameworks checkov ran for what `files` hold (by their content once it ran on
        them: a package.json is no Kubernetes manifest), else of those their names allow."""
        frameworks = self._sniffed.get(tuple(files))
        wanted = {_SHORT[f] for f in (frameworks_by_name(files) if frameworks is None else frameworks)}
        return [_rule(cid) for cid, (_, _, fws) in CHECKS.items() if wanted & set(fws.split())]

    def parse(self, run: Invocation) -> Iterable[Finding]:
        for rel, line in self.unreadable(run.target, run.files).items():
            if rel in run.files:
                yield _unread(rel, line)
        for chart, templates in self.unrendered(run.target, run.files).items():
            yield _unrendered(chart, templates)
        doc = load_json_output(run, run.workdir / OUTPUT, self.name, ok_codes=(0, 1))
        context = set(self.context(run.target, run.files))
        sites = CallSites(run.target, run.files)
        view = run.workdir / VIEW
        renamed = {f"{rel}{_AS_DOCKERFILE}": rel for rel in containerfiles([*run.files, *context])}
        reports = doc if isinstance(doc, list) else [doc]
        read: set[str] = set()  # the files some check of checkov's Kubernetes runner read
        unparsed: set[str] = set()
        for report in reports:
            if not isinstance(report, dict):
                raise ScannerError(f"checkov report is not an object ({type(report).__name__})")
            if "results" not in report:
                if "passed" in report and "failed" in report:  # a framework with nothing to check
                    continue
                raise ScannerError("checkov report has no `results`")
            results = report["results"]
            for rel in _unparsed(results.get("parsing_errors"), view, renamed):
                if rel in run.files:
                    unparsed.add(rel)
                    yield _not_parsed(rel, str(report.get("check_type") or "its"))
            if report.get("check_type") == "kubernetes":
                read.update(rel for key in ("passed_checks", "failed_checks", "skipped_checks")
                            for item in results.get(key) or [] if (rel := _result_path(item, view)) is not None)
            for item in results.get("failed_checks") or []:
                yield from _reported(_at_file(_finding(item, view, waiver=None), renamed), context, sites)
            for item in results.get("skipped_checks") or []:
                comment = (item.get("check_result") or {}).get("suppress_comment") or "no reason given"
                finding = _finding(item, view, waiver=f"checkov:skip ({comment})")
                yield from _reported(_at_file(finding, renamed), context, sites)
        if "kubernetes" in self._sniffed.get(tuple(run.files), ["kubernetes"]):
            charts = Charts(run.target)
            for rel in run.files:
                if rel not in read and rel not in unparsed and not charts.is_template(rel) \
                        and (kinds := checked_kinds(run.target / rel)):
                    yield _left_out(rel, kinds)


# checkov takes a file for a Dockerfile by its name, and `Containerfile` (Podman's, Buildah's) is not
# one of its names: a Containerfile in its folder was reported scanned and never read. It is laid out
# as `Containerfile.dockerfile` and its results put back at the file.
_AS_DOCKERFILE = ".dockerfile"


def containerfiles(files: Sequence[str]) -> list[str]:
    return [f for f in files if PurePosixPath(f).name == "Containerfile"]


def _at_file(finding: Finding, renamed: Mapping[str, str]) -> Finding:
    """The finding at the repository file a renamed link in the view stands for."""
    loc = finding.location
    if loc is None or loc.path not in renamed:
        return finding
    return replace(finding, location=replace(loc, path=renamed[loc.path]))


def start(exe: str) -> list[str]:
    """How to start checkov: when `exe` is the script of the checkov version guard pins (whose
    runners `checkov_start` knows), its interpreter running `checkov_start` (only the frameworks
    asked for are loaded); else `exe` itself."""
    return started_by(exe, "checkov", TOOLS["checkov"].version, "from checkov.main import Checkov", START)


def frameworks_by_name(files: Sequence[str]) -> list[str]:
    """Frameworks implied by file names alone (used for coverage, where content is not read)."""
    found: list[str] = []
    if any(match_any(f, ("*.tf",)) for f in files):
        found.append("terraform")
    if any(match_any(f, ("*.tf.json",)) for f in files):
        found.append("terraform_json")  # (checkov's terraform framework leaves .tf.json files out)
    if any(match_any(f, DOCKERFILE) for f in files):
        found.append("dockerfile")
    if any(match_any(f, WORKFLOWS) for f in files):
        found.append("github_actions")
    if any(match_any(f, STRUCTURED) and not match_any(f, WORKFLOWS) for f in files):
        found += ["kubernetes", "cloudformation"]
    return found


def sniffed(target: Path, rel: str) -> list[str]:
    """What a YAML or JSON file's head says it is: a CloudFormation template, a Kubernetes manifest."""
    try:
        with open(target / rel, "rb") as fh:
            head = fh.read(_SNIFF_BYTES).decode("utf-8", "replace")
    except OSError:
        return []
    return ([*(["cloudformation"] if "AWSTemplateFormatVersion" in head or "AWS::" in head else []),
             *(["kubernetes"] if "apiVersion" in head and "kind" in head else [])])


def sniffed_frameworks(target: Path, files: Sequence[str],
                       sniff: Callable[[Path, str], list[str]] = sniffed) -> list[str]:
    """checkov frameworks for what the tree holds; YAML/JSON files are sniffed for k8s / CloudFormation
    (a chart's templates are Kubernetes only as the chart rendered: the helm framework, with a Helm client)."""
    found = [f for f in frameworks_by_name(files) if f not in ("kubernetes", "cloudformation")]
    names = {PurePosixPath(f).name for f in files}
    charts = Charts(target)
    templates = {t for ts in chart_templates(target, files, charts).values() for t in ts}
    if ("Chart.yaml" in names or templates) and helm_client() is not None:
        found.append("helm")
    if names & KUSTOMIZATIONS:
        found.append("kustomize")
    for rel in files:
        if match_any(rel, STRUCTURED) and not match_any(rel, WORKFLOWS) and rel not in templates:
            found += sniff(target, rel)
    return list(dict.fromkeys(found))


def _reported(finding: Finding, context: set[str], sites: CallSites) -> Iterable[Finding]:
    """The finding, unless it is in a file checkov only read for context. An instance of a module
    read for context, made by a module call in a selected file (directly or through further calls),
    is reported at that call: a change to the call's inputs is what made it."""
    loc = finding.location
    if loc is None or loc.path not in context:
        yield finding
        return
    moved = sites.at_call(finding)
    if moved is not None:
        yield moved


# A CloudFormation template whose resource Type is not a string (a template preprocessor's module,
# `Type: !Rain::Module vpc.yml`) stops checkov's whole run (TypeError: unhashable type: 'dict';
# aws-cloudformation-templates holds sixteen). Such a template is left out of checkov's folder and
# reported as not checked.
_TAGGED_TYPE = re.compile(r"""^[ \t]*Type:[ \t]*!|"Type"\s*:\s*[{\[]""", re.MULTILINE)  # YAML tag, JSON object
_TEMPLATE_MARK = re.compile(r"""^[ \t]*(?:Resources|AWSTemplateFormatVersion):"""
                            r"""|"(?:Resources|AWSTemplateFormatVersion)"\s*:""", re.MULTILINE)
UNREAD = coverage_rule("checkov/template-not-checked", "checkov: CloudFormation template not checked",
                       "A resource Type that is not a string (a template preprocessor's module) stops checkov's "
                       "whole run, so guard leaves the template out of checkov's scan.",
                       "Expand the template with its preprocessor (e.g. `rain pkg`) and scan the output, or waive "
                       "this finding with a reason.", "iac")


def unreadable_templates(target: Path, files: Sequence[str]) -> dict[str, int]:
    """The CloudFormation templates among `files` checkov stops on, with the line of the first such Type."""
    found = {}
    for rel in files:
        if not match_any(rel, ("*.yaml", "*.yml", "*.json", "*.template")):
            continue
        try:
            text = (target / rel).read_text(encoding="utf-8", errors="replace")
        except OSError:
            continue
        tagged = _TAGGED_TYPE.search(text)
        if tagged is not None and _TEMPLATE_MARK.search(text):
            found[rel] = text.count("\n", 0, tagged.start()) + 1
    return found


def chart_templates(target: Path, files: Sequence[str], charts: Charts | None = None) -> dict[str, list[str]]:
    """Chart folder -> the chart's templates (YAML under `templates/`) among `files`."""
    charts = charts or Charts(target)
    found: dict[str, list[str]] = {}
    for rel in files:
        if match_any(rel, ("*.yaml", "*.yml")) and charts.is_template(rel):
            found.setdefault(str(charts.chart_of(PurePosixPath(rel).parent)), []).append(rel)
    return found


UNRENDERED = coverage_rule("checkov/chart-not-rendered",
                           "checkov: Helm chart not checked (no Helm client to render it)",
                           "checkov checks a Helm chart's templates only as the chart rendered by the `helm` client "
                           "(version 3 or 4) on PATH; without one it checks none of them.",
                           "Install Helm 3 or 4 where guard runs (`helm` on PATH), or waive this finding with a "
                           "reason (trivy renders charts by itself).", "iac")


def _unrendered(chart: str, templates: Sequence[str]) -> Finding:
    shown = ", ".join(templates[:3]) + (f" and {len(templates) - 3} more" if len(templates) > 3 else "")
    name = "the chart at the top of the repository" if chart == "." else f"the chart in {chart}/"
    return not_checked(UNRENDERED, Category.IAC, templates[0], 1,
                       f"checkov did not check {len(templates)} template(s) of {name} ({shown}): it renders a chart "
                       "with the `helm` client, and no Helm 3 or 4 is on PATH")


NOT_PARSED = coverage_rule("checkov/file-not-checked", "checkov: file not checked (it could not parse it)",
                           "checkov skips a file it cannot parse, listing it only among its parsing errors (a "
                           "Kubernetes manifest not even there).",
                           "Fix the file's syntax (`terraform validate`, a YAML linter) and give every Kubernetes "
                           "object its `metadata`, or waive this finding with a reason.", "iac")


def _unparsed(paths: Any, view: Path, renamed: Mapping[str, str]) -> list[str]:
    """The repository paths of the files in checkov's `parsing_errors` (paths in the folder it scanned)."""
    found = []
    for path in paths if isinstance(paths, list) else []:
        rel = relativize(str(path), view) if isinstance(path, str) else None
        if rel is not None:
            found.append(renamed.get(rel, rel))
    return found


def _result_path(item: Mapping[str, Any], root: Path) -> str | None:
    """The repository path of the file a check result is about (None: outside the folder checkov scanned)."""
    path = str(item.get("file_abs_path") or "")
    rel = relativize(path, root) if path else None
    if rel is None and item.get("file_path"):  # relative to the scanned folder, with a leading "/"
        rel = relativize(str(item["file_path"]).lstrip("/"), root)
    return rel


# checkov's Kubernetes runner leaves out a manifest it cannot read (YAML or JSON), or one without `metadata`,
# without a word (no parsing error). A file holding an object of a kind some check of checkov reads whatever its
# content (measured: tests/integration/test_checkov_left_out.py) that no check result names went unchecked.
CHECKED_KINDS = frozenset({
    "Pod", "Deployment", "DaemonSet", "StatefulSet", "ReplicaSet", "ReplicationController", "Job", "CronJob",
    "Service", "ServiceAccount", "ConfigMap", "Secret", "Ingress", "Role", "ClusterRole", "RoleBinding",
    "ClusterRoleBinding", "PodSecurityPolicy",
})
_API_VERSION = re.compile(r"^apiVersion:[ \t]*\S", re.MULTILINE)
_KIND = re.compile(r"""^kind:[ \t]*["']?([A-Za-z]+)["']?[ \t]*(?:#.*)?$""", re.MULTILINE)
_JSON_KIND = re.compile(r'"kind"\s*:\s*"([A-Za-z]+)"')


def checked_kinds(path: Path) -> list[str]:
    """The kinds of `CHECKED_KINDS` among the top-level objects of a YAML or JSON file with an `apiVersion`
    (YAML read as text, and JSON checkov could not parse too: the file may be what checkov could not read)."""
    is_json = match_any(path.name, ("*.json",))
    if not (is_json or match_any(path.name, ("*.yaml", "*.yml"))):
        return []
    try:
        with open(path, "rb") as fh:
            text = fh.read(_LEFT_OUT_BYTES).decode("utf-8", "replace")
    except OSError:
        return []
    if is_json:
        return sorted(_json_kinds(text) & CHECKED_KINDS)
    if not _API_VERSION.search(text):
        return []
    return sorted({m.group(1) for m in _KIND.finditer(text)} & CHECKED_KINDS)


def _json_kinds(text: str) -> set[str]:
    """The `kind` of a JSON document with an `apiVersion` (of a List's items too); any `"kind": "..."` in
    invalid JSON that names an `apiVersion`."""
    try:
        doc = json.loads(text)
    except ValueError:
        return {m.group(1) for m in _JSON_KIND.finditer(text)} if '"apiVersion"' in text else set()
    objects = [doc, *(doc.get("items") or [] if isinstance(doc, dict) and doc.get("kind") == "List" else [])]
    return {str(o["kind"]) for o in objects if isinstance(o, dict) and "apiVersion" in o and "kind" in o}


_LEFT_OUT_BYTES = 1024 * 1024


def _left_out(rel: str, kinds: Sequence[str]) -> Finding:
    return not_checked(NOT_PARSED, Category.IAC, rel, 1,
                       f"checkov did not check {rel}: its Kubernetes runner left out the {', '.join(kinds)} in it "
                       "without a word (it could not read the file, or an object has no `metadata`)")


def _not_parsed(rel: str, framework: str) -> Finding:
    return not_checked(NOT_PARSED, Category.IAC, rel, 1,
                       f"checkov did not check {rel}: it could not parse it, so none of its {framework} checks read it")


def _unread(rel: str, line: int) -> Finding:
    return not_checked(UNREAD, Category.IAC, rel, line,
                       f"checkov did not check {rel}: the resource Type at line {line} is not a string (a template "
                       "preprocessor's module), which stops checkov's whole run")


def _rule(check_id: str, title: str | None = None, guideline: str | None = None) -> Rule:
    name, category, _ = CHECKS.get(check_id, (title or check_id, "", ""))
    _, cwe, _ = classify(check_id, name, category)
    help_uri = guideline or f"https://www.checkov.io/5.Policy%20Index/all.html#{check_id}"
    return Rule(id=check_id, name=check_id, short_description=f"{check_id}: {name}", full_description=name,
                help_text=f"{name} (checkov check {check_id}, category {category or 'unknown'}).",
                help_uri=help_uri, tags=tuple(t for t in ("iac", category.lower()) if t), cwe=cwe)


def _finding(item: Mapping[str, Any], root: Path, waiver: str | None) -> Finding:
    check_id = str(item["check_id"])
    title = str(item.get("check_name") or check_id)
    name, category, _ = CHECKS.get(check_id, (title, "", ""))
    severity, cwe, source = classify(check_id, name, category)
    rel = _result_path(item, root)
    lines = item.get("file_line_range") or [None, None]
    location = None
    if rel is not None:
        start = lines[0] if isinstance(lines[0], int) and lines[0] > 0 else None
        end = lines[1] if isinstance(lines[1], int) and start else start
        location = Location(path=rel, start_line=start, end_line=end)
    resource = item.get("resource") or None
    props: dict[str, Any] = {"check_class": item.get("check_class"), "checkov_category": category or None,
                             "evaluated_keys": (item.get("check_result") or {}).get("evaluated_keys") or []}
    if waiver:
        props["inline_waiver"] = waiver
    return Finding(
        tool="checkov",
        rule=_rule(check_id, title, item.get("guideline")),
        message=f"{title} ({resource})" if resource else title,
        severity=severity,
        category=Category.IAC,
        location=location,
        resource=str(resource) if resource else None,
        cwe=cwe,
        found_by=("checkov",),
        severity_source=source,
        properties={k: v for k, v in props.items() if v not in (None, [])},
    )
