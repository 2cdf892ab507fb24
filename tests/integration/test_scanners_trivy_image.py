"""trivy-image on a real image archive: CycloneDX SBOM offline; no vulnerability DB is an error that says so."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest

from guard import config as config_mod
from guard import pipeline
from guard.model import Status
from guard.tools.envs import resolve
from tests.conftest import run_guard

pytestmark = pytest.mark.skipif(resolve("trivy") is None, reason="trivy not installed (guard tools install trivy)")


def _tar(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def image_archive(path: Path) -> None:
    """A `docker save`-format archive: Alpine 3.10 with musl, plus PyYAML 5.3 in site-packages."""
    layer = _tar({
        "etc/os-release": b'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.10.2\n',
        "lib/apk/db/installed": b"C:Q1abc=\nP:musl\nV:1.1.22-r2\nA:x86_64\nS:1\nI:1\nT:musl libc\nU:https://musl.libc.org/\n"
                                b"L:MIT\no:musl\nm:x\nt:1\nc:1\n\n",
        "usr/lib/python3.11/site-packages/PyYAML-5.3.dist-info/METADATA": b"Metadata-Version: 2.1\nName: PyYAML\nVersion: 5.3\n",
    })
    config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(layer).hexdigest()]}}).encode()
    config_name = hashlib.sha256(config).hexdigest() + ".json"
    manifest = json.dumps([{"Config": config_name, "RepoTags": ["shop:test"], "Layers": ["layer.tar"]}]).encode()
    path.write_bytes(_tar({"manifest.json": manifest, config_name: config, "layer.tar": layer}))


def test_without_vulnerability_db_the_sbom_is_written_and_the_run_says_not_scanned(tmp_path: Path, monkeypatch):
    project = tmp_path / "p"
    project.mkdir()
    image_archive(project / "shop.image.tar")
    monkeypatch.setenv("TRIVY_CACHE_DIR", str(tmp_path / "trivy-cache"))
    cfg = config_mod.load(project, flags={"scanners": ["trivy-image"], "cache": False})
    result = pipeline.run(project, cfg, workroot=tmp_path / "raw")
    (run,) = [r for r in result.scanners if r.scanner == "trivy-image"]
    assert run.status is Status.ERROR and "NOT scanned for vulnerabilities" in run.reason
    assert "shop.image.tar" in run.reason and result.gate is not None and not result.gate.passed
    sbom = json.loads((tmp_path / "raw" / "trivy-image" / "sbom-1.cdx.json").read_text())
    assert sbom["bomFormat"] == "CycloneDX"
    purls = {c.get("purl") for c in sbom["components"]}
    assert "pkg:pypi/pyyaml@5.3" in purls and any(p and p.startswith("pkg:apk/alpine/musl@1.1.22-r2") for p in purls)
    proc = run_guard("scan", str(project), "--scanners", "trivy-image", "-q", "--no-cache",
                     env={"TRIVY_CACHE_DIR": str(tmp_path / "trivy-cache")})
    assert proc.returncode == 2 and "scanner trivy-image failed" in proc.stderr


def test_archives_not_named_as_images_are_left_alone(tmp_path: Path):
    (tmp_path / "backup.tar").write_bytes(_tar({"a.txt": b"x"}))
    cfg = config_mod.load(tmp_path, flags={"scanners": ["trivy-image"], "cache": False})
    (run,) = [r for r in pipeline.run(tmp_path, cfg).scanners if r.scanner == "trivy-image"]
    assert run.status is Status.SKIPPED
