"""semgrep (real tool) skips minified files (bundles; semgrep itself ignores files named *.min.js):
guard's rules are written for source people edit, and NodeGoat's vendored raphael-min.js gave four
findings on its one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard import config as config_mod
from guard.scanners.runner import run_one
from guard.scanners.semgrep import SemgrepScanner
from guard.tools.envs import resolve
from tests.conftest import write_files

SOURCE = "function calc(req, res) {\n  return res.send(String(eval(req.query.expr)));\n}\n"
BUNDLE = ";".join(f"var a{i}=function(q){{return eval(q.x{i})}}" for i in range(60)) + "\n"  # one long line


@pytest.mark.skipif(resolve("semgrep") is None, reason="semgrep not installed")
@pytest.mark.parametrize("args, found", [(None, {"src/calc.js"}),
                                         (["--no-exclude-minified-files"], {"src/calc.js", "vendor/bundle.js"})])
def test_minified_files_are_skipped_unless_asked_for(tmp_path: Path, args: list[str] | None, found: set[str]) -> None:
    write_files(tmp_path, {"src/calc.js": SOURCE, "vendor/bundle.js": BUNDLE})
    if args:
        (tmp_path / ".guard.yaml").write_text(f"tools:\n  semgrep: {{args: {args}}}\n")
    cfg = config_mod.load(tmp_path, flags={"cache": False})
    run = run_one(SemgrepScanner(cfg), tmp_path, ["src/calc.js", "vendor/bundle.js"], tmp_path / "work", cfg)
    assert run.status.value == "ok", run.reason
    assert {f.location.path for f in run.findings} == found
