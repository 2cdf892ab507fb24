"""The files of a Terraform module a changed file needs to be judged as the whole module judges it.

A module's resources refer to each other across its files: a bucket in one file, its public access
block in another; a value from a variable or local defined elsewhere. Given the changed file alone,
checkov fails checks the module passes (CKV2_AWS_6: the access block is "missing"). Given the whole
module, a one-line change in a large module pays for checking every resource of it.

`module_files` lists the other Terraform files of the changed files' folders (a module is a
folder) and `with_called_modules` adds the local modules they call (`called_modules`: those
alone); `callers_context` adds the modules that call a changed local module, so that a tool
evaluating module calls judges each instance with its caller's inputs; `CallSites` finds the call
in a changed file that made a module's resource. `needed` reads the module's files and `related`
picks what a file's resources need, from the files' text (no HCL parse):
- what the selected files refer to, transitively: the files defining those resources, data
  sources, variables, locals and modules;
- the resources that refer to a selected file's resources (what attaches to them: access blocks,
  policies, encryption settings), with what those refer to in turn.
A name a file mentions in a string or comment may pull in a file that was not needed: that costs
time, never a wrong result. `.tf.json` files are not read this way: they are always included
(`CallSites` reads their module calls as JSON).
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Mapping, Sequence

from guard.diff import resource_block
from guard.files import SKIP_DIRS, list_given
from guard.lockfiles import jsonpos
from guard.lockfiles.base import LockfileError
from guard.model import Finding, Location, evolve
from guard.sarif.fingerprint import SourceCache, compute
from guard.scanners.base import match_any

TERRAFORM = ("*.tf", "*.tf.json")
# The variable files Terraform loads by itself for a root module (`-var-file` ones are per environment).
AUTO_VARS = ("terraform.tfvars", "terraform.tfvars.json", "*.auto.tfvars", "*.auto.tfvars.json")

_BLOCK = re.compile(r'^\s*(resource|data)\s+"([\w-]+)"\s+"([\w-]+)"|^\s*(variable|module)\s+"([\w-]+)"', re.M)
_LOCALS = re.compile(r"^\s*locals\s*\{", re.M)
_ASSIGNED = re.compile(r"^\s*([\w-]+)\s*=", re.M)
_LOCAL_SOURCE = re.compile(r'^\s*"?source"?\s*[=:]\s*"(\.\.?/[^"]*)"', re.M)  # a module's, in .tf or .tf.json
_MODULE_CALL = re.compile(r'^\s*module\s+"([\w-]+)"\s*\{', re.M)
_CALL_IN_ADDRESS = re.compile(r'module\.([\w-]+)(?:\[[^\]]*\])?(?:\.|$)')  # module.a["k"].module.b[0].aws_x.y
_REFERENCE = re.compile(r"\b(?:data\.[\w-]+\.[\w-]+|(?:var|local|module)\.[\w-]+|[a-z][a-z0-9_]*\.[\w-]+)")


def module_files(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """The other Terraform files (as guard lists files) of the folders holding the Terraform files
    among `files`."""
    chosen = set(files)
    folders = {PurePosixPath(f).parent for f in files if match_any(f, TERRAFORM)}
    candidates = [f for folder in sorted(folders) for f in _folder_files(target, folder)]
    return [f for f in list_given(target, candidates, exclude).files if f not in chosen]


def module_inputs(files: Sequence[str], judged_with: Callable[[list[str]], Iterable[str]]) -> dict[str, list[str]]:
    """Per Terraform file of `files`, the other files its findings depend on: those `judged_with` names
    for the files of its folder (a module is a folder: they share them), and those files themselves."""
    folders: dict[PurePosixPath, list[str]] = {}
    for rel in files:
        if match_any(rel, TERRAFORM):
            folders.setdefault(PurePosixPath(rel).parent, []).append(rel)
    inputs: dict[str, list[str]] = {}
    for own in folders.values():
        together = sorted({*own, *judged_with(own)})
        inputs.update({rel: [f for f in together if f != rel] for rel in own})
    return inputs


def with_called_modules(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """`module_files` plus the Terraform files of the local modules (`source = "./x"`, `"../x"`) those
    modules call, transitively: a tool that evaluates module calls (trivy) reads them too."""
    context = module_files(target, files, exclude)
    taken = {*files, *context}
    done = {PurePosixPath(f).parent for f in files if match_any(f, TERRAFORM)}
    todo = [f for f in [*files, *context] if match_any(f, TERRAFORM)]
    while todo:
        rel = todo.pop()
        for source in _local_sources(target / rel):
            called = PurePosixPath(os.path.normpath(PurePosixPath(rel).parent / source))
            if called in done or called.parts[:1] == ("..",):  # (outside the repository: not listed)
                continue
            done.add(called)
            for f in list_given(target, _folder_files(target, called), exclude).files:
                if f not in taken:
                    taken.add(f)
                    context.append(f)
                    todo.append(f)
    return context


def with_callers(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """`callers_context`, or `needed` when no other folder calls a module among `files`: a tool that
    evaluates module calls (checkov over a folder) judges a called module's resources as instances
    of each call (`module.x.aws_s3_bucket.b`, with the call's inputs), not alone with the module's
    variable defaults."""
    return callers_context(target, files, exclude) or needed(target, files, exclude)


def callers_context(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """The Terraform files of the folders calling a local module (`source = "./x"`, `"../x"`) that
    holds a Terraform file among `files`, transitively up to the roots, with every local module
    those call; [] when no other folder calls them."""
    folders = {PurePosixPath(f).parent for f in files if match_any(f, TERRAFORM)}
    callers = _calling_folders(target, folders, exclude) if folders else set()
    if not callers:
        return []
    chosen = set(files)
    roots = [f for folder in sorted(callers) for f in list_given(target, _folder_files(target, folder), exclude).files]
    return sorted({f for f in [*roots, *with_called_modules(target, roots, exclude)] if f not in chosen})


def called_modules(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """The Terraform files of the local modules the folders of the Terraform files among `files`
    call, transitively (not the files of those folders themselves)."""
    own = {PurePosixPath(f).parent for f in files if match_any(f, TERRAFORM)}
    return [f for f in with_called_modules(target, files, exclude) if PurePosixPath(f).parent not in own]


class CallSites:
    """Where in `files` the module calls that made a resource start, for resource addresses of one
    tool run (each file's module blocks are read once)."""

    def __init__(self, target: Path, files: Sequence[str]) -> None:
        self.target = target
        self.files = [f for f in files if match_any(f, TERRAFORM)]
        self._blocks: dict[str, list[tuple[str, int, int, str | None]]] = {}
        self._sources = SourceCache(target)

    def at_call(self, finding: Finding) -> Finding | None:
        """A module instance's finding, located in the module, moved to the call in one of the files
        that made the instance (message and `module_location` name the module's file and line);
        None if none of them made it. It keeps the fingerprint it has where it was found, as a scan
        of the whole tree reports it there: a baseline made by such a scan covers it."""
        loc = finding.location
        if loc is None:
            return None
        site = self.of(finding.resource or "", PurePosixPath(loc.path).parent)
        if site is None:
            return None
        path, start, end = site
        found_at = compute(finding, self._sources.snippet(loc.path, loc.start_line, loc.end_line))
        return evolve(finding, location=Location(path=path, start_line=start, end_line=end), fingerprint=found_at,
                      message=f"{finding.message} in {loc.path}:{loc.start_line}, made by this module call",
                      properties={**finding.properties, "module_location": f"{loc.path}:{loc.start_line}"})

    def of(self, address: str, module_folder: PurePosixPath) -> tuple[str, int, int] | None:
        """The file and the first and last line of the outermost call's block, when the module calls
        `address` names (`module.a.module.b.aws_x.y`; trivy names the outermost only: `module.a`)
        start in one of the files and lead to `module_folder`; else None."""
        calls = _calls_of(address)
        if not calls:
            return None
        for rel in self.files:
            for name, start, end, source in self._module_calls(rel):
                if name != calls[0]:
                    continue
                folder = self._follow(PurePosixPath(rel).parent, source, calls[1:])
                if folder is not None and self._reaches(folder, module_folder):
                    return rel, start, end
        return None

    def _follow(self, folder: PurePosixPath, source: str | None, calls: Sequence[str]) -> PurePosixPath | None:
        """The folder a call with local `source`, made in `folder`, leads to through the further `calls`."""
        if source is None:
            return None
        called = PurePosixPath(os.path.normpath(folder / source))
        if not calls:
            return called
        for rel in _folder_files(self.target, called):
            for name, _, _, inner in self._module_calls(rel):
                if name == calls[0]:
                    return self._follow(called, inner, calls[1:])
        return None

    def _reaches(self, folder: PurePosixPath, wanted: PurePosixPath) -> bool:
        """Whether `wanted` is `folder` or a local module it calls, directly or through further calls."""
        seen, todo = {folder}, [folder]
        while todo:
            here = todo.pop()
            if here == wanted:
                return True
            for rel in _folder_files(self.target, here):
                for _, _, _, source in self._module_calls(rel):
                    if source is not None:
                        called = PurePosixPath(os.path.normpath(here / source))
                        if called not in seen:
                            seen.add(called)
                            todo.append(called)
        return False

    def _module_calls(self, rel: str) -> list[tuple[str, int, int, str | None]]:
        """The module blocks of a Terraform file: name, first and last line, and local source (None if
        it has no local one)."""
        if rel not in self._blocks:
            text = _text(self.target / rel)
            if rel.endswith(".json"):
                self._blocks[rel] = _json_module_calls(text, rel)
                return self._blocks[rel]
            lines = text.splitlines()
            found = []
            for m in _MODULE_CALL.finditer(text):
                line = text.count("\n", 0, m.start(1)) + 1  # (the match may begin on blank lines above)
                start, end = resource_block(self.target / rel, line, line, text)
                sources = _LOCAL_SOURCE.findall("\n".join(lines[start - 1:end]))
                found.append((m.group(1), start, end, sources[0] if len(sources) == 1 else None))
            self._blocks[rel] = found
        return self._blocks[rel]


def _json_module_calls(text: str, rel: str) -> list[tuple[str, int, int, str | None]]:
    """The module blocks of a `.tf.json` file (`"module": {"name": {...}}`, or a list of such
    objects): name, the lines of its key and of its last member, and local source."""
    try:
        doc, lines = jsonpos.load(text, rel)
    except LockfileError:
        return []
    modules = doc.get("module") if isinstance(doc, dict) else None
    groups = [(("module",), modules)] if isinstance(modules, dict) else \
        [(("module", i), group) for i, group in enumerate(modules) if isinstance(group, dict)] \
        if isinstance(modules, list) else []
    found = []
    for prefix, group in groups:
        for name, body in group.items():
            key = (*prefix, name)
            if key not in lines or not isinstance(body, dict):
                continue
            end = max(line for path, line in lines.items() if path[:len(key)] == key)
            source = body.get("source")
            local = source if isinstance(source, str) and source.startswith(("./", "../")) else None
            found.append((str(name), lines[key], end, local))
    return found


def _calls_of(address: str) -> list[str]:
    """The module calls a resource address goes through: `module.a["k"].module.b.aws_x.y` -> [a, b]."""
    names: list[str] = []
    pos = 0
    while (m := _CALL_IN_ADDRESS.match(address, pos)) is not None:
        names.append(m.group(1))
        pos = m.end()
    return names


def auto_var_files(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """The variable files Terraform loads by itself (`terraform.tfvars`, `*.auto.tfvars`...) in the
    folders of the Terraform files among `files`, as guard lists files."""
    folders = sorted({PurePosixPath(f).parent for f in files if match_any(f, TERRAFORM)})
    candidates = [f for folder in folders for f in _folder_files(target, folder, AUTO_VARS)]
    return list(list_given(target, candidates, exclude).files)


def _calling_folders(target: Path, folders: set[PurePosixPath], exclude: Sequence[str]) -> set[PurePosixPath]:
    """The folders (other than `folders`) whose Terraform files call a module in `folders`, or call a
    folder that does, transitively."""
    calls: dict[PurePosixPath, set[PurePosixPath]] = {}  # called folder -> the folders calling it
    with _CALLERS:  # the tool asking second finds what the first read remembered
        for rel in _terraform_files(target, exclude):
            caller = PurePosixPath(rel).parent
            for source in _local_sources(target / rel):
                calls.setdefault(PurePosixPath(os.path.normpath(caller / source)), set()).add(caller)
    found: set[PurePosixPath] = set()
    todo = list(folders)
    while todo:
        for caller in calls.get(todo.pop(), ()):
            if caller not in found and caller not in folders:
                found.add(caller)
                todo.append(caller)
    return found


def _terraform_files(target: Path, exclude: Sequence[str]) -> list[str]:
    """Every Terraform file of the tree, as guard lists files; remembered while the stamps of the
    folders walked hold (a file added, removed or renamed changes its folder's)."""
    key = (str(target), tuple(exclude))
    known = _WALKS.get(key)
    if known is not None and all(_stamp(Path(folder)) == stamp for folder, stamp in known[0]):
        return known[1]
    found: list[str] = []
    folders: list[tuple[str, tuple[int, ...] | None]] = []
    for dirpath, dirnames, filenames in os.walk(target, followlinks=False):
        folders.append((dirpath, _stamp(Path(dirpath))))
        dirnames[:] = [d for d in dirnames if d not in SKIP_DIRS]
        rel_dir = os.path.relpath(dirpath, target).replace(os.sep, "/")
        found += [n if rel_dir == "." else f"{rel_dir}/{n}" for n in filenames if match_any(n, TERRAFORM)]
    listed = list(list_given(target, found, exclude).files)
    if all(stamp is not None for _, stamp in folders):
        _WALKS[key] = (folders, listed)
    return listed


# Walks and files' module sources, kept while their stamps hold (see `_stamp`): checkov and trivy
# both look for a changed module's callers, one after the other (`_CALLERS`).
_WALKS: dict[tuple[str, tuple[str, ...]], tuple[list[tuple[str, tuple[int, ...] | None]], list[str]]] = {}
_SOURCES: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {}
_CALLERS = threading.Lock()
_SETTLED_NS = 2_000_000_000  # a stamp younger than this may not show a change made in the same clock tick


def _stamp(path: Path) -> tuple[int, ...] | None:
    """What tells a file or folder changed (modification and change times, size, inode), or None when
    it cannot be read or changed too recently to be told apart from a change in the same tick."""
    try:
        st = path.stat()
    except OSError:
        return None
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < _SETTLED_NS:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino


def _local_sources(path: Path) -> tuple[str, ...]:
    """The local module sources (`./x`, `../x`) a Terraform file calls, remembered while its stamp holds."""
    stamp = _stamp(path)
    known = _SOURCES.get(str(path))
    if stamp is not None and known is not None and known[0] == stamp:
        return known[1]
    sources = tuple(_LOCAL_SOURCE.findall(_text(path)))
    if stamp is not None:
        _SOURCES[str(path)] = (stamp, sources)
    return sources


def _folder_files(target: Path, folder: PurePosixPath, patterns: Sequence[str] = TERRAFORM) -> list[str]:
    """The files directly in `folder` (repository-relative) matching `patterns` (Terraform files)."""
    try:
        with os.scandir(target / folder) as entries:
            names = sorted(e.name for e in entries if e.is_file() and match_any(e.name, patterns))
    except OSError:
        return []
    return [str(folder / n) if str(folder) != "." else n for n in names]


def needed(target: Path, files: Sequence[str], exclude: Sequence[str]) -> list[str]:
    """Of `module_files`, those the Terraform files among `files` need (see `related`)."""
    module = module_files(target, files, exclude)
    if not module:
        return []
    texts = {rel: _text(target / rel) for rel in [*module, *(f for f in files if match_any(f, TERRAFORM))]}
    return related(texts, files)


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


@dataclass
class _File:
    defines: set[str] = field(default_factory=set)  # addresses: aws_s3_bucket.b, data.x.y, var.v, local.l, module.m
    resources: set[str] = field(default_factory=set)  # the managed resources among them
    refers: set[str] = field(default_factory=set)  # dotted names the text mentions


def _read(text: str) -> _File:
    f = _File()
    for m in _BLOCK.finditer(text):
        if m.group(1) == "resource":
            address = f"{m.group(2)}.{m.group(3)}"
            f.resources.add(address)
        elif m.group(1) == "data":
            address = f"data.{m.group(2)}.{m.group(3)}"
        else:
            address = f"{'var' if m.group(4) == 'variable' else 'module'}.{m.group(5)}"
        f.defines.add(address)
    if _LOCALS.search(text):
        f.defines.update(f"local.{name}" for name in _ASSIGNED.findall(text))
    f.refers = set(_REFERENCE.findall(text)) - f.defines
    return f


def related(texts: Mapping[str, str], selected: Sequence[str]) -> list[str]:
    """The files of one module (`texts`: path -> text) besides `selected` that `selected` needs."""
    files = {path: _read(text) for path, text in texts.items()}
    defined_in: dict[str, set[str]] = {}
    for path, f in files.items():
        for address in f.defines:
            defined_in.setdefault(address, set()).add(path)

    def definitions(start: set[str]) -> set[str]:
        """`start` plus the files defining what they refer to, transitively."""
        out, todo = set(start), list(start)
        while todo:
            for name in files[todo.pop()].refers:
                for path in defined_in.get(name, ()):
                    if path not in out:
                        out.add(path)
                        todo.append(path)
        return out

    chosen = {p for p in selected if p in files}
    ours = {r for p in chosen for r in files[p].resources}
    attached = {p for p, f in files.items() if p not in chosen and (f.refers & ours or p.endswith(".tf.json"))}
    return sorted(definitions(chosen | attached) - set(selected))
