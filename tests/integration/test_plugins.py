"""Plugin scanners and policies: an installed distribution's `guard.scanners` and `guard.policies`
entry points are found, run and judged like guard's own."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.conftest import run_guard, write_files

PLUGIN = '''
from pathlib import Path

from guard.model import Category, Finding, Location, Rule, Severity
from guard.policy.python import policy

RULE = Rule(id="ACME-TODO", name="secret-todo", short_description="A secret left as a TODO",
            full_description="A TODO(secret) marker", help_text="Remove it.", cwe=("CWE-798",))


class TodoScanner:
    name = "acme-todo"
    category = Category.SECRET
    cost = 0.1

    def __init__(self, config):
        self.config = config

    def select(self, files):
        return [f for f in files if f.endswith(".py")]

    def version(self):
        return "acme-todo 1.0"

    def checks(self, files):
        return [RULE]

    def scan(self, target, files, workdir):
        for rel in files:
            for n, line in enumerate(Path(target, rel).read_text().splitlines(), 1):
                if "TODO(secret)" in line:
                    yield Finding(tool=self.name, rule=RULE, message="TODO(secret) marker", severity=Severity.LOW,
                                  category=Category.SECRET, location=Location(rel, n), found_by=(self.name,))


@policy(id="ACME-POL-001", title="No TODO secrets", description="TODO(secret) markers fail the gate.",
        severity="high", controls={"soc2": ["CC6.1"]}, input="findings")
def no_todo_secrets(input):
    for f in input["findings"]:
        if f["rule_id"] == "ACME-TODO":
            yield {"msg": f"secret TODO at {f['path']}:{f['line']}", "fingerprint": f["fingerprint"]}
'''

ENTRY_POINTS = "[guard.scanners]\nacme-todo = acme_guard:TodoScanner\n\n[guard.policies]\nacme = acme_guard\n"


def installed_plugin(site: Path) -> dict[str, str]:
    """A distribution as pip leaves one in site-packages; the environment that puts it on the path."""
    write_files(site, {"acme_guard.py": PLUGIN,
                       "acme_guard-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: acme-guard\nVersion: 1.0\n",
                       "acme_guard-1.0.dist-info/entry_points.txt": ENTRY_POINTS})
    return {"PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")])),
            "XDG_CACHE_HOME": str(site.parent / "cache")}


def test_a_plugin_scanner_and_policy_run_and_judge_like_guards_own(tmp_path: Path) -> None:
    env = installed_plugin(tmp_path / "site")
    repo = write_files(tmp_path / "repo", {"app.py": "x = 1\nkey = load()  # TODO(secret) rotate\n"})
    out = tmp_path / "out"
    done = run_guard("scan", str(repo), "--scanners", "acme-todo", "--fail-on", "high", "-q", "-o", str(out),
                     env=env)
    assert done.returncode == 1, done.stderr  # the low finding passes; the plugin policy's high violation fails
    run = json.loads((out / "findings.json").read_text())
    (finding,) = run["findings"]
    assert (finding["rule_id"], finding["location"]["start_line"]) == ("ACME-TODO", 2)
    assert [s["version"] for s in run["scanners"] if s["scanner"] == "acme-todo"] == ["acme-todo 1.0"]
    violations = {v["policy"]: v for v in run["properties"]["violations"]}
    assert violations["ACME-POL-001"]["fingerprint"] == finding["fingerprint"]
    assert violations["ACME-POL-001"]["source"].endswith("acme_guard.py:36")
    assert any("ACME-POL-001" in reason for reason in run["gate"]["reasons"])


def test_without_the_plugin_its_scanner_is_unknown(tmp_path: Path) -> None:
    repo = write_files(tmp_path / "repo", {"app.py": "x = 1\n"})
    done = run_guard("scan", str(repo), "--scanners", "acme-todo", "-q",
                     env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert done.returncode == 2 and "unknown scanner 'acme-todo'" in done.stderr
