"""Isolated, pinned tool environments: install them, find them, list them.

Each tool gets its own virtual environment under `<cache>/tools/<name>-<lock hash>`, built from
its lock file, so a changed lock gets a fresh environment; a marker file written last makes a
half-built environment count as not installed. Resolution order for a tool's
executable: the path in config (`tools.<name>.path`), guard's environment, then PATH.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import venv
from dataclasses import dataclass
from pathlib import Path

from guard.paths import cache_dir
from guard.tools.catalog import TOOLS, ToolSpec


COMPLETE = ".guard-complete"


class ToolInstallError(Exception):
    """A tool environment could not be created."""


@dataclass(frozen=True, slots=True)
class ResolvedTool:
    name: str
    executable: str
    origin: str  # "config" | "guard" | "PATH"


def env_dir(spec: ToolSpec) -> Path:
    digest = hashlib.sha256(spec.lock().encode()).hexdigest()[:12]
    return cache_dir() / "tools" / f"{spec.name}-{digest}"


def _bin(env: Path, executable: str) -> Path:
    return env / ("Scripts" if os.name == "nt" else "bin") / executable


def install(spec: ToolSpec, *, force: bool = False) -> Path:
    """Create the tool's environment from its lock; it counts as installed only once complete.

    `--require-hashes`: every package, dependencies included, must be pinned in the lock with the
    sha256 of the file pip downloads, so a substituted or tampered artifact fails the install.
    """
    target = env_dir(spec)
    if is_installed(spec) and not force:
        return target
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    lock = target / "lock.txt"
    lock.write_text(spec.lock(), encoding="utf-8")
    proc = subprocess.run(
        [str(_bin(target, "python")), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "--no-input", "--require-hashes", "-r", str(lock)],
        capture_output=True, text=True, check=False,
    )
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ToolInstallError(f"{spec.name}: pip install failed: {tail[0]}")
    if not _bin(target, spec.executable).exists():
        raise ToolInstallError(f"{spec.name}: {spec.executable} missing after install")
    (target / COMPLETE).write_text(spec.version, encoding="utf-8")
    return target


def is_installed(spec: ToolSpec) -> bool:
    return (env_dir(spec) / COMPLETE).is_file() and _bin(env_dir(spec), spec.executable).exists()


def resolve(name: str, configured: str | None = None) -> ResolvedTool | None:
    """Where the tool's executable is, or None if it is nowhere."""
    spec = TOOLS[name]
    if configured:
        path = shutil.which(configured)
        return ResolvedTool(name, path, "config") if path else None
    if is_installed(spec):
        return ResolvedTool(name, str(_bin(env_dir(spec), spec.executable)), "guard")
    found = shutil.which(spec.executable)
    return ResolvedTool(name, found, "PATH") if found else None
