"""What a change touches, from git: changed files and line ranges, and files as a trusted ref has them.

`changes_since(root, ref)` compares the merge base of REF and HEAD with the working tree (pull
requests: the PR's own changes); `staged_changes(root)` compares HEAD with the index (pre-commit).
Paths are relative to `root` (which may be a sub-directory of the repository). A finding counts as
changed if its file is new, or its lines (for IaC: its whole resource block) overlap a changed
line. `BaseTree` reads files as they are at a commit, so a pull request cannot change the
configuration, policies, waivers or baseline that judge it.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Iterable, Mapping, Sequence

from guard import config as config_mod
from guard.config import CONFIG_FILES, Config, ConfigError
from guard.model import Category, Finding

_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 60
_NAMED_PATHS = 2000  # staged files `unstaged` names to git (more: git compares every tracked file)


class DiffError(Exception):
    """git could not say what changed (not a repository, unknown ref, shallow clone...)."""


@dataclass(frozen=True, slots=True)
class FileChange:
    """One changed file: `whole` for added/untracked/binary files, else the changed line ranges."""

    path: str
    status: str  # A (added), M (modified), R (renamed), C (copied), T (type change), U (untracked)
    ranges: tuple[tuple[int, int], ...] = ()
    whole: bool = False
    old_path: str | None = None


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """The files a change touches (deleted files are left out: they have no findings)."""

    base: str | None  # the commit compared against (merge base), None for the empty tree
    files: Mapping[str, FileChange] = field(default_factory=dict)
    deleted: tuple[str, ...] = ()

    @property
    def paths(self) -> list[str]:
        return sorted(self.files)

    def under(self, paths: Iterable[str]) -> list[str]:
        """Changed or deleted files that are one of `paths` or inside one of them (directories)."""
        prefixes = [PurePosixPath(p).as_posix().rstrip("/") for p in paths if p]
        return sorted(f for f in {*self.files, *self.deleted}
                      for pre in prefixes if f == pre or f.startswith(pre + "/"))

    def touches(self, finding: Finding, root: Path) -> bool:
        """True if the finding is in a changed file and on (or, for IaC, in a block with) changed lines."""
        loc = finding.location
        if loc is None:
            return False
        change = self.files.get(loc.path)
        if change is None:
            return False
        if change.whole or not loc.start_line:
            return True  # new file, or a file-level finding in a changed file
        start, end = loc.start_line, max(loc.end_line or loc.start_line, loc.start_line)
        if finding.category is Category.IAC:
            start, end = resource_block(root / loc.path, start, end)
        return any(a <= end and start <= b for a, b in change.ranges)


def changes_since(root: Path, ref: str) -> ChangeSet:
    """Changes of the working tree (and untracked files) since the merge base of `ref` and HEAD."""
    base = _git(root, "merge-base", ref, "HEAD").decode().strip()
    if not base:
        raise DiffError(f"no merge base between {ref} and HEAD")
    files, deleted = _parse_diff(_git(root, "diff", "--no-color", "--no-ext-diff", "--unified=0", "-M", "--relative",
                                      base, "--", "."))
    for rel in _git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".").split(b"\0"):
        if rel:
            path = rel.decode("utf-8", "surrogateescape")
            files[path] = FileChange(path, "U", whole=True)
    return ChangeSet(base, files, deleted)


def staged_changes(root: Path) -> ChangeSet:
    """Changes staged for the next commit (against HEAD, or the empty tree before the first commit)."""
    head = _try_git(root, "rev-parse", "--verify", "-q", "HEAD")
    args = ["diff", "--cached", "--no-color", "--no-ext-diff", "--unified=0", "-M", "--relative"]
    if head:
        args.append(head)
    files, deleted = _parse_diff(_git(root, *args, "--", "."))
    return ChangeSet(head, files, deleted)


def unstaged(root: Path, paths: Iterable[str]) -> list[str]:
    """Of `paths` (relative to `root`), those whose working-tree copy differs from the staged one (edited or
    removed after `git add`): the files on disk are then not what the commit holds."""
    wanted = sorted(set(paths))
    if not wanted:
        return []
    named = ["--", *wanted] if len(wanted) <= _NAMED_PATHS else []
    out = _git(root, "--literal-pathspecs", "diff", "--name-only", "-z", "--no-ext-diff", "--no-renames",
               "--relative", *named)
    differing = {name.decode("utf-8", "surrogateescape") for name in out.split(b"\0") if name}
    return sorted(differing.intersection(wanted))


class IndexTree:
    """The staged content (git's index) exported to a temporary folder: what the next commit holds, to be
    scanned in place of a working tree that differs from it. `root` is the exported `path` (a repository's
    subfolder stays one)."""

    def __init__(self, path: Path) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="guard-staged-")
        try:
            top = Path(self._tmp.name)
            repository = Path(_git(path, "rev-parse", "--show-toplevel").decode("utf-8", "surrogateescape").strip())
            # from the top (in a subfolder it exports that subfolder alone); Git LFS files as their pointers
            # (their content may be on a server only), other filters (git-crypt) as a checkout applies them
            _git(repository, "-c", "filter.lfs.smudge=", "-c", "filter.lfs.process=", "-c", "filter.lfs.required=false",
                 "checkout-index", "--all", "--force", f"--prefix={top}/")
            self.root = top / (_try_git(path, "rev-parse", "--show-prefix") or "")
        except BaseException:
            self._tmp.cleanup()
            raise

    def close(self) -> None:
        self._tmp.cleanup()


def _parse_diff(out: bytes) -> tuple[dict[str, FileChange], tuple[str, ...]]:
    """Parse `git diff --unified=0` output: per-file changed line ranges of the new side, deleted files."""
    files: dict[str, FileChange] = {}
    deleted: list[str] = []
    path: str | None = None
    status, old, ranges, whole = "M", None, [], False

    def flush() -> None:
        if path is not None and status == "D":
            deleted.append(path)
        elif path is not None:
            files[path] = FileChange(path, status, tuple(ranges), whole or status == "A", old)

    for line in out.split(b"\n"):
        if line.startswith(b"diff --git "):
            flush()
            path, status, old, ranges, whole = _diff_header_path(line), "M", None, [], False
        elif path is None:
            continue
        elif line.startswith(b"new file mode"):
            status = "A"
        elif line.startswith(b"deleted file mode"):
            status = "D"
        elif line.startswith(b"rename from ") or line.startswith(b"copy from "):
            old = _unquote(line.split(b" ", 2)[2])
            status = "R" if line.startswith(b"rename") else "C"
        elif line.startswith(b"rename to ") or line.startswith(b"copy to "):
            path = _unquote(line.split(b" ", 2)[2])
        elif line.startswith(b"--- ") and status == "D":
            path = _unquote(line[4:])[2:]  # strip "a/"
        elif line.startswith(b"+++ "):
            name = line[4:]
            if name != b"/dev/null":
                path = _unquote(name)[2:]  # strip "b/"
        elif line.startswith(b"Binary files "):
            whole = True
        elif line.startswith(b"@@"):
            m = _HUNK.match(line)
            if m:
                start, count = int(m.group(1)), int(m.group(2) if m.group(2) is not None else 1)
                # a pure deletion (count 0) changes the lines around the gap it leaves
                ranges.append((start, start + count - 1) if count else (max(start, 1), start + 1))
    flush()
    return files, tuple(deleted)


def _diff_header_path(line: bytes) -> str:
    """The b/ path of a `diff --git a/X b/Y` line (used until +++ or rename lines say better)."""
    rest = line[len(b"diff --git "):]
    if rest.startswith(b'"'):
        parts = re.findall(rb'"(?:[^"\\]|\\.)*"|\S+', rest)
        return _unquote(parts[-1])[2:]
    half = (len(rest) - 1) // 2  # "a/X b/X" for unchanged names
    return rest[half + 1:].decode("utf-8", "surrogateescape")[2:]


def _unquote(raw: bytes) -> str:
    """A path as git prints it: plain, or C-quoted ("tab\\there", octal escapes for bytes)."""
    raw = raw.rstrip(b"\t")
    if not (raw.startswith(b'"') and raw.endswith(b'"')):
        return raw.decode("utf-8", "surrogateescape")
    body, out, i = raw[1:-1], bytearray(), 0
    simple = {ord("n"): 10, ord("t"): 9, ord('"'): 34, ord("\\"): 92, ord("a"): 7, ord("b"): 8, ord("f"): 12,
              ord("r"): 13, ord("v"): 11}
    while i < len(body):
        c = body[i]
        if c == 92 and i + 1 < len(body):
            nxt = body[i + 1]
            if 48 <= nxt <= 55:
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out.append(simple.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return out.decode("utf-8", "surrogateescape")


# --- IaC resource blocks ----------------------------------------------------------------------


def resource_block(path: Path, start: int, end: int, text: str | None = None) -> tuple[int, int]:
    """The line range of the resource a finding at start..end belongs to (the range itself if unknown).
    `text`: the file's text, when the caller has read it already."""
    suffix = path.suffix.lower()
    if suffix in (".tf", ".hcl", ".tfvars"):
        kind = "hcl"
    elif suffix in (".yaml", ".yml"):
        kind = "yaml"
    elif path.name.lower().startswith("dockerfile") or suffix == ".dockerfile":
        kind = "docker"
    else:
        return start, end
    if text is None:
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return start, end
    for a, b in _blocks(kind, text):
        if a <= end and start <= b:
            start, end = min(a, start), max(b, end)
    return start, end


@lru_cache(maxsize=64)
def _blocks(kind: str, text: str) -> tuple[tuple[int, int], ...]:
    """The resource blocks of one file's text, worked out once (a file's findings share them)."""
    lines = text.splitlines()
    if kind == "hcl":
        return tuple(_hcl_blocks(lines))
    if kind == "yaml":
        return tuple(_yaml_blocks(lines))
    return tuple(_docker_stages(lines))


def _hcl_blocks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """Top-level HCL blocks (1-based inclusive), by brace depth outside strings, comments and heredocs."""
    blocks: list[tuple[int, int]] = []
    depth, opened, heredoc, in_comment = 0, 0, None, False
    for n, text in enumerate(lines, 1):
        if heredoc is not None:
            if text.strip() == heredoc:
                heredoc = None
            continue
        i, in_str = 0, False
        while i < len(text):
            two = text[i:i + 2]
            if in_comment:
                if two == "*/":
                    in_comment, i = False, i + 2
                    continue
            elif in_str:
                if text[i] == "\\":
                    i += 1
                elif text[i] == '"':
                    in_str = False
            elif two == "/*":
                in_comment, i = True, i + 2
                continue
            elif text[i] == "#" or two == "//":
                break
            elif text[i] == '"':
                in_str = True
            elif two == "<<":
                m = re.match(r"<<-?\s*([A-Za-z_][A-Za-z0-9_]*)", text[i:])
                if m:
                    heredoc = m.group(1)
                    break
            elif text[i] == "{":
                if depth == 0:
                    opened = n
                depth += 1
            elif text[i] == "}" and depth > 0:
                depth -= 1
                if depth == 0:
                    blocks.append((opened, n))
            i += 1
    return blocks


def _yaml_blocks(lines: Sequence[str]) -> list[tuple[int, int]]:
    """YAML documents (Kubernetes: one resource each); inside a CloudFormation `Resources:` map, its entries."""
    docs: list[tuple[int, int]] = []
    start = 1
    for n, text in enumerate(lines, 1):
        if text.startswith("---"):
            if n > start:
                docs.append((start, n - 1))
            start = n + 1
    if start <= len(lines):
        docs.append((start, len(lines)))
    blocks: list[tuple[int, int]] = []
    for a, b in docs:
        blocks.extend(_cfn_resources(lines, a, b) or [(a, b)])
    return blocks


def _cfn_resources(lines: Sequence[str], a: int, b: int) -> list[tuple[int, int]]:
    header = next((n for n in range(a, b + 1) if lines[n - 1].rstrip() == "Resources:"), None)
    if header is None:
        return []
    entries: list[tuple[int, int]] = []
    indent, current = None, None
    last = header
    for n in range(header + 1, b + 1):
        text = lines[n - 1]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        width = len(text) - len(text.lstrip())
        if width == 0:
            break
        if indent is None:
            indent = width
        if width == indent:
            if current is not None:
                entries.append((current, last))
            current = n
        last = n
    if current is not None:
        entries.append((current, last))
    return entries


def _docker_stages(lines: Sequence[str]) -> list[tuple[int, int]]:
    starts = [n for n, t in enumerate(lines, 1) if t.strip().upper().startswith("FROM ")] or [1]
    return [(s, (starts[i + 1] - 1) if i + 1 < len(starts) else len(lines)) for i, s in enumerate(starts)]


# --- files at a trusted commit ------------------------------------------------------------------


class BaseTree:
    """Files as they are at `ref` (relative to `root`), read with `git show`/`git cat-file`, never the work tree."""

    def __init__(self, root: Path, ref: str) -> None:
        self.root = root
        self.ref = ref
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def read(self, rel: str) -> bytes | None:
        """The file's content at the ref, or None if it does not exist there."""
        rel = PurePosixPath(rel).as_posix()
        proc = subprocess.run(["git", "cat-file", "blob", f"{self.ref}:./{rel}"], cwd=self.root,
                              capture_output=True, timeout=_GIT_TIMEOUT, check=False)
        return proc.stdout if proc.returncode == 0 else None

    def export(self, rels: Iterable[str]) -> Path:
        """Copy these files/directories as they are at the ref into a temporary directory; return it."""
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="guard-base-")
        dest = Path(self._tmp.name)
        for rel in rels:
            out = _git(self.root, "ls-tree", "-r", "-z", self.ref, "--", rel)
            for entry in out.split(b"\0"):
                if not entry:
                    continue
                meta, name = entry.split(b"\t", 1)
                mode, kind, _sha = meta.split(b" ")
                if kind != b"blob" or mode == b"120000":  # no symlinks, no submodules
                    continue
                path = name.decode("utf-8", "surrogateescape")
                data = self.read(path)
                if data is None:
                    continue
                target = dest / path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        return dest

    def close(self) -> None:
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def config_at(base: BaseTree, root: Path, explicit: Path | None, flags: Mapping[str, Any]) -> Config:
    """The configuration as the base commit has it (a pull request cannot loosen its own checks)."""
    names = [*CONFIG_FILES, "pyproject.toml"]
    rel_explicit = _inside(root, explicit) if explicit is not None else None
    if explicit is not None and rel_explicit is None:
        tree = None  # a config file outside the repository is the workflow's own choice
    else:
        tree = base.export([rel_explicit] if rel_explicit else names)
    label = f"{base.ref[:12]}:"
    try:
        if tree is None:
            config = config_mod.load(root, explicit, flags=flags)
        else:
            config = config_mod.load(tree, tree / rel_explicit if rel_explicit else None, flags=flags)
    except ConfigError as exc:
        raise ConfigError(str(exc).replace(f"{tree}/", label)) from None
    if tree is not None and config.source:
        # later stages resolve relative paths against the config file's directory: keep it a real path
        config = config.replace(source=str(root / Path(config.source).relative_to(tree)))
    return config


def pin_policies(config: Config, base: BaseTree) -> Config:
    """The config with relative policy, data and rule paths pointed at copies taken from the base commit."""
    relative = [p for p in _judging_paths(config) if not Path(p).is_absolute()]
    if not relative:
        return config
    for p in relative:
        if PurePosixPath(Path(p).as_posix()).parts[:1] == ("..",):
            raise DiffError(f"policy path {p!r} is outside the scanned directory: in PR mode policies are read "
                            "from the base commit, which only works inside it")
    tree = base.export(relative)

    def pinned(paths: Sequence[str]) -> list[str]:
        return [p if Path(p).is_absolute() else str(tree / p) for p in paths]

    return config.replace(
        policies=dataclasses.replace(config.policies, paths=pinned(config.policies.paths),
                                     data=pinned(config.policies.data)),
        semgrep=dataclasses.replace(config.semgrep, rules=pinned(config.semgrep.rules)),
        framework_paths=pinned(config.framework_paths),
    )


def refuse_tools_inside(config: Config, root: Path) -> None:
    """In PR mode, refuse a tool the (base) config names by a path inside the scanned repository: the
    checked-out tree is the pull request's, so guard would run the change's copy of the tool, which
    the change can replace with one that reports nothing."""
    for name, settings in sorted(config.tools.items()):
        found = shutil.which(settings.path) if settings.path else None
        if found is not None and _inside(root, Path(found)) is not None:
            where = f"{config.source}: " if config.source else ""
            raise DiffError(f"{where}tools.{name}.path {settings.path!r} is inside the scanned repository: in PR "
                            "mode guard would run the pull request's copy of it; use a path outside the "
                            f"repository or guard's pinned tool (`guard tools install {name}`)")


def _judging_paths(config: Config) -> list[str]:
    """Repository paths named in the config that decide verdicts: policies, their data, rules, frameworks."""
    return [*config.policies.paths, *config.policies.data, *config.semgrep.rules, *config.framework_paths]


def control_files(config: Config, baseline_path: str | None) -> list[str]:
    """Files whose changes decide how a change is judged: they need a reviewer's eye in a pull request."""
    files = [*CONFIG_FILES, config.waivers.file, baseline_path or config.baseline, ".github/workflows"]
    if config.source and config.source.endswith("pyproject.toml"):
        files.append("pyproject.toml")
    files += [p for p in _judging_paths(config) if not Path(p).is_absolute()]
    return files


def _inside(root: Path, path: Path) -> str | None:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None


def _git(root: Path, *args: str) -> bytes:
    try:
        proc = subprocess.run(["git", "-c", "core.quotePath=true", *args], cwd=root, capture_output=True,
                              timeout=_GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise DiffError("git is not installed") from None
    except subprocess.TimeoutExpired:
        raise DiffError(f"git {args[0]} timed out after {_GIT_TIMEOUT}s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        hint = ""
        if args[0] == "merge-base":
            hint = " (is the base fetched? shallow clones need `fetch-depth: 0`)"
        raise DiffError(f"git {' '.join(args[:3])} failed: {msg[-1] if msg else 'exit ' + str(proc.returncode)}{hint}")
    return proc.stdout


def _try_git(root: Path, *args: str) -> str | None:
    try:
        return _git(root, *args).decode().strip() or None
    except DiffError:
        return None
