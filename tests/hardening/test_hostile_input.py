"""Hostile input corpus: every case ends in a clear error or a safe skip, never a crash or a write elsewhere.

Each case builds its input at test time (YAML bombs, deep JSON, odd file names, symlink loops,
binary files with source names, hostile archives), runs the real CLI and checks: exit 0/1/2, no
traceback, and nothing created or changed outside the output folder and guard's scratch space
(the filesystem around the test folder is listed before and after).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile
import traceback
import zipfile
from pathlib import Path

import pytest

from guard.tools.envs import resolve
from tests.hardening.helpers import CORPUS, assert_no_crash, findings_doc, guard, snapshot

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n" for p, c in zip("abcdefgh", "bcdefghi"))
DEEP_YAML = "k: " + "[" * 3000 + "]" * 3000 + "\n"
DEEP_JSON = "[" * 50000 + "]" * 50000
needs = pytest.mark.skipif(resolve("hadolint") is None, reason="hadolint not installed")


def in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in this process (no interpreter start-up) for commands that run no scanner."""
    from click.testing import CliRunner

    from guard.cli import cli

    result = CliRunner().invoke(cli, list(args), catch_exceptions=True)
    stderr = result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "Traceback (most recent call last):\n" + "".join(traceback.format_exception(result.exception))
    return subprocess.CompletedProcess(args, result.exit_code, result.stdout, stderr)


def run_contained(tmp_path: Path, *args: str, cwd: Path | None = None, fast: bool = False):
    """Run guard; fail if anything outside tmp_path/out, tmp_path/tmp or tmp_path/cache changed."""
    watch = [tmp_path, tmp_path.parent]
    for d in ("out", "tmp", "cache"):
        (tmp_path / d).mkdir(exist_ok=True)
    before = snapshot(*watch)
    proc = in_process(*args) if fast else guard(*args, home=tmp_path, cwd=cwd, isolate_cache=False, timeout=180)
    after = snapshot(*watch)
    allowed = tuple(str(tmp_path / d) for d in ("out", "tmp", "cache"))
    changed = sorted(p for p in set(after) | set(before) if after.get(p) != before.get(p) and not p.startswith(allowed))
    assert not changed, f"written outside the output folder: {changed[:10]}"
    assert_no_crash(proc)
    return proc


def scan(tmp_path: Path, root: Path, scanners: str = "hadolint", *extra: str):
    return run_contained(tmp_path, "scan", str(root), "--scanners", scanners, "-o", str(tmp_path / "out"), "-q",
                         "--no-cache", *extra)


def repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = tmp_path / "repo"
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
    root.mkdir(exist_ok=True)
    return root


# --- YAML: bombs, depth, size ---------------------------------------------------------------

YAML_CASES = {
    "config-bomb": ({".guard.yaml": BOMB, "Dockerfile": "FROM scratch\n"}, 2, ".guard.yaml"),
    "config-deep": ({".guard.yaml": DEEP_YAML, "Dockerfile": "FROM scratch\n"}, 2, ".guard.yaml"),
    "config-huge": ({".guard.yaml": "exclude:\n" + "  - x\n" * 400_000, "Dockerfile": "FROM scratch\n"}, 2, ".guard.yaml"),
    "config-binary": ({".guard.yaml": b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 64, "Dockerfile": "FROM scratch\n"}, 2, ".guard.yaml"),
    "waivers-bomb": ({".guard-waivers.yaml": BOMB, "Dockerfile": "FROM scratch\n"}, None, ".guard-waivers.yaml"),
    "waivers-deep": ({".guard-waivers.yaml": DEEP_YAML, "Dockerfile": "FROM scratch\n"}, None, ".guard-waivers.yaml"),
    "k8s-bomb": ({"deploy.yaml": "apiVersion: v1\nkind: Pod\n" + BOMB, "Dockerfile": "FROM scratch\n"}, None, None),
    "k8s-deep": ({"deploy.yaml": DEEP_YAML, "Dockerfile": "FROM scratch\n"}, None, None),
    "k8s-multidoc-garbage": ({"deploy.yaml": "---\n: : :\n---\n\t- [\n---\n" * 50, "Dockerfile": "FROM scratch\n"}, None, None),
    "framework-bomb": ({"fw/custom.yaml": BOMB, ".guard.yaml": "framework_paths: [fw]\n", "Dockerfile": "FROM scratch\n"},
                       2, "custom.yaml"),
    "semgrep-rules-bomb": ({"rules/r.yaml": BOMB, ".guard.yaml": "semgrep:\n  rules: [rules]\n", "app.py": "x = 1\n"},
                           None, None),
}


@needs
@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_hostile_yaml(case: str, tmp_path: Path):
    files, code, named = YAML_CASES[case]
    root = repo(tmp_path, files)
    scanners = "semgrep" if case.startswith("semgrep") else "hadolint"
    proc = scan(tmp_path, root, scanners)
    if code is not None:
        assert proc.returncode == code, proc.stderr
    if named:
        assert named in proc.stderr, proc.stderr


# --- JSON: depth, traversal URIs --------------------------------------------------------------

def test_deep_sarif_import(tmp_path: Path):
    (tmp_path / "deep.sarif").write_text('{"version": "2.1.0", "runs": ' + DEEP_JSON + "}")
    proc = run_contained(tmp_path, "import", str(tmp_path / "deep.sarif"), "-o", str(tmp_path / "out"))
    assert proc.returncode == 2 and "deep.sarif" in proc.stderr


def test_deep_findings_for_controls(tmp_path: Path):
    (tmp_path / "findings.json").write_text('{"findings": ' + DEEP_JSON + "}")
    proc = run_contained(tmp_path, "controls", "--from", str(tmp_path / "findings.json"), fast=True)
    assert proc.returncode == 2 and "findings.json" in proc.stderr


@pytest.mark.parametrize("doc", ["[]", "null", '{"findings": 5}', '{"findings": [1, "x", null]}',
                                 '{"findings": [{"rule_id": 5, "severity": "apocalyptic"}]}', "\xff\xfe"])
def test_malformed_findings_for_controls(doc: str, tmp_path: Path):
    (tmp_path / "findings.json").write_bytes(doc.encode("latin-1"))
    proc = run_contained(tmp_path, "controls", "--from", str(tmp_path / "findings.json"), fast=True)
    assert proc.returncode == 2 and "findings.json" in proc.stderr


def test_deep_lockfile_is_a_lockfile_error(tmp_path: Path):
    from guard.lockfiles.base import LockfileError
    from guard.lockfiles.registry import parser_for

    for name in ("package-lock.json", "composer.lock" if parser_for("composer.lock") else "package-lock.json"):
        (tmp_path / name).write_text('{"lockfileVersion": 3, "packages": ' + DEEP_JSON + "}")
        with pytest.raises(LockfileError):
            list(parser_for(name).parse(tmp_path, name))


def test_sarif_uris_outside_the_root_are_dropped(tmp_path: Path):
    results = [{"ruleId": f"R{i}", "level": "error", "message": {"text": "m"},
                "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": {"startLine": 1}}}]}
               for i, uri in enumerate(["../../etc/passwd", "/etc/shadow", "file:///etc/hosts", "..%2F..%2Fetc%2Fpasswd",
                                        "src/../../outside.py", "C:\\Windows\\win.ini", "\\\\server\\share\\x",
                                        "ok/inside.py"])]
    sarif = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "evil"}}, "results": results}]}
    (tmp_path / "evil.sarif").write_text(json.dumps(sarif))
    proc = run_contained(tmp_path, "import", str(tmp_path / "evil.sarif"), "-o", str(tmp_path / "out"), "--soft-fail",
                         cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr  # --soft-fail: the hostile URIs are dropped, not fatal
    doc = findings_doc(tmp_path / "out")
    paths = [(f.get("location") or {}).get("path") for f in doc["findings"]]
    assert len(paths) == 8
    for p in filter(None, paths):
        assert not p.startswith(("/", "\\")) and ".." not in p.split("/") and ":" not in p, p
    sarif_out = (tmp_path / "out" / "guard.sarif").read_text()
    assert "etc/passwd" not in sarif_out.replace("original_uri", "") or '"uri": "../' not in sarif_out


# --- the file system: odd names, links, binary files ------------------------------------------

@needs
def test_odd_names_links_and_binaries(tmp_path: Path):
    root = repo(tmp_path, {
        "Dockerfile": b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 40,
        "main.tf": b"\x00\x01\x02resource {{{ \xff\xfe",
        "deploy.yaml": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20,
        "ok/values.json": b"\xef\xbb\xbf{\"a\": 1",
        "svc/Dockerfile": "FROM python:3.12\nRUN echo hi\n",
    })
    (root / "new\nline.py").write_text("print('x')\n")
    (root / "tab\tand space .tf").write_text('resource "aws_s3_bucket" "b" {}\n')
    os.mkdir(bytes(root) + b"/latin1-\xe9\xff")
    with open(bytes(root) + b"/latin1-\xe9\xff/Dockerfile", "wb") as f:
        f.write(b"FROM scratch\n")
    (root / "loop").mkdir()
    os.symlink("../loop", root / "loop" / "again")
    os.symlink(root / "self", root / "self")
    os.symlink("/etc/passwd", root / "passwd.yaml")
    os.symlink("/", root / "rootfs")
    os.symlink(tmp_path / "outside", root / "outside-link")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "Dockerfile").write_text("FROM outside\n")
    os.mkfifo(root / "pipe.yaml")
    proc = scan(tmp_path, root, "hadolint", "--soft-fail")
    assert proc.returncode in (0, 2), proc.stderr
    doc = findings_doc(tmp_path / "out")
    for f in doc["findings"]:
        path = (f.get("location") or {}).get("path") or ""
        assert not path.startswith("/") and ".." not in path.split("/"), path
        assert not path.startswith(("rootfs", "outside-link", "passwd")), path
    assert "root:x:0:0" not in json.dumps(doc)


# --- archives handed to `guard evidence verify` -------------------------------------------------

def _tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes | None]]) -> None:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)


def _member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.mode = kind, link, 0o644
    return info


ARCHIVES = {
    "traversal": [(_member("../../escaped.txt"), b"pwned")],
    "absolute": [(_member("/tmp/guard-hardening-absolute.txt"), b"pwned")],
    "symlink-out": [(_member("bundle/link", tarfile.SYMTYPE, "/etc/passwd"), None), (_member("bundle/link"), b"x")],
    "hardlink-out": [(_member("bundle/h", tarfile.LNKTYPE, "/etc/passwd"), None)],
    "char-device": [(_member("bundle/null", tarfile.CHRTYPE), None)],
    "fifo": [(_member("bundle/pipe", tarfile.FIFOTYPE), None)],
    "dot-dot-dir": [(_member("bundle/../../x", tarfile.DIRTYPE), None)],
    "manifest-only-garbage": [(_member("bundle/manifest.json"), b"\x00\xff{{{")],
}


@pytest.mark.parametrize("case", sorted(ARCHIVES))
def test_hostile_tar_for_verify(case: str, tmp_path: Path):
    archive = tmp_path / "in" / "bundle.tar.gz"
    archive.parent.mkdir()
    _tar(archive, ARCHIVES[case])
    proc = run_contained(tmp_path, "evidence", "verify", str(archive), fast=True)
    assert proc.returncode in (1, 2), proc.stdout + proc.stderr
    assert not Path("/tmp/guard-hardening-absolute.txt").exists()


@pytest.mark.parametrize("name", ["../../zip-escaped.txt", "/tmp/guard-hardening-zip.txt", "a/../../../b.txt"])
def test_hostile_zip_for_verify(name: str, tmp_path: Path):
    archive = tmp_path / "in" / "bundle.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(name, b"pwned")
    proc = run_contained(tmp_path, "evidence", "verify", str(archive), fast=True)
    assert proc.returncode in (1, 2)
    assert not Path("/tmp/guard-hardening-zip.txt").exists()


def test_not_an_archive_for_verify(tmp_path: Path):
    (tmp_path / "x.tar.gz").write_bytes(b"\x1f\x8b" + os.urandom(4096))
    proc = run_contained(tmp_path, "evidence", "verify", str(tmp_path / "x.tar.gz"), fast=True)
    assert proc.returncode == 2


def test_corpus_inputs_are_generated_not_committed():
    assert not CORPUS.exists() or sum(p.stat().st_size for p in CORPUS.rglob("*") if p.is_file()) < 1_000_000
