"""Hostile archives: path traversal, absolute paths, links and device files are refused, and
nothing is written outside the extraction directory."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from guard.cli import cli
from guard.evidence.archive import UnsafeArchive, extract


def _tar(path: Path, *members: tarfile.TarInfo) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        for m in members:
            data = b"owned\n" if m.isfile() else None
            if data is not None:
                m.size = len(data)
            tar.addfile(m, io.BytesIO(data) if data is not None else None)
    return path


def _info(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info


HOSTILE_TARS = {
    "traversal": ([_info("manifest.json"), _info("../../escaped.txt")], "path traversal"),
    "absolute": ([_info("/tmp/guard-absolute-escape.txt")], "absolute path"),
    "symlink": ([_info("raw", tarfile.SYMTYPE, "/etc"), _info("raw/passwd")], "link to '/etc'"),
    "hardlink": ([_info("findings.json", tarfile.LNKTYPE, "/etc/passwd")], "link to '/etc/passwd'"),
    "device": ([_info("report.html", tarfile.CHRTYPE)], "device file or FIFO"),
    "fifo": ([_info("pipe", tarfile.FIFOTYPE)], "device file or FIFO"),
    "dotdot-inside": ([_info("runs/../../x")], "path traversal"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_TARS))
def test_hostile_tar_is_refused(case: str, tmp_path: Path) -> None:
    members, reason = HOSTILE_TARS[case]
    archive = _tar(tmp_path / "in" / "bundle.tar.gz", *members)
    dest = tmp_path / "in" / "x" / "y"
    dest.mkdir(parents=True)
    with pytest.raises(UnsafeArchive) as exc:
        extract(archive, dest)
    assert reason in str(exc.value)
    assert not any(dest.iterdir())  # nothing extracted, not even the harmless members
    assert not (tmp_path / "in" / "escaped.txt").exists() and not Path("/tmp/guard-absolute-escape.txt").exists()
    result = CliRunner().invoke(cli, ["evidence", "verify", str(archive)])
    assert result.exit_code == 1 and "unsafe archive member" in result.output


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in entries:
            zf.writestr(info, data)
    return path


def _zinfo(name: str, mode: int = stat.S_IFREG | 0o644) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = mode << 16
    return info


@pytest.mark.parametrize("name, mode, reason", [
    ("../escaped.txt", stat.S_IFREG | 0o644, "path traversal"),
    ("/abs.txt", stat.S_IFREG | 0o644, "absolute path"),
    ("C:/windows.txt", stat.S_IFREG | 0o644, "absolute path"),
    ("raw\\..\\..\\x", stat.S_IFREG | 0o644, "backslash"),
    ("link", stat.S_IFLNK | 0o777, "symbolic link"),
    ("dev", stat.S_IFBLK | 0o600, "device file or FIFO"),
])
def test_hostile_zip_is_refused(name: str, mode: int, reason: str, tmp_path: Path) -> None:
    archive = _zip(tmp_path / "bundle.zip", [(_zinfo("manifest.json"), b"{}"), (_zinfo(name, mode), b"/etc/passwd")])
    dest = tmp_path / "out"
    dest.mkdir()
    with pytest.raises(UnsafeArchive, match=reason):
        extract(archive, dest)
    assert not any(dest.iterdir()) and not (tmp_path / "escaped.txt").exists()


@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_duplicate_member_is_refused(tmp_path: Path) -> None:
    archive = _zip(tmp_path / "b.zip", [(_zinfo("findings.json"), b"1"), (_zinfo("findings.json"), b"2")])
    with pytest.raises(UnsafeArchive, match="duplicate member"):
        extract(archive, tmp_path)
