"""The SQLite store: import from a directory, an all.zip and a URL (loopback server), atomic updates, CLI."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import shutil
import threading
import zipfile
from pathlib import Path
from typing import Iterator

import pytest
from click.testing import CliRunner

from guard.advisories.store import AdvisoryStore, StoreError, location
from guard.cli import cli
from guard.config import AdvisorySettings, Config

OSV = Path(__file__).resolve().parents[1] / "fixtures" / "osv"


def build_zip(path: Path, folder: str, extra: dict[str, str] | None = None) -> Path:
    """An OSV-style all.zip: one `<id>.json` per advisory at the archive root."""
    with zipfile.ZipFile(path, "w") as archive:
        for file in sorted((OSV / folder).glob("*.json")):
            archive.write(file, file.name)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
    return path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static HTTP server on 127.0.0.1 serving `tmp_path/www`."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_import_directory_and_query(tmp_path: Path) -> None:
    store = AdvisoryStore(tmp_path / "db")
    status = store.import_sources([str(OSV / "npm"), str(OSV / "go")])
    assert (status.advisories, status.withdrawn) == (7, 0)
    assert status.per_ecosystem == {"Go": 4, "npm": 3}
    assert [s.records for s in status.sources] == [3, 4]
    assert status.age_days() < 0.01
    assert {a.id for a in store.for_package("npm", "lodash")} == {
        "GHSA-35jh-r3h4-6jhm", "GHSA-29mw-wpgm-hmr9", "GHSA-p6mc-m468-83gw"}
    assert [a.id for a in store.for_package("npm", "lodash-es")] == ["GHSA-35jh-r3h4-6jhm"]
    assert store.for_package("npm", "left-pad") == []


def test_import_zip_file(tmp_path: Path) -> None:
    store = AdvisoryStore(tmp_path / "db")
    status = store.import_sources([str(build_zip(tmp_path / "all.zip", "go"))])
    assert status.per_ecosystem == {"Go": 4}
    assert status.newest_modified == "2024-05-20T21:37:53Z"


def test_download_from_loopback_server(tmp_path: Path, server: tuple[str, Path]) -> None:
    base, root = server
    (root / "npm").mkdir()
    build_zip(root / "npm" / "all.zip", "npm")
    store = AdvisoryStore(tmp_path / "db")
    status = store.import_sources([f"{base}/npm/all.zip"])
    assert status.sources[0].source == f"{base}/npm/all.zip"
    assert status.per_ecosystem == {"npm": 3}
    assert not list((tmp_path / "db").glob("download-*")), "scratch download folder left behind"


def test_failed_imports_keep_the_previous_store(tmp_path: Path, server: tuple[str, Path]) -> None:
    base, root = server
    store = AdvisoryStore(tmp_path / "db")
    before = store.import_sources([str(OSV / "npm")])
    build_zip(root / "bad.zip", "go", extra={"broken.json": '{"id": "X-1", "modified": "x", "affected": 3}'})
    (root / "notzip.zip").write_text("<html>captive portal</html>")
    for source, message in [
        (f"{base}/missing/all.zip", "HTTP 404"),
        (f"{base}/bad.zip", r"bad\.zip!broken\.json: `affected` must be a list"),
        (f"{base}/notzip.zip", "not a zip archive"),
        ("http://127.0.0.1:9/all.zip", "download failed"),
        (str(tmp_path / "nowhere"), "no such file or directory"),
    ]:
        with pytest.raises(StoreError, match=f"previous database kept: .*{message}"):
            store.import_sources([source])
        after = store.status()
        assert (after.imported_at, after.advisories, after.per_ecosystem) == (
            before.imported_at, before.advisories, before.per_ecosystem)
        assert [p.name for p in (tmp_path / "db").iterdir()] == ["osv.sqlite3"]


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "PYSEC-1.yaml").write_text("id: PYSEC-1\nmodified: x\naffected:\n  - package: [\n")
    with pytest.raises(StoreError, match=r"PYSEC-1\.yaml:\d+: invalid YAML"):
        AdvisoryStore(tmp_path / "db").import_sources([str(src)])


def test_append_keeps_earlier_sources(tmp_path: Path) -> None:
    store = AdvisoryStore(tmp_path / "db")
    store.import_sources([str(OSV / "npm")])
    status = store.import_sources([str(OSV / "go")], append=True)
    assert status.per_ecosystem == {"Go": 4, "npm": 3}
    assert [Path(s.source).name for s in status.sources] == ["npm", "go"]
    replaced = store.import_sources([str(OSV / "go")])
    assert replaced.per_ecosystem == {"Go": 4}


def test_reimport_replaces_changed_records(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(OSV / "npm", src)
    store = AdvisoryStore(tmp_path / "db")
    store.import_sources([str(src)])
    doc = json.loads((src / "GHSA-29mw-wpgm-hmr9.json").read_text())
    doc["withdrawn"] = "2024-06-01T00:00:00Z"
    (src / "GHSA-29mw-wpgm-hmr9.json").write_text(json.dumps(doc))
    assert store.import_sources([str(src)]).withdrawn == 1


def test_missing_store_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no advisory database .* run `guard db import"):
        AdvisoryStore(tmp_path / "none").status()


def test_location_from_config_or_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    assert location(Config()) == tmp_path / "cache" / "advisories"
    assert location(Config(advisories=AdvisorySettings(db=str(tmp_path / "x")))) == tmp_path / "x"


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_import_and_status(tmp_path: Path, server: tuple[str, Path]) -> None:
    base, root = server
    build_zip(root / "all.zip", "go")
    runner = CliRunner()
    db = str(tmp_path / "db")
    result = runner.invoke(cli, ["db", "import", str(OSV / "npm"), f"{base}/all.zip", "--db", db])
    assert result.exit_code == 0, result.output
    assert "imported 7 records" in result.output and "Go: 4" in result.output and "npm: 3" in result.output
    result = runner.invoke(cli, ["db", "status", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    status = json.loads(result.output)
    assert status["advisories"] == 7 and status["per_ecosystem"] == {"Go": 4, "npm": 3}
    assert dt.datetime.fromisoformat(status["imported_at"]) <= dt.datetime.now(dt.timezone.utc)
    assert [s["records"] for s in status["sources"]] == [3, 4]
    text = runner.invoke(cli, ["db", "status", "--db", db]).output
    assert "days ago" in text and f"{base}/all.zip (4 records" in text


def test_cli_uses_cache_dir_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GUARD_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["db", "import", str(OSV / "go")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "cache" / "advisories" / "osv.sqlite3").is_file()


@pytest.mark.parametrize("args", [["db", "status"], ["db", "import", "/nonexistent/osv"]])
def test_cli_errors_exit_2_with_one_line(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(cli, [*args, "--db", str(tmp_path / "db")])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and result.output.startswith("Error: ")
