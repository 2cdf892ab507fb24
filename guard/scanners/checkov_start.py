"""Start checkov's command line with only the frameworks it is asked for (`--framework`) loaded.

Run by checkov's own interpreter in place of its `checkov` script (see `checkov.start`); it imports
nothing from guard. checkov's main module imports the runner of every framework, and its `--list`
module the check registries of every framework, which registers all their checks: 0.7-0.9 s of the
3.2-3.7 s checkov takes on one Terraform file, for frameworks the run never uses (checkov runs only
the runners --framework names). For each framework not asked for, this gives checkov a runner of
that framework's type that is never run, and runs its package's `__init__` (which registers its
checks) only when a name defined there is asked for; its modules stay importable. The `--list`
module, and the SPDX and CycloneDX output modules (0.3 s more), are imported when first used
(`ON_USE`), and two libraries only checkov's platform features use run when first used (`LAZY`).
A framework whose runner or checks reuse another's keeps that one too (helm,
kustomize: kubernetes; github_actions: yaml). When a framework outside `SUPPORTED` is asked for,
or none, or `all`, checkov starts exactly as its script starts it.

When Terraform is checked, checkov's expression evaluator reuses its asteval interpreters
(`reuse_evaluators`): checkov builds a new one for every expression it evaluates, a fifth of its time on
a repository of many module calls (terraform-aws-eks: 136 s -> 109 s; with the same PYTHONHASHSEED the
22 MB report is byte for byte checkov's script's).

When Terraform is checked, only the modules of checkov's Terraform resource and data source checks that check
a type named in the scanned files are imported (`Selected`): checkov imports all 970 of them at its start (and
the libraries some need), and a check runs only on blocks of its types. Which module checks which types,
checkov's registry says after a run that imported them all; that run keeps it where guard says
(`INDEX_VARIABLE`), for checkov's version. A module the index does not know is imported, and every module is
when the files checkov reads are not all known beforehand (a .tf.json, a Terraform plan or JSON framework,
external modules it downloads). checkov on a PR check's tree (one changed terragoat file and its module's
neighbours): 2.44 -> 1.64 s; on all of terragoat 4.7 -> 4.3 s; the same results.

Written for the checkov version guard pins (`tools/catalog.py`); another is started by its own script.
"""

from __future__ import annotations

import os
import sys

if __name__ == "__main__" and sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    del sys.path[0]  # this file's folder: its modules are guard's (checkov.py among them), not checkov's

import importlib  # noqa: E402
import importlib.abc  # noqa: E402
import importlib.machinery  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import warnings  # noqa: E402
from types import ModuleType  # noqa: E402
from fnmatch import fnmatchcase  # noqa: E402
from typing import Any, Sequence  # noqa: E402

# checkov's runner modules (as its main module imports them): framework, class name
RUNNERS = {
    "checkov.ansible.runner": ("ansible", "Runner"),
    "checkov.argo_workflows.runner": ("argo_workflows", "Runner"),
    "checkov.arm.runner": ("arm", "Runner"),
    "checkov.azure_pipelines.runner": ("azure_pipelines", "Runner"),
    "checkov.bicep.runner": ("bicep", "Runner"),
    "checkov.bitbucket.runner": ("bitbucket_configuration", "Runner"),
    "checkov.bitbucket_pipelines.runner": ("bitbucket_pipelines", "Runner"),
    "checkov.cdk.runner": ("cdk", "CdkRunner"),
    "checkov.circleci_pipelines.runner": ("circleci_pipelines", "Runner"),
    "checkov.cloudformation.runner": ("cloudformation", "Runner"),
    "checkov.dockerfile.runner": ("dockerfile", "Runner"),
    "checkov.github.runner": ("github_configuration", "Runner"),
    "checkov.github_actions.runner": ("github_actions", "Runner"),
    "checkov.gitlab.runner": ("gitlab_configuration", "Runner"),
    "checkov.gitlab_ci.runner": ("gitlab_ci", "Runner"),
    "checkov.helm.runner": ("helm", "Runner"),
    "checkov.json_doc.runner": ("json", "Runner"),
    "checkov.kubernetes.runner": ("kubernetes", "Runner"),
    "checkov.kustomize.runner": ("kustomize", "Runner"),
    "checkov.openapi.runner": ("openapi", "Runner"),
    "checkov.sast.runner": ("sast", "Runner"),
    "checkov.sca_image.runner": ("sca_image", "Runner"),
    "checkov.sca_package_2.runner": ("sca_package", "Runner"),
    "checkov.serverless.runner": ("serverless", "Runner"),
    "checkov.terraform.plan_runner": ("terraform_plan", "Runner"),
    "checkov.terraform.runner": ("terraform", "Runner"),
    "checkov.terraform_json.runner": ("terraform_json", "TerraformJsonRunner"),
    "checkov.yaml_doc.runner": ("yaml", "Runner"),
}
# the frameworks guard asks for, with the frameworks whose checks or runner each reuses
SUPPORTED = {
    "terraform": {"terraform"},
    "terraform_json": {"terraform_json", "terraform"},
    "cloudformation": {"cloudformation"},
    "kubernetes": {"kubernetes"},
    "helm": {"helm", "kubernetes"},
    "kustomize": {"kustomize", "kubernetes"},
    "dockerfile": {"dockerfile"},
    "github_actions": {"github_actions", "yaml"},
}
# modules imported when first used: module -> the names checkov's own modules import from it and
# only ever call. The `--list` module imports every framework's check registries; the SPDX and
# CycloneDX output modules (0.25-0.3 s and 0.1 s) serve output formats guard does not ask for.
ON_USE = {"checkov.docs_generator": ("print_checks",), "checkov.common.output.spdx": ("SPDX",),
          "checkov.common.output.cyclonedx": ("CycloneDX",)}
# libraries checkov imports at its start, once each, for what guard's runs never do (the platform's
# HTTP client, 0.2 s; its S3 upload, 0.07 s): run when first used. (A second `import` of a module
# loaded this way runs it: `docker`, imported by two of checkov's modules, gains nothing.)
LAZY = ("aiohttp", "boto3")
TERRAFORM = {"terraform", "terraform_json", "terraform_plan"}  # the frameworks that evaluate Terraform expressions


def option_values(argv: Sequence[str], *names: str) -> list[str] | None:
    """The values given to the options `names` (`-d a b`, `--directory=a`); None when one is given none."""
    values: list[str] = []
    i = 0
    while i < len(argv):
        name, eq, value = argv[i].partition("=")
        if name in names:
            if eq:
                values.append(value)
            else:
                j = i + 1
                while j < len(argv) and not argv[j].startswith("-"):
                    values.append(argv[j])
                    j += 1
                if j == i + 1:
                    return None
                i = j
                continue
        i += 1
    return values


def asked_frameworks(argv: Sequence[str]) -> set[str] | None:
    """The frameworks `--framework` names in checkov's arguments (every occurrence, comma lists);
    None when it is not given."""
    values = option_values(argv, "--framework")
    if values is None:  # given, with no value
        return set()
    if not values:  # not given
        return None
    return {f.strip() for value in values for f in value.split(",") if f.strip()}


def left_out(argv: Sequence[str]) -> set[str]:
    """The runner modules to replace for checkov's arguments (none unless every framework asked for is
    in `SUPPORTED`)."""
    asked = asked_frameworks(argv)
    if not asked or not asked <= SUPPORTED.keys():
        return set()
    kept = set().union(*(SUPPORTED[f] for f in asked))
    return {module for module, (framework, _) in RUNNERS.items() if framework not in kept}


class _Unused(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the replaced runner modules, and the packages that only they need, for the import system."""

    def __init__(self, runners: set[str]) -> None:
        self.runners = runners
        kept_packages = {m.rsplit(".", 1)[0] for m in RUNNERS if m not in runners}
        self.packages = {m.rsplit(".", 1)[0] for m in runners} - kept_packages
        self.released: set[str] = set()

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name in self.packages:
            real = importlib.machinery.PathFinder.find_spec(name, path)
            if real is None or real.loader is None or not real.submodule_search_locations:
                return None
            spec = importlib.machinery.ModuleSpec(name, _Deferred(real), origin=real.origin, is_package=True)
            spec.submodule_search_locations = real.submodule_search_locations
            return spec
        if name in self.runners:
            return importlib.machinery.ModuleSpec(name, self)
        if name in ON_USE and name not in self.released:
            return importlib.machinery.ModuleSpec(name, _OnUse(self))
        return None

    def release(self, name: str) -> ModuleType:
        """The real module `name`, imported now in place of its stand-in."""
        self.released.add(name)
        sys.modules.pop(name, None)
        return importlib.import_module(name)

    def exec_module(self, module: ModuleType) -> None:
        from checkov.common.output.report import Report
        from checkov.common.runners.base_runner import BaseRunner

        framework, class_name = RUNNERS[module.__name__]

        def run(self: BaseRunner, *args: object, **kwargs: object) -> Report:
            return Report(framework)

        setattr(module, class_name, type(class_name, (BaseRunner,), {"check_type": framework, "run": run}))


class _Lazy(importlib.abc.MetaPathFinder):
    """Finds the libraries of `LAZY` for the import system with importlib's `LazyLoader`."""

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name not in LAZY:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


class _OnUse(importlib.abc.Loader):
    """A stand-in for a module of `ON_USE`: calling one of its names imports the real module."""

    def __init__(self, finder: _Unused) -> None:
        self.finder = finder

    def exec_module(self, module: ModuleType) -> None:
        finder, name = self.finder, module.__name__

        for attr in ON_USE[name]:
            def call(*args: object, _attr: str = attr, **kwargs: object) -> object:
                return getattr(finder.release(name), _attr)(*args, **kwargs)

            setattr(module, attr, call)


class _Deferred(importlib.abc.Loader):
    """A framework package whose `__init__` runs only when a name it defines is asked for (its
    modules are imported as usual)."""

    def __init__(self, real: importlib.machinery.ModuleSpec) -> None:
        self.real = real

    def exec_module(self, module: ModuleType) -> None:
        real, folders, done = self.real, list(self.real.submodule_search_locations or ()), []

        def __getattr__(name: str) -> object:
            if name.startswith("__") or any(os.path.exists(os.path.join(d, name)) or
                                            os.path.exists(os.path.join(d, name + ".py")) for d in folders):
                raise AttributeError(name)  # a module of the package: the import system imports it
            if not done:
                done.append(True)
                del module.__dict__["__getattr__"]
                assert real.loader is not None
                real.loader.exec_module(module)
            try:
                return module.__dict__[name]
            except KeyError:
                raise AttributeError(name) from None

        module.__getattr__ = __getattr__  # type: ignore[method-assign]


def reuse_evaluators() -> None:
    """checkov's `evaluate` (Terraform expressions) with its asteval interpreters reused instead of built
    anew per expression: one per nesting level (a function asteval runs may evaluate an expression) and
    thread (checkov may render variables on threads), each reset as a new one starts (`_as_new`)."""
    from checkov.terraform.graph_builder.variable_rendering import safe_eval_functions as evaluator

    build, evaluate = evaluator.get_asteval, evaluator.evaluate
    held = threading.local()

    def lent() -> Any:
        return held.current

    def evaluating(input_str: str) -> Any:
        idle = held.__dict__.setdefault("idle", [])
        interpreter = _as_new(idle.pop()) if idle else build()
        outer, held.current = getattr(held, "current", None), interpreter
        try:
            return evaluate(input_str)
        finally:
            held.current = outer
            idle.append(interpreter)

    evaluator.get_asteval, evaluator.evaluate = lent, evaluating  # before checkov's modules import it


def _as_new(interpreter: Any) -> Any:
    """An asteval interpreter in the state its constructor leaves (what `eval` does not reset itself)."""
    interpreter.symtable["print"] = interpreter._printer  # the symbol table is shared: the last one built set it
    interpreter._interrupt = interpreter.expr = interpreter.retval = interpreter.error_msg = None
    interpreter.error, interpreter.code_text = [], []
    interpreter._calldepth = interpreter.lineno = 0
    return interpreter


# checkov's packages of Terraform checks by block (`resource "TYPE"`, `data "TYPE"`), each a package per provider
# whose `__init__` lists all its modules, with the class of their checks
CHECK_PACKAGES = {"checkov.terraform.checks.resource": ("checkov.terraform.checks.resource.base_resource_check",
                                                        "BaseResourceCheck"),
                  "checkov.terraform.checks.data": ("checkov.terraform.checks.data.base_check", "BaseDataCheck")}
INDEX_VARIABLE = "GUARD_CHECKOV_INDEX"  # the file of the index: module -> the block types it checks
_BLOCK_TYPE = re.compile(rb'\b(?:resource|data)\s+"?([A-Za-z0-9_-]+)')
_SCANNED_SUFFIXES = (".tf", ".hcl")  # the Terraform files checkov's runner reads besides .tf.json


def scanned_block_types(argv: Sequence[str]) -> set[str] | None:
    """Every name that follows the word `resource` or `data` in the .tf and .hcl files checkov is given (`-d`,
    `-f`): the resource and data source types, and more (a word in a comment counts too). None when checkov may
    read blocks from elsewhere: a framework besides `terraform` that reads them, a .tf.json file, modules it
    downloads."""
    asked = asked_frameworks(argv)
    if asked is None or "terraform" not in asked or asked & (TERRAFORM - {"terraform"}):
        return None
    if any(arg.startswith("--download-external-modules") for arg in argv) or os.environ.get(
            "DOWNLOAD_EXTERNAL_MODULES", "").strip().lower() not in ("", "false", "0"):
        return None
    folders, files = option_values(argv, "-d", "--directory"), option_values(argv, "-f", "--file")
    if folders is None or files is None or not (folders or files):
        return None
    paths = list(files)
    seen: set[str] = set()
    for folder in folders:
        for top, dirs, names in os.walk(folder, followlinks=True):
            real = os.path.realpath(top)
            if real in seen:  # a link back up the tree
                dirs[:] = []
                continue
            seen.add(real)
            paths.extend(os.path.join(top, name) for name in names)
    types: set[str] = set()
    for path in paths:
        if path.endswith(".tf.json"):
            return None
        if path.endswith(_SCANNED_SUFFIXES):
            try:
                with open(path, "rb") as fh:
                    types.update(m.decode() for m in _BLOCK_TYPE.findall(fh.read()))
            except OSError:
                return None
    return types


def checkov_version() -> str:
    from checkov.version import version

    return str(version)


def read_index(path: str) -> dict[str, list[str]] | None:
    """The index of checkov's resource check modules kept by an earlier run of this checkov version, if any."""
    try:
        with open(path, encoding="utf-8") as fh:
            kept = json.load(fh)
        if kept.get("checkov") == checkov_version() and isinstance(kept.get("modules"), dict):
            return kept["modules"]
    except (OSError, ValueError, AttributeError):
        pass
    return None


def keep_index(path: str) -> None:
    """Write the index from checkov's registered checks (every module imported: this run's), whole or not at all.
    A module of `CHECK_PACKAGES` with any check not of its package's class is indexed as checking every type."""
    from checkov.common.checks.base_check_registry import BaseCheckRegistry

    kinds = {package: getattr(importlib.import_module(module), name)
             for package, (module, name) in CHECK_PACKAGES.items()}
    modules: dict[str, set[str]] = {}
    for check in BaseCheckRegistry.get_all_registered_checks():
        module = type(check).__module__
        for package, kind in kinds.items():
            if module.startswith(package + "."):
                entities = check.supported_entities if isinstance(check, kind) else ("*",)
                modules.setdefault(module, set()).update(entities)
    data = {"checkov": checkov_version(), "modules": {m: sorted(e) for m, e in sorted(modules.items())}}
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".index-")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh)
        os.replace(temp, path)
    except OSError:
        pass  # a read-only cache: every run imports every module


class Selected(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finds the provider packages of `CHECK_PACKAGES` (whose `__init__` lists all its modules in `__all__` for
    checkov's `import *`) for the import system; each lists only the modules that check one of `types`, or that
    the index does not know (helpers and new modules)."""

    def __init__(self, index: dict[str, list[str]], types: set[str]) -> None:
        self.index, self.types = index, types
        self.loaders: dict[str, importlib.abc.Loader] = {}  # package -> the loader that runs its `__init__`

    def find_spec(self, name: str, path: Sequence[str] | None = None,
                  target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
        if name.rpartition(".")[0] not in CHECK_PACKAGES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None or not spec.submodule_search_locations:
            return None
        self.loaders[name], spec.loader = spec.loader, self
        return spec

    def exec_module(self, module: ModuleType) -> None:
        self.loaders[module.__name__].exec_module(module)
        listed = getattr(module, "__all__", None)
        if isinstance(listed, list):
            module.__all__ = [name for name in listed if self.wanted(f"{module.__name__}.{name}")]

    def wanted(self, module: str) -> bool:
        entities = self.index.get(module)
        return entities is None or any(entity in self.types or (_PATTERN.search(entity) is not None and any(
            fnmatchcase(kind, entity) for kind in self.types)) for entity in entities)


_PATTERN = re.compile(r"[*?]|\[.*\]")  # an entity checkov's registry matches as a pattern (`_is_wildcard`)


def main() -> int | None:
    runners = left_out(sys.argv[1:])
    sys.argv[0] = "checkov"  # the name its usage and error messages give
    if runners:
        sys.meta_path[:0] = [_Unused(runners), _Lazy()]
    kept = os.environ.get(INDEX_VARIABLE)
    types = scanned_block_types(sys.argv[1:]) if kept else None
    index = read_index(kept) if kept and types is not None else None
    if index is not None and types is not None:
        sys.meta_path.insert(0, Selected(index, types))
    asked = asked_frameworks(sys.argv[1:])
    if asked is None or asked & TERRAFORM:
        reuse_evaluators()  # (it imports checkov's Terraform package, and so its checks)
    from checkov.main import Checkov

    if kept and types is not None and index is None:
        keep_index(kept)

    with warnings.catch_warnings():  # as checkov's script starts it
        warnings.simplefilter("ignore", category=SyntaxWarning)
        return Checkov(sys.argv[1:]).run()  # (its default is the arguments at its import: a warm process's)


def warm_up() -> None:
    """What a warm process (`guard.resident.tool_server`) imports before its first run: all of checkov, as its
    own script does (each run then uses the frameworks it asks for)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=SyntaxWarning)
        importlib.import_module("checkov.main")


if __name__ == "__main__":
    sys.exit(main())
