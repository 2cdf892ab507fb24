"""guard.diff on scratch git repositories: changed files and lines, renames, IaC blocks, the base tree."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guard import diff
from guard.config import ConfigError
from guard.model import Category, Finding, Location, Rule, Severity


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def commit(repo: Path, files: dict[str, str | None], message: str = "c") -> None:
    for name, text in files.items():
        path = repo / name
        if text is None:
            git(repo, "rm", "-q", name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        git(repo, "add", name)
    git(repo, "commit", "-qm", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    r = tmp_path / "repo"
    r.mkdir()
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.email", "dev@example.com")
    git(r, "config", "user.name", "dev")
    return r


def finding(path: str, start: int | None, end: int | None = None, category: Category = Category.SAST) -> Finding:
    rule = Rule("R1", "r", "r", "r", "r")
    return Finding(tool="t", rule=rule, message="m", severity=Severity.HIGH, category=category,
                   location=Location(path, start, end))


LINES = "".join(f"line {i}\n" for i in range(1, 21))


def test_changed_lines_of_modified_added_deleted_and_untracked_files(repo: Path) -> None:
    commit(repo, {"a.txt": LINES, "gone.txt": "x\n", "same.txt": "same\n"})
    git(repo, "checkout", "-qb", "pr")
    text = LINES.replace("line 5\n", "line five\n").replace("line 12\n", "line 12\nextra a\nextra b\n")
    text = text.replace("line 18\n", "")
    commit(repo, {"a.txt": text, "new.txt": "n1\nn2\n", "gone.txt": None})
    (repo / "scratch.py").write_text("untracked\n")
    changes = diff.changes_since(repo, "main")
    assert changes.base == git(repo, "rev-parse", "main").strip()
    assert changes.paths == ["a.txt", "new.txt", "scratch.py"]
    assert changes.deleted == ("gone.txt",)
    a = changes.files["a.txt"]
    # line 5 replaced, 13-14 inserted, a deletion after new line 19 touches 19..20
    assert a.ranges == ((5, 5), (13, 14), (19, 20)) and not a.whole
    assert changes.files["new.txt"].whole and changes.files["new.txt"].status == "A"
    assert changes.files["scratch.py"].status == "U" and changes.files["scratch.py"].whole
    assert changes.touches(finding("a.txt", 5), repo)
    assert changes.touches(finding("a.txt", 12, 14), repo)
    assert not changes.touches(finding("a.txt", 6, 11), repo)
    assert changes.touches(finding("new.txt", 2), repo)
    assert changes.touches(finding("a.txt", None), repo)  # file-level finding in a changed file
    assert not changes.touches(finding("same.txt", 1), repo)


def test_merge_base_not_the_tip_of_the_base_branch(repo: Path) -> None:
    commit(repo, {"a.txt": LINES})
    git(repo, "checkout", "-qb", "pr")
    commit(repo, {"b.txt": "pr\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"c.txt": "main moved on\n"})
    git(repo, "checkout", "-q", "pr")
    assert diff.changes_since(repo, "main").paths == ["b.txt"]


def test_renames_keep_unchanged_lines_unchanged(repo: Path) -> None:
    commit(repo, {"old/name.py": LINES, "other.py": LINES})
    git(repo, "checkout", "-qb", "pr")
    (repo / "new").mkdir()
    git(repo, "mv", "old/name.py", "new/name.py")
    git(repo, "mv", "other.py", "moved.py")
    (repo / "moved.py").write_text(LINES.replace("line 3\n", "line three\n"))
    git(repo, "commit", "-qam", "rename")
    changes = diff.changes_since(repo, "main")
    pure, edited = changes.files["new/name.py"], changes.files["moved.py"]
    assert (pure.status, pure.old_path, pure.ranges, pure.whole) == ("R", "old/name.py", (), False)
    assert (edited.status, edited.old_path, edited.ranges) == ("R", "other.py", ((3, 3),))
    assert not changes.touches(finding("new/name.py", 4), repo)
    assert changes.touches(finding("moved.py", 3), repo) and not changes.touches(finding("moved.py", 4), repo)
    assert changes.deleted == ()


def test_unusual_file_names(repo: Path) -> None:
    commit(repo, {"base.txt": "b\n"})
    git(repo, "checkout", "-qb", "pr")
    names = ["with space.py", "caf\u00e9.py", 'quo"te.py', "tab\there.py"]
    commit(repo, {n: "x = 1\n" for n in names})
    assert diff.changes_since(repo, "main").paths == sorted(names)


def test_subdirectory_target_gets_paths_relative_to_it(repo: Path) -> None:
    commit(repo, {"svc/a.py": "a\n", "other/b.py": "b\n"})
    git(repo, "checkout", "-qb", "pr")
    commit(repo, {"svc/a.py": "a\nb\n", "other/b.py": "b\nc\n"})
    changes = diff.changes_since(repo / "svc", "main")
    assert changes.paths == ["a.py"] and changes.files["a.py"].ranges == ((2, 2),)


def test_staged_changes_before_and_after_the_first_commit(repo: Path) -> None:
    (repo / "a.py").write_text("one\n")
    git(repo, "add", "a.py")
    first = diff.staged_changes(repo)
    assert first.base is None and first.paths == ["a.py"] and first.files["a.py"].whole
    git(repo, "commit", "-qm", "first")
    (repo / "a.py").write_text("one\ntwo\n")
    (repo / "b.py").write_text("unstaged\n")
    assert diff.staged_changes(repo).paths == []
    git(repo, "add", "a.py")
    staged = diff.staged_changes(repo)
    assert staged.paths == ["a.py"] and staged.files["a.py"].ranges == ((2, 2),)


def test_staged_files_changed_on_disk_and_the_staged_content_exported(repo: Path) -> None:
    commit(repo, {"svc/a.py": "a\n", "svc/b.py": "b\n", "top.py": "t\n"})
    (repo / "svc" / "a.py").write_text("staged\n")
    (repo / "svc" / "b.py").write_text("staged too\n")
    git(repo, "add", "-A")
    (repo / "svc" / "a.py").write_text("on disk\n")  # changed after `git add`
    (repo / "top.py").write_text("not staged\n")
    assert diff.unstaged(repo / "svc", ["a.py", "b.py"]) == ["a.py"]
    assert diff.unstaged(repo, ["svc/b.py"]) == []
    (repo / "svc" / "b*.py").write_text("staged\n")  # a name git would take for a pattern
    git(repo, "add", "svc/b*.py")
    (repo / "svc" / "b*.py").write_text("on disk\n")
    assert diff.unstaged(repo / "svc", ["a.py", "b.py", "b*.py"]) == ["a.py", "b*.py"]
    index = diff.IndexTree(repo / "svc")
    try:
        assert (index.root / "a.py").read_text() == "staged\n"
        assert (index.root / "b.py").read_text() == "staged too\n"
        assert (index.root.parent / "top.py").read_text() == "t\n"  # the staged (committed) content
        assert index.root.name == "svc"
    finally:
        index.close()
    assert not index.root.exists()


def test_the_staged_content_is_exported_without_reaching_for_git_lfs_content(repo: Path) -> None:
    commit(repo, {".gitattributes": "*.bin filter=lfs\n", "a.bin": "pointer\n"})
    git(repo, "config", "filter.lfs.smudge", "false")  # as a smudge that needs a server it cannot reach
    git(repo, "config", "filter.lfs.required", "true")
    index = diff.IndexTree(repo)
    try:
        assert (index.root / "a.bin").read_text() == "pointer\n"  # as stored: LFS keeps a pointer there
    finally:
        index.close()


def test_errors_name_what_failed(tmp_path: Path, repo: Path) -> None:
    with pytest.raises(diff.DiffError, match="merge-base"):
        diff.changes_since(tmp_path, "main")  # not a repository
    commit(repo, {"a": "a\n"})
    with pytest.raises(diff.DiffError, match="nope"):
        diff.changes_since(repo, "nope")


TF = """\
resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags = { team = "x" }  # a comment with a } brace
}

resource "aws_s3_bucket" "data" {
  bucket = "data"
  policy = <<EOF
{ "Statement": [ { "Effect": "Allow" } ] }
EOF
  acl    = "private"
}
"""


def test_iac_finding_counts_as_changed_when_its_resource_block_changed(repo: Path) -> None:
    commit(repo, {"main.tf": TF})
    git(repo, "checkout", "-qb", "pr")
    commit(repo, {"main.tf": TF.replace('acl    = "private"', 'acl    = "public-read"')})
    changes = diff.changes_since(repo, "main")
    assert changes.files["main.tf"].ranges == ((11, 11),)
    assert diff.resource_block(repo / "main.tf", 6, 6) == (6, 12)
    assert diff.resource_block(repo / "main.tf", 2, 2) == (1, 4)
    # a finding reported on the resource's first line (e.g. missing encryption) is in the changed block
    assert changes.touches(finding("main.tf", 6, 6, Category.IAC), repo)
    assert not changes.touches(finding("main.tf", 1, 1, Category.IAC), repo)
    assert not changes.touches(finding("main.tf", 6, 6, Category.SAST), repo)


def test_yaml_blocks_for_kubernetes_documents_and_cloudformation_resources(tmp_path: Path) -> None:
    k8s = tmp_path / "deploy.yaml"
    k8s.write_text("apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Service\n")
    assert diff.resource_block(k8s, 2, 2) == (1, 4)
    assert diff.resource_block(k8s, 7, 7) == (6, 7)
    cfn = tmp_path / "stack.yml"
    cfn.write_text("AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
                   "    Properties:\n      BucketName: b\n  Queue:\n    Type: AWS::SQS::Queue\nOutputs:\n  X: 1\n")
    assert diff.resource_block(cfn, 6, 6) == (3, 6)
    assert diff.resource_block(cfn, 7, 7) == (7, 8)
    docker = tmp_path / "Dockerfile"
    docker.write_text("FROM a AS build\nRUN make\nFROM b\nUSER root\n")
    assert diff.resource_block(docker, 4, 4) == (3, 4)


def test_base_tree_reads_and_exports_the_committed_version(repo: Path) -> None:
    commit(repo, {"policies/p.rego": "package base\n", "policies/sub/q.rego": "package q\n",
                  ".guard.yaml": "fail_on: critical\n"})
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "policies/p.rego").write_text("package tampered\n")
    (repo / "policies/extra.rego").write_text("package extra\n")
    tree = diff.BaseTree(repo, base)
    try:
        assert tree.read("policies/p.rego") == b"package base\n"
        assert tree.read("missing.txt") is None
        out = tree.export(["policies"])
        assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
            "policies/p.rego", "policies/sub/q.rego"]
        assert (out / "policies/p.rego").read_text() == "package base\n"
    finally:
        tree.close()


def test_config_comes_from_the_base_commit_with_policies_pinned(repo: Path) -> None:
    commit(repo, {".guard.yaml": "fail_on: high\npolicies:\n  paths: [policies]\n",
                  "policies/p.rego": "package base\n"})
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-qb", "pr")
    commit(repo, {".guard.yaml": "fail_on: critical\npolicies:\n  paths: [policies]\n",
                  "policies/p.rego": "package tampered\n"})
    tree = diff.BaseTree(repo, base)
    try:
        config = diff.config_at(tree, repo, None, {})
        assert config.fail_on == "high" and config.source == str(repo / ".guard.yaml")
        pinned = diff.pin_policies(config, tree)
        assert Path(pinned.policies.paths[0], "p.rego").read_text() == "package base\n"
        changes = diff.changes_since(repo, "main")
        assert changes.under(diff.control_files(config, None)) == [".guard.yaml", "policies/p.rego"]
    finally:
        tree.close()


def test_bad_base_config_names_the_commit_and_line(repo: Path) -> None:
    commit(repo, {".guard.yaml": "fail_on: high\nbogus: 1\n"})
    tree = diff.BaseTree(repo, "HEAD")
    try:
        with pytest.raises(ConfigError, match=r"HEAD:\.guard\.yaml:2: unknown key `bogus`"):
            diff.config_at(tree, repo, None, {})
    finally:
        tree.close()
