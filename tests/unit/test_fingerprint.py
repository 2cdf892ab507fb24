from pathlib import Path

from guard.model import Category, Finding, Location, Rule, Severity
from guard.sarif.fingerprint import SourceCache, assign

RULE = Rule("B602", "shell", "shell=True", "shell=True", "help")


def finding(line: int) -> Finding:
    return Finding(tool="bandit", rule=RULE, message="m", severity=Severity.HIGH, category=Category.SAST,
                   location=Location("app.py", line, line))


def test_fingerprint_survives_inserted_lines(tmp_path: Path):
    (tmp_path / "app.py").write_text("import os\nos.system(x, shell=True)\n")
    before = assign([finding(2)], SourceCache(tmp_path))[0].fingerprint
    (tmp_path / "app.py").write_text("import os\n\n# comment\n\nos.system(x,   shell=True)\n")
    after = assign([finding(5)], SourceCache(tmp_path))[0].fingerprint
    assert before == after and len(before) == 32


def test_identical_snippets_get_distinct_fingerprints(tmp_path: Path):
    (tmp_path / "app.py").write_text("run(shell=True)\nrun(shell=True)\n")
    fps = [f.fingerprint for f in assign([finding(1), finding(2)], SourceCache(tmp_path))]
    assert len(set(fps)) == 2


def test_changed_code_changes_fingerprint(tmp_path: Path):
    (tmp_path / "app.py").write_text("run(a, shell=True)\n")
    one = assign([finding(1)], SourceCache(tmp_path))[0].fingerprint
    (tmp_path / "app.py").write_text("run(b, shell=True)\n")
    assert assign([finding(1)], SourceCache(tmp_path))[0].fingerprint != one
