import os
from pathlib import Path

import pytest

from guard.files import list_files, list_given, relativize


def test_lists_relative_posix_paths_and_skips_vcs(tmp_path: Path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.py").write_text("")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "y.js").write_text("")
    assert list_files(tmp_path).files == ("a/x.py",)


def test_excludes(tmp_path: Path):
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "v.py").write_text("")
    (tmp_path / "m.py").write_text("")
    assert list_files(tmp_path, ["vendor/**"]).files == ("m.py",)
    assert list_files(tmp_path, ["vendor"]).files == ("m.py",)


def test_symlinks_out_of_tree_are_never_followed(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("")
    root = tmp_path / "root"
    root.mkdir()
    (root / "ok.py").write_text("")
    os.symlink(outside / "secret.py", root / "link.py")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "ok.py", root / "inner.py")
    os.symlink(root / "loop", root / "loop")
    result = list_files(root)
    assert result.files == ("inner.py", "ok.py")
    assert any("link.py" in s and "outside" in s for s in result.skipped)


def test_non_utf8_and_newline_names_are_skipped(tmp_path: Path):
    try:
        (tmp_path / os.fsdecode(b"bad\xff.py")).write_text("")
        (tmp_path / "new\nline.py").write_text("")
    except OSError:  # pragma: no cover - filesystem without such names
        pytest.skip("filesystem refuses such names")
    (tmp_path / "good.py").write_text("")
    result = list_files(tmp_path)
    assert result.files == ("good.py",)
    assert len(result.skipped) == 2


def test_relativize(tmp_path: Path):
    assert relativize("./a/b.py", tmp_path) == "a/b.py"
    assert relativize(str(tmp_path / "a.py"), tmp_path) == "a.py"
    assert relativize("file://" + str(tmp_path / "a.py"), tmp_path) == "a.py"
    assert relativize("../etc/passwd", tmp_path) is None
    assert relativize("/etc/passwd", tmp_path) is None


def test_given_paths_are_listed_exactly_as_the_walk_lists_them(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text("")
    root = tmp_path / "root"
    for rel in ("a/x.py", "a/b/y.tf", "vendor/v.py", "keep/vendor.py", ".git/config", "node_modules/m.js",
                "z.min.js", "m.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("")
    os.symlink(outside / "secret.py", root / "link.py")
    os.symlink(outside, root / "linkdir")
    os.symlink(root / "a", root / "alias")
    os.symlink(root / "m.py", root / "inner.py")
    exclude = ["vendor/**", "*.min.js"]
    asked = ["a/x.py", "a/b/y.tf", "vendor/v.py", "keep/vendor.py", ".git/config", "node_modules/m.js", "z.min.js",
             "m.py", "link.py", "linkdir/secret.py", "alias/x.py", "inner.py", "missing.py", "../outside/secret.py",
             "a/../m.py", "a"]
    walked = list_files(root, exclude)
    given = list_given(root, asked, exclude)
    assert given.files == tuple(f for f in walked.files if f in asked)
    assert given.files == ("a/b/y.tf", "a/x.py", "inner.py", "keep/vendor.py", "m.py")
    assert any("link.py" in s and "outside" in s for s in given.skipped)
