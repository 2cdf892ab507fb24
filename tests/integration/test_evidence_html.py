"""report.html in headless Chromium (Debian package `chromium`): it renders offline and its
numbers match the bundle's controls/<framework>.json and findings."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import tarfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

from guard.config import Config
from guard.evidence import export
from guard.evidence.bundle import store_run
from guard.evidence.store import open_store
from tests.integration.test_evidence_export import make_run, main_time

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian package chromium (apt-get install -y chromium)")
UTC = dt.timezone.utc


def dump_dom(page: Path) -> str:
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                          "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120, check=True)
    return out.stdout


class Cells(HTMLParser):
    """Collects the text of elements carrying data-* attributes, and any element that loads a resource."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: dict[tuple[tuple[str, str], ...], str] = {}
        self.external: list[str] = []
        self.svgs = 0
        self._open: tuple[tuple[str, str], ...] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = tuple((k, v or "") for k, v in attrs if k.startswith("data-"))
        self._open = data or None
        self.svgs += tag == "svg"
        self.external += [v for k, v in attrs if k in ("src", "href") and v]

    def handle_data(self, text: str) -> None:
        if self._open is not None:
            self.cells[self._open] = text.strip()
            self._open = None


def test_run_report_renders_and_matches_controls(tmp_path: Path) -> None:
    run = make_run(tmp_path / "w", dt.datetime(2026, 8, 3, tzinfo=UTC), True)
    bundle = Path(store_run(run, Config(frameworks=["soc2", "pci-dss"]), tmp_path, str(tmp_path / "s"), key=None, env={}))
    dom = dump_dom(bundle / "report.html")
    assert "Control status by framework" in dom and "</svg>" in dom
    cells = Cells()
    cells.feed(dom)
    assert cells.svgs >= 3 and cells.external == []  # charts drawn, nothing fetched
    for fw in ("soc2", "pci-dss"):
        doc = json.loads((bundle / "controls" / f"{fw}.json").read_text())
        for status, n in doc["summary"].items():
            assert cells.cells[(("data-framework", fw), ("data-status", status))] == str(n)
        for status in doc["summary"]:
            assert doc["summary"][status] == sum(c["status"] == status for c in doc["controls"])
    findings = json.loads((bundle / "findings.json").read_text())["findings"]
    for sev in ("critical", "high", "medium", "low", "info"):
        assert cells.cells[(("data-severity", sev),)] == str(sum(f["severity"] == sev for f in findings))
    assert cells.cells[(("data-scanner", "bandit"),)] == str(len(findings))


def test_export_report_shows_the_trend(tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    for i in range(12):
        store_run(make_run(tmp_path / "w", main_time(i * 3), 4 <= i < 8), Config(frameworks=["soc2", "pci-dss"]),
                  tmp_path, store, key=None, env={})
    out = tmp_path / "q3.tar.gz"
    export.export(open_store(store), export.parse_period("2026Q3"), out)
    with tarfile.open(out) as tar:
        (tmp_path / "report.html").write_bytes(tar.extractfile("report.html").read())
    cells = Cells()
    cells.feed(dump_dom(tmp_path / "report.html"))
    failed = [int(cells.cells[(("data-trend-failed", str(i)),)]) for i in range(12)]
    assert failed == [0] * 4 + [2] * 4 + [0] * 4  # CC7.1 and 6.2 fail in runs 4..7
    assert cells.cells[(("data-framework", "soc2"), ("data-status", "passed"))] == "2"
