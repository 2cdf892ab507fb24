"""Shared helpers for the hardening tests: isolated guard runs and filesystem snapshots."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CORPUS = Path(__file__).resolve().parent / "corpus"
OK_CODES = (0, 1, 2)


def guard(*args: str, home: Path, cwd: Path | None = None, env: dict[str, str] | None = None,
          timeout: float = 300, isolate_cache: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `python -m guard ARGS` with its temp files (and, by default, its cache) under `home`."""
    tmp = home / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    full = {**os.environ, "TMPDIR": str(tmp), "RUST_BACKTRACE": "0", **(env or {})}
    if isolate_cache:
        full["GUARD_CACHE_DIR"] = str(home / "cache")
    full.pop("GITHUB_ACTIONS", None)
    return subprocess.run([sys.executable, "-m", "guard", *args], cwd=cwd, env=full, capture_output=True,
                          text=True, errors="replace", timeout=timeout, check=False)


def assert_no_crash(proc: subprocess.CompletedProcess[str]) -> None:
    """A clear outcome: exit 0/1/2 and no Python traceback or internal error."""
    detail = f"exit {proc.returncode}\nstdout: {proc.stdout[-2000:]}\nstderr: {proc.stderr[-4000:]}"
    assert proc.returncode in OK_CODES, detail
    assert "Traceback (most recent call last)" not in proc.stderr, detail
    assert "internal error" not in proc.stderr, detail


def snapshot(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every path under `roots` (not following links): files with size and mtime, folders by name only."""
    seen: dict[str, tuple[int, int]] = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            for name in dirnames:
                seen[os.path.join(dirpath, name)] = (0, 0)
            for name in filenames:
                p = os.path.join(dirpath, name)
                st = os.lstat(p)
                seen[p] = (st.st_size, st.st_mtime_ns)
    return seen


def findings_doc(out: Path) -> dict[str, Any]:
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))
